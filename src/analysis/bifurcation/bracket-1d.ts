import type { DataModel } from "../../models/types.js";
import { brentRoot } from "../../numeric/brent.js";

/** Every fixed point of a 1-D point-mass model at one σ, and whether the bracketing proved it found them all. */
export interface Bracketed1d {
  /** The roots of m(x) = x, ascending, with C(x)/σ² there. */
  roots: { x: number; ratio: number }[];
  /** Intervals examined (the search's "starts"). */
  intervals: number;
  /** True when every interval was decided (no degenerate root, no budget exhausted). */
  complete: boolean;
  /** Why not, when not. */
  why?: string;
}

/** Intervals examined at most (the budget of a proof). */
const MAX_INTERVALS = 20_000;

/**
 * All fixed points `m(x) = x` of a 1-D mixture of point masses `Σ π_j δ(y − y_j)` at σ (the critical points of
 * p_σ, THEORY.md §5), with a proof that none is missed.
 *
 * Method: every fixed point lies in [min y, max y] (m(x) is an average of the y_j). f(x) = m(x) − x has
 * f′ = C(x)/σ² − 1, C the posterior variance. The hull is cut into 64 intervals, and each interval X is decided
 * from bounds of the posterior weights over X: with `ℓ_j(x) = log π_j − (x − y_j)²/(2σ²)` and its extremes
 * `ℓ_j^±` over X, `w_j ≤ e^{ℓ_j^+}/(e^{ℓ_j^+} + Σ_{k≠j} e^{ℓ_k^−})` and `w_j ≥ e^{ℓ_j^−}/(e^{ℓ_j^−} + Σ_{k≠j} e^{ℓ_k^+})`,
 * so `C ≤ min_c Σ w_j^hi (y_j − c)²` and `C ≥ min_c Σ w_j^lo (y_j − c)²` on X. Where `sup C < σ²` or `inf C > σ²`,
 * f is strictly monotone on X: it has one root there iff it changes sign at the ends (located by Brent's method),
 * else none. Where f has one sign at both ends and `|f(a)| + |f(b)| > (b − a) sup|f′|` (sup|f′| from the same
 * bounds), X holds no root. Otherwise X is halved. An interval still undecided at width 1e-12·max(σ, extent) holds a degenerate
 * root (C = σ² at a fixed point: σ at a branching) and the result is not complete.
 *
 * Special cases: one point (or all weight on one point) → that point, complete. Floating-point rounding of the
 * bounds is covered by a relative margin of 1e-9 on the comparisons with σ².
 *
 * @example
 * fixedPoints1d(deltas(fromRows([[-1], [1]])), 0.5).roots.map((r) => r.x); // [−0.99933, 0, 0.99933], complete
 */
export function fixedPoints1d(model: DataModel, sigma: number): Bracketed1d {
  const st = model.structure;
  if (model.dim !== 1 || st?.type !== "mixture" || st.components) throw new Error("fixedPoints1d: a 1-D model of point masses");
  const ys: number[] = [];
  const logw: number[] = [];
  for (let j = 0; j < st.means.rows; j++)
    if (st.weights[j] > 0) {
      ys.push(st.means.data[j]);
      logw.push(Math.log(st.weights[j]));
    }
  const lo = Math.min(...ys);
  const hi = Math.max(...ys);
  const f = (x: number) => model.denoise({ rows: 1, dim: 1, data: new Float64Array([x]) }, sigma).data[0] - x;
  const ratioAt = (x: number) => model.posterior({ rows: 1, dim: 1, data: new Float64Array([x]) }, sigma, { covariance: true }).traceCov[0] / (sigma * sigma);
  if (!(hi > lo)) return { roots: [{ x: lo, ratio: ratioAt(lo) }], intervals: 1, complete: true };
  const s2 = sigma * sigma;
  const minWidth = 1e-12 * Math.max(sigma, hi - lo, Math.abs(lo), Math.abs(hi));
  const M0 = 64;
  let queue: [number, number][] = Array.from({ length: M0 }, (_, i) => [lo + ((hi - lo) * i) / M0, i + 1 === M0 ? hi : lo + ((hi - lo) * (i + 1)) / M0]);
  const roots: number[] = [];
  let intervals = 0;
  let why: string | undefined;
  const fCache = new Map<number, number>();
  const fAt = (x: number) => {
    let v = fCache.get(x);
    if (v === undefined) fCache.set(x, (v = f(x)));
    return v;
  };
  const undecided: [number, number][] = [];
  while (queue.length > 0) {
    const next: [number, number][] = [];
    for (const [a, b] of queue) {
      intervals++;
      const { sup, inf } = varianceBounds(ys, logw, a, b, sigma);
      const fa = fAt(a);
      const fb = fAt(b);
      if (sup < s2 * (1 - 1e-9) || inf > s2 * (1 + 1e-9)) {
        if (fa === 0) roots.push(a);
        else if (fb !== 0 && fa * fb < 0) roots.push(brentRoot(f, a, b, { xtol: 1e-3 * minWidth, rtol: 4e-16 }));
        continue;
      }
      // no root where |f| stays away from 0: |f′| ≤ slope on X, so a root t needs |f(a)| + |f(b)| ≤ slope·(b − a)
      const slope = Math.max(Math.abs(inf / s2 - 1), Math.abs(sup / s2 - 1));
      if (fa * fb > 0 && (Math.abs(fa) + Math.abs(fb)) * (1 - 1e-9) > slope * (b - a)) continue;
      if (b - a <= minWidth) undecided.push([a, b]);
      else next.push([a, 0.5 * (a + b)], [0.5 * (a + b), b]);
    }
    if (intervals + next.length > MAX_INTERVALS) {
      why = `the bracketing needed more than ${MAX_INTERVALS} intervals`;
      undecided.push(...next);
      break;
    }
    queue = next;
  }
  // Undecided intervals cluster around degenerate roots (f = f′ = 0): clusters closer than 1e-3 of the hull are
  // one, with one root where f changes sign across it (none otherwise: unproven either way).
  undecided.sort((p, q) => p[0] - q[0]);
  const near: string[] = [];
  for (let i = 0; i < undecided.length; ) {
    let j = i;
    while (j + 1 < undecided.length && undecided[j + 1][0] - undecided[j][1] <= 1e-3 * (hi - lo)) j++;
    const a = undecided[i][0];
    const b = undecided[j][1];
    const fa = fAt(a);
    const fb = fAt(b);
    if (fa === 0) roots.push(a);
    else if (fa * fb < 0) roots.push(brentRoot(f, a, b, { xtol: 1e-3 * minWidth, rtol: 4e-16 }));
    near.push((0.5 * (a + b)).toPrecision(12));
    i = j + 1;
  }
  if (near.length > 0) {
    const where = `undecided near x = ${near.slice(0, 3).join(", ")}${near.length > 3 ? ` and ${near.length - 3} more places` : ""} (a degenerate fixed point, C/σ² = 1: σ at a branching)`;
    why = why ? `${why}; ${where}` : where;
  }
  if (fAt(hi) === 0) roots.push(hi);
  const sorted = [...new Set(roots)].sort((p, q) => p - q).filter((x, i, arr) => i === 0 || x - arr[i - 1] > minWidth);
  return { roots: sorted.map((x) => ({ x, ratio: ratioAt(x) })), intervals, complete: why === undefined, ...(why ? { why } : {}) };
}

