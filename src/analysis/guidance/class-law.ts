import { type Batch, zeros } from "../../batch.js";
import { InfodynError } from "../../errors.js";
import type { DataModel } from "../../models/types.js";
import type { Rng } from "../../numeric/rng.js";

/** The true conditional law p(y | c) of an exact labelled mixture (deltas, GMM): its moments and draws. */

/** Mean μ_c and covariance Σ_c (row-major D × D) of class c. */
export interface ClassMoments {
  mean: Float64Array;
  cov: Float64Array;
  /** Weight π_c of the class. */
  weight: number;
}

/** The components of class c of a labelled mixture, with their weights renormalised within the class. */
function members(model: DataModel, c: number): { ks: number[]; weights: number[] } {
  const st = model.structure;
  if (st?.type !== "mixture" || !st.labels) throw new InfodynError(`model: a ${model.kind} model has no labelled mixture structure (guidance needs an exact labelled model: deltas with labels, or a gmm)`);
  const ks: number[] = [];
  for (let k = 0; k < st.labels.length; k++) if (st.labels[k] === c) ks.push(k);
  if (ks.length === 0) throw new InfodynError(`class: ${c} has no component`);
  let total = 0;
  for (const k of ks) total += st.weights[k];
  return { ks, weights: ks.map((k) => st.weights[k] / total) };
}

/**
 * Moments of class c of a labelled mixture (THEORY.md §2b): `μ_c = Σ_{k∈c} π̃_k μ_k`,
 * `Σ_c = Σ_{k∈c} π̃_k (Σ_k + (μ_k − μ_c)(μ_k − μ_c)ᵀ)`, `π̃_k = π_k/π_c`, `Σ_k = V diag(λ) Vᵀ` (0 for deltas).
 *
 * @example
 * classMoments(gmm([{ weight: 1, mean: [2], variance: 0.5 }]), 0); // { mean: [2], cov: [0.5], weight: 1 }
 */
export function classMoments(model: DataModel, c: number): ClassMoments {
  const st = model.structure;
  const { ks, weights } = members(model, c);
  if (st?.type !== "mixture") throw new InfodynError("unreachable");
  const D = model.dim;
  const mean = new Float64Array(D);
  const cov = new Float64Array(D * D);
  ks.forEach((k, j) => {
    for (let d = 0; d < D; d++) mean[d] += weights[j] * st.means.data[k * D + d];
  });
  ks.forEach((k, j) => {
    const comp = st.components?.[k];
    for (let a = 0; a < D; a++) {
      const da = st.means.data[k * D + a] - mean[a];
      for (let b = 0; b < D; b++) {
        let s = da * (st.means.data[k * D + b] - mean[b]);
        if (comp) for (let i = 0; i < D; i++) s += comp.vectors[a * D + i] * comp.lambda[i] * comp.vectors[b * D + i];
        cov[a * D + b] += weights[j] * s;
      }
    }
  });
  let weight = 0;
  for (const k of ks) weight += st.weights[k];
  return { mean, cov, weight };
}

/** The points and within-class weights of class c of a discrete (deltas) model. */
export function classPoints(model: DataModel, c: number): { points: Batch; weights: Float64Array } {
  const st = model.structure;
  const { ks, weights } = members(model, c);
  if (st?.type !== "mixture") throw new InfodynError("unreachable");
  const D = model.dim;
  const points = zeros(ks.length, D);
  ks.forEach((k, j) => points.data.set(st.means.data.subarray(k * D, (k + 1) * D), j * D));
  return { points, weights: Float64Array.from(weights) };
}

/**
 * n draws of y ~ p(y | c): labelled draws of the model, kept when their label is c (rejection; the expected number
 * of draws is n/π_c).
 */
export function classSample(model: DataModel, c: number, n: number, rng: Rng): Batch {
  if (!model.sampleLabelled) throw new InfodynError(`model: a ${model.kind} model draws no labelled samples`);
  const D = model.dim;
  const out = zeros(n, D);
  let filled = 0;
  while (filled < n) {
    const { points, labels } = model.sampleLabelled(Math.max(64, 2 * (n - filled)), rng);
    for (let i = 0; i < labels.length && filled < n; i++)
      if (labels[i] === c) out.data.set(points.data.subarray(i * D, (i + 1) * D), D * filled++);
  }
  return out;
}
