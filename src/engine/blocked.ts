import type { Batch } from "../batch.js";
import { finishRow } from "./finish.js";
import { emptyPartial, type PosteriorPartial } from "./partial.js";
import { centredQueries, prepared, type PreparedSet } from "./prepared.js";
import { jsPosteriorKernel } from "./reference.js";
import { allocateResult } from "./result.js";
import { screenedRow } from "./screened.js";
import { accumulate4, dots4 } from "./tiles.js";
import type { DeltaSet, KernelRequest, KernelResult, PosteriorKernel } from "./types.js";

const EPS = 2 ** -52;
/** Largest rounding error (nats) of the matrix-product logits for which a query takes the fast route. */
export const LOGIT_TOLERANCE = 2e-12;
/** Points per block: a block of centred points stays in cache while every query group visits it. */
const BLOCK_BYTES = 1 << 17;
/** Below this many numbers (N·D) the reference runs as is: blocking would not pay, and toy models stay exact. */
export const SMALL = 4096;

/**
 * Blocked posterior kernel: the same outputs as {@link jsPosteriorKernel} (THEORY.md §3) to ~1e-13, faster.
 *
 * Method, for queries whose logits a matrix product gives to `LOGIT_TOLERANCE` nats — estimated as
 * `ε (√D + 2) (r² + 2‖x−c‖ r) / (2σ²)` with c the data mean and r = max_j ‖y_j−c‖:
 * 1. data blocks of ~128 kB outer, groups of four queries inner (the data streams through memory once);
 * 2. per block, `G = (X−c)(Y−c)ᵀ` ({@link dots4}) and `ℓ_j + ‖x−c‖²/(2σ²) = log π_j − (‖y_j−c‖² − 2G)/(2σ²)` (the
 *    row constant ‖x−c‖²/(2σ²) is left out of the softmax and put back into log Z);
 * 3. online softmax: when a block raises the row max M (heaviest point j*), the running sums are rescaled by
 *    `exp(M_old − M_new)` and `Σ e a` shifted by `(M_old − M_new) S_old`; then `e_j = exp(ℓ_j − M)` gives
 *    `rest = Σ_{j≠j*} e_j`, `Σ e_j ‖y_j−c‖²`, `Σ e_j a_j`, `Σ e_j²`, class masses, and `Σ e_j (y_j − c)` (per class
 *    when class means are wanted) by a second product ({@link accumulate4});
 * 4. the reference's finish ({@link finishRow}) about the data mean: `m = c + s₁/S`, `Tr C = s₂/S − ‖s₁/S‖²`,
 *    `h = log1p(rest) − Σ e a/S`, … ({@link finishCentred}).
 * Every other query — σ small against the data's spread, `Tr C` cancelled ({@link TRACE_CANCELLED_RATIO}), the
 * full covariance, σ ≤ 0, non-finite input — goes to {@link screenedRow}: the reference on the points within reach.
 * Never holds more than 4 × block logits. σ = ∞ gives the prior. Sets of fewer than 4096 numbers (N·D) go to the
 * reference whole. Agreement with the reference: ~1e-14 relative for Tr C, h, Σw², class probabilities; the mean
 * to ~1e-14 of the data's scale max|y| (it is formed around the data mean, the reference's around y*).
 */
export const blockedPosteriorKernel: PosteriorKernel = routedKernel(fastRows);

/** The fast route of a kernel: the listed rows into `out`; returns the rows it hands back to the screened route. */
export type FastRows = (data: DeltaSet, prep: PreparedSet, queries: Batch, sigma: number | Float64Array, want: KernelRequest, rows: number[], out: KernelResult) => number[];

/**
 * A kernel from its fast (matrix-product) route: toy sets go whole to the reference; {@link routeRows} splits the
 * rows; the fast ones go to `fast`, the rest (and those it hands back) to {@link screenedRow}. The TypeScript and the
 * WebAssembly kernels differ only in `fast`.
 */
