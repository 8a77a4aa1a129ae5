import { exactSpread, finishRow } from "./finish.js";
import { emptyPartial, type PosteriorPartial } from "./partial.js";
import { allocateResult, nanRow, validRow } from "./result.js";
import type { DeltaSet, KernelRequest, KernelResult, PosteriorKernel } from "./types.js";

/**
 * Plain-JavaScript posterior kernel on Float64Array rows.
 *
 * Method, per query x at noise σ:
 * 1. logits `ℓ_j = log π_j − ‖x − y_j‖²/(2σ²)` (squared distance summed directly, never as ‖x‖²+‖y‖²−2x·y),
 *    their maximum `M` and its index j*;
 * 2. one pass over the points that pass 1 did not rule out (ℓ_j − M > −750), with the logit difference to the
 *    heaviest point recomputed without cancellation, `a_j = log π_j − log π_* − (y_j − y*)·(y_j + y* − 2x)/(2σ²)`,
 *    and `e_j = exp(a_j)`: `rest = Σ_{j≠j*} e_j`, `s₁ = Σ e_j (y_j − y*)`, `s₂ = Σ e_j ‖y_j − y*‖²`, `Σ e_j a_j`,
 *    `Σ e_j²`, class sums — a one-row partial (src/engine/partial.ts) about y*, finished by {@link finishRow}:
 *    `m = y* + s₁/S`, `Tr C = s₂/S − ‖s₁/S‖²` (shifting by the heaviest point keeps the difference well
 *    conditioned), `h = log1p(rest) − Σ w_j a_j`, `Σ w² = Σ e²/S²`, `log Z = M + log1p(rest)`;
 * 3. only if `Tr C` cancelled ({@link TRACE_CANCELLED_RATIO}), or the full covariance is wanted, a third pass
 *    `Σ w_j (y_j − m)(y_j − m)ᵀ` ({@link exactSpread}).
 *
 * Special cases: σ = +∞ gives the prior (weights π); σ ≤ 0 or NaN, or a non-finite query, gives NaN rows.
 * Valid without underflow for any σ in [1e-6, 1e6] at any distance: the largest weight is always e⁰ = 1.
 */
export const jsPosteriorKernel: PosteriorKernel = (data, queries, sigma, want) => {
  const { dim: D, numClasses: K } = data;
  const q = queries.data;
  const out = allocateResult(data, queries.rows, want);
  const scratch = referenceScratch(data, want, data.n);
  for (let b = 0; b < queries.rows; b++) {
    const s = typeof sigma === "number" ? sigma : sigma[b];
    if (!validRow(q, b, D, s)) nanRow(out, b, D, K);
    else referenceRow(data, q, b, s, undefined, data.n, out, scratch);
  }
  return out;
};

/** Work arrays of {@link referenceRow}, for rows over at most `n` points. */
export interface ReferenceScratch {
  readonly p: PosteriorPartial;
  readonly logits: Float64Array;
}

export function referenceScratch(data: DeltaSet, want: KernelRequest, n: number): ReferenceScratch {
  return { p: emptyPartial(data, 1, want), logits: new Float64Array(n) };
}

/**
 * Row b of {@link jsPosteriorKernel} (a valid row: finite query, σ > 0) into `out`: over every point, or with
 * `sel` over the points `sel[0 … count)` only (the pruned kernel's survivors; the others count as weightless).
 */
export function referenceRow(data: DeltaSet, q: Float64Array, b: number, s: number, sel: Int32Array | undefined, count: number, out: KernelResult, scratch: ReferenceScratch): void {
  const { dim: D, points, logWeights, labels } = data;
  const { p, logits } = scratch;
  const { s1, classRest, classS1 } = p;
  const n = sel ? count : data.n;
  const xo = b * D;
  {
    const inv = 1 / (2 * s * s);
    // Pass 1: logits and their maximum.
    let M = -Infinity;
    let jStar = 0;
    for (let t = 0; t < n; t++) {
      const yo = (sel ? sel[t] : t) * D;
      let d2 = 0;
      for (let k = 0; k < D; k++) {
        const u = q[xo + k] - points[yo + k];
        d2 += u * u;
      }
      const l = logWeights[sel ? sel[t] : t] - d2 * inv;
      logits[t] = l;
      if (l > M) {
        M = l;
        jStar = sel ? sel[t] : t;
      }
    }
    // Pass 2: accurate logit differences to the heaviest point y*, weights, moments shifted by y*.
    // ‖x − y_j‖² − ‖x − y*‖² = (y_j − y*)·(y_j + y* − 2x) keeps relative accuracy where the two squared
    // distances are huge and nearly equal (σ ≪ distance); pass 1 only screens out points whose weight
    // underflows (its absolute error is far below the 750-nat margin).
    const so = jStar * D;
    const lwStar = logWeights[jStar];
    s1.fill(0);
    classRest?.fill(0);
    classS1?.fill(0);
    let rest = 0; // Σ_{j ≠ j*} e_j, so that log S = log1p(rest) keeps tiny entropies exact
    let s2 = 0;
    let eLog = 0;
    let eSq = 0;
    for (let t = 0; t < n; t++) {
      if (logits[t] - M < -750) {
        logits[t] = -Infinity;
        continue;
      }
      const j = sel ? sel[t] : t;
      const yo = j * D;
      let u2 = 0;
      let uv = 0;
      for (let k = 0; k < D; k++) {
        const yj = points[yo + k];
        const ys = points[so + k];
        const u = yj - ys;
        uv += u * (yj + ys - 2 * q[xo + k]);
        u2 += u * u;
      }
      const a = logWeights[j] - lwStar - uv * inv;
      logits[t] = a;
      const e = Math.exp(a);
      if (e === 0) continue;
      if (j !== jStar) rest += e;
      for (let k = 0; k < D; k++) s1[k] += e * (points[yo + k] - points[so + k]);
      s2 += e * u2;
      eLog += e * a;
      eSq += e * e;
      if (classRest) {
        const c = labels![j];
        if (j !== jStar) classRest[c] += e; // class masses without the heaviest point's exact 1
        if (classS1) for (let k = 0; k < D; k++) classS1[c * D + k] += e * (points[yo + k] - points[so + k]);
      }
    }
    p.rest[0] = rest;
    p.s2[0] = s2;
    p.eLog[0] = eLog;
    p.eSq[0] = eSq;
    const cancelled = finishRow(data, p, 0, points, so, M, classRest ? labels![jStar] : -1, out, b);
    // Pass 3 (rare): exact Σ w ‖y − m‖² when the shifted form cancelled, and the full covariance on request.
    if (cancelled || out.covariance) exactSpread(data, logits, 1 + rest, out, b, sel, n);
  }
}
