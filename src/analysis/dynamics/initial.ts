import { type Batch, zeros } from "../../batch.js";
import type { DataModel } from "../../models/types.js";
import { createRng, type Rng } from "../../numeric/rng.js";

/**
 * One independent random stream per sample: stream i is the i-th `fork()` of `createRng(seed)`, so sample i's
 * draws do not depend on how many samples are drawn (the batch size), as EDM's one-RNG-per-seed.
 *
 * @example
 * sampleRngs(7, 3)[1].normal() === sampleRngs(7, 100)[1].normal(); // true
 */
export function sampleRngs(seed: number, n: number): Rng[] {
  const parent = createRng(seed);
  return Array.from({ length: n }, () => parent.fork());
}

/** The streams of a seed (via {@link sampleRngs}) or the given ones (at least n). */
function streams(seed: number | readonly Rng[], n: number): readonly Rng[] {
  return typeof seed === "number" ? sampleRngs(seed, n) : seed;
}

/** The data mean and the mean per-coordinate variance `Var = Tr Cov(y)/D` of a model. */
export interface DataMoments {
  mean: Float64Array;
  variance: number;
}

/**
 * Mean and per-coordinate variance of a model's data: exact from its structure (mixture, Gaussian, sphere),
 * otherwise from 4096 seeded draws.
 *
 * Formula (mixture): `mean = Σ_k π_k μ_k`, `Tr Cov = Σ_k π_k (‖μ_k‖² + Tr Σ_k) − ‖mean‖²`.
 *
 * @example
 * dataMoments(deltas(fromRows([[-1], [1]]))); // { mean: [0], variance: 1 }
 */
export function dataMoments(model: DataModel, seed = 0): DataMoments {
  const D = model.dim;
  const mean = new Float64Array(D);
  const st = model.structure;
  let second = 0;
  if (st?.type === "mixture") {
    for (let k = 0; k < st.weights.length; k++) {
      const w = st.weights[k];
      let tr = 0;
      for (const l of st.components?.[k]?.lambda ?? []) tr += l;
      second += w * tr;
      for (let d = 0; d < D; d++) {
        const m = st.means.data[k * D + d];
        mean[d] += w * m;
        second += w * m * m;
      }
    }
  } else if (st?.type === "gaussian") {
    mean.set(st.mean);
    for (let d = 0; d < D; d++) second += st.lambda[d] + mean[d] * mean[d];
  } else if (st?.type === "sphere") {
    second = st.radius * st.radius;
  } else {
    const n = 4096;
    const y = model.sample(n, createRng(seed));
    for (let i = 0; i < n * D; i++) {
      mean[i % D] += y.data[i] / n;
      second += (y.data[i] * y.data[i]) / n;
    }
  }
  let norm2 = 0;
  for (let d = 0; d < D; d++) norm2 += mean[d] * mean[d];
  return { mean, variance: Math.max(0, second - norm2) / D };
}

/**
 * Initial states of a reverse sampler (THEORY.md §4): `x ~ N(mean, (σ_max² + variance) I)`; with the default
 * `mean = 0`, `variance = 0` this is `N(0, σ_max² I)`, and with {@link dataMoments} it is
 * `N(mean(y), (σ_max² + Var) I)`. Sample i uses stream i of {@link sampleRngs} (or `seed[i]` when streams are given).
 *
 * @example
 * initialNoise(4, 2, 80, 0); // 4 points of N(0, 80² I₂)
 */
export function initialNoise(
  n: number,
  dim: number,
  sigmaMax: number,
  seed: number | readonly Rng[],
  moments: Partial<DataMoments> = {},
): Batch {
  const out = zeros(n, dim);
  const sd = Math.sqrt(sigmaMax * sigmaMax + (moments.variance ?? 0));
  const rngs = streams(seed, n);
  for (let i = 0; i < n; i++)
    for (let d = 0; d < dim; d++) out.data[i * dim + d] = (moments.mean?.[d] ?? 0) + sd * rngs[i].normal();
  return out;
}

/**
 * Draws from the exact noisy law `p_σmax`: `x = y + σ_max z` with `y ~ model` and `z ~ N(0, I)`, sample i from
 * stream i of {@link sampleRngs} (or `seed[i]` when streams are given). Started here, the reverse SDE keeps every marginal exact up to discretisation.
 *
 * @example
 * exactNoisy(model, 1000, 5, 0); // 1000 points of p_5
 */
export function exactNoisy(model: DataModel, n: number, sigmaMax: number, seed: number | readonly Rng[]): Batch {
  const D = model.dim;
  const out = zeros(n, D);
  const rngs = streams(seed, n);
  for (let i = 0; i < n; i++) {
    const y = model.sample(1, rngs[i]);
    for (let d = 0; d < D; d++) out.data[i * D + d] = y.data[d] + sigmaMax * rngs[i].normal();
  }
  return out;
}
