import type { Batch } from "../../batch.js";
import { InfodynError } from "../../errors.js";
import type { DataModel } from "../../models/types.js";
import { logSumExp } from "../../numeric/logsumexp.js";

/*
 * The exact answers beside the estimates: −log p(y) of an exact model (or of its smoothing y + s z'), the pointwise
 * mutual information of a labelled mixture, and the data's mean and covariance (the ODE route's Gaussian prior).
 */

/**
 * Why a model has no density in R^D at smoothing s = 0 (undefined: it has one). Deltas and other discrete data,
 * a sphere (a (D−1)-dimensional surface) and a singular Gaussian or mixture component have none; their smoothing
 * `y + s z'`, s > 0, always has one.
 */
export function densityObstacle(model: DataModel, smoothing = 0): string | undefined {
  if (smoothing > 0) return undefined;
  const st = model.structure;
  if (model.discrete) return `${model.kind}: a finite set of points has no density in R^${model.dim}`;
  if (st?.type === "sphere") return `sphere: the uniform law on a sphere lives on a ${model.dim - 1}-dimensional surface and has no density in R^${model.dim}`;
  if (st?.type === "gaussian") {
    const rank = st.lambda.reduce((r, l) => r + (l > 0 ? 1 : 0), 0);
    if (rank < model.dim) return `gaussian: the covariance is singular (rank ${rank} < D = ${model.dim}), so there is no density in R^${model.dim}`;
  }
  if (st?.type === "mixture" && st.components)
    for (let k = 0; k < st.components.length; k++)
      if (st.components[k].lambda.some((l) => !(l > 0)))
        return `gmm: components[${k}] has a singular covariance, so the mixture has no density in R^${model.dim}`;
  if (!st) return `${model.kind}: no known density`;
  return undefined;
}

/**
 * `−log p_s(y)`, the exact negative log-density of `y + s z'` (s = smoothing; s = 0: of y itself), nats:
 * `−model.logDensity(y, s)` (THEORY.md §2b: `p_σ` of every exact model).
 *
 * Special cases: throws {@link InfodynError} naming the reason ({@link densityObstacle}) when s = 0 and the model
 * has no density, with the way out (`a smoothing s > 0`).
 *
 * @example
 * exactNll(parseModel({ kind: "gaussian", mean: [0], cov: [[1]] }), fromRows([[0]])); // [½ log 2π] = [0.9189385332]
 */
export function exactNll(model: DataModel, points: Batch, smoothing = 0): Float64Array {
  const why = densityObstacle(model, smoothing);
  if (why) throw new InfodynError(`${why}; give a smoothing s > 0 for the likelihood of y + s z`);
  return model.logDensity(points, smoothing).map((v) => -v);
}

/**
 * The exact pointwise mutual information between y (smoothed by s) and its class c in a labelled mixture:
 * `pmi(y, c) = log p_s(y | c) − log p_s(y) = log p_s(c | y) − log π_c`, with
 * `log p_s(c|y) = logsumexp_{k∈c}(log π_k + log N(y; μ_k, Σ_k + s²I)) − log p_s(y)` (log-sum-exp throughout).
 *
 * Special cases: throws {@link InfodynError} for an unlabelled model or one that is not a mixture.
 */
export function exactPmi(model: DataModel, points: Batch, labels: Int32Array, smoothing = 0): Float64Array {
  const st = model.structure;
  if (st?.type !== "mixture" || !st.labels) throw new InfodynError(`${model.kind}: the exact pointwise mutual information needs a labelled mixture`);
  const why = densityObstacle(model, smoothing);
  if (why) throw new InfodynError(`${why}; give a smoothing s > 0`);
  const K = st.weights.length;
  const D = points.dim;
  const logJoint = new Float64Array(K);
  const out = new Float64Array(points.rows);
  for (let i = 0; i < points.rows; i++) {
    const c = labels[i];
    const y = points.data.subarray(i * D, (i + 1) * D);
    let logPiC = -Infinity;
    for (let k = 0; k < K; k++) {
      const lp = logComponent(y, st.means.data.subarray(k * D, (k + 1) * D), st.components?.[k], smoothing);
      logJoint[k] = Math.log(st.weights[k]) + lp;
      if (st.labels[k] === c) logPiC = logAddExp(logPiC, Math.log(st.weights[k]));
    }
    const inClass = logJoint.filter((_, k) => st.labels![k] === c);
    out[i] = logSumExp(inClass) - logSumExp(logJoint) - logPiC;
  }
  return out;
}

