import type { Batch } from "../batch.js";
import { exactSpread, finishRow } from "./finish.js";
import { emptyPartial, logitDifference, mergePartials, type PosteriorPartial } from "./partial.js";
import { allocateResult, nanRow, validRow } from "./result.js";
import type { DeltaSet, KernelRequest, KernelResult, PosteriorKernel } from "./types.js";

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
 * The kernel's outputs from the merged partial of all shards, by the reference's finish ({@link finishRow}) about
 * each row's heaviest point y_r: `m = y_r + s₁/S`, `Tr C = s₂/S − ‖s₁/S‖²`, `log Z = M + log1p(rest)`, …. Where
 * `Tr C` cancelled, or for the full covariance, one more pass over the whole set ({@link exactSpread}, the
 * reference's pass 3). Rows that are not {@link validRow} come out NaN.
 */
export function finishPartial(data: DeltaSet, queries: Batch, sigma: number | Float64Array, p: PosteriorPartial, want: KernelRequest): KernelResult {
  const { n, dim: D, points, labels, numClasses: K } = data;
  const out = allocateResult(data, queries.rows, want);
  const q = queries.data;
  let logits: Float64Array | undefined;
  for (let i = 0; i < queries.rows; i++) {
    const r = p.ref[i];
    const s = typeof sigma === "number" ? sigma : sigma[i];
    if (r < 0 || !validRow(q, i, D, s)) {
      nanRow(out, i, D, K);
      continue;
    }
    const cancelled = finishRow(data, p, i, points, r * D, p.M[i], p.classRest ? labels![r] : -1, out, i);
    if (!cancelled && !out.covariance) continue;
    // Pass 3: the logit differences to y_r again, as the shards screened them.
    logits ??= new Float64Array(n);
    const inv = 1 / (2 * s * s);
    for (let j = 0; j < n; j++) {
      const a = j === r ? 0 : logitDifference(data, j, r, q, i * D, inv);
      logits[j] = a >= -750 ? a : -Infinity;
    }
    exactSpread(data, logits, 1 + p.rest[i], out, i);
  }
  return out;
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
