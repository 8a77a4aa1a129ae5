import { type Batch, zeros } from "../../batch.js";
import type { DataModel } from "../../models/types.js";
import { solveInPlace } from "./linear.js";

/** Options of {@link newtonFixedPoints} and {@link meanShift}. */
export interface FixedPointOptions {
  /** Absolute tolerance on ‖m(x) − x‖ (data units); default 1e-12·(σ + extent of the starts). */
  tol?: number;
  /** Iteration cap (default 80 for Newton, 500 for mean-shift). */
  /** Newton only: a row has converged once its Newton step is this short (default 1e-10·(σ + extent)). */
  stepTol?: number;
  maxIter?: number;
}

/** Fixed points polished by {@link newtonFixedPoints}: one row per start. */
export interface FixedPointResult {
  x: Batch;
  /** 1 where the last Newton step was ≤ stepTol with ‖m(x) − x‖ ≤ 1e3·tol (or ‖m(x) − x‖ ≤ tol when stalled). */
  converged: Uint8Array;
  /** ‖m(x) − x‖ at the returned point. */
  residual: Float64Array;
  /** C(x), rows × D × D, at the returned point. */
  covariance: Float64Array;
}

/** max(σ, extent of the batch) — the length scale of the default tolerances. */
export function lengthScale(x: Batch, sigma: number): number {
  let ext = 0;
  for (let k = 0; k < x.dim; k++) {
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < x.rows; i++) {
      const v = x.data[i * x.dim + k];
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    if (hi > lo) ext = Math.max(ext, hi - lo, Math.abs(hi), Math.abs(lo));
    else if (Number.isFinite(hi)) ext = Math.max(ext, Math.abs(hi));
  }
  return Math.max(sigma, ext);
}

/**
 * Critical points of `p_σ` near each start by damped Newton on `F(x) = m(x) − x` (THEORY.md §5):
 * `F(x) = σ² ∇log p_σ(x)` and `∂F/∂x = C(x)/σ² − I`, so Newton converges to maxima, saddles and minima alike.
 *
 * Method: batched over the starts (one posterior call per iteration and line-search trial); step
 * `δ = −(C/σ² − I)⁻¹ F` (the mean-shift step `F` where that matrix is singular), halved up to 40 times
 * until `‖F‖` decreases (Armijo factor 1 − 1e-4·t). A row stops once its full Newton step is ≤ stepTol with
 * `‖F‖ ≤ 1e3·tol` (the step, not `‖F‖` alone: near a degenerate point `‖F‖` is tiny far from the root), or when
 * its line search stalls.
 *
 * Special cases: rows that never converge keep their last iterate with `converged = 0`.
 *
 * @example
 * const r = newtonFixedPoints(deltas(fromRows([[-1], [1]])), fromRows([[0.1]]), 0.5);
 * r.x.data[0]; // returns ≈ 0.99933 (the root of x = tanh(4x) near 1)
 */
