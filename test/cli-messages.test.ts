import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCpd } from './helpers/processes.ts';
import { BASE_DB_URL } from './helpers/test-env.ts';

/** What a person sees when they mistype, ask for help, or forgot to migrate. */
describe('cpd messages', () => {
  const name = `cpd_t_unmigrated_${process.pid}`;
  const url = new URL(BASE_DB_URL);
  url.pathname = `/${name}`;

  beforeAll(async () => {
    const admin = await mysql.createConnection({ uri: BASE_DB_URL });
    await admin.query(`CREATE DATABASE IF NOT EXISTS \`${name}\``);
    await admin.end();
  });

  afterAll(async () => {
    const admin = await mysql.createConnection({ uri: BASE_DB_URL });
    await admin.query(`DROP DATABASE IF EXISTS \`${name}\``);
    await admin.end();
  });

  it('says "run cpd migrate" on an empty database instead of a stack trace', async () => {
    const r = await runCpd(['status'], { DATABASE_URL: url.toString() });
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(
      `cpd: database not migrated: run cpd migrate (Table '${name}.pipeline_runs' doesn't exist)`,
    );
  });

  it('suggests the command and the flag a typo meant, and prints the version', async () => {
    const cmd = await runCpd(['stauts'], {});
    expect(cmd.code).toBe(2);
    expect(cmd.stderr).toMatch(/^cpd: unknown command "stauts"; did you mean "cpd status"\?/);
    const flag = await runCpd(['status', '--limt', '3'], {});
    expect(flag.code).toBe(2);
    expect(flag.stderr).toMatch(/^cpd: Unknown option '--limt'; did you mean --limit\?/);
    const version = await runCpd(['--version'], {});
    expect(version.stdout).toMatch(/^cpd \d+\.\d+\.\d+ \(node \d+/);
    const help = await runCpd(['logs', '--help'], {});
    expect(help.stdout).toContain('--attempt VALUE');
    expect(help.stdout).toContain('example:\n  cpd logs online-shoppers@2026-11-24 train --attempt 2');
  });
});
