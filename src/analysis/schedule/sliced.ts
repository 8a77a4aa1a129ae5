import type { Rng } from "../../numeric/rng.js";

/**
 * Sliced Wasserstein-2 between two equal-size samples in D dims:
 * `SW₂ = ( (1/L) Σ_l W₂²(θ_lᵀX, θ_lᵀY) )^{1/2}`, θ_l uniform on the sphere (normalised Gaussian draws from `rng`),
 * each 1-D W₂² by the sorted matching `(1/N) Σ_i (a_(i) − b_(i))²`. In 1-D the one direction is ±1 (exact W₂
 * between the two empirical laws). Compared with data, `Y` is a reference sample from the model, so the value
 * has a positive finite-sample floor: read it against the same statistic of direct data samples.
 *
 * Special cases: unequal sizes use the first min(N_X, N_Y) rows of each; no rows → NaN.
 *
 * @example
 * slicedWasserstein2(a, b, 2, 64, createRng(1)); // 0 when a and b hold the same points
 */
export function slicedWasserstein2(x: ArrayLike<number>, y: ArrayLike<number>, dim: number, projections: number, rng: Rng): number {
  const N = Math.min(x.length, y.length) / dim;
  if (!(N >= 1)) return NaN;
  const L = dim === 1 ? 1 : projections;
  const a = new Float64Array(N);
  const b = new Float64Array(N);
  const theta = new Float64Array(dim);
  let acc = 0;
  for (let l = 0; l < L; l++) {
    let norm = 0;
    for (let d = 0; d < dim; d++) {
      theta[d] = dim === 1 ? 1 : rng.normal();
      norm += theta[d] * theta[d];
    }
    norm = Math.sqrt(norm);
    for (let i = 0; i < N; i++) {
      let pa = 0;
      let pb = 0;
      for (let d = 0; d < dim; d++) {
        pa += (theta[d] / norm) * x[i * dim + d];
        pb += (theta[d] / norm) * y[i * dim + d];
      }
      a[i] = pa;
      b[i] = pb;
    }
    a.sort();
    b.sort();
    let w = 0;
    for (let i = 0; i < N; i++) w += (a[i] - b[i]) ** 2;
    acc += w / N;
  }
  return Math.sqrt(acc / L);
}
