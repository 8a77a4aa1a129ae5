import type { Batch } from "../batch.js";
import { finishCentred, routeRows, SMALL } from "../engine/blocked.js";
import { emptyPartial } from "../engine/partial.js";
import { centredQueries, prepared, type PreparedSet } from "../engine/prepared.js";
import { jsPosteriorKernel } from "../engine/reference.js";
import { allocateResult, nanRow, validRow } from "../engine/result.js";
import type { DeltaSet, KernelRequest, KernelResult, PosteriorKernel } from "../engine/types.js";

/**
 * The native addon's two entry points (native/kernel.c): the blocked kernel's fast route (sums only, finished
 * here by {@link finishCentred}) and the exact route, the reference's arithmetic on listed rows (finished in C by
 * `finish_row`).
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
  /**
   * The listed rows (σ > 0, finite queries) by the reference's formulas in C: screened by the matrix-product logits
   * when `centered`, `norms` and `center` are given (only the points within a proven margin of the maximum), else
   * over every point. `stats` (length 4, optional) receives rows screened, candidates, points kept, rows redone
   * with the full margin.
   */
  exactRows(
    points: Float64Array,
    centered: Float64Array | null,
    norms: Float64Array | null,
    center: Float64Array | null,
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
    stats: Float64Array | null,
  ): void;
}

/**
 * The posterior kernel in native code (OpenBLAS dgemm, `threads` threads): the same outputs as
 * {@link jsPosteriorKernel} (THEORY.md §3) to ~1e-13, every row computed in C.
 *
 * Routing, per row:
 * - σ ≤ 0, NaN σ or a non-finite query: NaN in every output ({@link nanRow}, as the reference gives);
 * - the fast route where the matrix-product logits are good to 2e-12 nats (the decision of
 *   `blockedPosteriorKernel`, src/engine/blocked.ts: `ε (√D + 2) (r² + 2‖x−c‖ r)/(2σ²)`) and no full covariance
 *   is wanted: the addon's `fastRows` returns the running max M, heaviest point j*, `rest = Σ_{j≠j*} e_j`,
 *   `Σ e ‖y−c‖²`, `Σ e a`, `Σ e²`, class masses and `Σ e (y − c)`, finished here as the blocked kernel does
 *   ({@link finishCentred}: `m = c + s₁/S`, `Tr C = s₂/S − ‖s₁/S‖²`, `h = log1p(rest) − Σ e a/S`, …);
 * - every other row — σ small against the data's spread (the posterior concentrated near one point), Tr C
 *   cancelled on the fast route (TRACE_CANCELLED_RATIO), the full covariance — by the addon's `exactRows`: the
 *   reference's logits relative to the heaviest point,
 *   `a_j = log π_j − log π_* − (y_j − y*)·(y_j + y* − 2x)/(2σ²)`, on the points a screening pass (matrix-product
 *   logits and their rounding bound) keeps within a proven margin of the maximum, then the reference's finish;
 * - sets of fewer than 4096 numbers (N·D), toy models: the whole call to {@link jsPosteriorKernel}, as the
 *   TypeScript blocked kernel does, so that the command line (native) and the library (TypeScript) give the same
 *   bits there (test/contracts.test.ts); a round trip through N-API costs ~3× the whole computation at that size.
 *   (`exactRows` without the prepared set is the reference ported literally, should they ever go to C.)
 * No row of a larger set goes to the TypeScript reference.
 *
 * @example
 * const kernel = nativePosteriorKernel(addon, 2);
 * kernel(set, queries, 1, { entropy: true }).entropy; // the same as jsPosteriorKernel's to ~1e-13
 */
export function nativePosteriorKernel(addon: NativeAddon, threads: number): PosteriorKernel {
  return (data, queries, sigma, want) => {
    if (data.n * data.dim < SMALL) return jsPosteriorKernel(data, queries, sigma, want); // a toy set, whole
    const out = allocateResult(data, queries.rows, want);
    const D = data.dim;
    const valid = (b: number) => validRow(queries.data, b, D, typeof sigma === "number" ? sigma : sigma[b]);
    const prep = prepared(data);
    const { fast, slow } = routeRows(data, prep, queries, sigma, want);
    const exact: number[] = [];
    for (const b of slow) {
      if (valid(b)) exact.push(b);
      else nanRow(out, b, D, data.numClasses);
    }
    if (fast.length > 0) exact.push(...fastRows(addon, threads, data, prep, queries, sigma, want, fast, out));
    exactRows(addon, threads, data, prep, queries, sigma, exact, out);
    return out;
  };
}

/** The listed (valid) rows by the addon's exact route, screened with the prepared set. */
function exactRows(
  addon: NativeAddon,
  threads: number,
  data: DeltaSet,
  prep: PreparedSet,
  queries: Batch,
  sigma: number | Float64Array,
  rows: number[],
  out: KernelResult,
): void {
  if (rows.length === 0) return;
  const D = data.dim;
  const perRow = typeof sigma === "number" ? new Float64Array(queries.rows).fill(sigma) : sigma;
  const flags = (out.entropy ? 1 : 0) | (out.participation ? 2 : 0) | (out.classProbs ? 4 : 0) | (out.classMeans ? 8 : 0) | (out.covariance ? 16 : 0);
  addon.exactRows(
    data.points.subarray(0, data.n * D),
    prep.centered.subarray(0, data.n * D),
    prep.norms,
    prep.center,
    data.logWeights,
    out.classProbs ? data.labels! : null,
    data.numClasses,
    queries.data,
    perRow,
    Int32Array.from(rows),
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
    null,
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
