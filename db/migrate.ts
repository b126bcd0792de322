import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { migrate } from 'drizzle-orm/mysql2/migrator';
import mysql from 'mysql2/promise';
import { connectionOptions, createDatabase, databaseName } from './client.ts';

export const migrationsFolder = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations');

/** Creates the database if it is missing, then applies every committed migration. */
export async function migrateDatabase(url: string): Promise<{ database: string }> {
  const name = databaseName(url);
  const admin = await mysql.createConnection({ ...connectionOptions(url), database: undefined });
  try {
    await admin.query(
      `CREATE DATABASE IF NOT EXISTS \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`,
    );
  } finally {
    await admin.end();
  }
  const database = createDatabase(url, { connectionLimit: 1 });
  try {
    await migrate(database.db, { migrationsFolder });
  } finally {
    await database.close();
  }
  return { database: name };
}
