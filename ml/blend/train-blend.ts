import type { Model, TrainOptions } from '../model.ts';
import type { BlendSpec } from '../model.ts';
import { BlendModel } from './blend-model.ts';

/**
 * A blend's recipe refitted on other rows (a cross-fitting fold, a leak-guard refit): each
 * member engine is fitted by `fitMember` (calibrated or not, as the caller fits single
 * engines), one after the other, and averaged with the recipe's weights.
 */
export async function trainBlend(
  spec: BlendSpec | undefined,
  fitMember: (engine: BlendSpec['members'][number], opts: TrainOptions) => Promise<Model>,
  opts: TrainOptions = {},
): Promise<BlendModel> {
  if (!spec || spec.members.length < 1 || spec.members.length !== spec.weights.length)
    throw new RangeError(
      'engine blend needs params.blend = { members: [...], weights: [...] } of the same length',
    );
  if (spec.members.includes('blend')) throw new RangeError('a blend cannot have a blend as a member');
  const members: Model[] = [];
  for (const [i, engine] of spec.members.entries()) {
    members.push(
      await fitMember(engine, {
        ...opts,
        onProgress: opts.onProgress
          ? (done, total) => opts.onProgress!(i * total + done, spec.members.length * total)
          : undefined,
      }),
    );
  }
  return new BlendModel(members, spec.weights);
}
