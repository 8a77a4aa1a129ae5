import type { Batch } from "../batch.js";
import type { Rng } from "../numeric/rng.js";
import { sampleRngs } from "./dynamics/initial.js";
import { finiteTimeLyapunov } from "./dynamics/lyapunov.js";
import { lyapunovMethod, SAMPLERS, type SamplerName } from "./dynamics/registry.js";
import type { SamplerSettings } from "./dynamics/sampler.js";
import { denoiserClassProfile } from "./info/class-rate.js";
import { onlineClassifier, steepestFall } from "./info/online-classifier.js";
import { denoiserRateProfile } from "./info/denoiser.js";
import { denoiserProfile, type DenoiserProfile } from "../contracts/denoiser-profile.js";
import { PATHS_DENOISER_OMITTED, type PathsPayload } from "../contracts/paths.js";
import { InfodynError } from "../errors.js";
import type { Denoiser } from "../models/types.js";
import { ascending, logSigmas } from "../noise/grid.js";
import { lyapunovSeries } from "./dynamics/report.js";
import { totalVariance } from "./scale.js";

/*
 * The denoiser routes of `profile`, `paths` and the network report: the same analyses on a denoiser and its data
 * samples, where no posterior is available (a trained network; the `testbed` model kind). No `node:` module.
 */

/** The estimators' settings of the denoiser route of `profile` (denoiserRates' defaults). */
export const DENOISER_ESTIMATORS = { probes: 1, noiseDraws: 1, epsilon: 1e-4 } as const;

/**
 * The information profile of a denoiser on its data samples over a descending σ grid: `denoiserRateProfile` at
 * each level (ascending; level i seeded `seed + i`), then {@link denoiserProfile} (I by integrating the rate,
 * the grid peak of mmse/σ²).
 */
export async function denoiserProfileRoute(
  denoiser: Denoiser,
  data: Batch,
  grid: Float64Array,
  options: { seed: number; labels?: Int32Array; signal?: AbortSignal; onProgress?: (done: number, total: number) => void },
): Promise<DenoiserProfile> {
  const sigma = ascending(grid);
  const conditional = options.labels !== undefined && (denoiser.numClasses ?? 0) >= 2;
  const total = conditional ? 2 * sigma.length : sigma.length;
  const rates = await denoiserRateProfile(denoiser, data, sigma, {
    ...DENOISER_ESTIMATORS,
    seed: options.seed,
    signal: options.signal,
    onProgress: (d) => options.onProgress?.(d, total),
  });
  // The class profile draws its own noise (seed + 1): its rate and the loss are separate estimates. Its integrand is
  // carried by the rare draws that land between classes, so a small set gets several draws per sample (≥ 2000 in all).
  const classDraws = classNoiseDraws(data.rows);
  const classes = conditional
    ? await denoiserClassProfile(denoiser, data, options.labels!, Array.from(sigma), {
        seed: options.seed + 1,
        noiseDraws: classDraws,
        signal: options.signal,
        onProgress: (d) => options.onProgress?.(sigma.length + d, total),
      })
    : undefined;
  const { probes, noiseDraws, epsilon } = DENOISER_ESTIMATORS;
  const method =
    `denoiser estimators on ${data.rows} data samples (${noiseDraws} noise draw, ${probes} Rademacher probe, ε = ${epsilon}·σ; ` +
    `standard errors over the samples); I(y;x) by integrating mmse/σ³ from σ_max down (trapezoid in log σ; above σ_max the Gaussian tail (D/2) log(1 + Tr Cov/(D σ_max²)))` +
    (classes
      ? `; dH(c|x)/dσ = E‖D(x,σ,c) − D(x,σ)‖²/σ³ on the labelled samples (${classDraws} noise draw${classDraws > 1 ? "s" : ""} each), H(c|x) = H(c) − its integral from σ_max (tail B/(2σ_max²), B the between-class variance)`
      : "");
  return denoiserProfile(rates, denoiser.dim, { traceCov: totalVariance(data.data, data.dim), method, probes, ...(classes ? { classes } : {}) });
}

