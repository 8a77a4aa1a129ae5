import type { Batch } from "../../batch.js";
import { InfodynError } from "../../errors.js";
import type { Denoiser } from "../../models/types.js";
import { createRng } from "../../numeric/rng.js";
import { Welford } from "../../numeric/welford.js";
import { drive, type DenoiseProgram, type Driven } from "../../score/program.js";
import { levelSeed } from "./design.js";
import type { Estimate } from "./expect.js";
import { integrateFromTop } from "./integrate.js";
import { findPeak, type Peak } from "./peak.js";

/** Options of {@link denoiserClassRates} and {@link denoiserClassProfile}. */
export interface DenoiserClassRateOptions {
  /** Seed of the noise draws z; default 0. The same seed gives identical numbers. */
  seed?: number;
  /** Noise draws z per data sample (default 1); a sample's value is the mean over its draws. */
  noiseDraws?: number;
  /** Data samples per denoiser call (default 2048); each call carries their conditional and unconditional rows. */
  batchSize?: number;
  signal?: AbortSignal;
}

/** The class-entropy rate of a conditional denoiser at one σ (THEORY.md §9.3); standard errors across data samples. */
export interface DenoiserClassRate {
  sigma: number;
  /** Number of labelled data samples (the n of the standard errors √(var/n)). */
  samples: number;
  /** dH(c|x_σ)/dσ = E_{c, y∼p(·|c), z} ‖D(x, σ, c) − D(x, σ)‖²/σ³, x = y + σz. */
  classEntropyRate: Estimate;
}

/**
 * The rate at which the noisy state x_σ = y + σz gains information about the label c of y, from a conditional
 * denoiser alone (THEORY.md §9.3): `dH(c|x_σ)/dσ = E_{c,y∼p(·|c),z} ‖D(x, σ, c) − D(x, σ)‖²/σ³`.
 *
 * Formula: with Tweedie per class, `D(x, σ, c) − D(x, σ) = m_c − m = σ² ∇_x log p(c|x)`, so the mean over labelled
 * samples (c, y) and noise z of ‖m_c − m‖²/σ³ is `σ E‖∇ log p(c|x)‖²`, the class rate of §3; for the exact
 * conditional posterior means it equals the exact `E Tr C_between(x)/σ³` (profile.ts's `classEntropyRate`). A
 * trained network's value is an estimate of it: exact where the network's conditional and unconditional outputs
 * are the posterior means, and with no bound in either direction otherwise.
 *
 * Method: for each labelled data sample (y, c), `noiseDraws` draws z ~ N(0, I), each point denoised twice in one
 * batch: given c and unconditionally (label −1: a network's null class). Each sample's value is the mean over its
 * draws; the mean and standard error over samples by {@link Welford}. The noise comes from one rng seeded with
 * `seed`, sample by sample, so the numbers do not depend on `batchSize`.
 *
 * Special cases: throws {@link InfodynError} for σ ≤ 0, an empty batch, a label count that differs from the data,
 * a negative label, or non-positive counts. With one sample the standard error is NaN.
 *
 * @example
 * const model = deltas(fromRows([[-1], [1]]), { labels: [0, 1] });
 * denoiserClassRates(model, fromRows([[-1], [1]]), Int32Array.from([0, 1]), 1, { noiseDraws: 4000 }).classEntropyRate;
 * // ≈ profileAt(model, 1).classEntropyRate, within a few standard errors
 */
export function denoiserClassRates<Dn extends Denoiser>(
  denoiser: Dn,
  data: Batch,
  labels: Int32Array,
  sigma: number,
  options: DenoiserClassRateOptions = {},
): Driven<Dn, DenoiserClassRate> {
  return drive(denoiserClassRatesProgram(denoiser.dim, data, labels, sigma, options), denoiser, { signal: options.signal });
}

