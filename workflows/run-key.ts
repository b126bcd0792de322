/** A run is one pipeline for one business date: `online-shoppers@2026-11-24`. */
export function runKeyOf(pipeline: string, businessDate: string): string {
  return `${pipeline}@${businessDate}`;
}

export function parseRunKey(runKey: string): { pipeline: string; businessDate: string } {
  const m = /^([a-z][a-z0-9-]*)@(\d{4}-\d{2}-\d{2})$/.exec(runKey);
  if (!m) throw new Error(`not a run key: "${runKey}" (expected pipeline@YYYY-MM-DD)`);
  return { pipeline: m[1]!, businessDate: m[2]! };
}

/** Today's date in a time zone, as YYYY-MM-DD: the default business date of a run. */
export function todayIn(timeZone: string, now: Date = new Date()): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).formatToParts(now);
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')}`;
}

export function isIsoDate(s: string): boolean {
  return (
    /^\d{4}-\d{2}-\d{2}$/.test(s) &&
    !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) &&
    new Date(`${s}T00:00:00Z`).toISOString().startsWith(s)
  );
}
