import type { SamplerName } from "../analysis/dynamics/registry.js";
import type { SamplerSettings } from "../analysis/dynamics/sampler.js";
import { type Envelope, withEnvelope } from "./envelope.js";

/** The parameters of `infodyn paths` (the σ range resolved: the default is the data's, README "Default noise levels"). */
export interface PathsParams {
  sampler: SamplerName;
  steps: number;
  n: number;
  sigmaMin: number;
  sigmaMax: number;
  seed: number;
  /** Paths (the first ones) of the Lyapunov exponents. */
  lyapunovPaths?: number;
  /** Steps of the Lyapunov tangent flow's own log-uniform grid over [sigmaMin, sigmaMax]. */
  lyapunovSteps?: number;
  /** `exact`: starts y + σ_max z with y ~ the model; `data`: y drawn from the denoiser's data samples. */
  start: "exact" | "data";
  /**
   * The sampler's settings, present when one was given (`--eta`, `--churn`, `--s-tmin`, `--s-tmax`, `--s-noise`), with
   * the sampler's others at their defaults: `{eta, sNoise}` for ddim / euler-ancestral, `{sChurn, sTmin, sTmax,
   * sNoise}` for euler, heun, dpm2 (`sTmax` absent: ∞). Absent: every setting at its default (η = 1, S_churn = 0).
   */
  samplerOptions?: Pick<SamplerSettings, "eta" | "sChurn" | "sTmin" | "sTmax" | "sNoise">;
}

/**
 * Finite-time Lyapunov exponents along the probability-flow ODE (see `pathsReport`, `lyapunovSeries`): every number
 * per unit log σ in the direction of generation (σ decreasing), positive = nearby trajectories separate; each
 * path's spectrum sorted largest first, then averaged over the paths.
 */
export interface LyapunovSeries {
  /** ODE method (the sampler's when it is an ODE sampler, else heun). */
  method: string;
  paths: number;
  /** The Lyapunov grid's levels below σ_max, descending (its own grid: `lyapunovSteps` steps over the range). */
  sigma: number[];
  /** exponents[i]: the k finite-time exponents over [sigma[i], σ_max], largest first, averaged over paths. */
  exponents: number[][];
  /** rates[i]: local rates of the step ending at sigma[i], largest first, averaged over paths. */
  rates: number[][];
  /** Standard errors across paths of `exponents` and `rates`. */
  exponentsStandardError?: number[][];
  ratesStandardError?: number[][];
  /** Σ over the k directions (order-free), averaged over paths, with standard errors. */
  exponentSum?: number[];
  exponentSumStandardError?: number[];
  rateSum?: number[];
  rateSumStandardError?: number[];
  /** The direction and order convention, in words. */
  convention?: string;
  /** How the tangent flow's Jacobian products were computed (denoiser route: `finite-difference`). */
  jacobian?: "covariance" | "finite-difference";
}

/** The payload of `infodyn paths --json` (issue 5). */
export interface PathsPayload {
  dim: number;
  sampler: SamplerName;
  steps: number;
  n: number;
  seed: number;
  start: "exact" | "data";
  /** The levels, descending from σ_max. */
  sigma: number[];
  /** Mean, variance and SE of h(x_σ) over the paths (discrete exact models). */
  pathwiseEntropy?: { mean: number[]; variance: number[]; standardError: number[]; varianceStandardError?: number[] };
  /** Histogram of the paths' decision σ's, log-uniform bins (discrete exact models). */
  decisionSigma?: { edges: number[]; counts: number[] };
  lyapunov: LyapunovSeries;
  /** The first trajectories in full, each levels × D. */
  trajectories: number[][][];
  /**
   * Denoiser route, a conditional denoiser on labelled data with the `em` sampler: the online Bayes classifier
   * along the first `paths` paths (THEORY.md §9.3) — the path average of its entropy −Σ p(c|x) log p(c|x) at each
   * level of `sigma` with its SE, where it falls fastest per unit log σ (over 5 levels), and the classes it ends on.
   */
  classifier?: { paths: number; classEntropy: number[]; standardError: number[]; steepestFall: { sigma: number; value: number }; predicted: number[] };
  /** Denoiser route: the keys left out, each with the reason. */
  omitted?: Record<string, string>;
}

export type PathsJson = Envelope<"paths", PathsParams> & PathsPayload;

/** Why the pathwise keys are missing on the denoiser route. */
export const PATHS_DENOISER_OMITTED: Record<string, string> = {
  pathwiseEntropy: "h(x_σ) = −Σ w log w needs the posterior weights (an exact model)",
  decisionSigma: "a path's decision σ is where its pathwise entropy drops most (an exact model)",
};

/**
 * The JSON contract of `infodyn paths --json`: the envelope, then `pathsReport`'s payload (exact models) or the
 * denoiser route's (no pathwise entropy); the report's own `version` and `model` (the model kind) give way to the
 * envelope's.
 *
 * @example
 * pathsContract(pathsReport(model, { n: 100 }), envelope("paths", modelInfo(m), params));
 */
export function pathsContract(payload: PathsPayload | Record<string, unknown>, env: Envelope<"paths", PathsParams>): PathsJson {
  return withEnvelope(env, payload) as unknown as PathsJson;
}
