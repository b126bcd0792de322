import { createLogger } from '../../config/logger.ts';
import { BoardConfigError, serveBoard } from '../board/serve-board.ts';
import { type Command, UsageError } from '../command.ts';

export const boardCmd: Command = {
  name: 'board',
  usage:
    'cpd board [--insecure-local]                  Bull Board with login, audit log, /healthz and /metrics',
  options: { 'insecure-local': { type: 'boolean', default: false } },
  async run({ config, values, print }) {
    const log = createLogger(config, { role: 'board' });
    // Listening before start-up, so a SIGTERM while connecting still closes cleanly once the server is up.
    let signalled: ((signal: string) => void) | undefined;
    const early: string[] = [];
    process.once('SIGTERM', () => (signalled ? signalled('SIGTERM') : early.push('SIGTERM')));
    process.once('SIGINT', () => (signalled ? signalled('SIGINT') : early.push('SIGINT')));
    let board;
    try {
      board = await serveBoard(config, log, { insecureLocal: values['insecure-local'] === true });
    } catch (err) {
      if (err instanceof BoardConfigError) throw new UsageError(err.message);
      throw err;
    }
    print(
      `board: ${board.url}/board/  runs: ${board.url}/runs  health: ${board.url}/healthz  metrics: ${board.url}/metrics`,
    );
    await new Promise<void>((resolve) => {
      let stopping = false;
      const stop = (signal: string) => {
        if (stopping) return;
        stopping = true;
        log.info({ signal }, 'shutting down: finishing open requests');
        board.close().then(resolve, (err: unknown) => {
          log.error({ err }, 'shutdown failed');
          resolve();
        });
      };
      signalled = stop;
      if (early[0]) stop(early[0]);
    });
    return 0;
  },
};
