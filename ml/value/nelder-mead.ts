/**
 * Nelder–Mead minimisation with restarts, deterministic (no random draws): the simplex is
 * rebuilt around the best point until a restart no longer improves the objective. Restarts
 * matter because a simplex can collapse onto a ridge of a likelihood surface and stop early.
 */
export interface MinimizeResult {
  x: number[];
  value: number;
  evaluations: number;
  restarts: number;
  converged: boolean;
}

export interface MinimizeOptions {
  /** Edge of the initial simplex along each axis (in the objective's own coordinates). */
  step?: number;
  /** Stop when the simplex's values differ by less than this (absolute). */
  tolerance?: number;
  maxEvaluations?: number;
  maxRestarts?: number;
}

export function minimize(
  f: (x: number[]) => number,
  start: number[],
  opts: MinimizeOptions = {},
): MinimizeResult {
  const step = opts.step ?? 0.5;
  const tol = opts.tolerance ?? 1e-10;
  const maxEval = opts.maxEvaluations ?? 5_000;
  const maxRestarts = opts.maxRestarts ?? 10;
  let evaluations = 0;
  // A NaN or infinite value is "infinitely bad", so the simplex walks away from it.
  const fx = (x: number[]): number => {
    evaluations++;
    const v = f(x);
    return Number.isFinite(v) ? v : Infinity;
  };
  let best = { x: [...start], value: fx(start) };
  let restarts = 0;
  let converged = false;
  for (; restarts <= maxRestarts && evaluations < maxEval; restarts++) {
    const run = simplex(fx, best.x, best.value, step / (restarts + 1), tol, () => evaluations < maxEval);
    const improved = best.value - run.value;
    best = run.value <= best.value ? run : best;
    if (run.converged && improved < tol) {
      converged = true;
      break;
    }
  }
  return { x: best.x, value: best.value, evaluations, restarts, converged };
}

function simplex(
  f: (x: number[]) => number,
  x0: number[],
  f0: number,
  step: number,
  tol: number,
  budget: () => boolean,
): { x: number[]; value: number; converged: boolean } {
  const n = x0.length;
  const pts: number[][] = [x0];
  const vals: number[] = [f0];
  for (let i = 0; i < n; i++) {
    const p = [...x0];
    p[i] = p[i]! + step;
    pts.push(p);
    vals.push(f(p));
  }
  const order = pts.map((_, i) => i);
  const along = (c: number[], p: number[], t: number) => c.map((ci, j) => ci + t * (p[j]! - ci));
  for (;;) {
    order.sort((i, j) => vals[i]! - vals[j]!);
    const lo = order[0]!;
    const hi = order[n]!;
    if (vals[hi]! - vals[lo]! <= tol || !budget())
      return { x: pts[lo]!, value: vals[lo]!, converged: vals[hi]! - vals[lo]! <= tol };
    const centroid = new Array<number>(n).fill(0);
    for (const i of order.slice(0, n)) for (let j = 0; j < n; j++) centroid[j]! += pts[i]![j]! / n;
    const worst = pts[hi]!;
    const xr = along(centroid, worst, -1);
    const fr = f(xr);
    if (fr < vals[lo]!) {
      const xe = along(centroid, worst, -2);
      const fe = f(xe);
      [pts[hi], vals[hi]] = fe < fr ? [xe, fe] : [xr, fr];
    } else if (fr < vals[order[n - 1]!]!) {
      [pts[hi], vals[hi]] = [xr, fr];
    } else {
      const outside = fr < vals[hi]!;
      const xc = along(centroid, worst, outside ? -0.5 : 0.5);
      const fc = f(xc);
      if (fc < (outside ? fr : vals[hi]!)) {
        [pts[hi], vals[hi]] = [xc, fc];
      } else {
        // Shrink every point towards the best one.
        for (const i of order.slice(1)) {
          pts[i] = along(pts[lo]!, pts[i]!, 0.5);
          vals[i] = f(pts[i]!);
        }
      }
    }
  }
}
