import { describe, expect, it } from 'vitest';
import { esc, formatDuration, formatTime } from './html.ts';

describe('console formatting', () => {
  it('escapes markup and quotes', () => {
    expect(esc(`<a href="x">'&`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;');
  });

  it('writes durations with units', () => {
    expect(formatDuration(850)).toBe('850 ms');
    expect(formatDuration(12_340)).toBe('12.3 s');
    expect(formatDuration(245_000)).toBe('4 min 05 s');
    expect(formatDuration(3_720_000)).toBe('1 h 02 min');
    expect(formatDuration(null)).toBe('–');
  });

  it('shows a moment in the pipeline’s time zone', () => {
    const at = new Date('2026-11-24T02:00:12Z');
    expect(formatTime(at, 'Europe/Berlin')).toBe('2026-11-24 03:00:12 CET');
    expect(formatTime(at, 'UTC')).toBe('2026-11-24 02:00:12 UTC');
  });
});
