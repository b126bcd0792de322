import { Redis } from 'ioredis';
import mysql from 'mysql2/promise';
import { type Config, redactUrl } from '../config/env.ts';
import { connectionOptions } from '../db/client.ts';

export class ServiceUnavailableError extends Error {
  override name = 'ServiceUnavailableError';
}

const HOW_TO_START = `Start them with Docker:   docker compose up -d mysql redis
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
