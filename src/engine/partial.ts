import type { Batch } from "../batch.js";
import type { DeltaSet, KernelRequest } from "./types.js";

/**
 * The posterior sums of B queries over one shard of a point set (points `start … end−1`), kept relative to the
 * shard's heaviest point `r` (its logit `M`, weight e = 1): `e_j = exp(a_j)`, `a_j = ℓ_j − M`,
 * `rest = Σ_{j≠r} e_j`, `s₁ = Σ e_j (y_j − y_r)`, `s₂ = Σ e_j ‖y_j − y_r‖²`, `Σ e_j a_j`, `Σ e_j²`, class masses
 * without r's 1, class first moments. Two partials merge exactly ({@link mergePartials}); the merge of all shards
 * is the whole set's posterior ({@link finishPartial}). THEORY.md §3.
 */
export interface PosteriorPartial {
  readonly rows: number;
  /** Global index of the heaviest point per query, −1 for an empty shard or a NaN row. */
  readonly ref: Int32Array;
  readonly M: Float64Array;
  readonly rest: Float64Array;
  readonly s1: Float64Array;
  readonly s2: Float64Array;
  readonly eLog: Float64Array;
  readonly eSq: Float64Array;
  /** rows × K, class masses without the heaviest point's 1 (labelled data with class outputs only). */
  readonly classRest?: Float64Array;
  /** rows × K × D, Σ_{j∈c} e_j (y_j − y_r) (with class means only). */
  readonly classS1?: Float64Array;
}

/** An empty partial (no points yet) shaped for the request. */
export function emptyPartial(data: DeltaSet, rows: number, want: KernelRequest): PosteriorPartial {
  const { dim: D, numClasses: K } = data;
  const classes = (want.classProbs || want.classMeans) && data.labels !== undefined && K > 0;
  return {
    rows,
    ref: new Int32Array(rows).fill(-1),
    M: new Float64Array(rows).fill(-Infinity),
    rest: new Float64Array(rows),
    s1: new Float64Array(rows * D),
    s2: new Float64Array(rows),
    eLog: new Float64Array(rows),
    eSq: new Float64Array(rows),
    classRest: classes ? new Float64Array(rows * K) : undefined,
    classS1: classes && want.classMeans ? new Float64Array(rows * K * D) : undefined,
  };
}

/** `ℓ_i − ℓ_j` without cancellation: `log π_i − log π_j − (y_i − y_j)·(y_i + y_j − 2x)/(2σ²)`. */
export function logitDifference(data: DeltaSet, i: number, j: number, q: Float64Array, xo: number, inv: number): number {
  const { dim: D, points, logWeights } = data;
  let uv = 0;
  for (let k = 0; k < D; k++) {
    const yi = points[i * D + k];
    const yj = points[j * D + k];
    uv += (yi - yj) * (yi + yj - 2 * q[xo + k]);
  }
  return logWeights[i] - logWeights[j] - uv * inv;
}

/**
 * Merges partial `b` into `a` (same queries and σ), in place, exactly: the lighter side is rescaled by
 * `exp(Δ)`, Δ = its reference logit minus the heavier one's ({@link logitDifference}), and its moments are
 * shifted to the heavier reference point by `u = y_lo − y_hi`: `s₁ + S u`, `s₂ + 2u·s₁ + S‖u‖²`, `Σ e a + Δ S`.
 * Ties keep the lower point index, as the reference does.
 */
export function mergePartials(data: DeltaSet, queries: Batch, sigma: number | Float64Array, a: PosteriorPartial, b: PosteriorPartial): void {
  const { dim: D, points, labels, numClasses: K } = data;
  const u = new Float64Array(D);
  for (let i = 0; i < a.rows; i++) {
    if (b.ref[i] < 0) continue;
    const s = typeof sigma === "number" ? sigma : sigma[i];
    const inv = 1 / (2 * s * s);
    const bHeavier = a.ref[i] < 0 || b.M[i] > a.M[i] || (b.M[i] === a.M[i] && b.ref[i] < a.ref[i]);
    if (bHeavier) swapRow(a, b, i, D, K); // now a holds the heavier side, b the lighter
    if (b.ref[i] < 0) continue;
    const hi = a.ref[i];
    const lo = b.ref[i];
    const delta = logitDifference(data, lo, hi, queries.data, i * D, inv);
    const scale = Math.exp(delta);
    const S = 1 + b.rest[i];
    let us1 = 0;
    let uu = 0;
    for (let k = 0; k < D; k++) {
      u[k] = points[lo * D + k] - points[hi * D + k];
      us1 += u[k] * b.s1[i * D + k];
      uu += u[k] * u[k];
      a.s1[i * D + k] += scale * (b.s1[i * D + k] + S * u[k]);
    }
    a.rest[i] += scale * S;
    a.s2[i] += scale * (b.s2[i] + 2 * us1 + S * uu);
    a.eLog[i] += scale * (b.eLog[i] + delta * S);
    a.eSq[i] += scale * scale * b.eSq[i];
    if (a.classRest && b.classRest) {
      const cLo = labels![lo];
      for (let c = 0; c < K; c++) {
        const mass = b.classRest[i * K + c] + (c === cLo ? 1 : 0);
        a.classRest[i * K + c] += scale * mass;
        if (a.classS1 && b.classS1)
          for (let k = 0; k < D; k++) a.classS1[(i * K + c) * D + k] += scale * (b.classS1[(i * K + c) * D + k] + mass * u[k]);
      }
    }
  }
}

function swapRow(a: PosteriorPartial, b: PosteriorPartial, i: number, D: number, K: number): void {
  const swap = (x: Float64Array | Int32Array | undefined, y: Float64Array | Int32Array | undefined, w: number) => {
    if (!x || !y) return;
    for (let k = i * w; k < (i + 1) * w; k++) {
      const t = x[k];
      x[k] = y[k];
      y[k] = t;
    }
  };
  swap(a.ref, b.ref, 1);
  swap(a.M, b.M, 1);
  swap(a.rest, b.rest, 1);
  swap(a.s1, b.s1, D);
  swap(a.s2, b.s2, 1);
  swap(a.eLog, b.eLog, 1);
  swap(a.eSq, b.eSq, 1);
  swap(a.classRest, b.classRest, K);
  swap(a.classS1, b.classS1, K * D);
}
