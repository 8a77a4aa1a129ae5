import type { Batch } from "../../batch.js";

/**
 * Inverse temperature of seed 004's Brownian time: `β(t) = 1/(ν² t) = 1/σ²(t)` (THEORY.md §6; Erratum 3: the paper
 * prints `σ² t`). Special cases: t ≤ 0 → +∞.
 * @example inverseTemperature(2, 0.5); // returns 2 (σ² = 0.5)
 */
export function inverseTemperature(t: number, nu = 1): number {
  return t > 0 ? 1 / (nu * nu * t) : Infinity;
}

/** `ℓ_j = β x·y_j` for one query; returns the logits and their log-sum-exp. */
function logits(patterns: Batch, x: ArrayLike<number>, beta: number): { l: Float64Array; lse: number } {
  const { rows: n, dim: D, data } = patterns;
  const l = new Float64Array(n);
  let mx = -Infinity;
  for (let j = 0; j < n; j++) {
    let dot = 0;
    for (let k = 0; k < D; k++) dot += x[k] * data[j * D + k];
    l[j] = beta * dot; // e^{+β x·y} (Erratum 5: seed 004 eq. 16 prints e^{−β x·y})
    if (l[j] > mx) mx = l[j];
  }
  let s = 0;
  for (let j = 0; j < n; j++) s += Math.exp(l[j] - mx);
  return { l, lse: mx + Math.log(s) };
}

/**
 * Modern Hopfield (dense associative memory) energy `E(x) = −β⁻¹ log Σ_j e^{β x·y_j} + ½‖x‖²` (THEORY.md §6).
 * For equal-weight deltas of equal norm r it equals the regularized free energy up to a constant:
 * `F̃(x) = E(x) + r²/2 + σ² log N` (β = 1/σ²).
 * @example hopfieldEnergy(fromRows([[1], [-1]]), [0], 1); // returns −log 2
 */
export function hopfieldEnergy(patterns: Batch, x: ArrayLike<number>, beta: number): number {
  let n2 = 0;
  for (let k = 0; k < patterns.dim; k++) n2 += x[k] * x[k];
  return -logits(patterns, x, beta).lse / beta + 0.5 * n2;
}

/**
 * One Hopfield retrieval step `x ← Σ_j softmax_j(β x·y_j) y_j`: for equal-norm, equal-weight patterns this is the
 * fixed-point iteration `x ← m(x)` of the diffusion posterior (THEORY.md §6).
 * @example hopfieldUpdate(fromRows([[1], [-1]]), [0.5], 1); // returns [tanh(0.5)]
 */
export function hopfieldUpdate(patterns: Batch, x: ArrayLike<number>, beta: number): Float64Array {
  const { l, lse } = logits(patterns, x, beta);
  const D = patterns.dim;
  const out = new Float64Array(D);
  for (let j = 0; j < patterns.rows; j++) {
    const w = Math.exp(l[j] - lse);
    for (let k = 0; k < D; k++) out[k] += w * patterns.data[j * D + k];
  }
  return out;
}
