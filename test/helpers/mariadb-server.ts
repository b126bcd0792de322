import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import mysql from 'mysql2/promise';
import { freePort } from './redis-server.ts';
import { waitFor } from './test-env.ts';

export interface DedicatedMariadb {
  /** mysql://root@127.0.0.1:<port>/<database> */
  url(database: string): string;
  stop(): Promise<void>;
  output(): string;
}

/**
 * A mariadbd of the test's own on a free loopback port, with server variables the shared server
 * must not change (max_allowed_packet cannot be lowered per session). Its data folder lives under
 * `dir` and is removed by stop(). No grant tables: loopback only, root without a password.
 */
export async function startDedicatedMariadb(
  dir: string,
  variables: Record<string, string> = {},
): Promise<DedicatedMariadb> {
  const port = await freePort();
  const datadir = path.join(dir, 'mariadb');
  mkdirSync(datadir, { recursive: true });
  const args = [
    '--no-defaults',
    `--datadir=${datadir}`,
    `--socket=${path.join(datadir, 'mariadbd.sock')}`,
    `--pid-file=${path.join(datadir, 'mariadbd.pid')}`,
    `--port=${port}`,
    '--bind-address=127.0.0.1',
    '--skip-grant-tables',
    '--skip-name-resolve',
    '--skip-log-bin',
    '--innodb-buffer-pool-size=32M',
    '--innodb-log-file-size=48M',
    // mariadbd refuses to run as root unless told the user explicitly.
    ...(process.getuid?.() === 0 ? ['--user=root'] : []),
    ...Object.entries(variables).map(([k, v]) => `--${k}=${v}`),
  ];
  let out = '';
  const child: ChildProcess = spawn('/usr/sbin/mariadbd', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const url = (database: string) => `mysql://root@127.0.0.1:${port}/${database}`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(datadir, { recursive: true, force: true });
  };
  try {
    await waitFor(`mariadbd on port ${port}`, () => ping(url('')), 60_000, 100);
  } catch (err) {
    await stop();
    throw new Error(`${(err as Error).message}\n${out.slice(-2000)}`, { cause: err });
  }
  return { url, stop, output: () => out };
}

async function ping(url: string): Promise<boolean> {
  try {
    const c = await mysql.createConnection({ uri: url, connectTimeout: 1000 });
    await c.end();
    return true;
  } catch {
    return false;
  }
}
