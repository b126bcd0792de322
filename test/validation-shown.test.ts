import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUTO_ENGINES } from '../pipeline/registry/fit-candidates.ts';
import { type CpdProcess, runCpd, spawnCpd } from './helpers/processes.ts';
import { writeShoppersSlice } from './helpers/shoppers.ts';
import { startSmtp, type TestSmtp } from './helpers/smtp.ts';
import { createTestEnv, type TestEnv } from './helpers/test-env.ts';

const DATE = '2026-11-21';
const RUN_KEY = `shoppers-test@${DATE}`;

interface Candidate {
  engine: string;
  value: number;
  chosen: boolean;
  metrics: { rocAuc: number };
}

interface Summary {
  status: string;
  modelVersion: number;
  validation: {
    candidates: Candidate[];
    selectedBy: string;
    validationRows: number;
    cv: { folds: number; rocAuc: { mean: number; sd: number } };
    calibration: { method: string; eceBefore: number; eceAfter: number };
    window: { mode: string; validationShare: number; seed: number; trainRows: number; validRows: number };
  };
}

/**
 * A shoppers night with engine auto, 3-fold CV and a planted post-outcome column, through real
 * `cpd worker` and `cpd run` processes, MySQL and SMTP: the leak guard names the column in the
 * run's warnings and the model card; auto keeps the best candidate and records every one; and CV
 * mean ± sd, the split, the rows and every candidate's figure are in `cpd run --json`, `cpd models`,
 * the mailed metrics and the model card, all the same numbers.
 */
