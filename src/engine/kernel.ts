import type { Batch } from "../batch.js";
import { blockedPosteriorKernel } from "./blocked.js";

/**
 * A finite weighted point set — the "deltas" data distribution `φ = Σ_j π_j δ(y − y_j)` that every
 * empirical dataset, enumerated Ising model and two-delta toy becomes.
 */
export interface DeltaSet {
  /** Number of points N. */
  readonly n: number;
  /** Dimension D. */
  readonly dim: number;
  /** Points, row-major N × D. */
  readonly points: Float64Array;
  /** log π_j, normalised so that Σ π_j = 1. */
  readonly logWeights: Float64Array;
  /** Class index of each point (0 … numClasses−1), or undefined when unlabelled. */
  readonly labels?: Int32Array;
  readonly numClasses: number;
}

/** What the kernel should compute beyond the mean, `Tr C` and log-partition (always computed). */
export interface KernelRequest {
  covariance?: boolean;
  entropy?: boolean;
  classProbs?: boolean;
  participation?: boolean;
  /** Class-conditional posterior means m_c(x) = E[y | x, c] (labelled data only). */
  classMeans?: boolean;
}

/** The kernel's output, one entry (or row) per query. */
export interface KernelResult {
  mean: Float64Array;
  traceCov: Float64Array;
  /** logsumexp_j(log π_j − ‖x − y_j‖²/(2σ²)); log p_σ(x) = this − (D/2) log(2πσ²). */
  logPartition: Float64Array;
  covariance?: Float64Array;
  entropy?: Float64Array;
  classProbs?: Float64Array;
  participation?: Float64Array;
  /** −Σ_c p(c|x) log p(c|x), computed from log class masses (labelled data, with classProbs). */
  classEntropy?: Float64Array;
  /** rows × numClasses × D; NaN-free: a class with zero posterior mass gets its prior-free value 0. */
  classMeans?: Float64Array;
}

/**
 * The batched posterior kernel for deltas: B queries × N points × D dimensions (THEORY.md §3).
 * A backend (plain JS, WebAssembly, native) implements this one function; models call whichever is installed
 * with {@link setPosteriorKernel}.
 */
export type PosteriorKernel = (
  data: DeltaSet,
  queries: Batch,
  sigma: number | Float64Array,
  want: KernelRequest,
) => KernelResult;

/**
 * Plain-JavaScript posterior kernel on Float64Array rows.
 *
 * Method, per query x at noise σ:
 * 1. logits `ℓ_j = log π_j − ‖x − y_j‖²/(2σ²)` (squared distance summed directly, never as ‖x‖²+‖y‖²−2x·y),
 *    their maximum `M` and its index j*;
 * 2. one pass over the points that pass 1 did not rule out (ℓ_j − M > −750), with the logit difference to the
 *    heaviest point recomputed without cancellation, `a_j = log π_j − log π_* − (y_j − y*)·(y_j + y* − 2x)/(2σ²)`,
 *    and `e_j = exp(a_j)`: `S = Σ e_j`, `s₁ = Σ e_j (y_j − y*)`, `s₂ = Σ e_j ‖y_j − y*‖²`, `Σ e_j a_j`, `Σ e_j²`,
 *    class sums. Then `w_j = e_j/S`, `m = y* + s₁/S`, `Tr C = s₂/S − ‖s₁/S‖²` (shifting by the heaviest point
 *    keeps the difference well conditioned), `h = log S − Σ w_j a_j`, `Σ w² = Σ e²/S²`, `log Z = M + log S`;
 * 3. only if `Tr C` lost more than three digits to cancellation, or the full covariance is wanted, a third pass
 *    `Σ w_j (y_j − m)(y_j − m)ᵀ`.
 *
 * Special cases: σ = +∞ gives the prior (weights π); σ = 0 or NaN, or a non-finite query, gives NaN rows.
 * Valid without underflow for any σ in [1e-6, 1e6] at any distance: the largest weight is always e⁰ = 1.
 */
