import type { Batch } from "../../batch.js";
import type { DataModel } from "../../models/types.js";
import type { Rng } from "../../numeric/rng.js";

/**
 * KL of the bin histogram for discrete data (THEORY.md §9.1, the paper's discrete test bed):
 * `KL(π ‖ p̂) = Σ_j π_j log(π_j/p̂_j)`, `p̂_j` = the fraction of the N samples within distance ε of point y_j
 * (bins `[y_j − ε, y_j + ε]` in 1-D, balls in D dims; samples outside every bin count in none, so lost mass
 * raises the KL). An empty bin counts as half a sample (so the value stays finite; stated in reports), and
 * `p̂_j = max(c_j, ½)/(Σ_k max(c_k, ½) + outside)` is normalised with the samples outside every bin, so the
 * value is a KL between distributions, ≥ 0.
 *
 * @example
 * klBins(Float64Array.of(-1, 1), 1, fromRows([[-1], [1]]), Float64Array.of(0.5, 0.5), 0.1); // 0
 */
export function klBins(samples: ArrayLike<number>, dim: number, points: Batch, weights: ArrayLike<number>, epsilon: number): number {
  const N = samples.length / dim;
  const K = points.rows;
  const counts = new Float64Array(K);
  const e2 = epsilon * epsilon;
  for (let i = 0; i < N; i++) {
    let best = -1;
    let bestD = Infinity;
    for (let k = 0; k < K; k++) {
      let d2 = 0;
      for (let d = 0; d < dim; d++) {
        const t = samples[i * dim + d] - points.data[k * dim + d];
        d2 += t * t;
      }
      if (d2 < bestD) {
        bestD = d2;
        best = k;
      }
    }
    if (bestD <= e2) counts[best] += 1;
  }
  // q_j ∝ max(c_j, ½) over the bins and the samples outside every bin, so q is a distribution and KL ≥ 0 (Gibbs)
  // however many bins are empty (with N < 2K unnormalised floors summed past 1 and gave negative values).
  let inside = 0;
  let floored = 0;
  for (let k = 0; k < K; k++) {
    inside += counts[k];
    if (weights[k] > 0) floored += Math.max(counts[k], 0.5);
    else floored += counts[k];
  }
  const total = floored + (N - inside);
  let kl = 0;
  for (let k = 0; k < K; k++) if (weights[k] > 0) kl += weights[k] * Math.log(weights[k] / (Math.max(counts[k], 0.5) / total));
  return kl;
}

/**
 * KL of a Gaussian kernel density estimate for continuous 1-D data (THEORY.md §9.1, the paper's continuous test
 * bed): `KL(p ‖ q̂) ≈ (1/M) Σ_m [log p(y_m) − log q̂(y_m)]`, y_m ~ p (M draws from `rng`),
 * `q̂(y) = (1/N) Σ_i N(y; x_i, b²)` (b = `bandwidth`, the paper's 10⁻²), log q̂ by log-sum-exp. Biased (the KDE
 * smooths): compare with the same estimator on direct data samples of the same size.
 *
 * @example
 * klKde(model.sample(10_000, createRng(1)).data, model, 0.01, 1000, createRng(2)); // ≈ the smoothing bias only
 */
export function klKde(samples: ArrayLike<number>, model: DataModel, bandwidth: number, points: number, rng: Rng): number {
  const N = samples.length;
  const y = model.sample(points, rng);
  const logp = model.logDensity(y, 0);
  const x = Float64Array.from(samples).sort();
  const inv = 1 / bandwidth;
  const logNorm = -Math.log(N * bandwidth * Math.sqrt(2 * Math.PI));
  let sum = 0;
  for (let m = 0; m < points; m++) {
    const ym = y.data[m];
    // Only kernels within 40 bandwidths matter (e^{−800} underflows); the nearest one always counts.
    let lo = lowerBound(x, ym - 40 * bandwidth);
    let hi = lowerBound(x, ym + 40 * bandwidth);
    if (lo === hi) {
      lo = Math.max(0, Math.min(lo, N - 1));
      hi = lo + 1;
      if (lo > 0 && Math.abs(x[lo - 1] - ym) < Math.abs(x[lo] - ym)) (lo -= 1), (hi -= 1);
    }
    let top = -Infinity;
    for (let i = lo; i < hi; i++) top = Math.max(top, -0.5 * ((x[i] - ym) * inv) ** 2);
    let acc = 0;
    for (let i = lo; i < hi; i++) acc += Math.exp(-0.5 * ((x[i] - ym) * inv) ** 2 - top);
    sum += logp[m] - (top + Math.log(acc) + logNorm);
  }
  return sum / points;
}

function lowerBound(x: Float64Array, v: number): number {
  let lo = 0;
  let hi = x.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (x[mid] < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
