import type { StepName } from '../config/steps.ts';
import type { StepDefinition } from '../runner/step.ts';
import { clean } from './clean.ts';
import { collect } from './collect.ts';
import { evaluate } from './evaluate.ts';
import { features } from './features.ts';
import { load } from './load.ts';
import { report } from './report.ts';
import { score } from './score.ts';
import { train } from './train.ts';

/** Every step of the flow; a step without a handler does not compile. */
export const steps: Record<StepName, StepDefinition> = {
  collect,
  load,
  clean,
  features,
  train,
  evaluate,
  score,
  report,
};
