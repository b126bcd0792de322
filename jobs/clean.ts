import { modeOf } from '../modes/index.ts';
import { defineStep } from '../runner/step.ts';

/**
 * clean: turns the loaded rows into the typed, checked rows the features step reads, replacing the
 * run's previous output whole. What that takes is the pipeline mode's: labeled tables get typed
 * cells and quarantined rows (modes/labeled.ts), purchase lines the cleaning rules and the
 * data-quality checks (modes/transactions.ts).
 */
export const clean = defineStep({
  name: 'clean',
  handler: (ctx) => modeOf(ctx.run.pipeline).clean(ctx),
});
