import { localTime } from '../../../workflows/schedule.ts';

/** Escapes text for HTML element content and attribute values. */
export function esc(value: unknown): string {
  return String(value ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** A duration as people read it: 850 ms, 12.3 s, 4 min 05 s, 1 h 02 min. */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '–';
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1_000).toFixed(1)} s`;
  const s = Math.round(ms / 1_000);
  if (s < 3_600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(s / 3_600)} h ${String(Math.floor((s % 3_600) / 60)).padStart(2, '0')} min`;
}

const zoneNames = new Map<string, Intl.DateTimeFormat>();

/** A moment in the pipeline's time zone, with the zone's abbreviation: 2026-11-24 03:00:12 CET. */
export function formatTime(at: Date | null | undefined, timeZone: string): string {
  if (!at) return '–';
  let f = zoneNames.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-GB', { timeZone, timeZoneName: 'short' });
    zoneNames.set(timeZone, f);
  }
  const zone = f.formatToParts(at).find((p) => p.type === 'timeZoneName')?.value ?? timeZone;
  return `${localTime(at, timeZone)} ${zone}`;
}

/** Colours of a state, the same in the grid, the legend and the run page. */
export const stateColours: Record<string, string> = {
  succeeded: '#2e7d32',
  degraded: '#f9a825',
  failed: '#c62828',
  running: '#1565c0',
  waiting: '#7b1fa2',
  retrying: '#ef6c00',
  pending: '#b0bec5',
  cancelled: '#616161',
  skipped: '#e0e0e0',
  missing: '#ffffff',
};

/** The page frame: a title, the navigation, the body; no script, no external resource. */
export function page(
  title: string,
  body: string,
  user: { name: string; role: string },
  refreshSeconds?: number,
): string {
  const refresh = refreshSeconds ? `<meta http-equiv="refresh" content="${refreshSeconds}">` : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">${refresh}
<title>${esc(title)}</title><style>${STYLE}</style></head>
<body><header><a href="/runs">Runs</a> <a href="/board/">Bull Board</a> <a href="/metrics">Metrics</a>
<span class="who">${esc(user.name)} (${esc(user.role)})</span></header>
<main>${body}</main></body></html>`;
}

const STYLE = `
body{font:14px/1.4 system-ui,sans-serif;margin:0;color:#212121;background:#fafafa}
header{background:#263238;padding:8px 16px}header a{color:#fff;margin-right:16px;text-decoration:none}
.who{color:#cfd8dc;float:right}main{padding:16px}h1{font-size:20px}h2{font-size:16px;margin-top:24px}
table{border-collapse:collapse}td,th{padding:2px 6px;text-align:left;vertical-align:top}
table.grid td.cell{min-width:34px;height:18px;padding:0 2px;border:1px solid #fff;font-size:10px;text-align:center;color:#fff}
table.grid td.cell a{display:block;color:#fff;text-decoration:none}
table.grid th.night{writing-mode:vertical-rl;transform:rotate(180deg);font-weight:normal;font-size:11px;white-space:nowrap}
.state{display:inline-block;width:12px;height:12px;border-radius:2px;vertical-align:middle}
.legend span{margin-right:12px}table.attempts td,table.attempts th{border-bottom:1px solid #e0e0e0}
pre.log{background:#263238;color:#eceff1;padding:8px;max-height:320px;overflow:auto;font-size:12px;white-space:pre-wrap}
.err{color:#c62828}.note{color:#616161}form.action{display:inline}button{margin-right:8px}
.flash{background:#fff8e1;border:1px solid #f9a825;padding:8px;margin-bottom:12px}
`;
