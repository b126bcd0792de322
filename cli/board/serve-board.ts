import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Config } from '../../config/env.ts';
import type { Logger } from '../../config/logger.ts';
import { createDatabase } from '../../db/client.ts';
import { reportArchiveDir } from '../../reports/archive-dir.ts';
import { createQueues } from '../../workflows/queues.ts';
import type { BoardCredential } from './basic-auth.ts';
import { BOARD_BASE_PATH, createBoardApp } from './create-board-app.ts';
import { runControl } from './runs/run-control.ts';

export class BoardConfigError extends Error {
  override name = 'BoardConfigError';
}

export interface RunningBoard {
  url: string;
  close(): Promise<void>;
}

/** Open connections (a browser's keep-alive, a long poll) get this long to finish on shutdown. */
const CLOSE_GRACE_MS = 5_000;

const MIN_PASSWORD_LENGTH = 12;

/** The credentials from the environment; none at all only with --insecure-local. */
export function boardCredentials(config: Config, insecureLocal: boolean): BoardCredential[] {
  const creds: BoardCredential[] = [];
  if (config.BOARD_OPERATOR_PASSWORD)
    creds.push({
      name: config.BOARD_OPERATOR_USER,
      password: config.BOARD_OPERATOR_PASSWORD,
      role: 'operator',
    });
  if (config.BOARD_VIEWER_PASSWORD)
    creds.push({ name: config.BOARD_VIEWER_USER, password: config.BOARD_VIEWER_PASSWORD, role: 'viewer' });
  if (!config.BOARD_OPERATOR_PASSWORD && !insecureLocal) {
    throw new BoardConfigError(
      'cpd board needs BOARD_OPERATOR_PASSWORD (and BOARD_VIEWER_PASSWORD for read-only users); for a local look without login pass --insecure-local (binds to 127.0.0.1 only)',
    );
  }
  // Checked here, not in the env schema, so a weak board password never stops a worker.
  const weak = creds
    .filter((c) => c.password.length < MIN_PASSWORD_LENGTH)
    .map((c) => (c.role === 'operator' ? 'BOARD_OPERATOR_PASSWORD' : 'BOARD_VIEWER_PASSWORD'));
  if (weak.length)
    throw new BoardConfigError(`${weak.join(' and ')}: at least ${MIN_PASSWORD_LENGTH} characters`);
  if (config.BOARD_OPERATOR_USER === config.BOARD_VIEWER_USER && creds.length === 2) {
    throw new BoardConfigError('BOARD_OPERATOR_USER and BOARD_VIEWER_USER must differ');
  }
  return creds;
}

/**
 * Serves Bull Board with auth, audit, /healthz and /metrics. --insecure-local binds to 127.0.0.1
 * whatever BOARD_HOST says, so a board without login is never reachable from the network.
 */
export async function serveBoard(
  config: Config,
  log: Logger,
  opts: { insecureLocal: boolean; port?: number },
): Promise<RunningBoard> {
  const credentials = boardCredentials(config, opts.insecureLocal);
  const host = opts.insecureLocal ? '127.0.0.1' : config.BOARD_HOST;
  const database = createDatabase(config.DATABASE_URL, { connectionLimit: 4 });
  const queues = createQueues(config);
  const app = createBoardApp({
    db: database.db,
    pool: database.pool,
    queues: queues.all(),
    credentials,
    log,
    pingRedis: () => queues.connection.ping(),
    readRetryMs: config.CPD_CLIENT_RETRY_MS,
    control: runControl({
      db: database.db,
      pool: database.pool,
      queues,
      flowOptions: { attempts: config.CPD_ATTEMPTS, backoffMs: config.CPD_BACKOFF_MS },
    }),
    reportDir: (pipeline, businessDate) => reportArchiveDir(config, pipeline, businessDate),
  });
  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(opts.port ?? config.BOARD_PORT, host, (err?: Error) =>
      err ? reject(err) : resolve(s),
    );
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`;
  log.info(
    {
      url: `${url}${BOARD_BASE_PATH}/`,
      host,
      port,
      auth: credentials.map((c) => `${c.name} (${c.role})`),
      insecureLocal: opts.insecureLocal,
    },
    'board listening',
  );
  return {
    url,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const force = setTimeout(() => server.closeAllConnections(), CLOSE_GRACE_MS);
      await closed;
      clearTimeout(force);
      await queues.close();
      await database.close();
    },
  };
}
