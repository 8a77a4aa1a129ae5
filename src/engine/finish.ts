import type { PosteriorPartial } from "./partial.js";
import type { DeltaSet, KernelResult } from "./types.js";

/**
 * `Tr C = s₂/S − ‖s₁/S‖²` counts as cancelled — and is recomputed by the exact pass {@link exactSpread} (or the
 * row rerouted to the reference) — where it falls below this fraction of `s₂/S`.
 *
 * Why 1/16: the subtraction loses log₂(s₂/(S Tr C)) bits, here at most 4 (1.2 digits). Each term carries the
 * rounding of an N-term sum, a few ε to a few hundred ε of `s₂/S`, so Tr C keeps a relative error ≈ c·ε/ratio,
 * c ≈ 3 … 50 as measured (test/engine-finish.test.ts: a cluster far from the data mean for the matrix-product
 * routes, which sum about the data mean; an outlier as the heaviest point for the reference): ≤ 2e-13 at 1/16,
 * inside the backends' 1e-12 agreement. At 1e-3 (ten bits) the same cases err by 1.2e-12 (matrix products,
 * tr/raw ≈ 3e-3) and 2.6e-12 (reference, tr/raw = 1.1e-3). The exact pass stays rare: from the heaviest point, Tr C ≥ w*‖m − y*‖²,
 * so only posteriors spread over more than ~15 points with their mean away from y* reach the threshold.
 * native/kernel.c defines the same value.
 */
export const TRACE_CANCELLED_RATIO = 1 / 16;

/**
 * The kernel's outputs for query `b` from its posterior sums (row `i` of `p`), taken about an origin o at
 * `origin[oo … oo+D)` — the heaviest point y* (reference, shards) or the data mean c (matrix-product routes) —
 * with the heaviest point's weight e = 1 left out of `rest` and the class masses (THEORY.md §3):
 * `S = 1 + rest`, `m = o + s₁/S`, `Tr C = s₂/S − ‖s₁/S‖²`, `log Z = logZ0 + log1p(rest)`,
 * `h = log1p(rest) − Σ e a/S`, `Σw² = Σ e²/S²`, class masses `M_c` (`M_{c*} = 1 + rest_{c*}`), `p(c|x) = M_c/S`,
 * `H(c|x) = −Σ_c p_c log p_c` with `log p_c = log M_c − log S` for c ≠ c* and `log p_{c*} = −log1p(O/M_{c*})`,
 * `O = Σ_{c≠c*} M_c` (every term positive: a minority class of mass 1e-240 beside the main class still gives its
 * `p log(1/p)`, where `log S − Σ (M_c/S) log M_c` lost it below ε), `m_c = o + s₁,c/M_c` (0 where M_c = 0).
 *
 * Returns true where Tr C cancelled (below {@link TRACE_CANCELLED_RATIO} · s₂/S, or NaN): the caller then runs
 * {@link exactSpread} or reroutes the row. `out.traceCov[b]` holds max(0, Tr C) either way. native/kernel.c's
 * `finish_row` is the same arithmetic in C.
 */
export function finishRow(data: DeltaSet, p: PosteriorPartial, i: number, origin: Float64Array, oo: number, logZ0: number, cStar: number, out: KernelResult, b: number): boolean {
  const { dim: D, numClasses: K } = data;
  const S = 1 + p.rest[i];
  const logS = Math.log1p(p.rest[i]);
  let mm = 0;
  for (let k = 0; k < D; k++) {
    const shift = p.s1[i * D + k] / S;
    out.mean[b * D + k] = origin[oo + k] + shift;
    mm += shift * shift;
  }
  const raw = p.s2[i] / S;
  const tr = raw - mm;
  out.traceCov[b] = Math.max(0, tr);
  out.logPartition[b] = logZ0 + logS;
  if (out.entropy) out.entropy[b] = Math.max(0, logS - p.eLog[i] / S);
  if (out.participation) out.participation[b] = p.eSq[i] / (S * S);
  if (out.classProbs && p.classRest) {
    // −Σ p_c log p_c with log p_c = log M_c − log S for the other classes and log p_{c*} = −log1p(O/M_{c*}),
    // O = Σ_{c≠c*} M_c: every term positive, so a minority class far below ε of the main class still counts.
    let others = 0;
    for (let c = 0; c < K; c++) if (c !== cStar) others += p.classRest[i * K + c];
    const main = 1 + p.classRest[i * K + cStar];
    let hc = (main / S) * Math.log1p(others / main);
    for (let c = 0; c < K; c++) {
      const r = p.classRest[i * K + c];
      const mass = c === cStar ? main : r;
      if (mass > 0 && c !== cStar) hc -= (mass / S) * (Math.log(mass) - logS);
      out.classProbs[b * K + c] = mass / S;
      if (out.classMeans && p.classS1)
        for (let k = 0; k < D; k++) out.classMeans[(b * K + c) * D + k] = mass > 0 ? origin[oo + k] + p.classS1[(i * K + c) * D + k] / mass : 0;
    }
    out.classEntropy![b] = Math.max(0, hc);
  }
  return !(tr >= TRACE_CANCELLED_RATIO * raw);
}

/**
 * The reference's pass 3, exact where {@link finishRow}'s Tr C cancelled: `Σ_j w_j ‖y_j − m‖²` with
 * `w_j = e^{a_j}/S` (a_j = `logits[j]`, the logit difference to the heaviest point, −∞ for a point ruled out) and
 * m the mean already in `out.mean` row b; with `out.covariance`, also `Σ_j w_j (y_j − m)(y_j − m)ᵀ` into its row b
 * (zeroed). Writes and returns Tr C. With `sel`, only the points `sel[0 … count)` count, `logits[t]` being point
 * `sel[t]`'s (the pruned kernel's survivors).
 */
export function exactSpread(data: DeltaSet, logits: Float64Array, S: number, out: KernelResult, b: number, sel?: Int32Array, count = data.n): number {
  const { dim: D, points } = data;
  const n = sel ? count : data.n;
  const m = out.mean;
  const mo = b * D;
  const cov = out.covariance;
  const co = b * D * D;
  cov?.fill(0, co, co + D * D);
  let acc = 0;
  for (let j = 0; j < n; j++) {
    const e = Math.exp(logits[j]);
    if (e === 0) continue;
    const w = e / S;
    const yo = (sel ? sel[j] : j) * D;
    let u2 = 0;
    for (let k = 0; k < D; k++) {
      const u = points[yo + k] - m[mo + k];
      u2 += u * u;
      if (cov) for (let l = 0; l <= k; l++) cov[co + k * D + l] += w * u * (points[yo + l] - m[mo + l]);
    }
    acc += w * u2;
  }
  if (cov) for (let k = 0; k < D; k++) for (let l = 0; l < k; l++) cov[co + l * D + k] = cov[co + k * D + l];
  out.traceCov[b] = acc;
  return acc;
}
