import { createDatabase } from '../../db/client.ts';
import { NothingToRollBackError, rollbackScores } from '../../pipeline/publish/rollback-scores.ts';
import { actorOf, type Command, stringOption, UsageError } from '../command.ts';

export const rollbackCmd: Command = {
  name: 'rollback',
  usage: 'cpd rollback PIPELINE [--by NAME] [--json]',
  options: { by: { type: 'string' }, json: { type: 'boolean', default: false } },
  async run({ config, values, positionals, print }) {
    const pipeline = positionals[0];
    if (!pipeline)
      throw new UsageError('name the pipeline whose previous scores to restore: cpd rollback PIPELINE');
    const actor = actorOf(stringOption(values, 'by'));
    const database = createDatabase(config.DATABASE_URL);
    const conn = await database.pool.getConnection();
    try {
      const r = await rollbackScores(database.db, conn, pipeline, actor);
      if (values.json === true) print(JSON.stringify({ ...r, actor }));
      else
        print(
          `${pipeline}: scores of ${r.restoredRunKey} restored (replacing ${r.replacedRunKey}, kept as previous), by ${actor}`,
        );
      return 0;
    } catch (err) {
      if (!(err instanceof NothingToRollBackError)) throw err;
      print(values.json === true ? JSON.stringify({ error: err.message }) : err.message);
      return 1;
    } finally {
      conn.release();
      await database.close();
    }
  },
};
