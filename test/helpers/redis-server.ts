import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { Redis } from 'ioredis';
import { waitFor } from './test-env.ts';

export interface DedicatedRedis {
  url: string;
  port: number;
  /** SIGTERM: Redis fsyncs the append-only file and exits; resolves once it has. */
  stop(): Promise<void>;
  /** Starts it again on the same port and folder, so it reloads the append-only file. */
  start(): Promise<void>;
  output(): string;
}

/** A port nobody listens on right now (the OS picks it). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * A redis-server of the test's own, on a free loopback port, persisting to an append-only file in
 * `dir` (no RDB snapshots), so a restart brings every queue back as it was at the SIGTERM.
 */
export async function startDedicatedRedis(dir: string): Promise<DedicatedRedis> {
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--save',
    '',
    '--appendonly',
    'yes',
    '--dir',
    dir,
    '--maxmemory-policy',
    'noeviction',
  ];
  const server = restartableServer(
    'redis-server',
    args,
    `redis-server on port ${port}`,
    () => ping(url),
    15_000,
  );
  await server.start();
  return { url, port, ...server };
}

/**
 * A server process the test can stop (SIGTERM, resolving once it exited) and start again with the
 * same arguments; `ready` is polled until the server answers.
 */
export function restartableServer(
  command: string,
  args: string[],
  what: string,
  ready: () => Promise<boolean>,
  timeoutMs: number,
): { start(): Promise<void>; stop(): Promise<void>; output(): string } {
  let child: ChildProcess | undefined;
  let out = '';
  return {
    async start() {
      const c = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
      child = c;
      c.stdout?.on('data', (d: Buffer) => (out += d.toString()));
      c.stderr?.on('data', (d: Buffer) => (out += d.toString()));
      await waitFor(what, ready, timeoutMs, 50);
    },
    async stop() {
      const c = child;
      if (!c || c.exitCode !== null || c.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => c.once('exit', () => resolve()));
      c.kill('SIGTERM');
      await exited;
    },
    output: () => out,
  };
}

async function ping(url: string): Promise<boolean> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    return (await redis.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    redis.disconnect();
  }
}
