import { formatNumber as f } from './number-format.ts';
import type { RunReportData } from './report-data.ts';
import type { Block, Cell, ReportSection } from './report-document.ts';

const fx = (v: number | null, digits = 3) => (v === null ? 'n/a' : f.fixed(v, digits));

/**
 * Model card: how the figures above were obtained, so a reader can judge them: the validation
 * split or time window and its rows, the cross-validation mean ± sd (or that it was off), the
 * calibration error before/after on rows the calibrator did not see, and every candidate engine's
 * figure on the same validation rows with the one kept.
 */
export function validationSection(data: RunReportData): ReportSection | undefined {
  const v = data.validation;
  if (!v) return undefined;
  const split =
    v.split.kind === 'time'
      ? `time split: trained on customers as of ${v.split.trainCutoffs.join(', ')}; validated on customers as of ${v.split.validCutoff}${v.split.validLabelEnd ? `, outcomes up to ${v.split.validLabelEnd}` : ''}`
      : `stratified random split: ${v.split.share === null ? '?' : f.pct(v.split.share, 0)} of labeled rows held out (seed ${v.split.seed ?? '?'})`;
  const items: [string, Cell][] = [
    ['Validation', split],
    [
      'Rows',
      `${f.int(v.trainRows)} training, ${v.validRows === null ? 'n/a' : f.int(v.validRows)} validation${
        v.trainSample
          ? ` (trained on ${f.int(v.trainRows)} of ${f.int(v.trainSample.totalRows)} training rows: seeded stratified sample, model.maxTrainRows ${f.int(v.trainSample.maxTrainRows)}, seed ${v.trainSample.seed ?? '?'}; validated on all)`
          : ''
      }`,
    ],
    [
      'Cross-validation',
      v.cv
        ? `ROC-AUC ${fx(v.cv.mean)} ± ${fx(v.cv.sd)} (mean ± sd over ${v.cv.folds} folds of the training rows)`
        : 'off (evaluation.cvFolds is 0, or the mode validates on a later time window)',
    ],
  ];
  if (v.calibration)
    items.push([
      'Calibration',
      `${v.calibration.method}: ECE ${fx(v.calibration.eceBefore)} → ${fx(v.calibration.eceAfter)}, Brier ${fx(v.calibration.brierBefore)} → ${fx(v.calibration.brierAfter)} (before → after, on validation rows each half-calibrator did not see)`,
    ]);
  const blocks: Block[] = [{ kind: 'facts', items }];
  if (v.candidates.length)
    blocks.push({
      kind: 'table',
      caption: `Candidate engines on the same validation rows${v.selectedBy ? `, kept by ${v.selectedBy}` : ''}`,
      columns: [
        { header: 'Engine' },
        { header: v.selectedBy ?? 'Metric', align: 'right' },
        { header: 'ROC-AUC', align: 'right' },
        { header: 'Calibration' },
        { header: 'Kept' },
      ],
      rows: v.candidates.map((c) => [
        c.engine,
        fx(c.value, 4),
        fx(c.rocAuc, 4),
        c.calibration ?? 'n/a',
        c.chosen ? { text: 'kept', tone: 'ok' } : '',
      ]),
    });
  return { id: 'validation', title: 'How the model was validated', blocks };
}
