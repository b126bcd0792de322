import { spawnSync } from 'node:child_process';
import { Redis } from 'ioredis';
import mysql from 'mysql2/promise';
import { type Config, redactUrl } from '../config/env.ts';
import { connectionOptions } from '../db/client.ts';

export class ServiceUnavailableError extends Error {
  override name = 'ServiceUnavailableError';
}

const HOW_TO_START = `Start them with Docker:   docker compose up -d mysql redis mailpit   (npm run demo does this when Docker runs)
or as local services:     start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd
                          redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no
then run the command again (DATABASE_URL and REDIS_URL point cpd elsewhere).`;

/** Checks MySQL and Redis answer within a few seconds; one clear message says what to start if not. */
export async function checkServices(config: Pick<Config, 'DATABASE_URL' | 'REDIS_URL'>): Promise<void> {
  const problems: string[] = [];
  try {
    const conn = await mysql.createConnection({
      ...connectionOptions(config.DATABASE_URL),
      database: undefined,
      connectTimeout: 3_000,
    });
    await conn.end();
  } catch (err) {
    problems.push(
      `MySQL is not reachable at ${redactUrl(config.DATABASE_URL)} (${(err as Error).message || (err as { code?: string }).code})`,
    );
  }
  const redis = new Redis(config.REDIS_URL, {
    lazyConnect: true,
    connectTimeout: 3_000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    await redis.ping();
  } catch (err) {
    problems.push(`Redis is not reachable at ${redactUrl(config.REDIS_URL)} (${(err as Error).message})`);
  } finally {
    redis.disconnect();
  }
  if (problems.length) throw new ServiceUnavailableError(`${problems.join('\n')}\n\n${HOW_TO_START}`);
}

/** What ensureServices needs from the machine; injected so the decision is testable without Docker. */
export interface ServiceStarter {
  check(): Promise<void>;
  /** true when a Docker engine answers (`docker info`). */
  dockerAvailable(): boolean;
  /** `docker compose up -d --wait mysql redis mailpit`: true when the services came up healthy. */
  composeUp(): boolean;
  print(s: string): void;
}

/**
 * Checks MySQL and Redis; when one is down and a Docker engine is there, starts the repository's
 * compose services and waits for their health checks, then checks again. Without Docker the
 * clear message of checkServices stands.
 */
export async function ensureServices(starter: ServiceStarter): Promise<'running' | 'started'> {
  try {
    await starter.check();
    return 'running';
  } catch (err) {
    if (!(err instanceof ServiceUnavailableError) || !starter.dockerAvailable()) throw err;
    starter.print(
      `${err.message.split('\n')[0]}\nDocker is available: starting MySQL, Redis and Mailpit (docker compose up -d --wait mysql redis mailpit)`,
    );
    if (!starter.composeUp())
      throw new ServiceUnavailableError(`docker compose could not start the services\n\n${err.message}`);
    await starter.check();
    starter.print(
      'services up (Mailpit shows mails at http://127.0.0.1:8025 when SMTP_URL=smtp://127.0.0.1:1025)',
    );
    return 'started';
  }
}

/** The real machine: `docker` on the PATH, compose run from the repository root. */
export function dockerStarter(
  config: Pick<Config, 'DATABASE_URL' | 'REDIS_URL'>,
  root: string,
  print: (s: string) => void,
): ServiceStarter {
  return {
    check: () => checkServices(config),
    dockerAvailable: () => spawnSync('docker', ['info'], { stdio: 'ignore', timeout: 15_000 }).status === 0,
    composeUp: () =>
      spawnSync('docker', ['compose', 'up', '-d', '--wait', 'mysql', 'redis', 'mailpit'], {
        cwd: root,
        stdio: ['ignore', 'inherit', 'inherit'],
        // Pulling the images on a first start takes minutes on a slow line.
        timeout: 15 * 60_000,
      }).status === 0,
    print,
  };
}