/** {@link denoiserClassRates} as a program (one denoiser call per chunk of samples). */
export function* denoiserClassRatesProgram(
  D: number,
  data: Batch,
  labels: Int32Array,
  sigma: number,
  options: DenoiserClassRateOptions = {},
): DenoiseProgram<DenoiserClassRate> {
  const n = data.rows;
  const R = options.noiseDraws ?? 1;
  const chunk = options.batchSize ?? 2048;
  if (!(Number.isFinite(sigma) && sigma > 0)) throw new InfodynError(`sigma: must be positive and finite (got ${sigma})`);
  if (data.dim !== D) throw new InfodynError(`data: dimension ${data.dim} differs from the denoiser's ${D}`);
  if (!(n >= 1)) throw new InfodynError("data: needs at least one sample");
  if (labels.length !== n) throw new InfodynError(`labels: ${labels.length} labels for ${n} data samples`);
  for (let i = 0; i < n; i++) if (!(labels[i] >= 0)) throw new InfodynError(`labels[${i}]: ${labels[i]} is not a class (the class rate needs every sample labelled)`);
  for (const [name, v] of [["noiseDraws", R], ["batchSize", chunk]] as const)
    if (!(Number.isInteger(v) && v >= 1)) throw new InfodynError(`${name}: must be a positive integer (got ${v})`);

  const rng = createRng(options.seed ?? 0);
  const s3 = sigma * sigma * sigma;
  const acc = new Welford();
  for (let start = 0; start < n; start += chunk) {
    const c = Math.min(chunk, n - start);
    const points = c * R;
    // Row 2p: point p given its class; row 2p + 1: the same point, unconditional.
    const X = new Float64Array(2 * points * D);
    const rowLabels = new Int32Array(2 * points);
    for (let p = 0; p < points; p++) {
      const i = start + Math.floor(p / R);
      const y = i * D;
      const o = 2 * p * D;
      for (let k = 0; k < D; k++) {
        const x = data.data[y + k] + sigma * rng.normal();
        X[o + k] = x;
        X[o + D + k] = x;
      }
      rowLabels[2 * p] = labels[i];
      rowLabels[2 * p + 1] = -1;
    }
    const M = (yield { x: { rows: 2 * points, dim: D, data: X }, sigma, cond: { labels: rowLabels } }).data;
    for (let i = 0; i < c; i++) {
      let v = 0;
      for (let r = 0; r < R; r++) {
        const o = 2 * (i * R + r) * D;
        for (let k = 0; k < D; k++) {
          const d = M[o + k] - M[o + D + k];
          v += d * d;
        }
      }
      acc.push(v / (R * s3));
    }
  }
  return { sigma, samples: n, classEntropyRate: { value: acc.mean, standardError: acc.standardError } };
}

/** The class-entropy profile of a conditional denoiser over ascending σ's ({@link denoiserClassProfile}). */
export interface DenoiserClassProfile {
  sigma: number[];
  rates: DenoiserClassRate[];
  /** H(c) = −Σ π_c log π_c of the labels' frequencies (nats). */
  labelEntropy: number;
  /**
   * H(c|x_σ) = H(c) − ∫_σ^∞ dH(c|x_s)/ds ds: the trapezoid rule in log σ on σ × rate from σ to σ_max, plus the tail
   * above σ_max, `B/(2σ_max²)` with B = Σ_c π_c ‖μ_c − μ‖² the between-class variance of the data (the rate tends
   * to B/σ³ as σ → ∞). `standardError` is the sum of the nodes' |weight|·SE, an upper bound.
   */
  classEntropy: Estimate[];
  /** Grid maximum of dH(c|x_σ)/dσ (no refinement), with the bracket of the levels within 2 SE. */
  peak?: Peak;
  /** Between-class variance B of the tail. */
  betweenClassVariance: number;
}

/**
 * {@link denoiserClassRates} at each σ of an ascending grid (level i seeded `levelSeed(seed, i)`, as
 * `denoiserRateProfile`), then H(c|x_σ) by integrating the rate down from σ_max, and the rate's grid peak.
 *
 * @example
 * const p = await denoiserClassProfile(net, data, labels, [0.5, 1, 2, 4], { seed: 1 });
 * p.classEntropy[0].value; // H(c|x_σ=0.5) in nats
 */
