import { toRows } from "../../batch.js";
import { InfodynError } from "../../errors.js";
import type { DataModel } from "../../models/types.js";
import { VERSION } from "../../version.js";
import { dataMoments, exactNoisy } from "./initial.js";
import { finiteTimeLyapunov } from "./lyapunov.js";
import { pathwiseEntropyAlong, samplePaths } from "./pathwise.js";
import { isOdeSampler, SAMPLER_NAMES, type SamplerName } from "./registry.js";
import { ascending, logSigmas } from "../../noise/grid.js";
import { checkComputable } from "../validity.js";

/** Options of {@link pathsReport} (the `infodyn paths` command). */
export interface PathsOptions {
  /** @default "em" */
  sampler?: SamplerName;
  /** Steps of the log-uniform σ grid (steps + 1 levels). @default 200 */
  steps?: number;
  /** Number of trajectories. @default 1000 */
  n?: number;
  /** @default 0.01 */
  sigmaMin?: number;
  /** @default max(10, 5 √Tr Cov(y)) */
  sigmaMax?: number;
  /** @default 0 */
  seed?: number;
  /** Trajectories written out in full. @default 8 */
  keep?: number;
  /** Trajectories (the first ones) along which Lyapunov exponents are computed. @default min(n, 64) */
  lyapunovPaths?: number;
  /** Bins of the decision-σ histogram, log-uniform over [σ_min, σ_max]. @default 20 */
  bins?: number;
  /** Called with (done, total) as the work proceeds. */
  onProgress?: (done: number, total: number) => void;
  /** Checked between units of work: an aborted signal ends the run with an `AbortedError`. */
  signal?: AbortSignal;
}

/**
 * The JSON contract of `infodyn paths` (issue 5): `{sigma, sampler, pathwiseEntropy: {mean, variance, standardError},
 * decisionSigma: {edges, counts}, lyapunov: {method, paths, sigma, exponents}, trajectories}` plus the parameters.
 *
 * Method: n trajectories start from the exact `p_σmax` (y + σ_max z) and run the sampler down a log-uniform grid
 * (THEORY.md §4). The pathwise entropy and decisions need a discrete model and are omitted otherwise.
 * Lyapunov exponents follow the probability-flow ODE from the same starts (the chosen sampler's method when it is
 * an ODE sampler, else Heun): `exponents[i]` are the k = D finite-time exponents over [sigma[i], σ_max], averaged
 * over paths (per unit log σ; positive = separating under the reverse flow); the grid's first level has none.
 * `rates[i]` are the local rates of the step from sigma[i−1] to sigma[i] (log|R_jj| / Δlog σ, averaged over paths):
 * positive while the paths through that step are separating, i.e. deciding.
 *
 * @example
 * pathsReport(twoDeltas, { n: 200, steps: 100, seed: 1 }).decisionSigma; // counts peak near σ ≈ 1
 */
export function pathsReport(model: DataModel, options: PathsOptions = {}): Record<string, unknown> {
  const sampler = options.sampler ?? "em";
  if (!SAMPLER_NAMES.includes(sampler)) throw new InfodynError(`sampler: unknown sampler '${sampler}' (expected one of ${SAMPLER_NAMES.join(", ")})`);
  const steps = options.steps ?? 200;
  const n = options.n ?? 1000;
  const seed = options.seed ?? 0;
  const sigmaMin = options.sigmaMin ?? 0.01;
  const sigmaMax = options.sigmaMax ?? Math.max(10, 5 * Math.sqrt(dataMoments(model, seed).variance * model.dim));
  if (!(sigmaMax > sigmaMin && sigmaMin > 0)) throw new InfodynError(`sigmaMax: ${sigmaMax} must exceed sigmaMin ${sigmaMin} > 0`);
  checkComputable(model, [sigmaMax, sigmaMin], "sigma range");
  const lyapunovPaths = Math.min(options.lyapunovPaths ?? 64, n);
  const sigmas = logSigmas(steps + 1, sigmaMin, sigmaMax);
  const total = 2 * steps;
  const pathOptions = {
    n,
    seed,
    sampler,
    keep: options.keep ?? 8,
    start: "exact" as const,
    onProgress: (done: number) => options.onProgress?.(done, total),
    signal: options.signal,
  };

  const out: Record<string, unknown> = { version: VERSION, model: model.kind, dim: model.dim, sampler, steps, n, seed, start: "exact", sigma: Array.from(sigmas) };
  let trajectories;
  if (model.discrete) {
    const p = pathwiseEntropyAlong(model, sigmas, pathOptions);
    trajectories = p.trajectories;
    out.pathwiseEntropy = { mean: Array.from(p.mean), variance: Array.from(p.variance), standardError: Array.from(p.standardError) };
    out.decisionSigma = histogramLog(p.decisionSigma, sigmaMin, sigmaMax, options.bins ?? 20);
  } else trajectories = samplePaths(model, sigmas, pathOptions).trajectories;

  const method = isOdeSampler(sampler) ? sampler : "heun";
  const lyap = finiteTimeLyapunov(model, exactNoisy(model, lyapunovPaths, sigmaMax, seed), sigmas, { method, signal: options.signal });
  options.onProgress?.(total, total);
  const k = lyap.directions;
  out.lyapunov = {
    method,
    paths: lyapunovPaths,
    sigma: Array.from(lyap.sigma.subarray(1)),
    exponents: Array.from({ length: lyap.sigma.length - 1 }, (_, i) => Array.from(lyap.meanCumulative.subarray((i + 1) * k, (i + 2) * k))),
    rates: meanStepRates(lyap.logGrowth, lyap.sigma, lyapunovPaths, k),
  };
  out.trajectories = trajectories.map(toRows);
  return out;
}

/** Mean over paths of each step's log|R_jj| per unit log σ, steps × k (the `rates` of a paths report). */
export function meanStepRates(logGrowth: Float64Array, sigma: Float64Array, rows: number, k: number): number[][] {
  const steps = sigma.length - 1;
  return Array.from({ length: steps }, (_, i) => {
    const dl = Math.log(sigma[i] / sigma[i + 1]);
    return Array.from({ length: k }, (_, j) => {
      let s = 0;
      for (let r = 0; r < rows; r++) s += logGrowth[(r * steps + i) * k + j];
      return s / rows / dl;
    });
  });
}

/** Counts of values in log-uniform bins over [a, b] (edges ascending, bins + 1 of them; the top edge is closed). */
export function histogramLog(values: ArrayLike<number>, a: number, b: number, bins: number): { edges: number[]; counts: number[] } {
  const edges = ascending(logSigmas(bins + 1, a, b));
  const counts = new Array<number>(bins).fill(0);
  const la = Math.log(a);
  const width = (Math.log(b) - la) / bins;
  for (let i = 0; i < values.length; i++) {
    const j = Math.floor((Math.log(values[i]) - la) / width);
    if (j >= 0 && j <= bins) counts[Math.min(j, bins - 1)]++;
  }
  return { edges: Array.from(edges), counts };
}
