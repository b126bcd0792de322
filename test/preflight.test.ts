import { describe, expect, it } from 'vitest';
import { runCpd } from './helpers/processes.ts';

describe('when MySQL or Redis is down', () => {
  it('the demo says which one and how to start it, and exits 1', async () => {
    // Port 1 on loopback: nothing listens there, so the connection is refused at once.
    const res = await runCpd(
      ['demo'],
      { DATABASE_URL: 'mysql://root@127.0.0.1:1/cpd', REDIS_URL: 'redis://127.0.0.1:1' },
      60_000,
    );
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('MySQL is not reachable at mysql://root@127.0.0.1:1/cpd');
    expect(res.stderr).toContain('Redis is not reachable at redis://127.0.0.1:1');
    expect(res.stderr).toContain('docker compose up -d mysql redis');
    expect(res.stderr).not.toContain('    at '); // a message, not a stack trace
  });

  it('a secret in the URL is never printed', async () => {
    const res = await runCpd(
      ['status'],
      { DATABASE_URL: 'mysql://root:hunter2@127.0.0.1:1/cpd', REDIS_URL: 'redis://:s3cret@127.0.0.1:1' },
      60_000,
    );
    expect(res.code).toBe(1);
    expect(res.stderr + res.stdout).not.toMatch(/hunter2|s3cret/);
  });
});
