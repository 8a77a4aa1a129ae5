import type { DataModel } from "../../models/types.js";

/**
 * The fraction of samples assigned to each mode of a mixture model: sample x goes to
 * `argmax_k log π_k − ½ Σ_i (v_iᵀ(x − μ_k))²/(λ_i + s²) − ½ Σ_i log(λ_i + s²)` (component k's Gaussian at
 * extra noise s, eigenpairs (λ_i, v_i) of Σ_k; point masses: the nearest point, weight-adjusted). Returns
 * undefined for models without mixture structure.
 *
 * @example
 * modeProportions(twoDeltas, Float64Array.of(-0.9, 1.1, 1.2), 0.01); // [1/3, 2/3]
 */
export function modeProportions(model: DataModel, samples: ArrayLike<number>, s: number): Float64Array | undefined {
  const st = model.structure;
  if (st?.type !== "mixture") return undefined;
  const D = model.dim;
  const K = st.weights.length;
  const N = samples.length / D;
  const out = new Float64Array(K);
  const s2 = s * s;
  for (let i = 0; i < N; i++) {
    let best = 0;
    let bestScore = -Infinity;
    for (let k = 0; k < K; k++) {
      if (!(st.weights[k] > 0)) continue;
      const comp = st.components?.[k];
      let score = Math.log(st.weights[k]);
      if (!comp) {
        // a point mass: the identity eigenbasis, so the projections are the coordinates (O(D), not O(D²))
        let d2 = 0;
        for (let d = 0; d < D; d++) d2 += (samples[i * D + d] - st.means.data[k * D + d]) ** 2;
        score -= 0.5 * (d2 / s2 + D * Math.log(s2));
      } else for (let a = 0; a < D; a++) {
        let proj = 0;
        for (let d = 0; d < D; d++) proj += comp.vectors[d * D + a] * (samples[i * D + d] - st.means.data[k * D + d]);
        const v = comp.lambda[a] + s2;
        score -= 0.5 * (proj * proj) / v + 0.5 * Math.log(v);
      }
      if (score > bestScore) {
        bestScore = score;
        best = k;
      }
    }
    out[best] += 1 / N;
  }
  return out;
}

/** Total variation ½ Σ_k |p̂_k − π_k| between mode proportions and the model's weights. */
export function modeTotalVariation(model: DataModel, proportions: Float64Array): number {
  const st = model.structure;
  if (st?.type !== "mixture") return NaN;
  let tv = 0;
  for (let k = 0; k < proportions.length; k++) tv += Math.abs(proportions[k] - st.weights[k]);
  return 0.5 * tv;
}
