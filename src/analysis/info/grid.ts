import type { DataModel } from "../../models/types.js";
import { ascending, checkGrid } from "../../noise/grid.js";
import { throwIfAborted } from "../../score/program.js";
import { checkComputable, checkProfileInvariants } from "../validity.js";
import { levelSeed } from "./design.js";
import { DEFAULT_PROBES } from "./divergence.js";
import { findPeak, type Peak } from "./peak.js";
import { discretePriorEntropy, profileAt, type ProfileOptions, type ProfilePoint } from "./profile.js";
import { exactRoutes, SPECTRUM_OMITTED, type EstimatorRoute } from "./routes.js";

export { findPeak, formatPeak, type Peak } from "./peak.js";

/** The information profile over a σ grid with its peaks (THEORY.md §3, §7 "critical windows"). */
export interface InformationProfile {
  dim: number;
  sigma: number[];
  points: ProfilePoint[];
  peaks: {
    /** argmax of dH/dlog σ = mmse/σ². */
    entropyRateLogSigma?: Peak;
    /** argmax of Var_x h(x_σ) (discrete models). */
    pathwiseEntropyVariance?: Peak;
    /** argmax of dH(c|x_σ)/dσ (labelled models). */
    classEntropyRate?: Peak;
  };
  /** The independent routes among the rate estimators (routes.ts): names in one route are one quantity. */
  independent: EstimatorRoute[];
  /** Estimators left out, with the reason (`jacobianSpectrum` above D = 16). */
  omitted?: Record<string, string>;
}

/** Options of {@link informationProfile}. */
export interface GridOptions extends ProfileOptions {
  /** Called after each σ of the grid (and each peak refinement) with work done and total. */
  onProgress?: (done: number, total: number) => void;
  /** Refine the grid peaks by Brent's method on the profile (default false: the grid argmax and its bracket). */
  refinePeaks?: boolean;
  /** Checked between σ levels and peak refinements: an aborted signal ends the run with an `AbortedError`. */
  signal?: AbortSignal;
}

/**
 * The information profile of a model on a σ grid (descending, as every grid: `logSigmas(41, 0.05, 10)`), and the
 * σ's that maximise `mmse/σ²`, `Var h` and `dH(c|x)/dσ`. The curves come back in ascending σ
 * (`ascending(sigmas)`), the order of plots and tables.
 *
 * Method: level i (ascending) is `profileAt` with the seed `levelSeed(seed, i)`: fresh Monte Carlo draws per σ, so
 * the levels' errors are independent (a curve's wiggles are its noise, as its error bars say) and any level can be
 * reproduced alone. A peak is the grid argmax with the bracket its errors allow (`Peak.low`, `Peak.high`: the
 * neighbours of every level within 2 SE of the maximum); with `refinePeaks`, Brent's method in log σ between the
 * argmax's neighbours (to 1e-10 on an exact profile; on a Monte Carlo profile with the common seed `seed`, inside
 * the bracket, which the refinement cannot narrow).
 *
 * Special cases: throws an {@link InfodynError} for a grid that is not descending and positive (no final 0).
 *
 * @example
 * const p = informationProfile(model, logSigmas(41, 0.05, 10));
 * p.peaks.entropyRateLogSigma; // { sigma, value, atBoundary, low, high }
 */
export function informationProfile(model: DataModel, grid: ArrayLike<number>, options: GridOptions = {}): InformationProfile {
  checkGrid(grid, "sigma", { zero: false });
  checkComputable(model, grid);
  const sigmas = Array.from(ascending(grid));
  const refine = options.refinePeaks === true && sigmas.length >= 3;
  const total = sigmas.length + (refine ? 3 : 0);
  const seed = options.seed ?? 0;
  const points: ProfilePoint[] = [];
  sigmas.forEach((s, i) => {
    throwIfAborted(options.signal);
    points.push(profileAt(model, s, { ...options, seed: levelSeed(seed, i) }));
    options.onProgress?.(i + 1, total);
  });
  const curves: [keyof InformationProfile["peaks"], (p: ProfilePoint) => number | undefined, (p: ProfilePoint) => number | undefined][] = [
    ["entropyRateLogSigma", (p) => p.mmse / (p.sigma * p.sigma), (p) => (p.standardError?.mmse ?? 0) / (p.sigma * p.sigma)],
    ["pathwiseEntropyVariance", (p) => p.pathwiseEntropyVariance, (p) => p.standardError?.pathwiseEntropyVariance],
    ["classEntropyRate", (p) => p.classEntropyRate, (p) => p.standardError?.classEntropyRate],
  ];
  const peaks: InformationProfile["peaks"] = {};
  const monteCarlo = points.some((p) => p.standardError !== undefined);
  curves.forEach(([key, pick, error], c) => {
    const ys = points.map(pick);
    if (ys.some((y) => y === undefined)) return;
    throwIfAborted(options.signal);
    peaks[key] = findPeak((s) => pick(profileAt(model, s, { ...options, seed }))!, sigmas, ys as number[], {
      refine,
      noisy: monteCarlo,
      errors: monteCarlo ? points.map((p) => error(p) ?? 0) : undefined,
    });
    if (refine) options.onProgress?.(sigmas.length + c + 1, total);
  });
  options.onProgress?.(total, total);
  checkProfileInvariants(points, { dim: model.dim, priorEntropy: discretePriorEntropy(model), numClasses: model.numClasses });
  const spectrum = points.every((p) => p.entropyRateEstimators.jacobianSpectrum !== undefined);
  return {
    dim: model.dim,
    sigma: [...sigmas],
    points,
    peaks,
    independent: exactRoutes(model, options.probes ?? DEFAULT_PROBES),
    ...(spectrum ? {} : { omitted: { jacobianSpectrum: SPECTRUM_OMITTED } }),
  };
}
