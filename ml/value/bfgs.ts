/**
 * BFGS with a backtracking (Armijo) line search, for polishing a point that a derivative-free
 * search already brought near the optimum: with the analytic gradient it needs a handful of
 * passes over the data where Nelder–Mead needs hundreds. Deterministic.
 */
export interface ValueAndGradient {
  value: number;
  gradient: number[];
}

export function minimizeBfgs(
  fg: (x: number[]) => ValueAndGradient,
  start: number[],
  opts: { maxIterations?: number; gradientTolerance?: number } = {},
): { x: number[]; value: number; evaluations: number; converged: boolean } {
  const n = start.length;
  const maxIter = opts.maxIterations ?? 200;
  const gtol = opts.gradientTolerance ?? 1e-9;
  let x = [...start];
  let cur = fg(x);
  let evaluations = 1;
  // Inverse Hessian approximation, identity to start.
  let H = identity(n);
  const norm = (v: number[]) => Math.sqrt(v.reduce((s, a) => s + a * a, 0));
  for (let it = 0; it < maxIter; it++) {
    if (norm(cur.gradient) <= gtol) return { x, value: cur.value, evaluations, converged: true };
    let d = H.map((row) => -row.reduce((s, h, j) => s + h * cur.gradient[j]!, 0));
    let slope = d.reduce((s, di, j) => s + di * cur.gradient[j]!, 0);
    if (!(slope < 0)) {
      // Not a descent direction: forget the curvature and go down the gradient.
      H = identity(n);
      d = cur.gradient.map((g) => -g);
      slope = -(norm(cur.gradient) ** 2);
    }
    let t = 1;
    let next: ValueAndGradient | null = null;
    let xn = x;
    for (let k = 0; k < 50; k++) {
      xn = x.map((xi, j) => xi + t * d[j]!);
      const cand = fg(xn);
      evaluations++;
      if (Number.isFinite(cand.value) && cand.value <= cur.value + 1e-4 * t * slope) {
        next = cand;
        break;
      }
      t /= 2;
    }
    if (!next) return { x, value: cur.value, evaluations, converged: norm(cur.gradient) <= 1e3 * gtol };
    const s = xn.map((v, j) => v - x[j]!);
    const y = next.gradient.map((g, j) => g - cur.gradient[j]!);
    const sy = s.reduce((acc, v, j) => acc + v * y[j]!, 0);
    if (sy > 1e-300) {
      // First update: scale the identity by sᵀy/yᵀy (Nocedal & Wright 6.20), so the next step has a sensible length.
      if (it === 0) {
        const yy = y.reduce((acc, v) => acc + v * v, 0);
        H = identity(n).map((row) => row.map((h) => (h * sy) / yy));
      }
      const Hy = H.map((row) => row.reduce((acc, h, j) => acc + h * y[j]!, 0));
      const yHy = y.reduce((acc, v, j) => acc + v * Hy[j]!, 0);
      H = H.map((row, i) =>
        row.map(
          (h, j) => h + ((sy + yHy) * s[i]! * s[j]!) / (sy * sy) - (Hy[i]! * s[j]! + s[i]! * Hy[j]!) / sy,
        ),
      );
    }
    const gain = cur.value - next.value;
    x = xn;
    cur = next;
    // Below this the value is at rounding level: more iterations only chase noise.
    if (it > 0 && gain <= 1e-14 * Math.max(1, Math.abs(cur.value)))
      return { x, value: cur.value, evaluations, converged: norm(cur.gradient) <= 1e3 * gtol };
  }
  return { x, value: cur.value, evaluations, converged: norm(cur.gradient) <= gtol };
}

function identity(n: number): number[][] {
  return Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)));
}
