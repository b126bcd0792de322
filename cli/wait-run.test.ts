import { describe, expect, it } from 'vitest';
import { isConnectionError, ReadRetryExhaustedError, readWithRetry } from './wait-run.ts';

describe('riding out a connection blip', () => {
  it('tells a lost connection (also wrapped as a cause) from a wrong query', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:3306'), { code: 'ECONNREFUSED' });
    expect(isConnectionError(refused)).toBe(true);
    expect(isConnectionError(new Error('Failed query: select 1', { cause: refused }))).toBe(true);
    expect(isConnectionError(Object.assign(new Error('gone'), { errno: 2013 }))).toBe(true);
    expect(isConnectionError(Object.assign(new Error("Unknown column 'x'"), { errno: 1054 }))).toBe(false);
  });

  it('retries until the read works, saying so once, and gives up past the budget', async () => {
    const notices: string[] = [];
    let calls = 0;
    const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    const value = await readWithRetry(
      'the ledger',
      async () => {
        if (++calls < 3) throw new Error('Failed query: select', { cause: refused });
        return 42;
      },
      { budgetMs: 10_000, notice: (l) => notices.push(l), intervalMs: 1 },
    );
    expect(value).toBe(42);
    expect(notices).toEqual([
      '  lost the connection while reading the ledger (connect ECONNREFUSED); retrying for up to 10s',
      '  reconnected after 0s; carrying on',
    ]);
    await expect(
      readWithRetry('the ledger', () => Promise.reject(refused), {
        budgetMs: 0,
        notice: () => undefined,
        intervalMs: 1,
      }),
    ).rejects.toThrow(ReadRetryExhaustedError);
    await expect(
      readWithRetry('the ledger', () => Promise.reject(new Error('syntax')), {
        budgetMs: 10_000,
        notice: () => undefined,
      }),
    ).rejects.toThrow('syntax');
  });
});
