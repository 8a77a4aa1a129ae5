import type { Batch } from "../../batch.js";
import { InfodynError } from "../../errors.js";
import type { DataModel } from "../../models/types.js";
import { logSumExp } from "../../numeric/logsumexp.js";
import { millsContinuedFraction, normalCdf } from "../schedule/normal.js";
import { gaussianLawOf } from "./exact.js";
import { binWidth, type Quantization } from "./units.js";

/*
 * The discretised likelihood of data on a grid of levels (8-bit images, the 17-level digits), exactly where the bin
 * integral has a closed form: −log P(bin), P(bin) = ∫_bin p(y) dy over the box of side Δ centred on the grid value.
 */

const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);

/**
 * `log Q(x) = log(1 − Φ(x))` for x ≥ 0, relative error ≲ 1e-13 in Q, with no underflow however far the tail.
 *
 * Method: `log Φ(−x)` by `normalCdf` for x ≤ 3 (cancellation there costs at most 1e-16/Q(3) ≈ 1e-13); beyond,
 * `log φ(x) − log f(x)` with the Mills-ratio continued fraction `f = x + 1/(x + 2/(x + 3/(x + …)))` (A&S 26.2.14,
 * modified Lentz), taken in logs so that x = 10⁴ (Q ≈ e^{−5·10⁷}) is as good as x = 4.
 */
export function logUpperTail(x: number): number {
  if (x <= 3) return Math.log(normalCdf(-x));
  return -0.5 * x * x - LOG_SQRT_2PI - Math.log(millsContinuedFraction(x));
}

/** `Φ(z) − ½ = φ(z) Σ_k z^{2k+1}/(2k+1)!!` for |z| ≤ 3 (all terms of one sign: no cancellation); `½ − Q(z)` beyond. */
function centralMass(z: number): number {
  if (z < 0) return -centralMass(-z);
  if (z > 3) return 0.5 - Math.exp(logUpperTail(z));
  let term = z;
  let sum = z;
  for (let k = 0; k < 200 && term > 1e-17 * sum; k++) {
    term *= (z * z) / (2 * k + 3);
    sum += term;
  }
  return Math.exp(-0.5 * z * z - LOG_SQRT_2PI) * sum;
}

/**
 * `log(Φ(b) − Φ(a))`, a < b, to ≲ 1e-12 relative in the difference anywhere on the line, the far tails included.
 *
 * Method, by cases:
 * - a narrow interval, `w = b − a < 10⁻³` with `w(1 + |m|) < 10⁻²` (m the midpoint): the midpoint series
 *   `w φ(m) [1 + (m² − 1) w²/24 + (m⁴ − 6m² + 3) w⁴/1920]` (the next term is below 10⁻¹⁶ relative);
 * - both ends on one side (0 ≤ a, or b ≤ 0 by symmetry): `Q(a) − Q(b) = Q(a)(1 − e^{log Q(b) − log Q(a)})` with
 *   {@link logUpperTail} and `log(−expm1(·))`;
 * - an interval across 0: `(Φ(b) − ½) + (½ − Φ(a))`, two positive terms, each by its own series.
 * Returns −∞ for an empty interval.
 */
export function logNormalInterval(a: number, b: number): number {
  if (!(b > a)) return -Infinity;
  if (b === Infinity && a === -Infinity) return 0;
  const w = b - a;
  const m = 0.5 * (a + b);
  if (w < 1e-3 && w * (1 + Math.abs(m)) < 1e-2) {
    const m2 = m * m;
    const w2 = w * w;
    return Math.log(w) - 0.5 * m2 - LOG_SQRT_2PI + Math.log1p(((m2 - 1) * w2) / 24 + ((m2 * m2 - 6 * m2 + 3) * w2 * w2) / 1920);
  }
  if (a >= 0 || b <= 0) {
    const [lo, hi] = a >= 0 ? [a, b] : [-b, -a];
    const la = logUpperTail(lo);
    if (hi === Infinity) return la;
    return la + Math.log(-Math.expm1(logUpperTail(hi) - la));
  }
  return Math.log(centralMass(b) - centralMass(a));
}

/** One axis-aligned Gaussian of a law: weight, mean, per-coordinate variance. */
interface DiagonalComponent {
  logWeight: number;
  mean: Float64Array;
  variance: Float64Array;
}

