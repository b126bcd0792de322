import { createLogger } from '../../config/logger.ts';
import { BoardConfigError, serveBoard } from '../board/serve-board.ts';
import { UsageError, type Command } from '../command.ts';

export const boardCmd: Command = {
  name: 'board',
  usage: 'cpd board [--insecure-local]                  Bull Board with login, audit log, /healthz and /metrics',
  options: { 'insecure-local': { type: 'boolean', default: false } },
  async run({ config, values, print }) {
    const log = createLogger(config, { role: 'board' });
    let board;
    try {
      board = await serveBoard(config, log, { insecureLocal: values['insecure-local'] === true });
    } catch (err) {
      if (err instanceof BoardConfigError) throw new UsageError(err.message);
      throw err;
    }
    print(`board: ${board.url}/board/  health: ${board.url}/healthz  metrics: ${board.url}/metrics`);
    await new Promise<void>((resolve) => {
      const stop = (signal: string) => {
        log.info({ signal }, 'shutting down: finishing open requests');
        board.close().then(resolve, (err: unknown) => {
          log.error({ err }, 'shutdown failed');
          resolve();
        });
      };
      process.once('SIGTERM', () => stop('SIGTERM'));
      process.once('SIGINT', () => stop('SIGINT'));
    });
    return 0;
  },
};
