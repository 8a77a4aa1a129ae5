import type { ClassDecision } from "../analysis/guidance/decision.js";
import type { ClassDistortion, GuidanceDistortion } from "../analysis/guidance/distortion.js";
import type { NetworkCandidate, NetworkWindowSearch } from "../analysis/guidance/network.js";
import type { GuidedSamplerName } from "../analysis/guidance/guided.js";
import type { GuidanceSchedule } from "../analysis/guidance/schedule.js";
import type { WindowCandidate, WindowSearch } from "../analysis/guidance/search.js";
import type { Estimate } from "../analysis/info/expect.js";
import { envelope, withEnvelope, type Envelope, type ModelInfo } from "./envelope.js";

/** The envelope of `guidance` (the shared {@link Envelope}). */
export type GuidanceEnvelope<P = GuidanceParams> = Envelope<"guidance", P>;

/** The parameters of `infodyn guidance` (σ range resolved). */
export interface GuidanceParams {
  class: number;
  sampler: GuidedSamplerName;
  n: number;
  steps: number;
  sigmaMin: number;
  sigmaMax: number;
  seed: number;
  /** The process whose t (and timestep) the decision interval is printed in. */
  process: string;
  /** Evaluate mode: the schedule asked for. */
  schedule?: GuidanceScheduleJson;
  /** Optimize mode: the target and the search's settings. */
  separability?: number;
  edges?: number;
  searchN?: number;
  wMax?: number;
}

/**
 * A schedule in JSON, our weight w and the papers' γ = w − 1 side by side: `{type: "constant", w, gamma}`,
 * `{type: "windows", w, gamma, windows: [{lo, hi?, w, gamma}]}` (hi absent: ∞; windows are `lo < σ ≤ hi`), or
 * `{type: "linear", gamma0, omega}` (γ(t) = gamma0 + omega·t, t = σ²).
 */
export type GuidanceScheduleJson =
  | { type: "constant"; w: number; gamma: number }
  | { type: "windows"; w: number; gamma: number; windows: { lo: number; hi?: number; w: number; gamma: number }[] }
  | { type: "linear"; gamma0: number; omega: number };

/** {@link GuidanceScheduleJson} of a schedule. */
export function guidanceScheduleJson(s: GuidanceSchedule): GuidanceScheduleJson {
  if (s.type === "constant") return { type: "constant", w: s.w, gamma: s.w - 1 };
  if (s.type === "linear") return { type: "linear", gamma0: s.gamma0, omega: s.omega };
  return {
    type: "windows",
    w: s.w,
    gamma: s.w - 1,
    windows: s.windows.map((win) => ({ lo: win.lo, ...(win.hi < Infinity ? { hi: win.hi } : {}), w: win.w, gamma: win.w - 1 })),
  };
}

/** Per-coordinate estimates as two arrays. */
export interface VectorEstimate {
  value: number[];
  standardError: number[];
}

/** The distortion of one schedule's guided law against p(y | c) (analysis/guidance/distortion.ts). */
export interface DistortionJson {
  schedule: GuidanceScheduleJson;
  mean: VectorEstimate;
  classMean: number[];
  meanShift: Estimate;
  variance: VectorEstimate;
  classVariance: number[];
  varianceRatio: Estimate;
  /** Absent on the network route (the class law is a finite training sample: no density to take a KL against). */
  kl?: Estimate & { method: string };
  klGaussianFit?: Estimate;
  w2: Estimate;
  w2Floor: number;
  separability: Estimate;
  accuracy: Estimate;
}

/** The payload of `infodyn guidance --json`. */
export interface GuidancePayload extends DistortionJson {
  className?: string;
  /**
   * `exact`: an exact labelled model; `network`: guided paths on a class-conditional denoiser, measured against its
   * labelled training set (class law = the class's training points; p(c|x) = the training set's exact posterior
   * at σ_min on the denoised end states).
   */
  route?: "exact" | "network";
  /** The σ-interval where the class is decided (peak and half-maximum width of σ·dH(c|x_σ)/dσ). */
  decision: Omit<ClassDecision, "sigma" | "rateLogSigma"> & { sigma: number[]; rateLogSigma: number[] };
  /** Optimize mode: the least-KL window at the target separability, constant guidance there, and the Pareto front. */
  optimize?: {
    target: number;
    optimum: DistortionJson & { search: CandidateJson };
    constant?: DistortionJson & { search: CandidateJson };
    /** KL(optimum) − KL(constant) on the same fresh paths (paired), with its jackknife SE. */
    klDifference?: Estimate;
    /** What the search minimised: the KL (exact route) or the sliced W₂ to the class's training points (network). */
    objective?: "kl" | "w2";
    /** Network route: sliced W₂(optimum) − sliced W₂(constant) on the same fresh starts (paired), jackknife SE. */
    w2Difference?: Estimate;
    atTarget: CandidateJson[];
    front: CandidateJson[];
    evaluations: number;
  };
  notes: string[];
}