export function denoiserClassProfile<Dn extends Denoiser>(
  denoiser: Dn,
  data: Batch,
  labels: Int32Array,
  sigmas: readonly number[],
  options: DenoiserClassRateOptions & { onProgress?: (done: number, total: number) => void } = {},
): Driven<Dn, DenoiserClassProfile> {
  return drive(denoiserClassProfileProgram(denoiser.dim, data, labels, sigmas, options), denoiser, { signal: options.signal });
}

function* denoiserClassProfileProgram(
  D: number,
  data: Batch,
  labels: Int32Array,
  sigmas: readonly number[],
  options: DenoiserClassRateOptions & { onProgress?: (done: number, total: number) => void },
): DenoiseProgram<DenoiserClassProfile> {
  for (let i = 1; i < sigmas.length; i++) if (!(sigmas[i] > sigmas[i - 1])) throw new InfodynError("sigmas: must be ascending");
  const { onProgress, signal: _signal, ...rest } = options;
  const seed = rest.seed ?? 0;
  const rates: DenoiserClassRate[] = [];
  for (let i = 0; i < sigmas.length; i++) {
    rates.push(yield* denoiserClassRatesProgram(D, data, labels, sigmas[i], { ...rest, seed: levelSeed(seed, i) }));
    onProgress?.(i + 1, sigmas.length);
  }
  return classProfileFromRates(rates, data, labels);
}

/** H(c), the between-class variance, H(c|x_σ) and the peak from per-σ class rates (ascending σ). */
export function classProfileFromRates(rates: DenoiserClassRate[], data: Batch, labels: Int32Array): DenoiserClassProfile {
  const { entropy, between } = labelStatistics(data, labels);
  const sigma = rates.map((r) => r.sigma);
  const n = sigma.length;
  const g = rates.map((r, i) => sigma[i] * r.classEntropyRate.value);
  const ge = rates.map((r, i) => sigma[i] * r.classEntropyRate.standardError);
  const info = integrateFromTop(sigma, g, ge, n > 0 ? between / (2 * sigma[n - 1] * sigma[n - 1]) : 0);
  const classEntropy = info.map((e) => ({ value: entropy - e.value, standardError: e.standardError }));
  const peak = findPeak(
    () => NaN,
    sigma,
    rates.map((r) => r.classEntropyRate.value),
    { errors: rates.map((r) => r.classEntropyRate.standardError) },
  );
  return { sigma, rates, labelEntropy: entropy, classEntropy, ...(peak ? { peak } : {}), betweenClassVariance: between };
}

/** H(c) of the label frequencies and B = Σ_c π_c ‖μ_c − μ‖², the class means μ_c and overall mean μ of the data. */
function labelStatistics(data: Batch, labels: Int32Array): { entropy: number; between: number } {
  const D = data.dim;
  const n = data.rows;
  let C = 0;
  for (let i = 0; i < n; i++) C = Math.max(C, labels[i] + 1);
  const count = new Float64Array(C);
  const sums = new Float64Array(C * D);
  const mean = new Float64Array(D);
  for (let i = 0; i < n; i++) {
    const c = labels[i];
    count[c] += 1;
    for (let k = 0; k < D; k++) {
      sums[c * D + k] += data.data[i * D + k];
      mean[k] += data.data[i * D + k] / n;
    }
  }
  let entropy = 0;
  let between = 0;
  for (let c = 0; c < C; c++) {
    if (count[c] === 0) continue;
    const pi = count[c] / n;
    entropy -= pi * Math.log(pi);
    let d2 = 0;
    for (let k = 0; k < D; k++) {
      const d = sums[c * D + k] / count[c] - mean[k];
      d2 += d * d;
    }
    between += pi * d2;
  }
  return { entropy, between };
}
