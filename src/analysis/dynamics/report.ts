import { toRows } from "../../batch.js";
import { InfodynError } from "../../errors.js";
import type { DataModel } from "../../models/types.js";
import { VERSION } from "../../version.js";
import { exactNoisy } from "./initial.js";
import { finiteTimeLyapunov, type FiniteTimeLyapunov } from "./lyapunov.js";
import { pathwiseEntropyAlong, samplePaths } from "./pathwise.js";
import { lyapunovMethod, SAMPLER_EVALUATIONS, SAMPLER_NAMES, type SamplerName } from "./registry.js";
import type { SamplerSettings } from "./sampler.js";
import { ascending, logSigmas } from "../../noise/grid.js";
import { checkComputable } from "../validity.js";
import { defaultSigmaRange } from "../scale.js";

/** Options of {@link pathsReport} (the `infodyn paths` command). */
export interface PathsOptions {
  /** @default "em" */
  sampler?: SamplerName;
  /** The sampler's settings (η, S_churn, S_tmin, S_tmax, S_noise, order; see SamplerSettings). @default none */
  samplerOptions?: SamplerSettings;
  /** Steps of the log-uniform σ grid of the paths (steps + 1 levels). @default 200 */
  steps?: number;
  /** Number of trajectories. @default 1000 */
  n?: number;
  /** @default the model's default σ range ({@link defaultSigmaRange}, README "Default noise levels"): its min */
  sigmaMin?: number;
  /** @default the default σ range's max, 10 √Tr Cov(y) */
  sigmaMax?: number;
  /** @default 0 */
  seed?: number;
  /** Trajectories written out in full. @default 8 */
  keep?: number;
  /**
   * Trajectories (the first ones) along which Lyapunov exponents are computed. @default min(n, 16): the tangent
   * flow needs the full posterior covariance, N·D² per path and ODE stage (on the digits, N = 1797 and D = 64, 16
   * paths on 50 steps cost about as much as the 1000 paths' entropies); the mean exponents come with their
   * standard error across paths.
   */
  lyapunovPaths?: number;
  /**
   * Steps of the Lyapunov tangent flow's own log-uniform grid over [σ_min, σ_max]. @default min(steps, 50): 20
   * levels per decade on the digits' range; Heun's discretisation error on the exponents there (≲ 0.003 against
   * 400 steps on the digits) is far below their spread across paths (≈ 0.2).
   */
  lyapunovSteps?: number;
  /** Bins of the decision-σ histogram, log-uniform over [σ_min, σ_max]. @default 20 */
  bins?: number;
  /** Called with (done, total) as the work proceeds (units of kernel work, estimated). */
  onProgress?: (done: number, total: number) => void;
  /** Checked between units of work: an aborted signal ends the run with an `AbortedError`. */
  signal?: AbortSignal;
}

/** The direction convention of every Lyapunov number in a paths report (echoed in its JSON). */
export const LYAPUNOV_CONVENTION =
  "per unit log σ in the direction of generation (σ decreasing); positive = nearby trajectories separate, negative = they contract; sorted largest first at each σ (per path, then averaged)";