/** `V diag(λ) Vᵀ` of an eigen-decomposition as its diagonal, or undefined when an off-diagonal entry is not ≲ 1e-12 of the scale. */
function diagonalOf(lambda: Float64Array, vectors: Float64Array, D: number): Float64Array | undefined {
  const diag = new Float64Array(D);
  let scale = 0;
  for (let a = 0; a < D; a++) {
    for (let j = 0; j < D; j++) diag[a] += lambda[j] * vectors[a * D + j] ** 2;
    scale = Math.max(scale, Math.abs(diag[a]));
  }
  for (let a = 0; a < D; a++)
    for (let b = a + 1; b < D; b++) {
      let c = 0;
      for (let j = 0; j < D; j++) c += lambda[j] * vectors[a * D + j] * vectors[b * D + j];
      if (Math.abs(c) > 1e-12 * scale) return undefined;
    }
  return diag;
}

/**
 * The law of `y + s z'` as a mixture of axis-aligned Gaussians, or a reason why the exact bin route does not apply:
 * deltas (and a discrete model) need s > 0; a Gaussian or mixture component must have a diagonal covariance (a full
 * one has no product form for the box integral); a sphere has no closed form.
 */
function diagonalComponents(model: DataModel, s: number): DiagonalComponent[] | string {
  const D = model.dim;
  const st = model.structure;
  const full = (what: string) =>
    `${what} has a full (non-diagonal) covariance: its bin probability has no product form, and the exact discretised likelihood is not computed; ` +
    "the dequantised bound (discreteBitsPerDim) still is";
  const g = gaussianLawOf(model);
  if (g) {
    const diag = diagonalOf(g.lambda, g.vectors, D);
    if (!diag) return full("gaussian");
    return [{ logWeight: 0, mean: g.mean, variance: diag.map((v) => v + s * s) }];
  }
  if (st?.type === "mixture") {
    const out: DiagonalComponent[] = [];
    for (let k = 0; k < st.weights.length; k++) {
      if (!(st.weights[k] > 0)) continue;
      const comp = st.components?.[k];
      const diag = comp ? diagonalOf(comp.lambda, comp.vectors, D) : new Float64Array(D);
      if (!diag) return full(`gmm: components[${k}]`);
      out.push({ logWeight: Math.log(st.weights[k]), mean: st.means.data.subarray(k * D, (k + 1) * D), variance: diag.map((v) => v + s * s) });
    }
    return out;
  }
  if (st?.type === "sphere") return "sphere: the bin probability of a (smoothed) sphere has no closed form; the dequantised bound (discreteBitsPerDim) still is computed";
  return `${model.kind}: no closed-form bin probability`;
}

/** {@link diagonalComponents} with every variance > 0, or the reason (point masses need a smoothing s > 0). */
function checkedComponents(model: DataModel, s: number): DiagonalComponent[] | string {
  const comps = diagonalComponents(model, s);
  if (typeof comps !== "string" && comps.some((c) => c.variance.some((v) => !(v > 0))))
    return `${model.kind}: point masses (or a zero variance) put all of a bin's probability on a point; give a smoothing s > 0`;
  return comps;
}

/**
 * Why {@link exactDiscreteNll} does not apply to the law of `y + s z'` (a full covariance, a sphere, unsmoothed point
 * masses: one line), or undefined when it does. Lets a caller report the omission instead of failing.
 *
 * @example
 * exactDiscreteOmission(parseModel({ kind: "gaussian", mean: [0, 0], cov: [[1, 0.5], [0.5, 1]] })); // "gaussian has a full (non-diagonal) covariance: …"
 */
export function exactDiscreteOmission(model: DataModel, smoothing = 0): string | undefined {
  const comps = checkedComponents(model, smoothing);
  return typeof comps === "string" ? comps : undefined;
}

/**
 * The grid index of every coordinate of every point: `k = (y − a)/Δ`, which must be an integer in [0, levels − 1]
 * to 1e-6 (the points are grid values). Throws {@link InfodynError} naming the point and coordinate otherwise.
 */
export function gridIndices(points: Batch, q: Quantization): Int32Array {
  const delta = binWidth(q);
  const out = new Int32Array(points.data.length);
  for (let p = 0; p < points.data.length; p++) {
    const u = (points.data[p] - q.range[0]) / delta;
    const k = Math.round(u);
    if (!(Math.abs(u - k) <= 1e-6) || k < 0 || k >= q.levels) {
      const i = Math.floor(p / points.dim);
      throw new InfodynError(
        `points: point ${i}, coordinate ${p - i * points.dim} = ${points.data[p]} is not one of the ${q.levels} grid levels of --range ${q.range[0]},${q.range[1]} (step ${delta})`,
      );
    }
    out[p] = k;
  }
  return out;
}

