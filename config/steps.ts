/**
 * The step catalogue: the one list of the nightly flow's steps, in the order they run. The flow
 * (workflows/nightly-flow.ts), the pipeline schema (per-step timeouts), the queues and the step
 * runner all read it; jobs/index.ts maps every name to its handler, so a step without a handler
 * does not compile. Adding a step: its name here, its file in jobs/, its line in jobs/index.ts.
 */
export const stepNames = [
  'collect',
  'load',
  'clean',
  'features',
  'train',
  'evaluate',
  'score',
  'report',
] as const;
export type StepName = (typeof stepNames)[number];

/** The step that runs before `step`, or undefined for the first. */
export function previousStep(step: StepName): StepName | undefined {
  const index = stepNames.indexOf(step);
  return index > 0 ? stepNames[index - 1] : undefined;
}