export function newtonFixedPoints(model: DataModel, starts: Batch, sigma: number, options: FixedPointOptions = {}): FixedPointResult {
  const D = starts.dim;
  const n = starts.rows;
  const tol = options.tol ?? 1e-12 * lengthScale(starts, sigma);
  const maxIter = options.maxIter ?? 80;
  const stepTol = options.stepTol ?? 1e-10 * lengthScale(starts, sigma);
  const x = zeros(n, D);
  x.data.set(starts.data);
  const st = model.posterior(x, sigma, { covariance: true });
  const cov = st.covariance!;
  const F = new Float64Array(n * D);
  const r = new Float64Array(n);
  for (let i = 0; i < n; i++) r[i] = residualInto(st.mean.data, i, x.data, i, F, i, D);
  const stalled = new Uint8Array(n);
  let active: number[] = [];
  const done = new Uint8Array(n);
  for (let i = 0; i < n; i++) if (Number.isFinite(r[i])) active.push(i);
  const step = new Float64Array(n * D);
  const A = new Float64Array(D * D);
  const b = new Float64Array(D);
  const inv = 1 / (sigma * sigma);
  for (let iter = 0; iter < maxIter && active.length > 0; iter++) {
    for (const i of active) {
      for (let p = 0; p < D; p++) {
        for (let q = 0; q < D; q++) A[p * D + q] = cov[i * D * D + p * D + q] * inv - (p === q ? 1 : 0);
        b[p] = -F[i * D + p];
      }
      const ok = solveInPlace(A, b, D);
      let len = 0;
      for (let p = 0; p < D; p++) {
        step[i * D + p] = ok && Number.isFinite(b[p]) ? b[p] : F[i * D + p];
        len += step[i * D + p] ** 2;
      }
      if (Math.sqrt(len) <= stepTol && r[i] <= 1e3 * tol) done[i] = 1;
    }
    let pending = active.filter((i) => !done[i]);
    let t = 1;
    for (let halving = 0; halving <= 40 && pending.length > 0; halving++, t *= 0.5) {
      const trial = zeros(pending.length, D);
      pending.forEach((i, k) => {
        for (let p = 0; p < D; p++) trial.data[k * D + p] = x.data[i * D + p] + t * step[i * D + p];
      });
      const ts = model.posterior(trial, sigma, { covariance: true });
      const tf = new Float64Array(D);
      const next: number[] = [];
      pending.forEach((i, k) => {
        const rn = residualInto(ts.mean.data, k, trial.data, k, tf, 0, D);
        if (rn === 0 || rn < r[i] * (1 - 1e-4 * t)) {
          x.data.set(trial.data.subarray(k * D, (k + 1) * D), i * D);
          F.set(tf, i * D);
          cov.set(ts.covariance!.subarray(k * D * D, (k + 1) * D * D), i * D * D);
          r[i] = rn;
        } else next.push(i);
      });
      pending = next;
    }
    for (const i of pending) stalled[i] = 1;
    active = active.filter((i) => !stalled[i] && !done[i]);
  }
  const converged = new Uint8Array(n);
  for (let i = 0; i < n; i++) converged[i] = done[i] || r[i] <= tol ? 1 : 0;
  return { x, converged, residual: r, covariance: cov };
}

/**
 * Gaussian mean-shift `x ← m(x)` from each start (THEORY.md §5): ascends `log p_σ` (for deltas it is the
 * EM / Hopfield update), converging linearly to the maxima; stops a row once `‖m(x) − x‖ ≤ tol`.
 *
 * @example
 * meanShift(deltas(fromRows([[-1], [1]])), fromRows([[0.1]]), 0.5).data[0]; // returns ≈ 0.99933
 */
export function meanShift(model: DataModel, starts: Batch, sigma: number, options: FixedPointOptions = {}): Batch {
  const D = starts.dim;
  const tol = options.tol ?? 1e-9 * lengthScale(starts, sigma);
  const maxIter = options.maxIter ?? 500;
  const x = zeros(starts.rows, D);
  x.data.set(starts.data);
  let active = Array.from({ length: starts.rows }, (_, i) => i);
  for (let iter = 0; iter < maxIter && active.length > 0; iter++) {
    const cur = zeros(active.length, D);
    active.forEach((i, k) => cur.data.set(x.data.subarray(i * D, (i + 1) * D), k * D));
    const m = model.denoise(cur, sigma).data;
    const next: number[] = [];
    active.forEach((i, k) => {
      let d2 = 0;
      for (let p = 0; p < D; p++) {
        const d = m[k * D + p] - x.data[i * D + p];
        d2 += d * d;
        x.data[i * D + p] = m[k * D + p];
      }
      if (Math.sqrt(d2) > tol) next.push(i);
    });
    active = next;
  }
  return x;
}

/** F = m − x for row i of (m, x) into out at row o; returns ‖F‖. */
function residualInto(m: Float64Array, i: number, x: Float64Array, j: number, out: Float64Array, o: number, D: number): number {
  let s = 0;
  for (let p = 0; p < D; p++) {
    const f = m[i * D + p] - x[j * D + p];
    out[o * D + p] = f;
    s += f * f;
  }
  return Math.sqrt(s);
}
