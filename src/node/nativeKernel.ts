import type { Batch } from "../batch.js";
import { jsPosteriorKernel, type DeltaSet, type KernelRequest, type KernelResult, type PosteriorKernel } from "../engine/kernel.js";
import { centredQueries, prepared, type PreparedSet } from "../engine/prepared.js";
import { allocateResult } from "../engine/result.js";
import { screenedRow } from "../engine/screened.js";
import { routeRows, SMALL } from "../engine/blocked.js";

/** The native addon's one entry point (native/kernel.c): the blocked kernel's fast route, sums only. */
export interface NativeAddon {
  fastRows(
    X: Float64Array,
    inv: Float64Array,
    Y: Float64Array,
    norms: Float64Array,
    logW: Float64Array,
    labels: Int32Array | null,
    K: number,
    flags: number,
    threads: number,
    M: Float64Array,
    jStar: Int32Array,
    rest: Float64Array,
    s2: Float64Array,
    eLog: Float64Array,
    eSq: Float64Array,
    classRest: Float64Array | null,
    acc: Float64Array,
  ): void;
  referenceRows(
    points: Float64Array,
    logW: Float64Array,
    labels: Int32Array | null,
    K: number,
    queries: Float64Array,
    sigma: Float64Array,
    rows: Int32Array,
    want: number,
    threads: number,
    mean: Float64Array,
    traceCov: Float64Array,
    logPartition: Float64Array,
    covariance: Float64Array | null,
    entropy: Float64Array | null,
    participation: Float64Array | null,
    classProbs: Float64Array | null,
    classMeans: Float64Array | null,
    classEntropy: Float64Array | null,
  ): void;
}


/**
 * The posterior kernel with the blocked kernel's fast route in native code (OpenBLAS dgemm, online softmax,
 * `threads` threads splitting the queries): the same outputs as {@link jsPosteriorKernel} (THEORY.md §3) to ~1e-13.
 *
 * Method: the decision of `blockedPosteriorKernel` (src/engine/blocked.ts) — a query takes the fast route when its
 * matrix-product logits are good to 2e-12 nats, estimated `ε (√D + 2) (r² + 2‖x−c‖ r)/(2σ²)`; the addon returns the
 * running max M, heaviest point j*, `rest = Σ_{j≠j*} e_j`, `Σ e ‖y−c‖²`, `Σ e a`, `Σ e²`, class masses and
 * `Σ e (y − c)`; this side forms `m = c + s₁/S`, `Tr C = s₂/S − ‖s₁/S‖²`, `h = log1p(rest) − Σ e a/S`,
 * `log Z = M − ‖x−c‖²/(2σ²) + log1p(rest)`. Queries with `Tr C < s₂/(16S)` (cancellation), the full covariance,
 * small σ go to the reference ported to C (`referenceRows`, the same formulas in the same order, rows split between
 * threads); σ ≤ 0, NaN or non-finite queries to {@link screenedRow} (NaN rows, as the reference gives).
 *
 * @example
 * const kernel = nativePosteriorKernel(addon, 2);
 * kernel(set, queries, 1, { entropy: true }).entropy; // the same as jsPosteriorKernel's to ~1e-13
 */
export function nativePosteriorKernel(addon: NativeAddon, threads: number): PosteriorKernel {
  return (data, queries, sigma, want) => {
    if (data.n * data.dim < SMALL) return jsPosteriorKernel(data, queries, sigma, want);
    const out = allocateResult(data, queries.rows, want);
    const prep = prepared(data);
    const { fast, slow } = routeRows(data, prep, queries, sigma, want);
    if (fast.length > 0) slow.push(...fastRows(addon, threads, data, prep, queries, sigma, fast, out));
    referenceRows(addon, threads, data, prep, queries, sigma, slow, want, out);
    return out;
  };
}

