import type { DataModel } from "../../models/types.js";
import { symmetricEigenvalues } from "../../numeric/eigen.js";
import { solveLinear } from "./linear.js";

/** A fixed point `x* = m(x* + h)` with its posterior covariance there. */
export interface FixedPoint {
  x: Float64Array;
  /** `C(x* + h)`, D × D row-major. */
  covariance: Float64Array;
  /** `λ_max(C)/σ²`: stable iff < 1 (THEORY.md §5). */
  stabilityRatio: number;
  stable: boolean;
  converged: boolean;
  iterations: number;
}

/** Options of {@link newtonFixedPoint}. */
export interface NewtonOptions {
  /** External field h added to the query, solving `x = m(x + h)` (default 0). */
  field?: ArrayLike<number>;
  /** Newton steps at most (default 100). */
  maxIter?: number;
  /**
   * Stop when ‖m(x + h) − x‖ ≤ tol·(1 + ‖x‖) (default 1e-13). With tol = 0 Newton runs until no step reduces the
   * residual (its rounding floor), which is then accepted if ≤ 1e-8·(1 + ‖x‖): use it near a critical point.
   */
  tol?: number;
}

function meanAndCov(model: DataModel, q: Float64Array, sigma: number) {
  const p = model.posterior({ rows: 1, dim: q.length, data: q }, sigma, { covariance: true });
  return { m: p.mean.data, C: p.covariance! };
}

/**
 * A fixed point of the magnetization map, `x* = m(x* + h)` (self-consistency, THEORY.md §5–6), by Newton's method
 * on `r(x) = m(x + h) − x` with Jacobian `C(x + h)/σ² − I`, started from `x0`, halving the step while ‖r‖ grows.
 *
 * Special cases: a singular Jacobian (exactly at a bifurcation) falls back to the plain iteration `x ← m(x + h)`
 * for that step; `converged` is false when the tolerance was not met within `maxIter`.
 * @example newtonFixedPoint(deltas(fromRows([[-1], [1]])), [0.5], 0.5).x[0]; // ≈ 0.9575 (x = tanh(4x))
 */
export function newtonFixedPoint(model: DataModel, x0: ArrayLike<number>, sigma: number, options: NewtonOptions = {}): FixedPoint {
  const D = model.dim;
  const { maxIter = 100, tol = 1e-13 } = options;
  const h = options.field ?? new Float64Array(D);
  const s2 = sigma * sigma;
  let x = Float64Array.from(x0);
  const q = new Float64Array(D);
  const evaluate = (at: Float64Array) => {
    for (let k = 0; k < D; k++) q[k] = at[k] + h[k];
    const { m, C } = meanAndCov(model, q, sigma);
    const r = new Float64Array(D);
    let n2 = 0;
    for (let k = 0; k < D; k++) {
      r[k] = m[k] - at[k];
      n2 += r[k] * r[k];
    }
    return { r, C, norm: Math.sqrt(n2) };
  };
  let cur = evaluate(x);
  let it = 0;
  let converged = false;
  for (; it < maxIter; it++) {
    let xn2 = 0;
    for (let k = 0; k < D; k++) xn2 += x[k] * x[k];
    if (cur.norm <= tol * (1 + Math.sqrt(xn2))) {
      converged = true;
      break;
    }
    const J = new Float64Array(D * D);
    for (let i = 0; i < D * D; i++) J[i] = cur.C[i] / s2;
    for (let k = 0; k < D; k++) J[k * D + k] -= 1;
    let step = solveLinear(J, cur.r, D, 1);
    if (!step.every(Number.isFinite)) step = cur.r.map((v) => -v);
    let lambda = 1;
    let accepted = false;
    for (let tries = 0; tries < 30 && !accepted; tries++) {
      const next = x.map((v, k) => v - lambda * step[k]);
      const trial = evaluate(next);
      if (trial.norm < cur.norm) {
        x = next;
        cur = trial;
        accepted = true;
      }
      lambda /= 2;
    }
    if (!accepted) {
      // Stalled: no step reduces the residual, which is then at its rounding floor (or Newton failed).
      converged = cur.norm <= 1e-8 * (1 + Math.sqrt(xn2));
      break;
    }
  }
  const ratio = Math.max(...symmetricEigenvalues(cur.C, D)) / s2;
  return { x, covariance: cur.C, stabilityRatio: ratio, stable: ratio < 1, converged, iterations: it };
}

/**
 * Susceptibility at a fixed point, `χ = ∂m/∂h|_{h=0} = (I − G)⁻¹ G`, `G = C(x*)/σ²` (THEORY.md §6): differentiate
 * `m = ⟨y⟩_{m+h}` to get `χ = G (χ + I)`. Diverges where `λ_max(G)` crosses 1, i.e. where x* loses stability.
 * Two deltas ±1 at x* = 0, σ > 1: `χ = 1/(σ² − 1)`.
 *
 * Special cases: exactly at the critical point (I − G singular) → NaN entries.
 * @example susceptibility(new Float64Array([1]), 1, 2); // returns [1/3]
 */
export function susceptibility(covariance: ArrayLike<number>, dim: number, sigma: number): Float64Array {
  const s2 = sigma * sigma;
  const G = new Float64Array(dim * dim);
  for (let i = 0; i < dim * dim; i++) G[i] = covariance[i] / s2;
  const A = G.map((g) => -g);
  for (let k = 0; k < dim; k++) A[k * dim + k] += 1;
  return solveLinear(A, G, dim, dim);
}

/**
 * The distinct fixed points reached by Newton from each start (`starts`, rows of length D), deduplicated to
 * `dedupeTol·(1 + scale)`, unconverged runs dropped. Starts that matter: data points (stable memories), the data
 * mean, midpoints of pairs (saddles).
 * @example findFixedPoints(twoDeltas, [[-1], [0], [1]], 0.5).length; // 3 (two stable, one saddle at 0)
 */
export function findFixedPoints(model: DataModel, starts: ArrayLike<number>[], sigma: number, dedupeTol = 1e-7): FixedPoint[] {
  const out: FixedPoint[] = [];
  for (const s of starts) {
    const fp = newtonFixedPoint(model, s, sigma);
    if (!fp.converged) continue;
    const dup = out.some((o) => {
      let d2 = 0;
      for (let k = 0; k < model.dim; k++) d2 += (o.x[k] - fp.x[k]) ** 2;
      return Math.sqrt(d2) <= dedupeTol * (1 + Math.hypot(...fp.x));
    });
    if (!dup) out.push(fp);
  }
  return out;
}
