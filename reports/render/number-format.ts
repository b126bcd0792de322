/**
 * Number formatting for the report, pinned to en-US so a report reads the same whichever
 * machine renders it (and tests do not depend on the host locale).
 */
const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

export const formatNumber = {
  int: (n: number): string => integer.format(n),
  fixed: (n: number, digits = 3): string => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a'),
  pct: (share: number, digits = 1): string =>
    Number.isFinite(share) ? `${(share * 100).toFixed(digits)}%` : 'n/a',
  signed: (n: number, digits = 3): string =>
    n > 0 ? `+${n.toFixed(digits)}` : n < 0 ? `\u2212${Math.abs(n).toFixed(digits)}` : n.toFixed(digits),
  duration: (ms: number): string => {
    if (ms < 1000) return `${Math.round(ms)} ms`;
    const seconds = ms / 1000;
    if (seconds < 60) return `${seconds.toFixed(1)} s`;
    const minutes = Math.floor(seconds / 60);
    return `${minutes} min ${Math.round(seconds - minutes * 60)} s`;
  },
};

/** "2026-11-24 03:12 Europe/London": an instant as people read it, in the pipeline's time zone. */
export function localTime(iso: string, timeZone = 'UTC'): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    })
      .formatToParts(d)
      .map((p) => [p.type, p.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute} ${timeZone}`;
}
