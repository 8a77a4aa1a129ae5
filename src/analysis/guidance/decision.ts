import { InfodynError } from "../../errors.js";
import type { DataModel } from "../../models/types.js";
import { logSigmas } from "../../noise/grid.js";
import type { NoiseProcess } from "../../noise/process.js";
import { findPeak } from "../info/peak.js";
import { profileAt } from "../info/profile.js";
import { defaultSigmaRange } from "../scale.js";
import type { Batch } from "../../batch.js";
import type { Denoiser } from "../../models/types.js";
import { denoiserClassProfile } from "../info/class-rate.js";

/** A noise level in the units a user pastes into a sampler: σ, the process's t, and its 1000-step timestep. */
export interface NoiseLevel {
  sigma: number;
  /** t(σ) of the chosen process (`process.time`). */
  t: number;
  /** 1000·t for the processes on t ∈ [0, 1] (vp-linear, vp-cosine, flow: DDPM's 1000 timesteps); absent for ve, edm. */
  timestep?: number;
}

/** Where the class is decided: the peak and half-maximum width of the class-entropy rate per unit log σ. */
export interface ClassDecision {
  /** The levels used, ascending, and σ·dH(c|x_σ)/dσ at each (nats per unit log σ). */
  sigma: number[];
  rateLogSigma: number[];
  /** argmax of σ·dH(c|x_σ)/dσ (Brent-refined on exact profiles). */
  peak: NoiseLevel & { value: number };
  /** The half-maximum interval of σ·dH(c|x_σ)/dσ (linear interpolation in log σ between grid levels). */
  low: NoiseLevel;
  high: NoiseLevel;
  /** Fraction of H(c) − H(c|x_σmin) (the class information gained over the grid) gained inside [low, high]. */
  fractionInside: number;
  process: string;
}

/** Options of {@link classDecision}. */
export interface ClassDecisionOptions {
  /** @default the model's default range */
  sigmaMin?: number;
  sigmaMax?: number;
  /** Levels of the log-uniform grid. @default 48 */
  levels?: number;
  /** Seed of the Monte Carlo draws, the same at every level (common random numbers: a smooth curve). @default 0 */
  seed?: number;
  /** Monte Carlo points per level. @default 20000 */
  samples?: number;
  /** Use profileAt's quadratures where they apply (1-D, 2-D mixtures; ~0.5 s a level in 2-D) instead. @default false */
  exact?: boolean;
}

/**
 * The σ-interval where the class is decided (THEORY.md §9.3, issue 17 item 3): the exact class-entropy rate
 * `dH(c|x_σ)/dσ = E Σ_c p(c|x)‖m_c − m‖²/σ³` (profileAt's `classEntropyRate`: exact posteriors, the expectation over
 * x by Monte Carlo with the same draws x = y + σz at every level, or by quadrature with `exact`) on a log grid, its density per unit
 * log σ `σ·dH/dσ` (THEORY.md §9.3's critical window), the peak of that density and the interval where it exceeds half
 * its maximum, each in σ and in t (and timestep) of `process`: what to paste into a guidance-interval sampler.
 * `fractionInside` is `∫_low^high dH / ∫_grid dH` (trapezoid in log σ). Guidance outside the interval acts on a
 * decided class and only distorts (THEORY.md §9.2, `∇log p(c|x) = (m_c − m)/σ²` vanishes there).
 *
 * Special cases: throws {@link InfodynError} for an unlabelled model.
 *
 * @example
 * classDecision(model, vpLinear()).peak; // { sigma, t, timestep, value }
 */
export function classDecision(model: DataModel, process: NoiseProcess, options: ClassDecisionOptions = {}): ClassDecision {
  if (!(model.numClasses >= 2)) throw new InfodynError("model: the class decision needs a labelled model with at least 2 classes");
  const range = options.sigmaMin === undefined || options.sigmaMax === undefined ? defaultSigmaRange(model) : undefined;
  const sigmaMin = options.sigmaMin ?? range!.min;
  const sigmaMax = options.sigmaMax ?? range!.max;
  const seed = options.seed ?? 0;
  const sigma = Array.from(logSigmas(options.levels ?? 48, sigmaMin, sigmaMax)).reverse();
  let exact = true;
  const design = options.exact ? {} : { monteCarlo: true, samples: options.samples ?? 20_000, seed };
  const density = (s: number) => {
    const p = profileAt(model, s, design);
    if (p.standardError?.classEntropyRate !== undefined) exact = false;
    return s * (p.classEntropyRate ?? NaN);
  };
  const g = sigma.map(density);
  const peak = findPeak(density, sigma, g, { refine: true, noisy: !exact })!;
  return decisionInterval(sigma, g, peak, process);
}

/**
 * The peak, half-maximum interval and `fractionInside` of a class-entropy rate density `g = σ·dH(c|x_σ)/dσ` on an
 * ascending grid (`peak` from {@link findPeak}): the interval is where g exceeds half the peak value, its ends
 * interpolated linearly in log σ; the fraction is `∫_low^high g d log σ / ∫_grid g d log σ` (trapezoid).
 */
