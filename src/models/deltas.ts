import { type Batch, zeros } from "../batch.js";
import { type DeltaSet, posteriorKernel } from "../engine/kernel.js";
import { logSumExp } from "../numeric/logsumexp.js";
import { categoricalSampler, type Rng } from "../numeric/rng.js";
import type { DataModel, PosteriorRequest, PosteriorStats } from "./types.js";

const LOG_2PI = Math.log(2 * Math.PI);

/** Options of {@link deltas}. */
export interface DeltasOptions {
  /** Non-negative weights π_j (normalised here); default uniform. */
  weights?: ArrayLike<number>;
  /** Unnormalised log-weights (instead of `weights`, for weights that would overflow, e.g. Ising at low T). */
  logWeights?: ArrayLike<number>;
  /** Class index per point (0 … numClasses − 1). */
  labels?: ArrayLike<number>;
  /** Names of the classes, in index order. */
  classNames?: readonly string[];
}

/**
 * A finite mixture of point masses `φ = Σ_j π_j δ(y − y_j)` (an empirical dataset; THEORY.md §2b, §3).
 * Posterior weights `w_j(x) = softmax_j(log π_j − ‖x − y_j‖²/(2σ²))`, computed by the batched kernel.
 *
 * @example
 * const two = deltas(fromRows([[-1], [1]]));
 * two.posterior(fromRows([[0.3]]), 1).mean.data[0]; // returns tanh(0.3) ≈ 0.2913
 */
export function deltas(points: Batch, options: DeltasOptions = {}): DataModel & { readonly set: DeltaSet } {
  const n = points.rows;
  const D = points.dim;
  const logWeights = new Float64Array(n);
  if (options.logWeights) logWeights.set(options.logWeights);
  else if (options.weights) for (let j = 0; j < n; j++) logWeights[j] = Math.log(options.weights[j]);
  const logTotal = logSumExp(logWeights);
  const probs = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    logWeights[j] -= logTotal;
    probs[j] = Math.exp(logWeights[j]);
  }
  let labels: Int32Array | undefined;
  let numClasses = 0;
  if (options.labels) {
    labels = Int32Array.from(options.labels);
    for (let j = 0; j < n; j++) numClasses = Math.max(numClasses, labels[j] + 1);
    if (options.classNames) numClasses = Math.max(numClasses, options.classNames.length);
  }
  const set: DeltaSet = { n, dim: D, points: points.data, logWeights, labels, numClasses };
  const draw = categoricalSampler(probs);

  function posterior(x: Batch, sigma: number | Float64Array, want: PosteriorRequest = {}): PosteriorStats {
    const r = posteriorKernel()(set, x, sigma, want);
    const logDensity = want.logDensity ? normalise(r.logPartition, x.rows, sigma) : undefined;
    return {
      mean: { rows: x.rows, dim: D, data: r.mean },
      traceCov: r.traceCov,
      covariance: r.covariance,
      entropy: r.entropy,
      classProbs: r.classProbs,
      participation: r.participation,
      classMeans: r.classMeans,
      classEntropy: r.classEntropy,
      logDensity,
    };
  }

  /** log p_σ(x) = logsumexp_j(log π_j − ‖x − y_j‖²/(2σ²)) − (D/2) log(2πσ²), in place. */
  function normalise(logPartition: Float64Array, rows: number, sigma: number | Float64Array): Float64Array {
    for (let i = 0; i < rows; i++) {
      const s = typeof sigma === "number" ? sigma : sigma[i];
      logPartition[i] -= 0.5 * D * (LOG_2PI + 2 * Math.log(s));
    }
    return logPartition;
  }

  function sampleLabelled(count: number, rng: Rng) {
    const out = zeros(count, D);
    const lab = new Int32Array(count);
    for (let i = 0; i < count; i++) {
      const j = draw(rng);
      out.data.set(points.data.subarray(j * D, (j + 1) * D), i * D);
      lab[i] = labels ? labels[j] : 0;
    }
    return { points: out, labels: lab };
  }

  return {
    kind: "deltas",
    dim: D,
    discrete: true,
    numClasses,
    classNames: options.classNames,
    set,
    structure: { type: "mixture", weights: probs, means: points },
    posterior,
    denoise: (x, sigma) => posterior(x, sigma).mean,
    logDensity: (x, sigma) => normalise(posteriorKernel()(set, x, sigma, {}).logPartition, x.rows, sigma),
    sample: (count, rng) => sampleLabelled(count, rng).points,
    sampleLabelled: labels ? sampleLabelled : undefined,
  };
}
