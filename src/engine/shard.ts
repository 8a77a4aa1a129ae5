import type { Batch } from "../batch.js";
import type { DeltaSet, KernelRequest, KernelResult, PosteriorKernel } from "./kernel.js";
import { emptyPartial, logitDifference, mergePartials, type PosteriorPartial } from "./partial.js";
import { allocateResult } from "./result.js";

/**
 * The partial posterior sums of every query over the points `start … end−1` (one shard; a worker, a GPU or a
 * machine computes one). Method as the reference's passes 1–2 (THEORY.md §3): direct logits for the shard's
 * maximum, then the logit differences to its heaviest point without cancellation. NaN rows (σ ≤ 0, NaN, a
 * non-finite query) stay empty and come out NaN from {@link finishPartial}.
 */
export function shardPartial(
  data: DeltaSet,
  start: number,
  end: number,
  queries: Batch,
  sigma: number | Float64Array,
  want: KernelRequest,
): PosteriorPartial {
  const { dim: D, points, logWeights, labels, numClasses: K } = data;
  const p = emptyPartial(data, queries.rows, want);
  const q = queries.data;
  for (let i = 0; i < queries.rows; i++) {
    const s = typeof sigma === "number" ? sigma : sigma[i];
    if (!validRow(q, i, D, s)) continue;
    const inv = 1 / (2 * s * s);
    let M = -Infinity;
    let r = -1;
    for (let j = start; j < end; j++) {
      let d2 = 0;
      for (let k = 0; k < D; k++) {
        const t = q[i * D + k] - points[j * D + k];
        d2 += t * t;
      }
      const l = logWeights[j] - d2 * inv;
      if (l > M) {
        M = l;
        r = j;
      }
    }
    if (r < 0) continue;
    p.ref[i] = r;
    p.M[i] = M;
    for (let j = start; j < end; j++) {
      const a = j === r ? 0 : logitDifference(data, j, r, q, i * D, inv);
      if (!(a >= -750)) continue;
      const e = Math.exp(a);
      let u2 = 0;
      for (let k = 0; k < D; k++) {
        const u = points[j * D + k] - points[r * D + k];
        u2 += u * u;
        p.s1[i * D + k] += e * u;
        if (p.classS1) p.classS1[(i * K + labels![j]) * D + k] += e * u;
      }
      p.s2[i] += e * u2;
      p.eLog[i] += e * a;
      p.eSq[i] += e * e;
      if (j === r) continue;
      p.rest[i] += e;
      if (p.classRest) p.classRest[i * K + labels![j]] += e;
    }
  }
  return p;
}

/**
 * The kernel's outputs from the merged partial of all shards: `S = 1 + rest`, `m = y_r + s₁/S`,
 * `Tr C = s₂/S − ‖s₁/S‖²`, `h = log1p(rest) − Σ e a/S`, `Σw² = Σ e²/S²`, `log Z = M + log1p(rest)`, class
 * probabilities, entropy and means as the reference. Where `Tr C` lost three digits, or for the full covariance,
 * one more pass over the whole set (the reference's pass 3).
 */
