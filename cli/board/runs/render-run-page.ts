import { stepNames } from '../../../config/steps.ts';
import { stepJobId } from '../../../ledger/job-id.ts';
import type { StoredLogLine } from '../../../ledger/step-logs.ts';
import { esc, formatDuration, formatTime, stateColours } from './html.ts';
import { runHref } from './render-grid.ts';
import type { AttemptRow, RunPage } from './run-page-data.ts';

const LEVELS: Record<number, string> = { 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };

export type RunAction = 'resume' | 'rerun' | 'cancel' | 'rollback';

/** Which buttons make sense for a run in this state. */
export function actionsFor(status: string): RunAction[] {
  if (status === 'failed') return ['resume', 'rerun', 'cancel'];
  if (status === 'pending' || status === 'running') return ['cancel'];
  if (status === 'succeeded' || status === 'degraded') return ['rerun', 'rollback'];
  return ['rerun'];
}

/** The run page: header, actions (operators only), each step's attempts with their log lines, model decision, publish gates. */
export function renderRunPage(p: RunPage, opts: { canAct: boolean; csrf: string; flash?: string }): string {
  const { run, timezone } = p;
  const colour = stateColours[run.status] ?? stateColours.pending;
  const duration =
    run.startedAt && run.finishedAt
      ? formatDuration(run.finishedAt.getTime() - run.startedAt.getTime())
      : '–';
  const parts: string[] = [];
  if (opts.flash) parts.push(`<p class="flash" role="status">${esc(opts.flash)}</p>`);
  parts.push(
    `<h1>${esc(run.runKey)} <span class="state" style="background:${colour}"></span> <span id="run-status">${esc(run.status)}</span></h1>`,
    `<p>pipeline <a href="/runs?pipeline=${encodeURIComponent(run.pipeline)}">${esc(run.pipeline)}</a> · business date ${esc(run.businessDate)} · generation ${run.generation}` +
      ` · started ${esc(formatTime(run.startedAt, timezone))} · finished ${esc(formatTime(run.finishedAt, timezone))} · ${duration}</p>`,
  );
  if (run.error) parts.push(`<p class="err">${esc(run.error)}</p>`);
  if (p.reportFile) parts.push(`<p><a href="${runHref(run.runKey)}/report">Report of this night</a></p>`);
  if (opts.canAct) parts.push(renderActions(run.runKey, run.pipeline, actionsFor(run.status), opts.csrf));
  if (p.generation !== run.generation)
    parts.push(
      `<p class="note">Showing generation ${p.generation}; <a href="${runHref(run.runKey)}">current</a>.</p>`,
    );
  const generations = [...new Set(p.attempts.map((a) => a.generation))].filter((g) => g !== p.generation);
  if (generations.length)
    parts.push(
      `<p class="note">Other generations: ${generations.map((g) => `<a href="${runHref(run.runKey)}?generation=${g}">${g}</a>`).join(' ')}</p>`,
    );
  for (const step of stepNames) {
    const attempts = p.attempts.filter((a) => a.step === step && a.generation === p.generation);
    parts.push(renderStep(p, step, attempts));
  }
  parts.push(renderDecision(p), renderGates(p));
  return parts.join('\n');
}

function renderActions(runKey: string, pipeline: string, actions: RunAction[], csrf: string): string {
  const forms = actions.map((a) => {
    const target = `${runHref(runKey)}/${a}`;
    const label = a === 'rollback' ? `Roll back ${pipeline}'s scores` : a[0]!.toUpperCase() + a.slice(1);
    return `<form class="action" method="post" action="${target}"><input type="hidden" name="_csrf" value="${esc(csrf)}"><button type="submit" name="action" value="${a}">${esc(label)}</button></form>`;
  });
  return `<div class="actions">${forms.join('')}</div>`;
}

