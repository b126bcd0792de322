import type { StepName } from '../config/steps.ts';
import type { StepResult, WorkContext } from '../pipeline/context.ts';
import type { Mailer } from '../reports/mailer.ts';

/** Everything a step handler may touch; built once per job by the step runner. */
export interface StepContext extends WorkContext {
  attempt: number;
  mailer: Mailer;
  /** When this attempt first looked for its input (epoch ms): a sensor's timeout counts from here. */
  waitingSince?: number;
}

export interface StepDefinition {
  name: StepName;
  handler(ctx: StepContext): Promise<StepResult>;
}

export function defineStep(def: StepDefinition): StepDefinition {
  return def;
}