export function finishPartial(data: DeltaSet, queries: Batch, sigma: number | Float64Array, p: PosteriorPartial, want: KernelRequest): KernelResult {
  const { dim: D, points, labels, numClasses: K } = data;
  const out = allocateResult(data, queries.rows, want);
  const q = queries.data;
  const m = new Float64Array(D);
  for (let i = 0; i < queries.rows; i++) {
    const r = p.ref[i];
    const s = typeof sigma === "number" ? sigma : sigma[i];
    if (r < 0 || !validRow(q, i, D, s)) {
      nanRow(out, i, D, K);
      continue;
    }
    const S = 1 + p.rest[i];
    const logS = Math.log1p(p.rest[i]);
    let mm = 0;
    for (let k = 0; k < D; k++) {
      const shift = p.s1[i * D + k] / S;
      m[k] = points[r * D + k] + shift;
      out.mean[i * D + k] = m[k];
      mm += shift * shift;
    }
    const raw = p.s2[i] / S;
    let tr = raw - mm;
    out.logPartition[i] = p.M[i] + logS;
    if (out.entropy) out.entropy[i] = Math.max(0, logS - p.eLog[i] / S);
    if (out.participation) out.participation[i] = p.eSq[i] / (S * S);
    if (out.classProbs && p.classRest) {
      const cr = labels![r];
      let hc = logS;
      for (let c = 0; c < K; c++) {
        const rest = p.classRest[i * K + c];
        const mass = c === cr ? 1 + rest : rest;
        if (mass > 0) hc -= (mass / S) * (c === cr ? Math.log1p(rest) : Math.log(mass));
        out.classProbs[i * K + c] = mass / S;
        if (out.classMeans && p.classS1)
          for (let k = 0; k < D; k++) out.classMeans[(i * K + c) * D + k] = mass > 0 ? points[r * D + k] + p.classS1[(i * K + c) * D + k] / mass : 0;
      }
      out.classEntropy![i] = Math.max(0, hc);
    }
    if (tr < 1e-3 * raw || out.covariance) tr = exactSpread(data, q, i, 1 / (2 * s * s), r, S, m, out.covariance);
    out.traceCov[i] = Math.max(0, tr);
  }
  return out;
}

/** Pass 3: `Σ w_j ‖y_j − m‖²` and, when `cov` is given, `Σ w_j (y_j − m)(y_j − m)ᵀ` into row i. */
function exactSpread(data: DeltaSet, q: Float64Array, i: number, inv: number, r: number, S: number, m: Float64Array, cov?: Float64Array): number {
  const { n, dim: D, points } = data;
  const o = i * D * D;
  let acc = 0;
  for (let j = 0; j < n; j++) {
    const a = j === r ? 0 : logitDifference(data, j, r, q, i * D, inv);
    if (!(a >= -750)) continue;
    const w = Math.exp(a) / S;
    if (w === 0) continue;
    let u2 = 0;
    for (let k = 0; k < D; k++) {
      const u = points[j * D + k] - m[k];
      u2 += u * u;
      if (cov) for (let l = 0; l <= k; l++) cov[o + k * D + l] += w * u * (points[j * D + l] - m[l]);
    }
    acc += w * u2;
  }
  if (cov) for (let k = 0; k < D; k++) for (let l = 0; l < k; l++) cov[o + l * D + k] = cov[o + k * D + l];
  return acc;
}

function validRow(q: Float64Array, i: number, D: number, s: number): boolean {
  if (!(s > 0)) return false;
  for (let k = 0; k < D; k++) if (!Number.isFinite(q[i * D + k])) return false;
  return true;
}

function nanRow(out: KernelResult, i: number, D: number, K: number): void {
  out.mean.fill(NaN, i * D, (i + 1) * D);
  out.traceCov[i] = NaN;
  out.logPartition[i] = NaN;
  out.covariance?.fill(NaN, i * D * D, (i + 1) * D * D);
  if (out.entropy) out.entropy[i] = NaN;
  if (out.participation) out.participation[i] = NaN;
  out.classProbs?.fill(NaN, i * K, (i + 1) * K);
}

/**
 * A kernel that splits the set into `shards` contiguous shards, computes each one's partial and merges them —
 * what several workers or devices would do, run here in turn.
 *
 * @example
 * const k = shardedPosteriorKernel(4);
 * k(set, queries, 0.5, { entropy: true }); // equals jsPosteriorKernel(set, queries, 0.5, …) to ~1e-13
 */
export function shardedPosteriorKernel(shards: number): PosteriorKernel {
  return (data, queries, sigma, want) => {
    const size = Math.max(1, Math.ceil(data.n / shards));
    const total = emptyPartial(data, queries.rows, want);
    for (let start = 0; start < data.n; start += size)
      mergePartials(data, queries, sigma, total, shardPartial(data, start, Math.min(data.n, start + size), queries, sigma, want));
    return finishPartial(data, queries, sigma, total, want);
  };
}