function renderStep(p: RunPage, step: string, attempts: AttemptRow[]): string {
  const jobId = stepJobId(p.run.runKey, p.generation, step as (typeof stepNames)[number]);
  const board = `/board/queue/${step}/${encodeURIComponent(jobId)}`;
  const last = attempts.at(-1);
  const state = last ? last.status : 'pending';
  const rows = attempts.map((a) => {
    const logs = p.logs.filter((l) => l.step === step && l.attempt === a.attempt);
    return `<tr id="attempt-${step}-${a.attempt}" data-state="${a.status}">
<td>#${a.attempt}</td><td><i class="state" style="background:${stateColours[a.status] ?? ''}"></i> ${esc(a.status)}${a.errorKind ? ` (${esc(a.errorKind)})` : ''}</td>
<td>${esc(formatTime(a.startedAt, p.timezone))}</td><td>${formatDuration(a.durationMs)}</td>
<td>${num(a.rowsIn)}</td><td>${num(a.rowsOut)}</td><td>${num(a.rowsRejected)}</td><td class="err">${esc(a.error?.slice(0, 2_000) ?? '')}</td></tr>
<tr><td></td><td colspan="7"><details${a.status === 'failed' ? ' open' : ''}><summary>log of attempt ${a.attempt} (${logs.length} lines)</summary>${renderLog(logs, p.timezone)}</details></td></tr>`;
  });
  return `<section class="step" id="step-${step}" data-step="${step}" data-state="${state}">
<h2>${step} <span class="state" style="background:${stateColours[state] ?? ''}"></span> <a class="note" href="${board}">in Bull Board</a></h2>
${
  attempts.length
    ? `<table class="attempts"><thead><tr><th>attempt</th><th>status</th><th>start</th><th>duration</th><th>rows in</th><th>rows out</th><th>rejected</th><th>error</th></tr></thead><tbody>${rows.join('\n')}</tbody></table>`
    : '<p class="note">not run yet</p>'
}</section>`;
}

function renderLog(lines: StoredLogLine[], timezone: string): string {
  if (lines.length === 0) return '<p class="note">no lines stored</p>';
  const text = lines
    .map((l) => {
      let extra = '';
      try {
        const f = JSON.parse(l.line) as { err?: { message?: unknown } };
        if (typeof f.err?.message === 'string') extra = ` — ${f.err.message}`;
      } catch {
        extra = '';
      }
      return `${formatTime(l.at, timezone).slice(11)} ${(LEVELS[l.level] ?? String(l.level)).padEnd(5)} ${l.msg}${extra}`;
    })
    .join('\n');
  return `<pre class="log">${esc(text)}</pre>`;
}

function renderDecision(p: RunPage): string {
  const d = p.decision;
  if (!d) return '<h2>Model decision</h2><p class="note">no decision for this run</p>';
  const value = (v: number | null) => (v === null ? '–' : v.toFixed(4));
  return (
    `<h2>Model decision</h2><p id="decision">${d.promoted ? 'promoted' : 'kept the champion'}: challenger v${d.challengerVersion} ${esc(d.metric)} ${value(d.challengerValue)}` +
    ` vs champion ${d.championVersion === null ? '(none)' : `v${d.championVersion}`} ${value(d.championValue)} (${esc(d.rule)}) → scores from v${d.resultVersion ?? '–'}</p><p class="note">${esc(d.reason)}</p>`
  );
}

function renderGates(p: RunPage): string {
  const pub = p.publication;
  if (!pub) return '<h2>Publish gates</h2><p class="note">nothing published or blocked for this run</p>';
  const gates = Array.isArray(pub.gates) ? (pub.gates as Record<string, unknown>[]) : [];
  const rows = gates
    .map(
      (g) =>
        `<tr><td>${esc(g.gate)}</td><td>${esc(fmt(g.value))}</td><td>${esc(fmt(g.limit))}</td><td>${g.passed ? 'passed' : `failed (${esc(g.action)})`}</td><td>${esc(g.message)}</td></tr>`,
    )
    .join('');
  return (
    `<h2>Publish gates</h2><p>${esc(pub.action)} · ${num(pub.rows)} rows · by ${esc(pub.actor)} at ${esc(formatTime(pub.createdAt, p.timezone))}</p>` +
    (rows
      ? `<table class="attempts"><thead><tr><th>gate</th><th>value</th><th>limit</th><th>verdict</th><th></th></tr></thead><tbody>${rows}</tbody></table>`
      : '')
  );
}

function fmt(v: unknown): string {
  if (typeof v === 'number') return Number.isInteger(v) ? v.toLocaleString('en-US') : v.toFixed(4);
  return v === undefined || v === null ? '–' : String(v);
}

function num(v: number | null): string {
  return v === null ? '–' : v.toLocaleString('en-US');
}
