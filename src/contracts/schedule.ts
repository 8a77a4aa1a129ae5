import type { SamplerName } from "../analysis/dynamics/registry.js";
import type { BenchmarkResult } from "../analysis/schedule/benchmark.js";
import { benchmarkJson, scheduleJson } from "../analysis/schedule/report.js";
import type { Schedule, ScheduleKind } from "../analysis/schedule/schedules.js";
import type { ProcessName } from "../noise/process.js";
import { type Envelope, withEnvelope } from "./envelope.js";

/** See {@link ScheduleParams.mmse}. */
export type MmseOrigin = "exact" | "quadrature" | "monte-carlo" | "denoiser" | "none";
/** See {@link ScheduleParams.sigmaFrom}. */
export type SigmaOrigin = "option" | "model" | "samples" | "edm";

/** How the profile behind the entropies (and the entropic levels) was computed. */
export interface ScheduleProfileInfo {
  /** The mmse method in words: "closed form", "2-D quadrature", "monte-carlo (4000 draws per σ)", "denoiser loss …". */
  method: string;
  /** The integration rule: "gauss-legendre-5 per interval" or "4-point cubic on the nodes" ("trapezoid on the nodes" below 3 intervals). */
  rule: string;
  /** Log-uniform nodes of the profile on [σ_min, σ_max] (intervals + 1). */
  nodes: number;
}

/** The parameters of `infodyn schedule` (one kind and one step count without `--evaluate`). */
export interface ScheduleParams {
  kinds: ScheduleKind[];
  steps: number[];
  sigmaMin: number;
  sigmaMax: number;
  process: ProcessName;
  rho: number;
  seed: number;
  /**
   * Where the mmse profile of the entropic clocks came from: `exact` (closed form or 1-D quadrature, Gauss–Legendre
   * on the exact rate), `quadrature` (exact 2-D or radial quadrature on the profile's nodes, a 4-point cubic rule between them),
   * `monte-carlo` (Monte Carlo on the nodes, with standard errors), `denoiser` (a denoiser's loss), or `none` (no
   * model, or a baseline kind on a model whose mmse needs Monte Carlo: no profile was computed).
   */
  mmse: MmseOrigin;
  /** Monte Carlo draws per profile node (`mmse: "monte-carlo"` only). */
  samples?: number;
  /** Where σ_min and σ_max came from: the option, the model's data (README, Default noise levels), a denoiser's data samples, or EDM's 0.002 … 80 (no model). */
  sigmaFrom: { min: SigmaOrigin; max: SigmaOrigin };
  /** `--evaluate` only. */
  evaluate?: { samplers: SamplerName[]; samples: number; repeats: number };
}

/** The payload of `infodyn schedule --json`: n + 1 levels ascending, their times and entropies. */
export interface SchedulePayload {
  kind: ScheduleKind;
  /** The model's kind (absent without a model). */
  modelKind?: string;
  process: ProcessName;
  rho: number;
  sigmaMin: number;
  sigmaMax: number;
  seed: number;
  steps: number;
  sigma: number[];
  t: (number | null)[];
  /** The profile behind `entropy` (absent when none was computed). */
  profile?: ScheduleProfileInfo;
  /** Why there is no `entropy` although a model was given (its mmse needs Monte Carlo and the kind needs none). */
  entropyOmitted?: string;
  /** H(y|x_σ) − H(y|x_σmin), nats (with a model whose profile was computed). */
  entropy?: number[];
  /** Monte Carlo standard error of each entropy (estimated profiles). */
  entropyStandardError?: number[];
  /** Level standard errors (entropic kinds from an estimated profile: Monte Carlo or a denoiser's loss). */
  standardError?: number[];
}

/** The payload of `infodyn schedule --evaluate --json`: the sample-quality benchmark. */
export interface BenchmarkPayload {
  modelKind: string;
  process: ProcessName;
  rho: number;
  sigmaMin: number;
  sigmaMax: number;
  seed: number;
  samples: number;
  repeats: number;
  settings: BenchmarkResult["settings"];
  results: { kind: string; sampler: string; steps: number; nfe: number; metric: string; value: number | null; standardError: number | null }[];
  proportions: BenchmarkResult["proportions"];
  levels: BenchmarkResult["levels"];
}

export type ScheduleJson = Envelope<"schedule", ScheduleParams> & SchedulePayload;
export type BenchmarkJson = Envelope<"schedule", ScheduleParams> & BenchmarkPayload;

const header = (p: ScheduleParams, modelKind?: string) => ({
  ...(modelKind !== undefined ? { modelKind } : {}),
  process: p.process,
  rho: p.rho,
  sigmaMin: p.sigmaMin,
  sigmaMax: p.sigmaMax,
  seed: p.seed,
});

/**
 * The JSON contract of `infodyn schedule --json`: the envelope, then `{kind, modelKind, process, rho, sigmaMin,
 * sigmaMax, seed, steps, profile, entropyOmitted, sigma, t, entropy, entropyStandardError, standardError}`
 * (settings from the envelope's params; `profile` when one was computed, `entropyOmitted` when a model's was not).
 */
export function scheduleContract(
  schedule: Schedule,
  modelKind: string | undefined,
  env: Envelope<"schedule", ScheduleParams>,
  about: { profile?: ScheduleProfileInfo; entropyOmitted?: string } = {},
): ScheduleJson {
  const extra = {
    ...header(env.params, modelKind),
    steps: env.params.steps[0],
    ...(about.profile ? { profile: about.profile } : {}),
    ...(about.entropyOmitted ? { entropyOmitted: about.entropyOmitted } : {}),
  };
  return withEnvelope(env, scheduleJson(schedule, extra)) as unknown as ScheduleJson;
}

/** The JSON contract of `infodyn schedule --evaluate --json`: `{…, results: [{kind, sampler, steps, nfe, metric, value, standardError}], proportions, levels}`. */
export function benchmarkContract(result: BenchmarkResult, modelKind: string, env: Envelope<"schedule", ScheduleParams>): BenchmarkJson {
  return withEnvelope(env, benchmarkJson(result, header(env.params, modelKind))) as unknown as BenchmarkJson;
}
