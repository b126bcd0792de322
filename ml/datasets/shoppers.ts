import { readFileSync } from 'node:fs';
import type { Dataset } from '../dataset.ts';
import { DatasetError } from '../dataset.ts';

/** The copy in the repository (see data/README.md for provenance and licence). */
export const SHOPPERS_CSV = new URL('../../data/online_shoppers_intention.csv', import.meta.url);

const MONTHS: Record<string, number> = {
  Jan: 1,
  Feb: 2,
  Mar: 3,
  Apr: 4,
  May: 5,
  June: 6,
  Jun: 6,
  Jul: 7,
  Aug: 8,
  Sep: 9,
  Oct: 10,
  Nov: 11,
  Dec: 12,
};
const VISITOR_TYPES: Record<string, number> = { Returning_Visitor: 0, New_Visitor: 1, Other: 2 };
const CATEGORICAL = new Set(['Month', 'OperatingSystems', 'Browser', 'Region', 'TrafficType', 'VisitorType']);
const BOOLEANS: Record<string, number> = { TRUE: 1, FALSE: 0 };

/**
 * The UCI online-shoppers file as a Dataset: label `Revenue`, Month as its month number,
 * VisitorType as a code, TRUE/FALSE as 1/0; CRLF and exponent numbers (7.5E-05) accepted.
 * Note data/README.md: PageValues leaks the label in Feb–May, so scores here are optimistic.
 */
export function loadShoppers(path: string | URL = SHOPPERS_CSV): Dataset {
  const text = readFileSync(path, 'utf8');
  const lines = text.split(/\r?\n/).filter((l) => l.length > 0);
  const header = (lines[0] ?? '').split(',');
  const labelAt = header.indexOf('Revenue');
  if (labelAt < 0) throw new DatasetError(`${String(path)}: no Revenue column in header`);
  const featureNames = header.filter((_, i) => i !== labelAt);
  const nRows = lines.length - 1;
  const columns = featureNames.map(() => new Float64Array(nRows));
  const labels = new Uint8Array(nRows);
  for (let r = 0; r < nRows; r++) {
    const cells = (lines[r + 1] as string).split(',');
    if (cells.length !== header.length) {
      throw new DatasetError(
        `${String(path)} line ${r + 2}: ${cells.length} cells, expected ${header.length}`,
      );
    }
    let f = 0;
    cells.forEach((cell, i) => {
      const name = header[i] as string;
      const v = parseCell(name, cell);
      if (v === undefined)
        throw new DatasetError(`${String(path)} line ${r + 2}, column ${name}: cannot read "${cell}"`);
      if (i === labelAt) labels[r] = v;
      else columns[f++]![r] = v;
    });
  }
  return { featureNames, categorical: featureNames.map((n) => CATEGORICAL.has(n)), columns, labels, nRows };
}

function parseCell(name: string, cell: string): number | undefined {
  if (name === 'Month') return MONTHS[cell];
  if (name === 'VisitorType') return VISITOR_TYPES[cell];
  if (cell in BOOLEANS) return BOOLEANS[cell];
  const v = Number(cell);
  return cell.trim() !== '' && Number.isFinite(v) ? v : undefined;
}
