import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { loadPipelineFile, type Pipeline, PipelineFileError } from '../config/pipeline.ts';

export interface FoundPipeline {
  file: string;
  pipeline: Pipeline;
}

/** Every pipeline file (`*.json`) in a folder, validated; a bad file stops the caller with its error. */
export function findPipelines(dir: string): FoundPipeline[] {
  if (!existsSync(dir))
    throw new PipelineFileError(`pipelines folder ${dir} does not exist (--pipelines DIR)`);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => path.join(dir, f))
    .map((file) => ({ file, pipeline: loadPipelineFile(file) }));
}

/** A pipeline named on the command line: a file path, or the `name` of a pipeline in the folder. */
export function findPipeline(arg: string, dir: string): FoundPipeline {
  if (arg.endsWith('.json') || existsSync(arg)) return { file: arg, pipeline: loadPipelineFile(arg) };
  const all = findPipelines(dir);
  const hit = all.find((p) => p.pipeline.name === arg);
  if (!hit)
    throw new PipelineFileError(
      `no pipeline named "${arg}" in ${dir} (known: ${all.map((p) => p.pipeline.name).join(', ') || 'none'})`,
    );
  return hit;
}