export function decisionInterval(sigma: number[], g: number[], peak: { sigma: number; value: number }, process: NoiseProcess): ClassDecision {
  const half = peak.value / 2;
  const k = sigma.indexOf(sigma.reduce((best, s, i) => (g[i] > g[sigma.indexOf(best)] ? s : best), sigma[0]));
  const crossing = (dir: -1 | 1) => {
    for (let i = k; i + dir >= 0 && i + dir < sigma.length; i += dir)
      if (g[i + dir] < half) {
        const u = (half - g[i + dir]) / (g[i] - g[i + dir]);
        return Math.exp(Math.log(sigma[i + dir]) + u * (Math.log(sigma[i]) - Math.log(sigma[i + dir])));
      }
    return dir < 0 ? sigma[0] : sigma[sigma.length - 1];
  };
  const low = crossing(-1);
  const high = crossing(1);
  // ∫ g d log σ over the grid and over [low, high] (the trapezoid on the grid, the ends interpolated)
  const trap = (a: number, b: number) => {
    let total = 0;
    for (let i = 0; i + 1 < sigma.length; i++) {
      const lo = Math.max(a, sigma[i]);
      const hi = Math.min(b, sigma[i + 1]);
      if (!(hi > lo)) continue;
      const at = (s: number) => g[i] + ((g[i + 1] - g[i]) * Math.log(s / sigma[i])) / Math.log(sigma[i + 1] / sigma[i]);
      total += 0.5 * (at(lo) + at(hi)) * Math.log(hi / lo);
    }
    return total;
  };
  return {
    sigma,
    rateLogSigma: g,
    peak: { ...noiseLevel(peak.sigma, process), value: peak.value },
    low: noiseLevel(low, process),
    high: noiseLevel(high, process),
    fractionInside: trap(low, high) / trap(sigma[0], sigma[sigma.length - 1]),
    process: process.name,
  };
}

/**
 * σ in the units of a process: t = `process.time(σ)` and, for processes on t ∈ [0, 1], the timestep 1000·t.
 *
 * @example
 * noiseLevel(1, vpLinear()); // { sigma: 1, t: ≈0.26, timestep: ≈263 }
 */
export function noiseLevel(sigma: number, process: NoiseProcess): NoiseLevel {
  const t = process.time(sigma);
  return { sigma, t, ...(process.tMax === 1 ? { timestep: 1000 * t } : {}) };
}

/** Options of {@link networkDecision}. */
export interface NetworkDecisionOptions {
  sigmaMin: number;
  sigmaMax: number;
  /** Levels of the log-uniform grid. @default 32 */
  levels?: number;
  /** Seed of the noise draws (level i seeded from it, the same samples at every level). @default 0 */
  seed?: number;
  /** Labelled samples used (an even stride through the data when it has more). @default 1000 */
  samples?: number;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
}

/**
 * {@link classDecision} for a class-conditional denoiser (a network) on its labelled training data: the class rate
 * `dH(c|x_σ)/dσ = E_{c,y,z}‖D(x, σ, c) − D(x, σ)‖²/σ³` ({@link denoiserClassProfile}, x = y + σz over the labelled
 * samples, the network's class-c and null-class outputs), then the same peak, half-maximum interval and fraction as
 * the exact route. The estimand is the exact route's where the network's outputs are the posterior means.
 *
 * @example
 * await networkDecision(net, data, labels, vpLinear(), { sigmaMin: 0.1, sigmaMax: 80 }); // { peak, low, high, … }
 */
export async function networkDecision(denoiser: Denoiser, data: Batch, labels: Int32Array, process: NoiseProcess, options: NetworkDecisionOptions): Promise<ClassDecision> {
  const { sigmaMin, sigmaMax, levels = 32, seed = 0, samples = 1000 } = options;
  const stride = Math.max(1, Math.ceil(data.rows / samples));
  const keep = Array.from({ length: Math.ceil(data.rows / stride) }, (_, j) => j * stride);
  const D = data.dim;
  const sub = { rows: keep.length, dim: D, data: new Float64Array(keep.length * D) };
  keep.forEach((i, j) => sub.data.set(data.data.subarray(i * D, (i + 1) * D), j * D));
  const subLabels = Int32Array.from(keep, (i) => labels[i]);
  const sigma = Array.from(logSigmas(levels, sigmaMin, sigmaMax)).reverse();
  const p = await denoiserClassProfile(denoiser, sub, subLabels, sigma, { seed, signal: options.signal, onProgress: options.onProgress });
  const g = p.rates.map((r, i) => sigma[i] * r.classEntropyRate.value);
  const peak = findPeak(() => NaN, sigma, g)!;
  return decisionInterval(sigma, g, peak, process);
}
