import { fromRows } from "../../batch.js";
import type { DataModel } from "../../models/types.js";
import { symmetricEigenvalues } from "../../numeric/eigen.js";
import { distance } from "./critical-points.js";
import { solveInPlace } from "./linear.js";
import { newtonFixedPoints } from "./newton.js";

/** A fixed point located at a branching: position and noise level. */
export interface FoldPoint {
  x: Float64Array;
  sigma: number;
}

/** `λ_max(C(x))/σ² − 1`: the largest eigenvalue of `C/σ² − I`; 0 where a fixed point changes stability (§5). */
export function stabilityMargin(model: DataModel, x: ArrayLike<number>, sigma: number): { margin: number; residual: Float64Array } {
  const D = model.dim;
  const st = model.posterior(fromRows([Array.from(x)], D), sigma, { covariance: true });
  const ev = symmetricEigenvalues(st.covariance!, D);
  const residual = new Float64Array(D);
  for (let k = 0; k < D; k++) residual[k] = st.mean.data[k] - x[k];
  return { margin: ev[D - 1] / (sigma * sigma) - 1, residual };
}

/** The fixed point nearest `x0` at σ by Newton (steps to 1e-13·max(σ, ‖x0‖)), if it converged within `radius`. */
export function continueFixedPoint(model: DataModel, x0: ArrayLike<number>, sigma: number, radius: number): Float64Array | undefined {
  const scale = Math.max(sigma, Math.hypot(...Array.from(x0)));
  const r = newtonFixedPoints(model, fromRows([Array.from(x0)], model.dim), sigma, { stepTol: 1e-13 * scale, tol: 1e-14 * scale });
  if (!r.converged[0] || !(distance(r.x.data, x0) <= radius)) return undefined;
  return r.x.data;
}

/**
 * A saddle-node (fold) of the fixed points: where a maximum and a saddle meet, solving the augmented system
 * `{m(x) − x = 0, λ_max(C(x))/σ² − 1 = 0}` in `(x, σ)` (THEORY.md §5; the determinant condition
 * `det(C/σ² − I) = 0` written for the eigenvalue that crosses 0).
 *
 * Method: bisection in σ between `sigmaExists` (a fixed point near `x0`) and `sigmaGone` (none within
 * `radius`) down to 1e-7 relative, following the point by Newton; then Newton on the augmented system with a
 * central-difference Jacobian (steps 1e-6·σ) from the last point found, to |Δσ| ≤ 1e-15σ. The augmented
 * solution is accepted inside the bisection bracket (widened by 1e-6); else the bisection midpoint is returned.
 *
 * @example
 * // two deltas ±1 with weights 0.7 / 0.3: the metastable mode near +1 appears at σ ≈ 0.73676
 * foldPoint(model, [0.7], 0.70, 0.80, 0.2).sigma; // returns ≈ 0.7367598214372558
 */
export function foldPoint(model: DataModel, x0: ArrayLike<number>, sigmaExists: number, sigmaGone: number, radius: number): FoldPoint {
  let a = sigmaExists;
  let b = sigmaGone;
  let xa: Float64Array = Float64Array.from(x0);
  while (Math.abs(a - b) > 1e-7 * a) {
    const mid = 0.5 * (a + b);
    const x = continueFixedPoint(model, xa, mid, radius);
    if (x) {
      a = mid;
      xa = x;
    } else b = mid;
  }
  const refined = augmentedNewton(model, xa, a);
  const lo = Math.min(a, b) * (1 - 1e-6);
  const hi = Math.max(a, b) * (1 + 1e-6);
  if (refined && refined.sigma >= lo && refined.sigma <= hi) return refined;
  return { x: xa, sigma: 0.5 * (a + b) };
}

/** Newton on G(x, σ) = (m(x) − x, λ_max(C)/σ² − 1) with a central-difference Jacobian. */
function augmentedNewton(model: DataModel, x0: Float64Array, sigma0: number): FoldPoint | undefined {
  const D = model.dim;
  const n = D + 1;
  const z = new Float64Array(n);
  z.set(x0);
  z[D] = sigma0;
  const G = (v: Float64Array) => {
    const { margin, residual } = stabilityMargin(model, v.subarray(0, D), v[D]);
    const g = new Float64Array(n);
    g.set(residual);
    g[D] = margin;
    return g;
  };
  for (let iter = 0; iter < 40; iter++) {
    const g = G(z);
    const J = new Float64Array(n * n);
    const h = 1e-6 * z[D];
    for (let c = 0; c < n; c++) {
      const zp = z.slice();
      const zm = z.slice();
      zp[c] += h;
      zm[c] -= h;
      const gp = G(zp);
      const gm = G(zm);
      for (let r = 0; r < n; r++) J[r * n + c] = (gp[r] - gm[r]) / (2 * h);
    }
    const step = g.map((v) => -v);
    if (!solveInPlace(J, step, n)) return undefined;
    for (let c = 0; c < n; c++) z[c] += step[c];
    if (!(z[D] > 0) || !z.every(Number.isFinite)) return undefined;
    if (Math.abs(step[D]) <= 1e-15 * z[D]) break;
  }
  const g = G(z);
  if (!(Math.hypot(...g) <= 1e-9)) return undefined;
  return { x: z.slice(0, D), sigma: z[D] };
}