/** Noise draws per labelled sample of the class profile: ⌈2000/n⌉, at most 64 (one for 2000 samples or more). */
export function classNoiseDraws(samples: number): number {
  return Math.min(64, Math.max(1, Math.ceil(2000 / samples)));
}

/**
 * Path starts from the empirical p_σmax: start i is `y_j + σ_max z` with y_j a data sample drawn from `rngs[i]` (one
 * uniform, then D normals), the draws every denoiser route starts from.
 */
export function dataStarts(data: Batch, rngs: readonly Rng[], sigmaMax: number): Batch {
  const D = data.dim;
  const n = rngs.length;
  const x: Batch = { rows: n, dim: D, data: new Float64Array(n * D) };
  for (let i = 0; i < n; i++) {
    const j = Math.min(data.rows - 1, Math.floor(rngs[i].uniform() * data.rows));
    for (let d = 0; d < D; d++) x.data[i * D + d] = data.data[j * D + d] + sigmaMax * rngs[i].normal();
  }
  return x;
}

/** The labels' class frequencies, a class without samples given half a count (the classifier's prior must be positive). */
export function labelPrior(labels: Int32Array, C: number): Float64Array {
  const prior = new Float64Array(C);
  for (const c of labels) if (c >= 0 && c < C) prior[c] += 1;
  for (let c = 0; c < C; c++) prior[c] = Math.max(prior[c], 0.5) / labels.length;
  return prior;
}

/**
 * The online Bayes classifier (info/online-classifier.ts) along the first paths of the `em` sampler, for a
 * conditional denoiser with labelled data: the streams are rebuilt as `denoiserPathsRoute` draws them, so the
 * classifier's Euler–Maruyama steps (the null-class output, −1) retrace those paths. Its prior is the labels'
 * frequencies. Undefined for another sampler, an unconditional denoiser or unlabelled data.
 */
async function classifierAlongPaths(denoiser: Denoiser, data: Batch, sigmas: Float64Array, o: DenoiserPathsOptions): Promise<PathsPayload["classifier"]> {
  const C = denoiser.numClasses ?? 0;
  if (o.sampler !== "em" || !o.labels || C < 2 || !(sigmas[sigmas.length - 1] > 0)) return undefined;
  const k = Math.min(o.n, o.classifierPaths ?? 64);
  const prior = labelPrior(o.labels, C);
  // the sampler's streams: path i drew its start from stream i (redrawn here, the same starts), then its noise from
  // the stream's first fork
  const rngs = sampleRngs(o.seed, o.n).slice(0, k);
  const starts = dataStarts(data, rngs, sigmas[0]);
  const r = await onlineClassifier(denoiser, starts, sigmas, C, { rng: rngs.map((g) => g.fork()), prior, signal: o.signal });
  const predicted = new Array<number>(C).fill(0);
  for (let i = 0; i < k; i++) {
    let best = 0;
    for (let c = 1; c < C; c++) if (r.probabilities[i * C + c] > r.probabilities[i * C + best]) best = c;
    predicted[best]++;
  }
  return {
    paths: k,
    classEntropy: r.classEntropy.map((e) => e.value),
    standardError: r.classEntropy.map((e) => e.standardError),
    steepestFall: steepestFall(r),
    predicted,
  };
}

