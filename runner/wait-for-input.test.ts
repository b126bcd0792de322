import { describe, expect, it } from 'vitest';
import { nextPoke } from './wait-for-input.ts';

describe('sensor timing', () => {
  const wait = { pokeSeconds: 60, timeoutMinutes: 10 };
  const t0 = Date.UTC(2026, 10, 24, 2, 0, 0);

  it('looks again one poke later while the timeout is ahead', () => {
    expect(nextPoke(wait, t0, t0)).toEqual({ kind: 'poke', untilMs: t0 + 60_000 });
    expect(nextPoke(wait, t0, t0 + 5 * 60_000)).toEqual({ kind: 'poke', untilMs: t0 + 6 * 60_000 });
  });

  it('makes the last look at the deadline, then times out', () => {
    expect(nextPoke(wait, t0, t0 + 9.5 * 60_000)).toEqual({ kind: 'poke', untilMs: t0 + 10 * 60_000 });
    expect(nextPoke(wait, t0, t0 + 10 * 60_000)).toEqual({ kind: 'timeout', waitedMinutes: 10 });
  });
});