/** A searched candidate: its schedule, separability and KL (exact route) or sliced W₂ (network) on the search's paths. */
export interface CandidateJson {
  schedule: GuidanceScheduleJson;
  separability: number;
  kl?: number;
  w2?: number;
}

export type GuidanceJson = GuidanceEnvelope & GuidancePayload;

/** The JSON of a distortion (the samples left out). */
export function distortionJson(schedule: GuidanceSchedule, d: ClassDistortion & Partial<Pick<GuidanceDistortion, "kl" | "klGaussianFit">>): DistortionJson {
  const vec = (e: Estimate[]): VectorEstimate => ({ value: e.map((v) => v.value), standardError: e.map((v) => v.standardError) });
  return {
    schedule: guidanceScheduleJson(schedule),
    mean: vec(d.mean),
    classMean: d.classMean,
    meanShift: d.meanShift,
    variance: vec(d.variance),
    classVariance: d.classVariance,
    varianceRatio: d.varianceRatio,
    ...(d.kl ? { kl: d.kl } : {}),
    ...(d.klGaussianFit ? { klGaussianFit: d.klGaussianFit } : {}),
    w2: d.w2,
    w2Floor: d.w2Floor,
    separability: d.separability,
    accuracy: d.accuracy,
  };
}

const candidateJson = (c: WindowCandidate): CandidateJson => ({ schedule: guidanceScheduleJson(c.schedule), separability: c.separability, kl: c.kl });

/** The `optimize` key of a {@link WindowSearch}. */
export function searchJson(s: WindowSearch): NonNullable<GuidancePayload["optimize"]> {
  return {
    target: s.target,
    optimum: { ...distortionJson(s.optimum.schedule, s.optimum.distortion), search: candidateJson(s.optimum.search) },
    ...(s.constant ? { constant: { ...distortionJson(s.constant.schedule, s.constant.distortion), search: candidateJson(s.constant.search) } } : {}),
    ...(s.klDifference ? { klDifference: s.klDifference } : {}),
    atTarget: s.atTarget.map(candidateJson),
    front: s.front.map(candidateJson),
    evaluations: s.evaluations,
  };
}

/** The envelope of `guidance`. */
export function guidanceEnvelope(model: ModelInfo, params: GuidanceParams): GuidanceEnvelope {
  return envelope("guidance", model, params);
}

/**
 * The JSON contract of `infodyn guidance --json`: the envelope (command, version, model, params), then the payload;
 * every number is checked finite (`assertFinite`: a NaN or ±∞ is refused with its path), so ∞ window edges are
 * written by leaving `hi` out.
 *
 * @example
 * guidanceContract(payload, guidanceEnvelope(modelInfo(loaded), params)).kl; // { value, standardError, method }
 */
export function guidanceContract(payload: GuidancePayload, env: GuidanceEnvelope): GuidanceJson {
  return withEnvelope(env, payload) as unknown as GuidanceJson;
}

const networkCandidateJson = (c: NetworkCandidate): CandidateJson => ({ schedule: guidanceScheduleJson(c.schedule), separability: c.separability, w2: c.w2 });

/** The `optimize` key of a {@link NetworkWindowSearch} (objective sliced W₂; the Pareto front is separability vs sliced W₂). */
export function networkSearchJson(s: NetworkWindowSearch): NonNullable<GuidancePayload["optimize"]> {
  return {
    target: s.target,
    objective: "w2",
    optimum: { ...distortionJson(s.optimum.schedule, s.optimum.distortion), search: networkCandidateJson(s.optimum.search) },
    ...(s.constant ? { constant: { ...distortionJson(s.constant.schedule, s.constant.distortion), search: networkCandidateJson(s.constant.search) } } : {}),
    ...(s.w2Difference ? { w2Difference: s.w2Difference } : {}),
    atTarget: s.atTarget.map(networkCandidateJson),
    front: s.front.map(networkCandidateJson),
    evaluations: s.evaluations,
  };
}
