import type { SamplerName } from "../analysis/dynamics/registry.js";
import type { BenchmarkResult } from "../analysis/schedule/benchmark.js";
import { benchmarkJson, scheduleJson } from "../analysis/schedule/report.js";
import type { Schedule, ScheduleKind } from "../analysis/schedule/schedules.js";
import type { ProcessName } from "../noise/process.js";
import { type Envelope, withEnvelope } from "./envelope.js";

/** The parameters of `infodyn schedule` (one kind and one step count without `--evaluate`). */
export interface ScheduleParams {
  kinds: ScheduleKind[];
  steps: number[];
  sigmaMin: number;
  sigmaMax: number;
  process: ProcessName;
  rho: number;
  seed: number;
  /** Where the mmse profile of the entropic clocks came from: the exact model, a denoiser's loss, or none. */
  mmse: "exact" | "denoiser" | "none";
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
  /** H(y|x_σ) − H(y|x_σmin), nats (with a model). */
  entropy?: number[];
  /** Level standard errors (entropic kinds from a denoiser's loss). */
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
 * sigmaMax, seed, steps, sigma, t, entropy, standardError}` (settings from the envelope's params).
 */
export function scheduleContract(schedule: Schedule, modelKind: string | undefined, env: Envelope<"schedule", ScheduleParams>): ScheduleJson {
  return withEnvelope(env, scheduleJson(schedule, { ...header(env.params, modelKind), steps: env.params.steps[0] })) as unknown as ScheduleJson;
}

/** The JSON contract of `infodyn schedule --evaluate --json`: `{…, results: [{kind, sampler, steps, nfe, metric, value, standardError}], proportions, levels}`. */
export function benchmarkContract(result: BenchmarkResult, modelKind: string, env: Envelope<"schedule", ScheduleParams>): BenchmarkJson {
  return withEnvelope(env, benchmarkJson(result, header(env.params, modelKind))) as unknown as BenchmarkJson;
}
