import type { Pipeline, Source } from '../../config/pipeline.ts';
import { PermanentError } from '../errors.ts';

/** Name of a source in records and messages: its declared name, else its position. */
export function sourceName(source: Source, index: number): string {
  return source.name ?? `source-${index + 1}`;
}

/** The pipeline's source a collected input came from; one removed from the pipeline since blocks the load. */
export function sourceNamed(pipeline: Pipeline, name: string): Source {
  const source = pipeline.sources.find((s, i) => sourceName(s, i) === name);
  if (!source) throw new PermanentError(`source ${name} is not in the pipeline any more`, { source: name });
  return source;
}