/** Options of {@link denoiserPathsRoute} (those of `pathsReport`). */
export interface DenoiserPathsOptions {
  sampler: SamplerName;
  steps: number;
  n: number;
  sigmaMin: number;
  /** @default max(10, 5 √Tr Cov(y)) over the data samples */
  sigmaMax?: number;
  seed: number;
  /** @default 8 */
  keep?: number;
  /** @default min(n, 64) */
  lyapunovPaths?: number;
  /** Tangent directions followed (the largest exponents). @default the dimension */
  lyapunovDirections?: number;
  /** The sampler's settings (η, S_churn …). */
  samplerOptions?: SamplerSettings;
  /**
   * Labels of the data samples: with a conditional denoiser and the `em` sampler, the online Bayes classifier runs
   * along the first `classifierPaths` paths (the same states: the same starts and noise streams).
   */
  labels?: Int32Array;
  /** @default min(n, 64) */
  classifierPaths?: number;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
}

/**
 * Reverse trajectories of a sampler on a denoiser and finite-time Lyapunov exponents of its probability-flow
 * ODE by finite differences (`finiteTimeLyapunov` on any denoiser), as `pathsReport` does on an exact model.
 * Path i starts at `y_j + σ_max z` with y_j a data sample drawn from stream i of `sampleRngs(seed, n)` (the
 * empirical p_σmax) and draws its noise from a fork of that stream; the Lyapunov paths are the first ones.
 * The pathwise entropy and decision σ's need a posterior and are left out (`omitted` says why).
 */
export async function denoiserPathsRoute(denoiser: Denoiser, data: Batch, o: DenoiserPathsOptions): Promise<PathsPayload> {
  const D = denoiser.dim;
  const sigmaMax = o.sigmaMax ?? Math.max(10, 5 * Math.sqrt(totalVariance(data.data, data.dim)));
  if (!(sigmaMax > o.sigmaMin && o.sigmaMin > 0)) throw new InfodynError(`sigmaMax: ${sigmaMax} must exceed sigmaMin ${o.sigmaMin} > 0`);
  const sigmas = logSigmas(o.steps + 1, o.sigmaMin, sigmaMax);
  const levels = sigmas.length;
  const keep = Math.min(o.keep ?? 8, o.n);
  const lyapunovPaths = Math.min(o.lyapunovPaths ?? 64, o.n);
  const total = 2 * o.steps;

  const rngs = sampleRngs(o.seed, o.n);
  const x0 = dataStarts(data, rngs, sigmaMax);
  const noise = rngs.map((r) => r.fork());
  const trajectories = Array.from({ length: keep }, () => new Float64Array(levels * D));
  const record = (x: Batch, i: number) => {
    for (let r = 0; r < keep; r++) trajectories[r].set(x.data.subarray(r * D, (r + 1) * D), i * D);
  };
  const xEnd = await SAMPLERS[o.sampler](denoiser, x0, sigmas, {
    ...o.samplerOptions,
    rng: noise,
    signal: o.signal,
    callback: ({ i, x }) => {
      record(x, i);
      o.onProgress?.(i + 1, total);
    },
  });
  record(xEnd, levels - 1);

  const classifier = await classifierAlongPaths(denoiser, data, sigmas, o);
  const method = lyapunovMethod(o.sampler);
  const starts: Batch = { rows: lyapunovPaths, dim: D, data: x0.data.slice(0, lyapunovPaths * D) };
  const lyap = await finiteTimeLyapunov(denoiser, starts, sigmas, { method, signal: o.signal, ...(o.lyapunovDirections ? { directions: Math.min(D, o.lyapunovDirections) } : {}) });
  o.onProgress?.(total, total);
  return {
    dim: D,
    sampler: o.sampler,
    steps: o.steps,
    n: o.n,
    seed: o.seed,
    start: "data",
    sigma: Array.from(sigmas),
    // each path's spectrum sorted before the mean, with SEs and the convention, as the exact route (lyapunovSeries)
    lyapunov: { method, ...lyapunovSeries(lyap), jacobian: lyap.jacobian },
    trajectories: trajectories.map((t) => Array.from({ length: levels }, (_, i) => Array.from(t.subarray(i * D, (i + 1) * D)))),
    ...(classifier ? { classifier } : {}),
    omitted: PATHS_DENOISER_OMITTED,
  };
}

