import type { RunSummary } from '../jobs/run-summary.ts';

const esc = (s: unknown) =>
  String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const fmt = (v: unknown) => (typeof v === 'number' ? (Number.isInteger(v) ? v.toLocaleString('en-GB') : v.toFixed(4)) : String(v ?? '–'));

/** A plain metrics mail: the fallback when the full report renderer has nothing more to add. */
export function renderBasicReport(s: RunSummary): { subject: string; html: string; text: string } {
  const m = s.metrics ?? {};
  const scored = s.steps.find((x) => x.step === 'score')?.rowsOut ?? 0;
  const auc = typeof m.rocAuc === 'number' ? `, ROC-AUC ${m.rocAuc.toFixed(3)}` : '';
  const subject = `[cpd] ${s.pipeline} ${s.businessDate} succeeded: ${scored.toLocaleString('en-GB')} customers scored${auc}`;
  const keys = ['rocAuc', 'prAuc', 'accuracy', 'precision', 'recall', 'f1', 'threshold', 'logLoss', 'brier'];
  const rows = keys.filter((k) => k in m).map((k) => [k, fmt(m[k])] as const);
  const stepRows = s.steps.map((st) => [st.step, st.status, fmt(st.rowsIn), fmt(st.rowsOut), fmt(st.rowsRejected), st.durationMs ?? '–'] as const);
  const html = `<!doctype html><html><body style="font-family:Arial,sans-serif">
<h2>${esc(subject)}</h2>
<h3>Model quality (validation)</h3><table border="1" cellpadding="4">${rows.map(([k, v]) => `<tr><td>${esc(k)}</td><td>${esc(v)}</td></tr>`).join('')}</table>
<h3>Steps</h3><table border="1" cellpadding="4"><tr><th>step</th><th>status</th><th>in</th><th>out</th><th>rejected</th><th>ms</th></tr>
${stepRows.map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`).join('\n')}</table>
<p>Query the scores: <code>SELECT * FROM customer_scores WHERE pipeline = '${esc(s.pipeline)}' ORDER BY score DESC LIMIT 100;</code></p>
</body></html>`;
  const text = [
    subject,
    '',
    'Model quality (validation)',
    ...rows.map(([k, v]) => `  ${k.padEnd(10)} ${v}`),
    '',
    'Steps',
    ...stepRows.map((r) => `  ${r.map(String).join('  ')}`),
    '',
    `Query: SELECT * FROM customer_scores WHERE pipeline = '${s.pipeline}' ORDER BY score DESC LIMIT 100;`,
  ].join('\n');
  return { subject, html, text };
}
