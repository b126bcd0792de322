import { createDatabase } from '../../db/client.ts';
import { PromoteError, promoteVersion } from '../../pipeline/registry/promote-version.ts';
import { actorOf, type Command, stringOption, UsageError } from '../command.ts';

/** `cpd promote [PIPELINE] VERSION`: a manual override of the promotion rule, recorded in the decision trail. */
export const promoteCmd: Command = {
  name: 'promote',
  usage: 'cpd promote [PIPELINE] VERSION [--by NAME] [--reason TEXT] [--json]',
  options: { by: { type: 'string' }, reason: { type: 'string' }, json: { type: 'boolean', default: false } },
  async run({ config, values, positionals, print }) {
    // Version numbers count per pipeline: `cpd promote online-shoppers v3`, or `cpd promote 3` when only one pipeline has a v3.
    const pipeline = positionals.length > 1 ? positionals[0] : undefined;
    const raw = positionals[positionals.length - 1]?.replace(/^v/i, '');
    if (!raw || !/^\d+$/.test(raw))
      throw new UsageError(
        'name the model version to make champion: cpd promote [PIPELINE] VERSION, e.g. cpd promote online-shoppers v3 (see cpd models)',
      );
    const actor = actorOf(stringOption(values, 'by'));
    const database = createDatabase(config.DATABASE_URL);
    try {
      const r = await promoteVersion(
        database.pool,
        { pipeline, number: Number(raw) },
        actor,
        stringOption(values, 'reason'),
      );
      if (values.json === true) print(JSON.stringify({ ...r, actor }));
      else
        print(
          `${r.pipeline}: v${r.version} is now champion${r.previous === null ? '' : ` (was v${r.previous})`}; recorded: ${r.reason}`,
        );
      return 0;
    } catch (err) {
      if (!(err instanceof PromoteError)) throw err;
      print(values.json === true ? JSON.stringify({ error: err.message }) : err.message);
      return 1;
    } finally {
      await database.close();
    }
  },
};
