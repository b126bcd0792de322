import { drizzle, type MySql2Database } from 'drizzle-orm/mysql2';
import mysql, { type Pool, type PoolOptions } from 'mysql2/promise';
import * as schema from './schema/index.ts';

export type Db = MySql2Database<typeof schema>;

export interface Database {
  db: Db;
  pool: Pool;
  /** The database name from the URL. */
  name: string;
  close(): Promise<void>;
}

/** Options shared by every connection cpd opens (pool, loaders, tests). */
export function connectionOptions(url: string): PoolOptions {
  const u = new URL(url);
  return {
    host: u.hostname,
    port: u.port ? Number(u.port) : 3306,
    user: decodeURIComponent(u.username || 'root'),
    password: decodeURIComponent(u.password),
    database: u.pathname.replace(/^\//, '') || undefined,
    // Timestamps are stored and read as UTC; DATE columns stay 'YYYY-MM-DD' strings (no time zone shift).
    timezone: 'Z',
    dateStrings: ['DATE'],
    supportBigNumbers: true,
    // Deadlocks and lost connections are retried by the job runner, not hidden here.
    connectTimeout: 10_000,
  };
}

export function databaseName(url: string): string {
  const name = new URL(url).pathname.replace(/^\//, '');
  if (!/^[A-Za-z0-9_]{1,64}$/.test(name)) {
    throw new Error(`DATABASE_URL must name a database (letters, digits, _), got "${name}"`);
  }
  return name;
}

export function createDatabase(url: string, opts: { connectionLimit?: number } = {}): Database {
  const name = databaseName(url);
  const pool = mysql.createPool({
    ...connectionOptions(url),
    connectionLimit: opts.connectionLimit ?? 4,
    waitForConnections: true,
  });
  const db = drizzle(pool, { schema, mode: 'default' });
  return { db, pool, name, close: () => pool.end() };
}
