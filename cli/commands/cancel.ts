import { createDatabase } from '../../db/client.ts';
import { cancelRun } from '../../workflows/cancel-run.ts';
import { createQueues } from '../../workflows/queues.ts';
import { type Command, UsageError } from '../command.ts';

/** `cpd cancel RUNKEY`: stops a run (see cancelRun); exit code 1 when there was nothing to cancel. */
export const cancelCmd: Command = {
  name: 'cancel',
  usage:
    'cpd cancel RUNKEY [--json]           stop a run: its waiting steps are removed, a running step is the last',
  options: { json: { type: 'boolean', default: false } },
  async run({ config, values, positionals, print }) {
    const runKey = positionals[0];
    if (!runKey) throw new UsageError('cpd cancel needs a RUNKEY (see cpd status)');
    const database = createDatabase(config.DATABASE_URL);
    const queues = createQueues(config);
    try {
      const result = await cancelRun({ db: database.db, queues }, runKey);
      if (!result.cancelled) {
        const reason = result.status === null ? 'no such run' : `run is ${result.status}`;
        const text =
          result.status === null
            ? `no run ${runKey}`
            : `run ${runKey} is ${result.status}: nothing to cancel`;
        print(values.json === true ? JSON.stringify({ runKey, cancelled: false, reason }) : text);
        return 1;
      }
      const { removed, running } = result;
      const out = { runKey, cancelled: true, removed, running };
      print(
        values.json === true
          ? JSON.stringify(out)
          : `run ${runKey} cancelled; removed waiting steps: ${removed.join(', ') || 'none'}${running.length ? `; still running (finishes, nothing follows): ${running.join(', ')}` : ''}`,
      );
      return 0;
    } finally {
      await queues.close();
      await database.close();
    }
  },
};