describe('validation shown honestly, leaks named, auto recorded', () => {
  let t: TestEnv;
  let smtp: TestSmtp;
  let worker: CpdProcess;
  let summary: Summary;

  beforeAll(async () => {
    smtp = await startSmtp();
    t = await createTestEnv('validshown', { SMTP_URL: smtp.url });
    const { csv, pipeline } = writeShoppersSlice(t.tmp, 1_500, {
      model: { engine: 'auto', nTrees: 30, seed: 42, validationShare: 0.2, crossFitFolds: 3 },
      evaluation: { cvFolds: 3 },
    });
    // FollowUpValue: filled in after the session for ~40 % of the buyers only, 0 for every other
    // session. Alone it ranks the label with ROC-AUC ≈ 0.7, far below the 0.95 rule.
    const [header, ...rows] = readFileSync(csv, 'utf8').split('\r\n');
    const planted = rows.map((r, i) => {
      const bought = r.endsWith(',TRUE');
      const value = bought && (i * 7919) % 10 < 4 ? 10 + ((i * 31) % 50) : 0;
      return `${r},${value}`;
    });
    writeFileSync(csv, [`${header},FollowUpValue`, ...planted].join('\r\n'));
    worker = spawnCpd(['worker'], t.env);
    const res = await runCpd(['run', '--pipeline', pipeline, '--date', DATE, '--wait', '--json'], t.env);
    expect(res.code, res.stdout + res.stderr + worker.output()).toBe(0);
    summary = JSON.parse(res.stdout.trim().split('\n').at(-1)!) as Summary;
  }, 300_000);

  afterAll(async () => {
    await worker?.stop();
    await t?.cleanup();
    await smtp?.close();
  });

  it('names the planted post-outcome column in the run warnings, with its figure, though its AUC is < 0.95', async () => {
    const [rows] = await t.database.pool.query('SELECT warnings FROM feature_sets WHERE run_key = ?', [
      RUN_KEY,
    ]);
    const raw = (rows as { warnings: unknown }[])[0]!.warnings;
    const warnings = (typeof raw === 'string' ? JSON.parse(raw) : raw) as string[];
    const named = warnings.filter((w) => w.includes('"FollowUpValue"'));
    expect(named.length, JSON.stringify(warnings)).toBeGreaterThanOrEqual(1);
    // Not by the single-feature rule: by the subgroup rule, with the subgroup's figures.
    expect(warnings.some((w) => w.includes('"FollowUpValue" alone separates'))).toBe(false);
    const subgroup = named.find((w) => w.includes('nearly copies the label in a subgroup'))!;
    expect(subgroup).toMatch(/of the \d+ training rows with FollowUpValue in \[\d+, \d+\], 100\.0 % bought/);
    expect(subgroup).toMatch(/they are (3\d|4\d) % of all rows that bought/);
    // No honest shoppers column is named by the subgroup rule.
    expect(warnings.filter((w) => w.includes('nearly copies')).length).toBe(1);
  });

  it('auto fits every engine, keeps the best on the validation rows and records every figure', async () => {
    const c = summary.validation.candidates;
    expect(c.map((x) => x.engine)).toEqual([...AUTO_ENGINES]);
    expect(summary.validation.selectedBy).toBe('rocAuc');
    const best = Math.max(...c.map((x) => x.value));
    const chosen = c.filter((x) => x.chosen);
    expect(chosen).toHaveLength(1);
    expect(chosen[0]!.value).toBe(best);
    const [rows] = await t.database.pool.query(
      'SELECT engine, metrics FROM model_versions WHERE run_key = ?',
      [RUN_KEY],
    );
    const version = (rows as { engine: string; metrics: unknown }[])[0]!;
    expect(version.engine).toBe(chosen[0]!.engine);
    // The kept model is the one measured: evaluate's ROC-AUC on the same rows is the recorded figure.
    const stored = (typeof version.metrics === 'string' ? JSON.parse(version.metrics) : version.metrics) as {
      rocAuc: number;
    };
    expect(stored.rocAuc).toBeCloseTo(best, 10);
  });

  it('cpd run --json shows CV mean ± sd, the split, the rows and every candidate', () => {
    const v = summary.validation;
    expect(v.cv.folds).toBe(3);
    expect(v.cv.rocAuc.mean).toBeGreaterThan(0.7);
    expect(v.cv.rocAuc.sd).toBeGreaterThan(0);
    expect(v.window).toMatchObject({ mode: 'labeled', validationShare: 0.2, seed: 42, validRows: 300 });
    expect(v.window.trainRows).toBe(1_200);
    expect(v.validationRows).toBe(300);
    expect(v.calibration.eceAfter).toBeGreaterThanOrEqual(0);
  });

  it('cpd models shows the same figures', async () => {
    const res = await runCpd(['models', 'shoppers-test'], t.env);
    expect(res.code, res.stderr).toBe(0);
    const v = summary.validation;
    expect(res.stdout).toContain(`CV ${v.cv.rocAuc.mean.toFixed(3)}±${v.cv.rocAuc.sd.toFixed(3)}`);
    expect(res.stdout).toContain('stratified 0.2 seed 42 (300 validation rows)');
    for (const c of v.candidates)
      expect(res.stdout).toContain(`${c.engine}${c.chosen ? '*' : ''} ${c.value.toFixed(3)}`);
  });

  it('the mailed metrics and the archived model card show them, and the card names the leak', async () => {
    await expect.poll(() => smtp.received.length).toBe(1);
    const mail = smtp.received[0]!;
    const json = mail.attachments.find((a) => a.filename?.endsWith('-metrics.json'))!;
    const mailed = JSON.parse(json.content.toString('utf8')) as {
      validation: {
        cv: { mean: number; sd: number; folds: number };
        candidates: Candidate[];
        validRows: number;
      };
    };
    const v = summary.validation;
    expect(mailed.validation.cv).toEqual({ folds: 3, mean: v.cv.rocAuc.mean, sd: v.cv.rocAuc.sd });
    expect(mailed.validation.validRows).toBe(300);
    expect(mailed.validation.candidates.map((c) => c.value)).toEqual(v.candidates.map((c) => c.value));

    const card = readFileSync(path.join(t.env.REPORT_DIR!, 'shoppers-test', DATE, 'model-card.html'), 'utf8');
    expect(card).toContain('How the model was validated');
    expect(card).toContain('stratified random split: 20% of labeled rows held out (seed 42)');
    expect(card).toContain('1,200 training, 300 validation');
    expect(card).toContain(`ROC-AUC ${v.cv.rocAuc.mean.toFixed(3)} ± ${v.cv.rocAuc.sd.toFixed(3)}`);
    expect(card).toContain(
      `ECE ${v.calibration.eceBefore.toFixed(3)} → ${v.calibration.eceAfter.toFixed(3)}`,
    );
    for (const c of v.candidates) expect(card).toContain(c.value.toFixed(4));
    expect(card).toContain('FollowUpValue');
    expect(card).toContain('nearly copies the label in a subgroup');
  });
});
