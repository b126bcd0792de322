/** A training or scoring table, column-major so binning and prediction read one feature at a time. */
export interface Dataset {
  featureNames: string[];
  /** true where the column holds integer category codes (binned one bin per code, ordinally). */
  categorical: boolean[];
  /** One Float64Array per feature, each nRows long; NaN means missing. */
  columns: Float64Array[];
  /** 0/1 per row. */
  labels: Uint8Array;
  nRows: number;
}

/** A violated data contract: permanent, retrying cannot fix it. */
export class DatasetError extends Error {
  override name = 'DatasetError';
}

export function validateDataset(data: Dataset): void {
  const nFeatures = data.featureNames.length;
  if (nFeatures === 0) throw new DatasetError('dataset has no features');
  if (data.columns.length !== nFeatures || data.categorical.length !== nFeatures) {
    throw new DatasetError(
      `dataset has ${nFeatures} feature names but ${data.columns.length} columns and ${data.categorical.length} categorical flags`,
    );
  }
  if (data.labels.length !== data.nRows) {
    throw new DatasetError(`dataset has ${data.nRows} rows but ${data.labels.length} labels`);
  }
  data.columns.forEach((col, f) => {
    if (col.length !== data.nRows) {
      throw new DatasetError(
        `column ${data.featureNames[f]} has ${col.length} values, expected ${data.nRows}`,
      );
    }
  });
  for (let i = 0; i < data.nRows; i++) {
    const y = data.labels[i];
    if (y !== 0 && y !== 1) throw new DatasetError(`label at row ${i} is ${y}, expected 0 or 1`);
  }
}

/** The rows at `indices`, in that order (used for train/test splits). */
export function selectRows(data: Dataset, indices: ArrayLike<number>): Dataset {
  const n = indices.length;
  const columns = data.columns.map((col) => {
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = col[indices[i] as number] as number;
    return out;
  });
  const labels = new Uint8Array(n);
  for (let i = 0; i < n; i++) labels[i] = data.labels[indices[i] as number] as number;
  return {
    featureNames: [...data.featureNames],
    categorical: [...data.categorical],
    columns,
    labels,
    nRows: n,
  };
}

/**
 * selectRows with a yield to the event loop after each column: at a million rows a column is a
 * few ms of copying, and a worker's main thread must keep renewing its job lock meanwhile.
 */
export async function selectRowsAsync(data: Dataset, indices: ArrayLike<number>): Promise<Dataset> {
  const n = indices.length;
  const columns: Float64Array[] = [];
  for (const col of data.columns) {
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = col[indices[i] as number] as number;
    columns.push(out);
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  const labels = new Uint8Array(n);
  for (let i = 0; i < n; i++) labels[i] = data.labels[indices[i] as number] as number;
  return {
    featureNames: [...data.featureNames],
    categorical: [...data.categorical],
    columns,
    labels,
    nRows: n,
  };
}

/**
 * The rows of `a` then those of `b` (same features), e.g. every labeled row of a run, with a yield
 * to the event loop after each column (a worker's main thread, a million rows).
 */
export async function concatRowsAsync(a: Dataset, b: Dataset): Promise<Dataset> {
  if (a.featureNames.join('\u0000') !== b.featureNames.join('\u0000'))
    throw new DatasetError('cannot join rows of different features');
  const columns: Float64Array[] = [];
  for (const [f, col] of a.columns.entries()) {
    const out = new Float64Array(a.nRows + b.nRows);
    out.set(col);
    out.set(b.columns[f]!, a.nRows);
    columns.push(out);
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  const labels = new Uint8Array(a.nRows + b.nRows);
  labels.set(a.labels);
  labels.set(b.labels, a.nRows);
  return {
    featureNames: [...a.featureNames],
    categorical: [...a.categorical],
    columns,
    labels,
    nRows: a.nRows + b.nRows,
  };
}