/**
 * Bounds of the posterior variance C(x) of 1-D point masses `ys` (log-weights `logw`) over every x in [a, b], from
 * bounds of the weights (see {@link fixedPoints1d}): `inf ≤ C(x) ≤ sup`. Prefix and suffix sums give Σ_{k≠j}
 * without cancellation.
 *
 * @example
 * varianceBounds([-1, 1], [Math.log(0.5), Math.log(0.5)], -0.01, 0.01, 0.5); // { sup ≈ 1, inf ≈ 0.99 }: C(0) = 1
 */
export function varianceBounds(ys: number[], logw: number[], a: number, b: number, sigma: number): { sup: number; inf: number } {
  const N = ys.length;
  const inv = 1 / (2 * sigma * sigma);
  const lmax = new Float64Array(N);
  const lmin = new Float64Array(N);
  let M = -Infinity;
  for (let j = 0; j < N; j++) {
    const y = ys[j];
    const near = y < a ? a - y : y > b ? y - b : 0;
    const far = Math.max(Math.abs(a - y), Math.abs(b - y));
    lmax[j] = logw[j] - near * near * inv;
    lmin[j] = logw[j] - far * far * inv;
    M = Math.max(M, lmax[j]);
  }
  const A = Float64Array.from(lmin, (l) => Math.exp(l - M));
  const B = Float64Array.from(lmax, (l) => Math.exp(l - M));
  const others = (v: Float64Array) => {
    const pre = new Float64Array(N + 1);
    for (let j = 0; j < N; j++) pre[j + 1] = pre[j] + v[j];
    const suf = new Float64Array(N + 1);
    for (let j = N - 1; j >= 0; j--) suf[j] = suf[j + 1] + v[j];
    return Float64Array.from({ length: N }, (_, j) => pre[j] + suf[j + 1]);
  };
  const oA = others(A);
  const oB = others(B);
  const whi = Float64Array.from(B, (bj, j) => bj / (bj + oA[j]));
  const wlo = Float64Array.from(A, (aj, j) => aj / (aj + oB[j]));
  // Σ w (y − c)² at its minimum c (the w-mean), with y taken relative to the heaviest point so that a concentrated
  // posterior's tiny spread is not lost to the rounding of c
  const spread = (w: Float64Array) => {
    let top = 0;
    for (let j = 1; j < N; j++) if (w[j] > w[top]) top = j;
    let s = 0;
    let sd = 0;
    for (let j = 0; j < N; j++) {
      s += w[j];
      sd += w[j] * (ys[j] - ys[top]);
    }
    if (!(s > 0)) return 0;
    const c = sd / s;
    let v = 0;
    for (let j = 0; j < N; j++) v += w[j] * (ys[j] - ys[top] - c) ** 2;
    return v;
  };
  const R = Math.max(...ys) - Math.min(...ys);
  return { sup: Math.min(spread(whi), (R * R) / 4), inf: spread(wlo) };
}