export function routedKernel(fast: FastRows): PosteriorKernel {
  return (data, queries, sigma, want) => {
    if (data.n * data.dim < SMALL) return jsPosteriorKernel(data, queries, sigma, want);
    const out = allocateResult(data, queries.rows, want);
    const prep = prepared(data);
    const routes = routeRows(data, prep, queries, sigma, want);
    const slow = routes.slow;
    if (routes.fast.length > 0) slow.push(...fast(data, prep, queries, sigma, want, routes.fast, out));
    for (const b of slow) screenedRow(data, prep, queries, b, typeof sigma === "number" ? sigma : sigma[b], want, out);
    return out;
  };
}

/**
 * Which queries may take a matrix-product (fast) route: those whose logits' estimated rounding stays within
 * {@link LOGIT_TOLERANCE} and that need no full covariance; the rest go to the reference. Shared by every
 * blocked backend (TypeScript here, native in src/node/).
 */
export function routeRows(
  data: DeltaSet,
  prep: PreparedSet,
  queries: Batch,
  sigma: number | Float64Array,
  want: KernelRequest,
): { fast: number[]; slow: number[] } {
  const fast: number[] = [];
  const slow: number[] = [];
  for (let b = 0; b < queries.rows; b++) {
    const s = typeof sigma === "number" ? sigma : sigma[b];
    if (!want.covariance && data.n > 0 && s > 0 && logitError(prep, queries.data, b, data.dim, s) <= LOGIT_TOLERANCE) fast.push(b);
    else slow.push(b);
  }
  return { fast, slow };
}

/** Estimated rounding error (nats) of a matrix-product logit for query b; +∞ for a non-finite query. */
export function logitError(prep: PreparedSet, q: Float64Array, b: number, D: number, s: number): number {
  let nx = 0;
  for (let k = 0; k < D; k++) {
    const v = q[b * D + k] - prep.center[k];
    nx += v * v;
  }
  if (!Number.isFinite(nx)) return Infinity;
  return (EPS * (Math.sqrt(D) + 2) * (prep.maxNorm + 2 * Math.sqrt(nx * prep.maxNorm))) / (2 * s * s);
}

/**
 * What every fast route starts from (this kernel's and the WebAssembly one's): which class outputs are wanted, the
 * rows padded to a multiple of 4 (copies of the last), their centred queries and 1/(2σ²), an empty partial, the
 * accumulator of the means (per class with class means) and P, the points per block (a block of P points fits in
 * BLOCK_BYTES).
 */
export function fastSetup(data: DeltaSet, prep: PreparedSet, queries: Batch, sigma: number | Float64Array, want: KernelRequest, rows: number[], out: KernelResult) {
  const classes = out.classProbs !== undefined;
  const perClass = out.classMeans !== undefined;
  const Q = Math.ceil(rows.length / 4) * 4; // padded with copies of the last row
  const { X, nx, inv } = centredQueries(prep, queries, sigma, rows, Q);
  const st = emptyPartial(data, Q, want);
  const acc = perClass ? st.classS1! : st.s1;
  const P = Math.max(2, Math.min(data.n, Math.floor(BLOCK_BYTES / (8 * data.dim))));
  return { classes, perClass, Q, X, nx, inv, st, acc, P };
}

/** Runs the fast route on the listed rows, writes them into `out`, returns the rows that cancelled. */
function fastRows(
  data: DeltaSet,
  prep: PreparedSet,
  queries: Batch,
  sigma: number | Float64Array,
  want: KernelRequest,
  rows: number[],
  out: KernelResult,
): number[] {
  const { n, dim: D, logWeights, labels, numClasses: K } = data;
  const { classes, perClass, Q, X, nx, inv, st, acc, P } = fastSetup(data, prep, queries, sigma, want, rows, out);
  const w = acc.length / Q;
  const G = new Float64Array(4 * P);
  for (let j0 = 0; j0 < n; j0 += P) {
    const j1 = Math.min(n, j0 + P);
    for (let g = 0; g < Q; g += 4) {
      dots4(X, g * D, prep.centered, j0, j1, D, G);
      for (let i = 0; i < 4; i++) weighBlock(st, acc, w, g + i, G, i * (j1 - j0), j0, j1, logWeights, prep.norms, inv[g + i], labels, classes, K);
      accumulate4(G, prep.centered, j0, j1, D, acc, g * w, w, perClass ? labels : undefined);
    }
  }
  return finishCentred(data, st, rows, nx, inv, prep, out);
}

