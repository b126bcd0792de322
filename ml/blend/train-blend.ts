import type { Model, TrainOptions } from '../model.ts';
import type { BlendSpec } from '../model.ts';
import { BlendModel } from './blend-model.ts';

/**
 * A blend's recipe refitted on other rows (a cross-fitting fold, a leak-guard refit): each
 * member engine is fitted by `fitMember` (calibrated or not, as the caller fits single
 * engines), and averaged with the recipe's weights. The members fit at the same time: each fit is
 * on worker threads of its own and depends on nothing but its rows and seed (the same models as
 * one after the other), and a logistic fit holds one core, which a boosting or forest fit beside
 * it puts to use on a 2-core machine.
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
  const done = new Array<number>(spec.members.length).fill(0);
  const members: Model[] = await Promise.all(
    spec.members.map((engine, i) =>
      fitMember(engine, {
        ...opts,
        onProgress: opts.onProgress
          ? (d, total) => {
              done[i] = d / total;
              opts.onProgress!(
                done.reduce((a, b) => a + b, 0),
                spec.members.length,
              );
            }
          : undefined,
      }),
    ),
  );
  return new BlendModel(members, spec.weights);
}
