import { type Batch, zeros } from "../batch.js";
import { type DeltaSet, posteriorKernel } from "../engine/kernel.js";
import { InfodynError } from "../errors.js";
import { logSumExp } from "../numeric/logsumexp.js";
import { categoricalSampler, type Rng } from "../numeric/rng.js";
import type { Conditioning, DataModel, PosteriorRequest, PosteriorStats } from "./types.js";

const LOG_2PI = Math.log(2 * Math.PI);

/** Options of {@link deltas}. */
export interface DeltasOptions {
  /** Non-negative weights π_j (normalised here); default uniform. */
  weights?: ArrayLike<number>;
  /** Unnormalised log-weights (instead of `weights`, for weights that would overflow, e.g. Ising at low T). */
  logWeights?: ArrayLike<number>;
  /** Class index per point (0 … numClasses − 1). */
  labels?: ArrayLike<number>;
  /** Names of the classes, in index order. */
  classNames?: readonly string[];
  /**
   * Image shape of each point, `[H, W]` or `[C, H, W]` (row-major, channels first), product = D: carried as
   * `model.shape` for figures that draw points as images; the posterior does not depend on it.
   */
  shape?: readonly number[];
}

/**
 * A finite mixture of point masses `φ = Σ_j π_j δ(y − y_j)` (an empirical dataset; THEORY.md §2b, §3).
 * Posterior weights `w_j(x) = softmax_j(log π_j − ‖x − y_j‖²/(2σ²))`, computed by the batched kernel.
 *
 * Conditional denoising (labelled sets, THEORY.md §9.3): `m_c(x) = Σ_{j∈c} w_j y_j / p(c|x)` is the posterior
 * mean of the class's own points with their weights renormalised, so rows with label c run the kernel on
 * class c's point set (built once, on first use). The kernel's softmax is taken relative to the class's
 * heaviest point: m_c is exact even where p(c|x) underflows (a far-away class), and a batch of conditional
 * rows costs Σ_c B_c N_c D instead of B N D.
 *
 * @example
 * const two = deltas(fromRows([[-1], [1]]));
 * two.posterior(fromRows([[0.3]]), 1).mean.data[0]; // returns tanh(0.3) ≈ 0.2913
 * const lab = deltas(fromRows([[-1], [1]]), { labels: [0, 1] });
 * lab.denoise(fromRows([[0.3], [0.3]]), 1, { labels: Int32Array.from([1, -1]) }).data; // [1, tanh(0.3)]
 * deltas(fromRows([[0, 1, 2, 3]]), { shape: [2, 2] }).shape; // [2, 2]: the point is a 2 × 2 image
 */
export function deltas(points: Batch, options: DeltasOptions = {}): DataModel & { readonly set: DeltaSet; readonly shape?: readonly number[] } {
  const n = points.rows;
  const D = points.dim;
  const shape = options.shape ? imageShape(options.shape, D) : undefined;
  const logWeights = new Float64Array(n);
  if (options.logWeights) logWeights.set(options.logWeights);
  else if (options.weights) for (let j = 0; j < n; j++) logWeights[j] = Math.log(options.weights[j]);
  // Normalise in two steps: shift by the largest log-weight first (exact), then by the log of the (now O(1)) total.
  // In one step, logsumexp = max + log Σ rounds away log Σ when the log-weights are huge (an Ising model at
  // T = 1e-300 has log-weights of 1e300): every ground state would get π = 1 and the weights would not sum to 1.
  let top = -Infinity;
  for (let j = 0; j < n; j++) top = Math.max(top, logWeights[j]);
  if (Number.isFinite(top)) for (let j = 0; j < n; j++) logWeights[j] -= top;
  const logTotal = logSumExp(logWeights);
  const probs = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    logWeights[j] -= logTotal;
    probs[j] = Math.exp(logWeights[j]);
  }
  let labels: Int32Array | undefined;
  let numClasses = 0;
  if (options.labels) {
    labels = Int32Array.from(options.labels);
    for (let j = 0; j < n; j++) numClasses = Math.max(numClasses, labels[j] + 1);
    if (options.classNames) numClasses = Math.max(numClasses, options.classNames.length);
  }
  const set: DeltaSet = { n, dim: D, points: points.data, logWeights, labels, numClasses };
  const draw = categoricalSampler(probs);
  const classSets: (DeltaSet | null | undefined)[] = new Array(numClasses);

  function posterior(x: Batch, sigma: number | Float64Array, want: PosteriorRequest = {}): PosteriorStats {
    const r = posteriorKernel()(set, x, sigma, want);
    const logDensity = want.logDensity ? normalise(r.logPartition, x.rows, sigma) : undefined;
    return {
      mean: { rows: x.rows, dim: D, data: r.mean },
      traceCov: r.traceCov,
      covariance: r.covariance,
      entropy: r.entropy,
      classProbs: r.classProbs,
      participation: r.participation,
      classMeans: r.classMeans,
      classEntropy: r.classEntropy,
      logDensity,
    };
  }

  /** log p_σ(x) = logsumexp_j(log π_j − ‖x − y_j‖²/(2σ²)) − (D/2) log(2πσ²), in place. */
  function normalise(logPartition: Float64Array, rows: number, sigma: number | Float64Array): Float64Array {
    for (let i = 0; i < rows; i++) {
      const s = typeof sigma === "number" ? sigma : sigma[i];
      logPartition[i] -= 0.5 * D * (LOG_2PI + 2 * Math.log(s));
    }
    return logPartition;
  }

  /** The points of class c with their weights renormalised within the class; null for a class of zero weight. */
  function classSet(c: number): DeltaSet | null {
    let cs = classSets[c];
    if (cs !== undefined) return cs;
    const members: number[] = [];
    for (let j = 0; j < n; j++) if (labels![j] === c && logWeights[j] > -Infinity) members.push(j);
    if (members.length === 0) cs = null;
    else {
      const pts = new Float64Array(members.length * D);
      const lw = Float64Array.from(members, (j) => logWeights[j]);
      members.forEach((j, i) => pts.set(points.data.subarray(j * D, (j + 1) * D), i * D));
      const total = logSumExp(lw);
      for (let i = 0; i < lw.length; i++) lw[i] -= total;
      cs = { n: members.length, dim: D, points: pts, logWeights: lw, numClasses: 0 };
    }
    classSets[c] = cs;
    return cs;
  }

  /** m(x) for rows labelled −1, m_c(x) for rows labelled c: one kernel call per label present. */
  function denoise(x: Batch, sigma: number | Float64Array, cond?: Conditioning): Batch {
    const lab = conditionalLabels(cond, x.rows, numClasses);
    if (!lab) return posterior(x, sigma).mean;
    const out = zeros(x.rows, D);
    for (const [c, rows] of rowsByLabel(lab)) {
      const target = c < 0 ? set : classSet(c);
      if (!target) {
        const name = options.classNames?.[c];
        throw new InfodynError(`cond.labels[${rows[0]}] = ${c}: class ${name ? JSON.stringify(name) : c} has no points of positive weight`);
      }
      const m = posteriorKernel()(target, takeRows(x, rows), takeSigma(sigma, rows), {}).mean;
      rows.forEach((i, r) => out.data.set(m.subarray(r * D, (r + 1) * D), i * D));
    }
    return out;
  }

  function sampleLabelled(count: number, rng: Rng) {
    const out = zeros(count, D);
    const lab = new Int32Array(count);
    for (let i = 0; i < count; i++) {
      const j = draw(rng);
      out.data.set(points.data.subarray(j * D, (j + 1) * D), i * D);
      lab[i] = labels ? labels[j] : 0;
    }
    return { points: out, labels: lab };
  }

  return {
    kind: "deltas",
    dim: D,
    discrete: true,
    numClasses,
    classNames: options.classNames,
    set,
    structure: { type: "mixture", weights: probs, means: points, labels },
    posterior,
    denoise,
    logDensity: (x, sigma) => normalise(posteriorKernel()(set, x, sigma, {}).logPartition, x.rows, sigma),
    sample: (count, rng) => sampleLabelled(count, rng).points,
    sampleLabelled: labels ? sampleLabelled : undefined,
    ...(shape ? { shape } : {}),
  };
}