/** The listed rows by the reference: in C where σ > 0 and the query is finite, else by {@link screenedRow}. */
function referenceRows(
  addon: NativeAddon,
  threads: number,
  data: DeltaSet,
  prep: PreparedSet,
  queries: Batch,
  sigma: number | Float64Array,
  rows: number[],
  want: KernelRequest,
  out: KernelResult,
): void {
  const D = data.dim;
  const native: number[] = [];
  for (const b of rows) {
    const s = typeof sigma === "number" ? sigma : sigma[b];
    let finite = s > 0;
    for (let k = 0; k < D && finite; k++) finite = Number.isFinite(queries.data[b * D + k]);
    if (finite) native.push(b);
    else screenedRow(data, prep, queries, b, s, want, out);
  }
  if (native.length === 0) return;
  const perRow = typeof sigma === "number" ? new Float64Array(queries.rows).fill(sigma) : sigma;
  const flags = (out.entropy ? 1 : 0) | (out.participation ? 2 : 0) | (out.classProbs ? 4 : 0) | (out.classMeans ? 8 : 0) | (out.covariance ? 16 : 0);
  addon.referenceRows(
    data.points.subarray(0, data.n * D),
    data.logWeights,
    out.classProbs ? data.labels! : null,
    data.numClasses,
    queries.data,
    perRow,
    Int32Array.from(native),
    flags,
    threads,
    out.mean,
    out.traceCov,
    out.logPartition,
    out.covariance ?? null,
    out.entropy ?? null,
    out.participation ?? null,
    out.classProbs ?? null,
    out.classMeans ?? null,
    out.classEntropy ?? null,
  );
}

/** Runs the addon on the listed rows, writes them into `out`, returns the rows whose Tr C cancelled. */
function fastRows(
  addon: NativeAddon,
  threads: number,
  data: DeltaSet,
  prep: PreparedSet,
  queries: Batch,
  sigma: number | Float64Array,
  rows: number[],
  out: KernelResult,
): number[] {
  const { n, dim: D, logWeights, labels, numClasses: K } = data;
  const classes = out.classProbs !== undefined;
  const perClass = out.classMeans !== undefined;
  const T = perClass ? K : 1;
  const Q = rows.length;
  const { X, nx, inv } = centredQueries(prep, queries, sigma, rows);
  const M = new Float64Array(Q).fill(-Infinity);
  const jStar = new Int32Array(Q).fill(-1);
  const rest = new Float64Array(Q);
  const s2 = new Float64Array(Q);
  const eLog = new Float64Array(Q);
  const eSq = new Float64Array(Q);
  const classRest = classes ? new Float64Array(Q * K) : null;
  const acc = new Float64Array(Q * T * D);
  const flags = (classes ? 1 : 0) | (perClass ? 2 : 0);
  const lab = classes || perClass ? labels! : null;
  addon.fastRows(X, inv, prep.centered.subarray(0, n * D), prep.norms, logWeights, lab, K, flags, threads, M, jStar, rest, s2, eLog, eSq, classRest, acc);

  const redo: number[] = [];
  for (let i = 0; i < Q; i++) {
    const b = rows[i];
    const S = 1 + rest[i];
    const logS = Math.log1p(rest[i]);
    const a0 = i * T * D;
    let mm = 0;
    for (let k = 0; k < D; k++) {
      let s1 = 0;
      for (let t = 0; t < T; t++) s1 += acc[a0 + t * D + k];
      const shift = s1 / S;
      out.mean[b * D + k] = prep.center[k] + shift;
      mm += shift * shift;
    }
    const raw = s2[i] / S;
    const tr = raw - mm;
    if (!(tr >= raw / 16)) {
      redo.push(b);
      continue;
    }
    out.traceCov[b] = tr;
    out.logPartition[b] = M[i] - nx[i] * inv[i] + logS;
    if (out.entropy) out.entropy[b] = Math.max(0, logS - eLog[i] / S);
    if (out.participation) out.participation[b] = eSq[i] / (S * S);
    if (out.classProbs) {
      const cStar = labels![jStar[i]];
      let hc = logS;
      for (let c = 0; c < K; c++) {
        const r = classRest![i * K + c];
        const mass = c === cStar ? 1 + r : r;
        if (mass > 0) hc -= (mass / S) * (c === cStar ? Math.log1p(r) : Math.log(mass));
        out.classProbs[b * K + c] = mass / S;
        if (out.classMeans) for (let k = 0; k < D; k++) out.classMeans[(b * K + c) * D + k] = mass > 0 ? prep.center[k] + acc[a0 + c * D + k] / mass : 0;
      }
      out.classEntropy![b] = Math.max(0, hc);
    }
  }
  return redo;
}