/**
 * Step 4, shared with the native kernel (src/node/nativeKernel.ts): the outputs of the listed rows from their
 * online-softmax sums about the data mean (row i of `st` is query `rows[i]`; the per-class first moments, when
 * present, are summed into s₁), by {@link finishRow} with `log Z = M − ‖x−c‖²/(2σ²) + log1p(rest)`. Returns the
 * rows whose Tr C cancelled (the caller redoes them: {@link screenedRow} here, the addon's exact route in C there).
 */
export function finishCentred(
  data: DeltaSet,
  st: PosteriorPartial,
  rows: readonly number[],
  nx: Float64Array,
  inv: Float64Array,
  prep: PreparedSet,
  out: KernelResult,
): number[] {
  const { dim: D, labels, numClasses: K } = data;
  const redo: number[] = [];
  for (let i = 0; i < rows.length; i++) {
    if (st.classS1)
      for (let k = 0; k < D; k++) {
        let s1 = 0;
        for (let c = 0; c < K; c++) s1 += st.classS1[(i * K + c) * D + k];
        st.s1[i * D + k] = s1;
      }
    const cStar = st.classRest ? labels![st.ref[i]] : -1;
    if (finishRow(data, st, i, prep.center, 0, st.M[i] - nx[i] * inv[i], cStar, out, rows[i])) redo.push(rows[i]);
  }
  return redo;
}

/**
 * Step 3 for query i on one block: turns the dot products `G[go …]` into weights `e_j` in place (0 where they
 * underflow), rescaling the running sums first when the block holds a new maximum.
 */
function weighBlock(
  st: PosteriorPartial,
  acc: Float64Array,
  w: number,
  i: number,
  G: Float64Array,
  go: number,
  j0: number,
  j1: number,
  logWeights: Float64Array,
  norms: Float64Array,
  inv: number,
  labels: Int32Array | undefined,
  classes: boolean,
  K: number,
): void {
  let bm = -Infinity;
  let bj = -1;
  for (let j = j0; j < j1; j++) {
    const l = logWeights[j] - (norms[j] - 2 * G[go + j - j0]) * inv;
    G[go + j - j0] = l;
    if (l > bm) {
      bm = l;
      bj = j;
    }
  }
  const M0 = st.M[i];
  if (bm > M0) {
    if (M0 === -Infinity) {
      st.rest[i] = st.s2[i] = st.eLog[i] = st.eSq[i] = 0;
    } else {
      const scale = Math.exp(M0 - bm);
      const S0 = 1 + st.rest[i];
      st.eLog[i] = scale * (st.eLog[i] + (M0 - bm) * S0);
      st.rest[i] = S0 * scale;
      st.s2[i] *= scale;
      st.eSq[i] *= scale * scale;
      if (classes) {
        st.classRest![i * K + labels![st.ref[i]]] += 1;
        for (let c = 0; c < K; c++) st.classRest![i * K + c] *= scale;
      }
      for (let k = i * w; k < (i + 1) * w; k++) acc[k] *= scale;
    }
    st.M[i] = bm;
    st.ref[i] = bj;
  }
  const M = st.M[i];
  const star = st.ref[i];
  if (M === -Infinity) {
    G.fill(0, go, go + j1 - j0);
    return;
  }
  let rest = 0;
  let s2 = 0;
  let eLog = 0;
  let eSq = 0;
  for (let j = j0; j < j1; j++) {
    const a = G[go + j - j0] - M;
    const e = Math.exp(a);
    G[go + j - j0] = e;
    if (e === 0) continue;
    if (j !== star) {
      rest += e;
      eLog += e * a;
      if (classes) st.classRest![i * K + labels![j]] += e;
    }
    s2 += e * norms[j];
    eSq += e * e;
  }
  st.rest[i] += rest;
  st.s2[i] += s2;
  st.eLog[i] += eLog;
  st.eSq[i] += eSq;
}
