import { describe, expect, it } from 'vitest';
import { outboxMessageId, retryDelayMs } from './outbox-policy.ts';

describe('outbox policy', () => {
  it('doubles the retry delay from the first up to the cap', () => {
    const p = { retryMs: 60_000, retryMaxMs: 3_600_000 };
    expect([1, 2, 3, 4, 7, 8, 50].map((n) => retryDelayMs(n, p))).toEqual([
      60_000, 120_000, 240_000, 480_000, 3_600_000, 3_600_000, 3_600_000,
    ]);
  });

  it('gives one Message-ID per run key and kind, valid in a header', () => {
    const id = outboxMessageId('shop@2026-11-01', 'report');
    expect(id).toBe(outboxMessageId('shop@2026-11-01', 'report'));
    expect(id).not.toBe(outboxMessageId('shop@2026-11-01', 'alert-failed'));
    expect(id).not.toBe(outboxMessageId('shop@2026-11-02', 'report'));
    // Two run keys that reduce to the same safe text still differ by their hash.
    expect(outboxMessageId('a b@2026-11-01', 'report')).not.toBe(outboxMessageId('a-b@2026-11-01', 'report'));
    expect(id).toMatch(/^<cpd\.report\.shop-2026-11-01\.[0-9a-f]{16}@purchase-detection\.invalid>$/);
    expect(id.split('@')).toHaveLength(2);
  });
});
