import type { Pipeline } from '../config/pipeline.ts';
import { labeledMode } from './labeled.ts';
import type { PipelineMode } from './mode.ts';
import { transactionsMode } from './transactions.ts';

type Mode = Pipeline['mode'];
type PipelineOf<M extends Mode> = { [K in Mode]: Extract<Pipeline, { mode: K }> }[M];

/** Every mode, by the `mode` a pipeline file declares: a third mode is one file and one line here. */
const modes: { [M in Mode]: (pipeline: PipelineOf<M>) => PipelineMode } = {
  labeled: labeledMode,
  transactions: transactionsMode,
};

/** The mode of a run's pipeline (`ctx.run.pipeline`, as recorded in the ledger), made for that pipeline. */
export function modeOf(pipeline: Pipeline): PipelineMode {
  return make(pipeline.mode, pipeline);
}

function make<M extends Mode>(mode: M, pipeline: PipelineOf<M>): PipelineMode {
  return modes[mode](pipeline);
}