/**
 * The JSON contract of `infodyn paths` (issue 5): `{sigma, sampler, pathwiseEntropy: {mean, variance, standardError,
 * varianceStandardError}, decisionSigma: {edges, counts}, lyapunov: {method, paths, sigma, exponents, rates, …},
 * trajectories}` plus the parameters.
 *
 * Method: n trajectories start from the exact `p_σmax` (y + σ_max z) and run the sampler down a log-uniform grid
 * (THEORY.md §4). The pathwise entropy and decisions need a discrete model and are omitted otherwise.
 * Lyapunov exponents follow the probability-flow ODE ({@link finiteTimeLyapunov}) from the first
 * `lyapunovPaths` starts, on their own log-uniform grid of `lyapunovSteps` steps over the same range (the chosen
 * sampler's method when it is an ODE sampler, else Heun); {@link lyapunovSeries} turns them into the report's
 * numbers, in the direction of generation and sorted largest first ({@link LYAPUNOV_CONVENTION}).
 *
 * Defaults: the σ range is the model's default range ({@link defaultSigmaRange}, README "Default noise levels");
 * a given `sigmaMin` or `sigmaMax` wins.
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
  const range = options.sigmaMin === undefined || options.sigmaMax === undefined ? defaultSigmaRange(model, seed) : undefined;
  const sigmaMin = options.sigmaMin ?? range!.min;
  const sigmaMax = options.sigmaMax ?? range!.max;
  if (!(sigmaMax > sigmaMin && sigmaMin > 0)) throw new InfodynError(`sigmaMax: ${sigmaMax} must exceed sigmaMin ${sigmaMin} > 0`);
  checkComputable(model, [sigmaMax, sigmaMin], "sigma range");
  const lyapunovPaths = Math.min(options.lyapunovPaths ?? 16, n);
  const lyapunovSteps = options.lyapunovSteps ?? Math.min(steps, 50);
  if (!(Number.isInteger(lyapunovPaths) && lyapunovPaths >= 1)) throw new InfodynError(`lyapunovPaths: ${options.lyapunovPaths} is not an integer ≥ 1`);
  if (!(Number.isInteger(lyapunovSteps) && lyapunovSteps >= 1)) throw new InfodynError(`lyapunovSteps: ${options.lyapunovSteps} is not an integer ≥ 1`);
  const sigmas = logSigmas(steps + 1, sigmaMin, sigmaMax);
  // Progress in units of kernel work: a path step costs N·D (one mean, its entropy alongside), a Lyapunov step
  // N·D² per path and stage (the covariance).
  const method = lyapunovMethod(sampler);
  const pathUnit = n * SAMPLER_EVALUATIONS[sampler];
  const lyapUnit = lyapunovPaths * SAMPLER_EVALUATIONS[method] * model.dim;
  const total = steps * pathUnit + lyapunovSteps * lyapUnit;
  const pathOptions = {
    n,
    seed,
    sampler,
    samplerOptions: options.samplerOptions,
    keep: options.keep ?? 8,
    start: "exact" as const,
    onProgress: (done: number) => options.onProgress?.(done * pathUnit, total),
    signal: options.signal,
  };

  const out: Record<string, unknown> = { version: VERSION, model: model.kind, dim: model.dim, sampler, steps, n, seed, start: "exact", sigma: Array.from(sigmas) };
  let trajectories;
  if (model.discrete) {
    const p = pathwiseEntropyAlong(model, sigmas, pathOptions);
    trajectories = p.trajectories;
    out.pathwiseEntropy = {
      mean: Array.from(p.mean),
      variance: Array.from(p.variance),
      standardError: Array.from(p.standardError),
      varianceStandardError: Array.from(p.varianceStandardError),
    };
    out.decisionSigma = histogramLog(p.decisionSigma, sigmaMin, sigmaMax, options.bins ?? 20);
  } else trajectories = samplePaths(model, sigmas, pathOptions).trajectories;

  const lyap = finiteTimeLyapunov(model, exactNoisy(model, lyapunovPaths, sigmaMax, seed), logSigmas(lyapunovSteps + 1, sigmaMin, sigmaMax), {
    method,
    signal: options.signal,
    onProgress: (done) => options.onProgress?.(steps * pathUnit + done * lyapUnit, total),
  });
  options.onProgress?.(total, total);
  out.lyapunov = { method, ...lyapunovSeries(lyap) };
  out.trajectories = trajectories.map(toRows);
  return out;
}

/** The Lyapunov numbers of a paths report (`lyapunov` in its JSON, the method aside). */
export interface LyapunovSummary {
  paths: number;
  /** The grid's levels below σ_max, descending. */
  sigma: number[];
  /** exponents[i]: the k finite-time exponents Λ over [sigma[i], σ_max], largest first, averaged over paths. */
  exponents: number[][];
  /** Standard errors of `exponents` across paths (0 with one path). */
  exponentsStandardError: number[][];
  /** rates[i]: the k local rates of the step ending at sigma[i], largest first, averaged over paths. */
  rates: number[][];
  /** Standard errors of `rates` across paths. */
  ratesStandardError: number[][];
  /** Σ_j Λ_j at each level (the volume's growth rate over [sigma[i], σ_max]), averaged over paths, and its SE. */
  exponentSum: number[];
  exponentSumStandardError: number[];
  /** Σ_j of the local rates of each step, averaged over paths, and its SE. */
  rateSum: number[];
  rateSumStandardError: number[];
  /** {@link LYAPUNOV_CONVENTION}. */
  convention: string;
  /** How the tangent flow's Jacobian products were computed. */
  jacobian: "covariance" | "finite-difference";
}

