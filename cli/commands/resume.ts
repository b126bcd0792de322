import { createDatabase } from '../../db/client.ts';
import { createQueues } from '../../workflows/queues.ts';
import { ResumeError, resumeRun } from '../../workflows/resume.ts';
import { type Command, UsageError } from '../command.ts';

export const resumeCmd: Command = {
  name: 'resume',
  usage:
    'cpd resume RUNKEY [--force] [--json]   continue a failed run from its failed step (from collect if a source file changed)',
  options: { json: { type: 'boolean', default: false }, force: { type: 'boolean', default: false } },
  async run({ config, values, positionals, print }) {
    const runKey = positionals[0];
    if (!runKey) throw new UsageError('cpd resume needs a RUNKEY (see cpd status)');
    const database = createDatabase(config.DATABASE_URL);
    const queues = createQueues(config);
    try {
      const result = await resumeRun(
        {
          db: database.db,
          queues,
          flowOptions: { attempts: config.CPD_ATTEMPTS, backoffMs: config.CPD_BACKOFF_MS },
        },
        runKey,
        { force: values.force === true },
      );
      print(
        values.json === true
          ? JSON.stringify(result)
          : `run ${runKey}: ${result.reason}${result.action === 'nothing' ? '' : `\nfollow it with: cpd status ${runKey}`}`,
      );
      return 0;
    } catch (err) {
      if (!(err instanceof ResumeError)) throw err;
      print(
        values.json === true
          ? JSON.stringify({ runKey, action: 'refused', reason: err.message })
          : `run ${runKey}: not resumed: ${err.message}`,
      );
      return 1;
    } finally {
      await queues.close();
      await database.close();
    }
  },
};
