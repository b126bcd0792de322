import { modeOf } from '../modes/index.ts';
import { defineStep } from '../runner/step.ts';

/**
 * features: builds the run's feature rows for training, validation and scoring, runs the guards
 * (leak, data quality, drift) and records the run's feature set, all replaced whole. What the rows
 * are is the pipeline mode's: encoded vectors split at random (modes/labeled.ts), or one row per
 * customer and time snapshot (modes/transactions.ts).
 */
export const features = defineStep({
  name: 'features',
  handler: (ctx) => modeOf(ctx.run.pipeline).features(ctx),
});
