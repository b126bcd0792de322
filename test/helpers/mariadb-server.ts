import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import mysql from 'mysql2/promise';
import { freePort, restartableServer } from './redis-server.ts';

export interface DedicatedMariadb {
  /** Base URL (no database); add the path of the database to use. */
  url: string;
  /** SIGTERM: a clean shutdown; resolves once the server has exited. */
  stop(): Promise<void>;
  /** Starts it again on the same port and data folder. */
  start(): Promise<void>;
  output(): string;
}

/**
 * A mariadbd of the test's own on a free loopback port and a data folder in `dir`, so a test can
 * restart "the database" without touching the shared server every other test uses. No grant
 * tables: root without password, like the shared test server.
 */
export async function startDedicatedMariadb(
  dir: string,
  /** Server variables the shared server must not change (e.g. a small max-allowed-packet); they win over the defaults. */
  variables: Record<string, string> = {},
): Promise<DedicatedMariadb> {
  const port = await freePort();
  const datadir = path.join(dir, 'data');
  await promisify(execFile)('mariadb-install-db', [
    '--no-defaults',
    `--datadir=${datadir}`,
    '--user=root',
    '--skip-test-db',
    '--auth-root-authentication-method=normal',
  ]);
  const url = `mysql://root@127.0.0.1:${port}`;
  const args = [
    '--no-defaults',
    `--datadir=${datadir}`,
    `--socket=${path.join(dir, 'mysqld.sock')}`,
    `--pid-file=${path.join(dir, 'mysqld.pid')}`,
    `--port=${port}`,
    '--bind-address=127.0.0.1',
    '--user=root',
    '--skip-grant-tables',
    '--skip-log-bin',
    '--local-infile=1',
    '--max-allowed-packet=16M',
    '--innodb-buffer-pool-size=64M',
    ...Object.entries(variables).map(([name, value]) => `--${name}=${value}`),
  ];
  const server = restartableServer('mariadbd', args, `mariadbd on port ${port}`, () => ping(url), 60_000);
  await server.start();
  return { url, ...server };
}

async function ping(url: string): Promise<boolean> {
  try {
    const conn = await mysql.createConnection({ uri: url, connectTimeout: 1_000 });
    await conn.query('SELECT 1');
    await conn.end();
    return true;
  } catch {
    return false;
  }
}