export const jsPosteriorKernel: PosteriorKernel = (data, queries, sigma, want) => {
  const { n, dim: D, points, logWeights, labels, numClasses } = data;
  const B = queries.rows;
  const q = queries.data;
  const mean = new Float64Array(B * D);
  const traceCov = new Float64Array(B);
  const logPartition = new Float64Array(B);
  const covariance = want.covariance ? new Float64Array(B * D * D) : undefined;
  const entropy = want.entropy ? new Float64Array(B) : undefined;
  const participation = want.participation ? new Float64Array(B) : undefined;
  const classProbs = (want.classProbs || want.classMeans) && labels && numClasses > 0 ? new Float64Array(B * numClasses) : undefined;
  const classMeans = want.classMeans && labels && numClasses > 0 ? new Float64Array(B * numClasses * D) : undefined;
  const classEntropy = classProbs ? new Float64Array(B) : undefined;
  const cls = classProbs ? new Float64Array(numClasses) : undefined;
  const logits = new Float64Array(n);
  const s1 = new Float64Array(D);
  const m = new Float64Array(D);

  for (let b = 0; b < B; b++) {
    const s = typeof sigma === "number" ? sigma : sigma[b];
    const xo = b * D;
    if (!(s > 0) || !queryFinite(q, xo, D)) {
      fillNaN(b, D, numClasses, mean, traceCov, logPartition, covariance, entropy, participation, classProbs);
      continue;
    }
    const inv = 1 / (2 * s * s);
    // Pass 1: logits and their maximum.
    let M = -Infinity;
    let jStar = 0;
    for (let j = 0; j < n; j++) {
      const yo = j * D;
      let d2 = 0;
      for (let k = 0; k < D; k++) {
        const t = q[xo + k] - points[yo + k];
        d2 += t * t;
      }
      const l = logWeights[j] - d2 * inv;
      logits[j] = l;
      if (l > M) {
        M = l;
        jStar = j;
      }
    }
    // Pass 2: accurate logit differences to the heaviest point y*, weights, moments shifted by y*.
    // ‖x − y_j‖² − ‖x − y*‖² = (y_j − y*)·(y_j + y* − 2x) keeps relative accuracy where the two squared
    // distances are huge and nearly equal (σ ≪ distance); pass 1 only screens out points whose weight
    // underflows (its absolute error is far below the 750-nat margin).
    const so = jStar * D;
    const lwStar = logWeights[jStar];
    s1.fill(0);
    let rest = 0; // Σ_{j ≠ j*} e_j, so that log S = log1p(rest) keeps tiny entropies exact
    let s2 = 0;
    let eLog = 0;
    let eSq = 0;
    const co = b * numClasses;
    const cmo = b * numClasses * D;
    cls?.fill(0);
    for (let j = 0; j < n; j++) {
      if (logits[j] - M < -750) {
        logits[j] = -Infinity;
        continue;
      }
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
      logits[j] = a;
      const e = Math.exp(a);
      if (e === 0) continue;
      if (j !== jStar) rest += e;
      for (let k = 0; k < D; k++) s1[k] += e * (points[yo + k] - points[so + k]);
      s2 += e * u2;
      eLog += e * a;
      eSq += e * e;
      if (classProbs) {
        const c = labels![j];
        classProbs[co + c] += e;
        if (j !== jStar) cls![c] += e; // class masses without the heaviest point's exact 1
      }
      if (classMeans) {
        const c = labels![j];
        for (let k = 0; k < D; k++) classMeans[cmo + c * D + k] += e * (points[yo + k] - points[so + k]);
      }
    }
    const S = 1 + rest;
    const logS = Math.log1p(rest);
    let mm = 0;
    for (let k = 0; k < D; k++) {
      const shift = s1[k] / S;
      m[k] = points[so + k] + shift;
      mean[xo + k] = m[k];
      mm += shift * shift;
    }
    const raw = s2 / S;
    let tr = raw - mm;
    logPartition[b] = M + logS;
    if (entropy) entropy[b] = Math.max(0, logS - eLog / S);
    if (participation) participation[b] = eSq / (S * S);
    if (classProbs) {
      // H(c|x) = log S − Σ_c (M_c/S) log M_c with M_c the class mass in units of the heaviest point,
      // log M_{c*} = log1p(mass besides y*): exact even when one class holds all but 1e-20 of the mass.
      const cStar = labels![jStar];
      let hc = logS;
      for (let c = 0; c < numClasses; c++) {
        const mass = classProbs[co + c];
        if (mass > 0) hc -= (mass / S) * (c === cStar ? Math.log1p(cls![c]) : Math.log(mass));
      }
      classEntropy![b] = Math.max(0, hc);
    }
    if (classMeans)
      for (let c = 0; c < numClasses; c++)
        for (let k = 0; k < D; k++) {
          const i = cmo + c * D + k;
          const mass = classProbs ? classProbs[co + c] : 0;
          classMeans[i] = mass > 0 ? points[so + k] + classMeans[i] / mass : 0;
        }
    if (classProbs) for (let c = 0; c < numClasses; c++) classProbs[co + c] /= S;
    // Pass 3 (rare): exact Σ w ‖y − m‖² when the shifted form cancelled, and the full covariance on request.
    if (tr < 1e-3 * raw || covariance) {
      let acc = 0;
      const cOff = b * D * D;
      for (let j = 0; j < n; j++) {
        const e = Math.exp(logits[j]);
        if (e === 0) continue;
        const w = e / S;
        const yo = j * D;
        let u2 = 0;
        for (let k = 0; k < D; k++) {
          const u = points[yo + k] - m[k];
          u2 += u * u;
          if (covariance) for (let l = 0; l <= k; l++) covariance[cOff + k * D + l] += w * u * (points[yo + l] - m[l]);
        }
        acc += w * u2;
      }
      tr = acc;
      if (covariance)
        for (let k = 0; k < D; k++) for (let l = 0; l < k; l++) covariance[cOff + l * D + k] = covariance[cOff + k * D + l];
    }
    traceCov[b] = Math.max(0, tr);
  }
  return { mean, traceCov, logPartition, covariance, entropy, classProbs, participation, classMeans, classEntropy };
};

function queryFinite(q: Float64Array, off: number, D: number): boolean {
  for (let k = 0; k < D; k++) if (!Number.isFinite(q[off + k])) return false;
  return true;
}

function fillNaN(
  b: number,
  D: number,
  C: number,
  mean: Float64Array,
  traceCov: Float64Array,
  logPartition: Float64Array,
  ...rest: (Float64Array | undefined)[]
): void {
  mean.fill(NaN, b * D, (b + 1) * D);
  traceCov[b] = NaN;
  logPartition[b] = NaN;
  const [cov, ent, part, cls] = rest;
  cov?.fill(NaN, b * D * D, (b + 1) * D * D);
  if (ent) ent[b] = NaN;
  if (part) part[b] = NaN;
  cls?.fill(NaN, b * C, (b + 1) * C);
}

// Resolved at call time: blocked.ts imports this module, so the default is not read while modules load.
let current: PosteriorKernel | undefined;

/** The posterior kernel the models use: the blocked TypeScript kernel unless another backend was installed. */
export function posteriorKernel(): PosteriorKernel {
  return current ?? blockedPosteriorKernel;
}

/** Installs a faster backend (WebAssembly, native, GPU); returns the previous one. */
export function setPosteriorKernel(kernel: PosteriorKernel): PosteriorKernel {
  const previous = posteriorKernel();
  current = kernel;
  return previous;
}