/** A frozen copy of an image shape ([H, W] or [C, H, W] of positive integers whose product is D), else an InfodynError naming `shape`. */
function imageShape(shape: readonly number[], D: number): readonly number[] {
  const ok = (shape.length === 2 || shape.length === 3) && shape.every((v) => Number.isInteger(v) && v > 0);
  if (!ok) throw new InfodynError(`shape: [${shape.join(", ")}] must be [H, W] or [C, H, W] of positive integers`);
  const pixels = shape.reduce((a, b) => a * b, 1);
  if (pixels !== D) throw new InfodynError(`shape: [${shape.join(", ")}] has ${pixels} pixels, but the points have D = ${D} coordinates`);
  return Object.freeze([...shape]);
}

/**
 * Validates `cond` at the {@link Denoiser} boundary of a model with `numClasses` classes (0: unlabelled) and
 * returns its labels when some row is conditional (label ≥ 0), else undefined (the unconditional denoiser).
 * Throws an {@link InfodynError} naming `cond.labels` (and the row) for a wrong length, a label below −1 or
 * not an integer, a label ≥ numClasses, or any label ≥ 0 on an unlabelled model.
 */
export function conditionalLabels(cond: Conditioning | undefined, rows: number, numClasses: number): Int32Array | undefined {
  const labels = cond?.labels;
  if (!labels) return undefined;
  if (labels.length !== rows) throw new InfodynError(`cond.labels: has ${labels.length} entries, expected ${rows} (one per row of x)`);
  let conditional = false;
  for (let i = 0; i < rows; i++) {
    const c = labels[i];
    if (c === -1) continue;
    if (c >= 0 && numClasses === 0)
      throw new InfodynError(`cond.labels[${i}] = ${c}: the model is unlabelled (no classes); only −1 (unconditional) is accepted`);
    if (!Number.isInteger(c) || c < -1 || c >= numClasses)
      throw new InfodynError(`cond.labels[${i}] = ${c}: not a class (expected −1 for unconditional or 0 … ${numClasses - 1})`);
    conditional = true;
  }
  return conditional ? labels : undefined;
}

/** Row indices grouped by label, in order of first appearance. */
function rowsByLabel(labels: Int32Array): Map<number, number[]> {
  const groups = new Map<number, number[]>();
  for (let i = 0; i < labels.length; i++) {
    const g = groups.get(labels[i]);
    if (g) g.push(i);
    else groups.set(labels[i], [i]);
  }
  return groups;
}

/** The listed rows of x as a batch (x itself when they are all of its rows, in order). */
function takeRows(x: Batch, rows: readonly number[]): Batch {
  if (rows.length === x.rows) return x;
  const D = x.dim;
  const out = zeros(rows.length, D);
  rows.forEach((i, r) => out.data.set(x.data.subarray(i * D, (i + 1) * D), r * D));
  return out;
}

function takeSigma(sigma: number | Float64Array, rows: readonly number[]): number | Float64Array {
  if (typeof sigma === "number" || rows.length === sigma.length) return sigma;
  return Float64Array.from(rows, (i) => sigma[i]);
}
