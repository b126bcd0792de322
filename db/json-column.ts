import { customType } from 'drizzle-orm/mysql-core';

/**
 * Reads a JSON column's value as the driver hands it over. MySQL 8 returns JSON columns parsed;
 * MariaDB stores JSON as LONGTEXT, so mysql2 returns the text: this is the one place that tells
 * them apart. Raw SQL readers (report aggregates, JSON_EXTRACT) call it too.
 */
export function parseJsonValue<T>(value: unknown): T {
  if (typeof value !== 'string') return value as T;
  try {
    return JSON.parse(value) as T;
  } catch {
    // MySQL 8 hands a JSON string scalar over already parsed, i.e. as text that is not JSON.
    return value as T;
  }
}

/**
 * A JSON column whose TypeScript type is true on both servers: values are parsed on read and
 * serialised on write, so `$type<T>()`-style typing never lies about MariaDB's text.
 */
export function jsonColumn<T = unknown>(name: string) {
  return customType<{ data: T; driverData: string }>({
    dataType: () => 'json',
    toDriver: (value) => JSON.stringify(value),
    fromDriver: (value) => parseJsonValue<T>(value),
  })(name);
}