/**
 * The exact discretised likelihood `−log P(bin(y))` in nats, `P(bin) = ∫_bin p_s(x) dx` over the box
 * `Π_d [v_d − Δ/2, v_d + Δ/2]` around each grid point v = y (every bin has width Δ, the two end bins too: the same
 * bins as uniform dequantisation, so the Jensen bound `E_u[−log p(v + u)] − D log Δ ≥ −log P(bin)` compares like with
 * like), for the law of `y + s z'` (s = smoothing):
 * `P(bin) = Σ_j π_j Π_d [Φ((b⁺_d − μ_jd)/σ_jd) − Φ((b⁻_d − μ_jd)/σ_jd)]`, `σ_jd² = Σ_j,dd + s²`, summed by
 * log-sum-exp over components of the per-coordinate {@link logNormalInterval} (so bins 40 standard deviations into
 * a tail are as exact as the central ones).
 *
 * Special cases: throws {@link InfodynError} naming the reason for a full-covariance Gaussian or component (no
 * product form: we refuse rather than guess), a sphere, deltas or a discrete model without s > 0 (a point mass on a
 * grid value has P = 1 or 0: not a likelihood), and points off the grid ({@link gridIndices}).
 *
 * @example
 * // N(0, 1) in 1-D, Δ = 1: the bin [−0.5, 0.5) has P = 2Φ(0.5) − 1 = 0.38292492254802624.
 * exactDiscreteNll(parseModel({ kind: "gaussian", mean: [0], cov: [[1]] }), fromRows([[0]]), { levels: 11, range: [-5, 5] }); // [0.95990]
 */
export function exactDiscreteNll(model: DataModel, points: Batch, q: Quantization, smoothing = 0): Float64Array {
  if (points.dim !== model.dim) throw new InfodynError(`points: dimension ${points.dim} differs from the model's ${model.dim}`);
  const D = points.dim;
  const delta = binWidth(q);
  const idx = gridIndices(points, q);
  const comps = checkedComponents(model, smoothing);
  if (typeof comps === "string") throw new InfodynError(comps);
  const terms = new Float64Array(comps.length);
  const out = new Float64Array(points.rows);
  for (let i = 0; i < points.rows; i++) {
    for (let j = 0; j < comps.length; j++) {
      const c = comps[j];
      let acc = c.logWeight;
      for (let d = 0; d < D; d++) {
        const v = q.range[0] + idx[i * D + d] * delta;
        const sd = Math.sqrt(c.variance[d]);
        acc += logNormalInterval((v - 0.5 * delta - c.mean[d]) / sd, (v + 0.5 * delta - c.mean[d]) / sd);
      }
      terms[j] = acc;
    }
    out[i] = -logSumExp(terms);
  }
  return out;
}

/**
 * Points each repeated `draws` times, row after row (point 0 `draws` times, then point 1, …): the input of a
 * dequantised estimate with several draws of u per point ({@link foldDraws} takes it back).
 */
export function repeatRows(points: Batch, draws: number): Batch {
  const { rows, dim } = points;
  const data = new Float64Array(rows * draws * dim);
  for (let i = 0; i < rows; i++) for (let r = 0; r < draws; r++) data.set(points.data.subarray(i * dim, (i + 1) * dim), (i * draws + r) * dim);
  return { rows: rows * draws, dim, data };
}

/**
 * Per-point means of `draws` consecutive estimates, with a standard error that covers both the dequantisation u and
 * the estimator's own noise: with draws ≥ 2 the spread of the draws' estimates (each is the estimator's output at one
 * y + u, so its variance holds both), `√(s²/draws)`; with one draw only the estimator's own `se` (u's spread unseen).
 */
export function foldDraws(nll: Float64Array, se: Float64Array, draws: number): { nll: Float64Array; standardError: Float64Array } {
  const n = nll.length / draws;
  const mean = new Float64Array(n);
  const standardError = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let m = 0;
    for (let r = 0; r < draws; r++) m += nll[i * draws + r] / draws;
    mean[i] = m;
    if (draws === 1) standardError[i] = se[i];
    else {
      let s2 = 0;
      for (let r = 0; r < draws; r++) s2 += (nll[i * draws + r] - m) ** 2 / (draws - 1);
      standardError[i] = Math.sqrt(s2 / draws);
    }
  }
  return { nll: mean, standardError };
}
