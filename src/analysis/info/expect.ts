import type { Design } from "./design.js";

/** An expectation with its Monte Carlo standard error (0 for quadrature). */
export interface Estimate {
  value: number;
  standardError: number;
}

/**
 * `Σ_i w_i f_i` over a design; for Monte Carlo designs the standard error of the stratified estimator,
 * `SE² = Σ_k π_k² s_k²/n_k` (s_k² the within-stratum sample variance; one stratum for plain draws).
 * Means are accumulated after subtracting a pilot value, so large offsets do not cost digits.
 */
export function expectation(f: Float64Array, design: Design): Estimate {
  const w = design.weights;
  const n = f.length;
  const pilot = f[0];
  let acc = 0;
  for (let i = 0; i < n; i++) acc += w[i] * (f[i] - pilot);
  let wsum = 0;
  for (let i = 0; i < n; i++) wsum += w[i];
  const value = pilot * wsum + acc;
  if (!design.monteCarlo) return { value, standardError: 0 };
  return { value, standardError: stratifiedError(f, design) };
}

function stratifiedError(f: Float64Array, design: Design): number {
  const strata = design.strata;
  const K = design.strataWeights?.length ?? 1;
  const count = new Float64Array(K);
  const mean = new Float64Array(K);
  const m2 = new Float64Array(K);
  for (let i = 0; i < f.length; i++) {
    const k = strata ? strata[i] : 0;
    // Welford per stratum
    count[k]++;
    const d = f[i] - mean[k];
    mean[k] += d / count[k];
    m2[k] += d * (f[i] - mean[k]);
  }
  let se2 = 0;
  for (let k = 0; k < K; k++) {
    if (count[k] < 2) continue;
    const p = design.strataWeights ? design.strataWeights[k] : 1;
    se2 += (p * p * (m2[k] / (count[k] - 1))) / count[k];
  }
  return Math.sqrt(se2);
}

/** Variance `Σ w (f − E f)²` (two-pass) with a delta-method standard error for Monte Carlo designs. */
export function variance(f: Float64Array, design: Design): Estimate {
  const mu = expectation(f, design).value;
  const sq = f.map((v) => (v - mu) ** 2);
  return expectation(sq, design);
}
