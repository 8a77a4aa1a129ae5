import type { Batch } from "../batch.js";
import { finishCentred, routeRows, SMALL } from "../engine/blocked.js";
import { emptyPartial } from "../engine/partial.js";
import { centredQueries, prepared, type PreparedSet } from "../engine/prepared.js";
import { jsPosteriorKernel } from "../engine/reference.js";
import { allocateResult, validRow } from "../engine/result.js";
import { screenedRow } from "../engine/screened.js";
import type { DeltaSet, KernelRequest, KernelResult, PosteriorKernel } from "../engine/types.js";

/**
 * The native addon's two entry points (native/kernel.c): the blocked kernel's fast route (sums only, finished
 * here by {@link finishCentred}) and the reference on listed rows (finished in C by `finish_row`).
 */
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
 * `Σ e (y − c)`; this side finishes them as the blocked kernel does ({@link finishCentred}: `m = c + s₁/S`,
 * `Tr C = s₂/S − ‖s₁/S‖²`, `h = log1p(rest) − Σ e a/S`, `log Z = M − ‖x−c‖²/(2σ²) + log1p(rest)`, …). Queries whose
 * Tr C cancelled (TRACE_CANCELLED_RATIO), the full covariance, small σ go to the reference ported to C
 * (`referenceRows`, the same formulas in the same order, rows split between threads); σ ≤ 0, NaN or non-finite
 * queries to {@link screenedRow} (NaN rows, as the reference gives).
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
    if (fast.length > 0) slow.push(...fastRows(addon, threads, data, prep, queries, sigma, want, fast, out));
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
    if (validRow(queries.data, b, D, s)) native.push(b);
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
  want: KernelRequest,
  rows: number[],
  out: KernelResult,
): number[] {
  const { n, dim: D, logWeights, labels, numClasses: K } = data;
  const classes = out.classProbs !== undefined;
  const perClass = out.classMeans !== undefined;
  const { X, nx, inv } = centredQueries(prep, queries, sigma, rows);
  const st = emptyPartial(data, rows.length, want);
  const flags = (classes ? 1 : 0) | (perClass ? 2 : 0);
  const lab = classes || perClass ? labels! : null;
  const acc = perClass ? st.classS1! : st.s1;
  addon.fastRows(X, inv, prep.centered.subarray(0, n * D), prep.norms, logWeights, lab, K, flags, threads, st.M, st.ref, st.rest, st.s2, st.eLog, st.eSq, st.classRest ?? null, acc);
  return finishCentred(data, st, rows, nx, inv, prep, out);
}