/** `log N(y; μ, V diag(λ + s²) Vᵀ)` (no component: a point mass, λ = 0). */
function logComponent(y: Float64Array, mu: Float64Array, comp: { lambda: Float64Array; vectors: Float64Array } | undefined, s: number): number {
  const D = y.length;
  let acc = 0;
  for (let j = 0; j < D; j++) {
    let c = 0;
    if (comp) for (let k = 0; k < D; k++) c += comp.vectors[k * D + j] * (y[k] - mu[k]);
    else c = y[j] - mu[j];
    const v = (comp ? comp.lambda[j] : 0) + s * s;
    acc += Math.log(2 * Math.PI * v) + (c * c) / v;
  }
  return -0.5 * acc;
}

const logAddExp = (a: number, b: number) => (a === -Infinity ? b : Math.max(a, b) + Math.log1p(Math.exp(-Math.abs(a - b))));

/** The law of a Gaussian model in its eigenbasis (its `GaussianComponent`), for the closed-form I-MMSE route. */
export function gaussianLawOf(model: DataModel): { mean: Float64Array; lambda: Float64Array; vectors: Float64Array } | undefined {
  if (model.structure?.type !== "gaussian" || !("component" in model)) return undefined;
  return (model as DataModel & { component: { mean: Float64Array; lambda: Float64Array; vectors: Float64Array } }).component;
}

/** Mean and covariance (row-major D × D) of a law. */
export interface Moments {
  mean: Float64Array;
  cov: Float64Array;
}

/**
 * The exact mean and covariance of a model's data (plus s² I for the smoothed law): a mixture
 * `μ = Σ π_k μ_k`, `Cov = Σ π_k (Σ_k + (μ_k − μ)(μ_k − μ)ᵀ)`; a Gaussian its own; a sphere of radius r `0, r²/D I`.
 * Other models: undefined (use {@link sampleMoments}).
 */
export function modelMoments(model: DataModel, smoothing = 0): Moments | undefined {
  const D = model.dim;
  const st = model.structure;
  const mean = new Float64Array(D);
  const cov = new Float64Array(D * D);
  if (st?.type === "mixture") {
    const K = st.weights.length;
    for (let k = 0; k < K; k++) for (let a = 0; a < D; a++) mean[a] += st.weights[k] * st.means.data[k * D + a];
    for (let k = 0; k < K; k++) {
      const comp = st.components?.[k];
      for (let a = 0; a < D; a++)
        for (let b = 0; b < D; b++) {
          let s = (st.means.data[k * D + a] - mean[a]) * (st.means.data[k * D + b] - mean[b]);
          if (comp) for (let j = 0; j < D; j++) s += comp.lambda[j] * comp.vectors[a * D + j] * comp.vectors[b * D + j];
          cov[a * D + b] += st.weights[k] * s;
        }
    }
  } else if (gaussianLawOf(model)) {
    const comp = gaussianLawOf(model)!;
    mean.set(comp.mean);
    for (let a = 0; a < D; a++)
      for (let b = 0; b < D; b++) for (let j = 0; j < D; j++) cov[a * D + b] += comp.lambda[j] * comp.vectors[a * D + j] * comp.vectors[b * D + j];
  } else if (st?.type === "sphere") {
    for (let a = 0; a < D; a++) cov[a * D + a] = (st.radius * st.radius) / D;
  } else return undefined;
  for (let a = 0; a < D; a++) cov[a * D + a] += smoothing * smoothing;
  return { mean, cov };
}

/** The sample mean and (population) covariance of data points (plus s² I). */
export function sampleMoments(points: Batch, smoothing = 0): Moments {
  const { rows: n, dim: D, data } = points;
  const mean = new Float64Array(D);
  const cov = new Float64Array(D * D);
  for (let i = 0; i < n; i++) for (let a = 0; a < D; a++) mean[a] += data[i * D + a] / n;
  for (let i = 0; i < n; i++)
    for (let a = 0; a < D; a++) {
      const da = data[i * D + a] - mean[a];
      for (let b = 0; b < D; b++) cov[a * D + b] += (da * (data[i * D + b] - mean[b])) / n;
    }
  for (let a = 0; a < D; a++) cov[a * D + a] += smoothing * smoothing;
  return { mean, cov };
}
