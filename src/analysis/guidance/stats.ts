import { symmetricEigen, symmetricEigenvalues } from "../../numeric/eigen.js";
import type { Estimate } from "../info/expect.js";

/**
 * Sample mean and covariance (row-major D × D, divided by n − 1) of the rows `idx` of `data` (rows × D), two passes.
 */
export function subsetMoments(data: Float64Array, D: number, idx: ArrayLike<number>): { mean: Float64Array; cov: Float64Array } {
  const n = idx.length;
  const mean = new Float64Array(D);
  for (let j = 0; j < n; j++) for (let d = 0; d < D; d++) mean[d] += data[idx[j] * D + d] / n;
  const cov = new Float64Array(D * D);
  for (let j = 0; j < n; j++) {
    const o = idx[j] * D;
    for (let a = 0; a < D; a++) {
      const da = data[o + a] - mean[a];
      for (let b = 0; b <= a; b++) cov[a * D + b] += (da * (data[o + b] - mean[b])) / (n - 1);
    }
  }
  for (let a = 0; a < D; a++) for (let b = 0; b < a; b++) cov[b * D + a] = cov[a * D + b];
  return { mean, cov };
}

/**
 * KL(N(m, C) ‖ N(μ, Σ)) in nats, D dimensions:
 * `½ [tr(Σ⁻¹C) − D + (μ − m)ᵀΣ⁻¹(μ − m) + log det Σ − log det C]`, Σ⁻¹ from its eigendecomposition.
 * For Gaussian classes this is the KL of THEORY.md §9.2 with the guided law's fitted moments.
 *
 * Special cases: a singular Σ (or C) gives ∞ (or NaN): the Gaussian fit does not apply (discrete classes).
 *
 * @example
 * gaussianFitKl(Float64Array.of(1), Float64Array.of(0.25), Float64Array.of(1), Float64Array.of(1), 1); // ½(0.25 − 1 + log 4)
 */
export function gaussianFitKl(m: Float64Array, C: Float64Array, mu: Float64Array, Sigma: Float64Array, D: number): number {
  const { values, vectors: V } = symmetricEigen(Sigma, D);
  if (!(values[0] > 0)) return Infinity;
  const cv = symmetricEigenvalues(C, D);
  if (!(cv[0] > 0)) return NaN;
  let trace = 0;
  let quad = 0;
  let logDetS = 0;
  let logDetC = 0;
  for (let i = 0; i < D; i++) {
    // vᵢᵀ C vᵢ / λᵢ and (vᵢᵀ(μ − m))² / λᵢ
    let cvv = 0;
    let proj = 0;
    for (let a = 0; a < D; a++) {
      proj += V[a * D + i] * (mu[a] - m[a]);
      let row = 0;
      for (let b = 0; b < D; b++) row += C[a * D + b] * V[b * D + i];
      cvv += V[a * D + i] * row;
    }
    trace += cvv / values[i];
    quad += (proj * proj) / values[i];
    logDetS += Math.log(values[i]);
    logDetC += Math.log(cv[i]);
  }
  return 0.5 * (trace - D + quad + logDetS - logDetC);
}

/**
 * A statistic of n rows with its delete-a-group jackknife standard error: rows in G groups (row i in group i mod G),
 * `θ_g` the statistic without group g, `SE = √((G − 1)/G · Σ_g (θ_g − θ̄)²)` (Efron & Tibshirani, An Introduction to
 * the Bootstrap, §11.5), the value θ on every row.
 *
 * @example
 * jackknife(100, 10, (idx) => mean(idx)); // the sample mean, SE ≈ sd/√n
 */
export function jackknife(n: number, groups: number, statistic: (idx: Int32Array) => number): Estimate {
  const all = Int32Array.from({ length: n }, (_, i) => i);
  const value = statistic(all);
  const G = Math.min(groups, n);
  if (G < 2) return { value, standardError: NaN };
  const thetas: number[] = [];
  for (let g = 0; g < G; g++) thetas.push(statistic(all.filter((i) => i % G !== g)));
  const mean = thetas.reduce((a, t) => a + t, 0) / G;
  const ss = thetas.reduce((a, t) => a + (t - mean) ** 2, 0);
  return { value, standardError: Math.sqrt(((G - 1) / G) * ss) };
}

/**
 * The Kozachenko–Leonenko k-nearest-neighbour entropy estimate of the rows `idx` of `data` (rows × D), nats:
 * `Ĥ = ψ(n) − ψ(k) + log V_D + (D/n) Σ_i log ε_i`, ε_i the distance from row i to its k-th nearest neighbour,
 * `V_D = π^{D/2}/Γ(D/2 + 1)` the unit ball's volume (Kozachenko & Leonenko 1987; Kraskov, Stögbauer & Grassberger
 * 2004, eq. 20), `ψ(n) − ψ(k) = Σ_{j=k}^{n−1} 1/j`. Consistent for continuous laws; O(n² D) by brute force.
 *
 * Special cases: coincident rows (ε = 0) have ε² floored at 1e-300 (the estimate then drops towards −∞, as it should
 * for a law with atoms); n ≤ k gives NaN.
 *
 * @example
 * knnEntropy(normalDraws, 1, all, 3); // ≈ ½ log(2πe) for N(0, 1) draws
 */
export function knnEntropy(data: Float64Array, D: number, idx: ArrayLike<number>, k = 3): number {
  const n = idx.length;
  if (!(n > k)) return NaN;
  const best = new Float64Array(k);
  let sumLog = 0;
  for (let a = 0; a < n; a++) {
    best.fill(Infinity);
    const oa = idx[a] * D;
    for (let b = 0; b < n; b++) {
      if (b === a) continue;
      const ob = idx[b] * D;
      let d2 = 0;
      for (let d = 0; d < D; d++) d2 += (data[oa + d] - data[ob + d]) ** 2;
      if (d2 < best[k - 1]) {
        let j = k - 1;
        while (j > 0 && best[j - 1] > d2) (best[j] = best[j - 1]), j--;
        best[j] = d2;
      }
    }
    sumLog += 0.5 * Math.log(Math.max(best[k - 1], 1e-300));
  }
  let psi = 0;
  for (let j = k; j < n; j++) psi += 1 / j;
  const logVolume = (D / 2) * Math.log(Math.PI) - logGamma(D / 2 + 1);
  return psi + logVolume + (D / n) * sumLog;
}

/** log Γ(x) for x = m/2 (half-integers and integers ≥ ½), by the recurrence from Γ(½) = √π, Γ(1) = 1. */
function logGamma(x: number): number {
  let v = Number.isInteger(x) ? 0 : 0.5 * Math.log(Math.PI);
  for (let y = Number.isInteger(x) ? 1 : 0.5; y < x - 1e-9; y += 1) v += Math.log(y);
  return v;
}