/**
 * The numbers a paths report gives of a {@link FiniteTimeLyapunov} run: at each level below σ_max, the exponents
 * Λ over [σ, σ_max] and the local rates of the step ending there, both per unit log σ in the direction of
 * generation (positive = separating), each path's spectrum sorted largest first and then averaged over paths, with
 * standard errors across paths, and the sums over directions.
 *
 * Method: a path's Gram–Schmidt order is not its order of size (direction j starts as e_j), so each path's k
 * values are sorted before the mean: `exponents[i][0]` is the mean over paths of each path's largest exponent.
 * The sums do not depend on the order.
 *
 * @example
 * lyapunovSeries(finiteTimeLyapunov(model, x0, logSigmas(51, 1, 300))).rates[10][0]; // the top local rate
 */
export function lyapunovSeries(lyap: FiniteTimeLyapunov): LyapunovSummary {
  const rows = lyap.x.rows;
  const k = lyap.directions;
  const steps = lyap.sigma.length - 1;
  const acc = new Float64Array(rows * k);
  const exponents = new Stats(steps, k);
  const rates = new Stats(steps, k);
  const value = new Float64Array(k);
  for (let i = 0; i < steps; i++) {
    const dl = Math.log(lyap.sigma[i] / lyap.sigma[i + 1]);
    const span = Math.log(lyap.sigma[0] / lyap.sigma[i + 1]);
    for (let r = 0; r < rows; r++) {
      const g = (r * steps + i) * k;
      for (let j = 0; j < k; j++) {
        acc[r * k + j] += lyap.logGrowth[g + j];
        value[j] = lyap.logGrowth[g + j] / dl;
      }
      rates.add(i, value);
      for (let j = 0; j < k; j++) value[j] = acc[r * k + j] / span;
      exponents.add(i, value);
    }
  }
  const e = exponents.finish(rows);
  const l = rates.finish(rows);
  return {
    paths: rows,
    sigma: Array.from(lyap.sigma.subarray(1)),
    exponents: e.mean,
    exponentsStandardError: e.standardError,
    rates: l.mean,
    ratesStandardError: l.standardError,
    exponentSum: e.sumMean,
    exponentSumStandardError: e.sumStandardError,
    rateSum: l.sumMean,
    rateSumStandardError: l.sumStandardError,
    convention: LYAPUNOV_CONVENTION,
    jacobian: lyap.jacobian,
  };
}

/**
 * Per level: sums of each path's sorted values (descending), of their squares, and of the path's total, all shifted
 * by the first path's values (the shifted-data algorithm: no cancellation in the variance when the paths agree).
 */
class Stats {
  private readonly s: Float64Array;
  private readonly ss: Float64Array;
  private readonly t: Float64Array;
  private readonly tt: Float64Array;
  private readonly ref: Float64Array;
  private readonly refTotal: Float64Array;
  private readonly seen: Uint8Array;
  constructor(
    private readonly levels: number,
    private readonly k: number,
  ) {
    this.s = new Float64Array(levels * k);
    this.ss = new Float64Array(levels * k);
    this.t = new Float64Array(levels);
    this.tt = new Float64Array(levels);
    this.ref = new Float64Array(levels * k);
    this.refTotal = new Float64Array(levels);
    this.seen = new Uint8Array(levels);
  }
  /** Adds one path's k values at level i (sorted here, in place). */
  add(i: number, v: Float64Array): void {
    v.sort().reverse();
    const k = this.k;
    let total = 0;
    for (let j = 0; j < k; j++) total += v[j];
    if (!this.seen[i]) {
      this.seen[i] = 1;
      this.ref.set(v, i * k);
      this.refTotal[i] = total;
    }
    for (let j = 0; j < k; j++) {
      const d = v[j] - this.ref[i * k + j];
      this.s[i * k + j] += d;
      this.ss[i * k + j] += d * d;
    }
    const dt = total - this.refTotal[i];
    this.t[i] += dt;
    this.tt[i] += dt * dt;
  }
  /** Means over `rows` paths and their standard errors √(s²/rows) (0 for one path). */
  finish(rows: number) {
    const k = this.k;
    const se = (s: number, ss: number) => (rows > 1 ? Math.sqrt(Math.max(0, ss - (s * s) / rows) / (rows - 1) / rows) : 0);
    return {
      mean: Array.from({ length: this.levels }, (_, i) => Array.from({ length: k }, (_, j) => this.ref[i * k + j] + this.s[i * k + j] / rows)),
      standardError: Array.from({ length: this.levels }, (_, i) => Array.from({ length: k }, (_, j) => se(this.s[i * k + j], this.ss[i * k + j]))),
      sumMean: Array.from(this.t, (t, i) => this.refTotal[i] + t / rows),
      sumStandardError: Array.from({ length: this.levels }, (_, i) => se(this.t[i], this.tt[i])),
    };
  }
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
