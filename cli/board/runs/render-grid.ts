import { stepNames } from '../../../config/steps.ts';
import type { GridCell, GridNight, PipelineGrid } from './grid-data.ts';
import { esc, formatDuration, stateColours } from './html.ts';

/** A duration that fits a grid cell: 850ms, 12s, 4m, 2h. */
export function shortDuration(ms: number | null): string {
  if (ms === null) return '';
  if (ms < 1_000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${Math.round(ms / 1_000)}s`;
  if (ms < 3_600_000) return `${Math.round(ms / 60_000)}m`;
  return `${Math.round(ms / 3_600_000)}h`;
}

export function runHref(runKey: string): string {
  return `/runs/${encodeURIComponent(runKey)}`;
}

/** The runs page: per pipeline, nights as columns (oldest left) and steps as rows, a colour and duration per cell. */
export function renderGrids(grids: readonly PipelineGrid[], nights: number): string {
  const legend = Object.entries(stateColours)
    .filter(([s]) => s !== 'missing')
    .map(([s, c]) => `<span><i class="state" style="background:${c}"></i> ${s}</span>`)
    .join('');
  const parts = [
    `<h1>Runs: the last ${nights} nights</h1>`,
    `<p class="legend">${legend}</p>`,
    grids.length === 0 ? '<p>No runs yet.</p>' : '',
  ];
  for (const g of grids) parts.push(renderGrid(g));
  return parts.join('\n');
}

function renderGrid(g: PipelineGrid): string {
  const head = g.nights
    .map((n) => `<th class="night" title="${esc(n.businessDate)}">${nightLabel(n)}</th>`)
    .join('');
  const runRow = g.nights.map((n) => nightCell(n)).join('');
  const rows = stepNames
    .map((step, i) => `<tr><th>${step}</th>${g.nights.map((n) => stepCell(n, n.cells[i])).join('')}</tr>`)
    .join('\n');
  return `<section class="pipeline" data-pipeline="${esc(g.pipeline)}">
<h2>${esc(g.pipeline)} <span class="note">(times in ${esc(g.timezone)})</span></h2>
<table class="grid"><thead><tr><th></th>${head}</tr></thead>
<tbody><tr><th>run</th>${runRow}</tr>
${rows}</tbody></table></section>`;
}

function nightLabel(n: GridNight): string {
  const label = esc(n.businessDate.slice(5));
  return n.runKey ? `<a href="${runHref(n.runKey)}">${label}</a>` : label;
}

function nightCell(n: GridNight): string {
  const colour = stateColours[n.state] ?? stateColours.missing;
  const title = [
    `${n.businessDate}: ${n.state}${n.caughtUp ? ' (caught up)' : ''}`,
    n.generation > 1 ? `generation ${n.generation}` : '',
    n.durationMs !== null ? formatDuration(n.durationMs) : '',
    n.note ?? '',
  ]
    .filter(Boolean)
    .join(' · ');
  const text = n.state === 'skipped' ? 'skip' : n.caughtUp ? 'c/u' : shortDuration(n.durationMs);
  const inner = n.runKey ? `<a href="${runHref(n.runKey)}">${esc(text)}</a>` : esc(text);
  return `<td class="cell run" data-date="${esc(n.businessDate)}" data-state="${n.state}"${n.caughtUp ? ' data-caught-up="1"' : ''} style="background:${colour}" title="${esc(title)}">${inner}</td>`;
}

function stepCell(n: GridNight, cell: GridCell | undefined): string {
  if (!cell || !n.runKey) {
    return `<td class="cell" data-date="${esc(n.businessDate)}" data-state="${n.state === 'skipped' ? 'skipped' : 'missing'}" style="background:${stateColours.skipped}"></td>`;
  }
  const colour = stateColours[cell.state] ?? stateColours.pending;
  const title = [
    `${cell.step} ${n.businessDate}: ${cell.state}`,
    cell.attempts > 1 ? `${cell.attempts} attempts` : '',
    cell.durationMs !== null ? formatDuration(cell.durationMs) : '',
    cell.error ? cell.error.slice(0, 200) : '',
  ]
    .filter(Boolean)
    .join(' · ');
  return `<td class="cell" data-date="${esc(n.businessDate)}" data-step="${cell.step}" data-state="${cell.state}" style="background:${colour}" title="${esc(title)}"><a href="${runHref(n.runKey)}#step-${cell.step}">${esc(shortDuration(cell.durationMs))}</a></td>`;
}
