import type { DataModel } from "../../models/types.js";
import { ascending, checkGrid } from "../../noise/grid.js";
import { bracketMaximum, brentMaximize } from "../../numeric/brent.js";
import { throwIfAborted } from "../../score/program.js";
import { checkComputable, checkProfileInvariants } from "../validity.js";
import { discretePriorEntropy, profileAt, type ProfileOptions, type ProfilePoint } from "./profile.js";

/** A located maximum of a profile curve. */
export interface Peak {
  sigma: number;
  value: number;
  /** True when the maximum sits at an end of the searched σ range (no interior peak found). */
  atBoundary: boolean;
}

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
}

/** Options of {@link informationProfile}. */
export interface GridOptions extends ProfileOptions {
  /** Called after each σ of the grid (and each peak refinement) with work done and total. */
  onProgress?: (done: number, total: number) => void;
  /** Refine peaks by Brent's method on the exact profile (default true). */
  refinePeaks?: boolean;
  /** Checked between σ levels and peak refinements: an aborted signal ends the run with an `AbortedError`. */
  signal?: AbortSignal;
}

/**
 * The information profile of a model on a σ grid (descending, as every grid: `logSigmas(201, 0.05, 10)`), and the σ's that maximise `mmse/σ²`, `Var h` and
 * `dH(c|x)/dσ`: grid argmax, then Brent's method in log σ on the exact profile between the grid neighbours,
 * to 1e-9 relative in σ (Monte Carlo profiles use the same seed at every σ, so the refined curve is smooth
 * in σ, but the peak carries the Monte Carlo error). The curves come back in ascending σ (`ascending(sigmas)`),
 * the order of plots and tables.
 *
 * Special cases: throws an {@link InfodynError} for a grid that is not descending and positive (no final 0).
 *
 * @example
 * const p = informationProfile(model, logSigmas(201, 0.05, 10));
 * p.peaks.entropyRateLogSigma?.sigma;
 */
export function informationProfile(model: DataModel, grid: ArrayLike<number>, options: GridOptions = {}): InformationProfile {
  checkGrid(grid, "sigma", { zero: false });
  checkComputable(model, grid);
  const sigmas = Array.from(ascending(grid));
  const total = sigmas.length + 3;
  const points: ProfilePoint[] = [];
  sigmas.forEach((s, i) => {
    throwIfAborted(options.signal);
    points.push(profileAt(model, s, options));
    options.onProgress?.(i + 1, total);
  });
  const curves: [keyof InformationProfile["peaks"], (p: ProfilePoint) => number | undefined][] = [
    ["entropyRateLogSigma", (p) => p.mmse / (p.sigma * p.sigma)],
    ["pathwiseEntropyVariance", (p) => p.pathwiseEntropyVariance],
    ["classEntropyRate", (p) => p.classEntropyRate],
  ];
  const peaks: InformationProfile["peaks"] = {};
  const monteCarlo = points.some((p) => p.method.startsWith("monte-carlo"));
  curves.forEach(([key, pick], c) => {
    const ys = points.map(pick);
    if (ys.some((y) => y === undefined)) return;
    throwIfAborted(options.signal);
    peaks[key] = findPeak((s) => pick(profileAt(model, s, options))!, sigmas, ys as number[], {
      refine: options.refinePeaks !== false && sigmas.length >= 3,
      noisy: monteCarlo,
    });
    options.onProgress?.(sigmas.length + c + 1, total);
  });
  options.onProgress?.(total, total);
  checkProfileInvariants(points, { dim: model.dim, priorEntropy: discretePriorEntropy(model), numClasses: model.numClasses });
  return { dim: model.dim, sigma: [...sigmas], points, peaks };
}

/** Grid maximum of `ys` over `sigmas`, refined by Brent in log σ between the neighbouring grid points. */
export function findPeak(
  f: (sigma: number) => number,
  sigmas: readonly number[],
  ys: readonly number[],
  { refine = true, noisy = false } = {},
): Peak | undefined {
  const [lo, k, hi] = bracketMaximum(sigmas, ys);
  if (k < 0) return undefined;
  const atBoundary = k === 0 || k === sigmas.length - 1;
  if (!refine || atBoundary || lo === hi) return { sigma: sigmas[k], value: ys[k], atBoundary };
  // Exact profiles: 1e-10 in log σ. Monte Carlo curves (common random numbers across σ) are only worth
  // locating to ~1e-4: beyond that the peak moves with the seed.
  const tol = noisy ? 1e-4 : 1e-10;
  const r = brentMaximize((u) => f(Math.exp(u)), Math.log(sigmas[lo]), Math.log(sigmas[hi]), {
    rtol: tol,
    xtol: tol,
    polish: !noisy,
  });
  const sigma = Math.exp(r.x);
  return r.value >= ys[k] ? { sigma, value: r.value, atBoundary } : { sigma: sigmas[k], value: ys[k], atBoundary };
}
