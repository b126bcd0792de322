import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import mysql from 'mysql2/promise';
import { type Config, loadConfig } from '../../config/env.ts';
import { createDatabase, type Database } from '../../db/client.ts';
import { migrateDatabase } from '../../db/migrate.ts';

export const BASE_DB_URL = process.env.TEST_DATABASE_URL ?? 'mysql://root@127.0.0.1:3306/test';
export const BASE_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export interface TestEnv {
  config: Config;
  /** Environment for spawned cpd processes: the same database, queue prefix and outbox. */
  env: Record<string, string>;
  database: Database;
  tmp: string;
  cleanup(): Promise<void>;
}

/**
 * A private world for one test file: its own MySQL database (migrated), its own BullMQ prefix,
 * its own temp folder. cleanup() drops the database and deletes every Redis key of the prefix.
 */
export async function createTestEnv(name: string, extra: Record<string, string> = {}): Promise<TestEnv> {
  const id = `${name.replace(/[^a-z0-9]/gi, '').slice(0, 20)}_${randomBytes(4).toString('hex')}`;
  const dbUrl = new URL(BASE_DB_URL);
  dbUrl.pathname = `/cpd_t_${id}`;
  const tmp = mkdtempSync(path.join(os.tmpdir(), `cpd-${id}-`));
  mkdirSync(path.join(tmp, 'os-tmp'));
  const env: Record<string, string> = {
    DATABASE_URL: dbUrl.toString(),
    REDIS_URL: BASE_REDIS_URL,
    CPD_QUEUE_PREFIX: `cpdt_${id}`,
    OUTBOX_DIR: path.join(tmp, 'outbox'),
    REPORT_DIR: path.join(tmp, 'reports'),
    DATA_DIR: path.join(tmp, 'data'),
    // Spawned workers' temp files (the score step's spool) land in the folder cleanup() removes,
    // also where a test kills a worker before it removes its own.
    TMPDIR: path.join(tmp, 'os-tmp'),
    LOG_LEVEL: 'warn',
    CPD_BACKOFF_MS: '200',
    CPD_THREADS: '2',
    ...extra,
  };
  const config = loadConfig(env);
  await migrateDatabase(config.DATABASE_URL);
  const database = createDatabase(config.DATABASE_URL);
  return {
    config,
    env,
    database,
    tmp,
    async cleanup() {
      await database.close();
      const admin = await mysql.createConnection({ uri: BASE_DB_URL });
      await admin.query(`DROP DATABASE IF EXISTS \`${database.name}\``);
      await admin.end();
      await deleteRedisPrefix(BASE_REDIS_URL, config.CPD_QUEUE_PREFIX);
      rmSync(tmp, { recursive: true, force: true });
    },
  };
}

export async function deleteRedisPrefix(url: string, prefix: string): Promise<void> {
  const redis = new Redis(url);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

/** Polls `check` until it returns a value, failing with `what` after the deadline. No fixed sleeps. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined | false>,
  timeoutMs = 60_000,
  intervalMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs}ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
