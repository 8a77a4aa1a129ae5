import { z } from "zod";
import type { InformationProfile } from "../analysis/info/grid.js";
import type { ProfilePoint } from "../analysis/info/profile.js";
import { RATE_ESTIMATOR_NAMES, type EstimatorRoute, type RateEstimatorName } from "../analysis/info/routes.js";
import type { SigmaRange } from "../analysis/scale.js";
import type { NoiseProcess, ProcessName } from "../noise/process.js";
import { type DenoiserProfile, denoiserProfilePayload } from "./denoiser-profile.js";
import { type Envelope, type SigmaGridParams, withEnvelope } from "./envelope.js";

/** The parameters of `infodyn profile`, echoed in the envelope. */
export interface ProfileParams {
  grid: SigmaGridParams;
  seed: number;
  /** Monte Carlo samples per σ where no quadrature applies (exact models). */
  samples?: number;
  /** Hutchinson probes per sample of the divergence above D = 16 (exact models). */
  probes?: number;
  /** Forward process of `t` and `entropyRateTime`, or null. */
  process: ProcessName | null;
  /** Denoiser route: the estimators' settings (data samples per σ, Hutchinson probes, noise draws, ε/σ). */
  estimators?: { samples: number; probes: number; noiseDraws: number; epsilon: number };
  /** Peaks refined by Brent's method (`--refine-peaks`); false: the grid argmax with its bracket. */
  refinePeaks?: boolean;
  /** The data's default σ range (analysis/scale.ts), when an end of the grid came from it. */
  defaultRange?: SigmaRange;
}

/** One array per σ (ascending), aligned with `sigma`. */
type Series = number[];

/** The rate estimators of THEORY.md §3 as curves (`jacobianSpectrum` only where the covariance's eigenvalues are computed: D ≤ 16). */
export interface RateEstimatorSeries {
  scoreNorm: Series;
  divergence: Series;
  fisherTrace: Series;
  jacobianSpectrum?: Series;
  posteriorVariance: Series;
}

/** The series keys of the profile, in the order of the JSON. */
export const PROFILE_SERIES = [
  "conditionalEntropy",
  "mutualInformation",
  "mmse",
  "entropyRate",
  "marginalEntropyRate",
  "bandwidth",
  "scoreNormSq",
  "meanDivergence",
  "pathwiseEntropyVariance",
  "classEntropy",
  "classEntropyRate",
] as const;
export type ProfileSeriesKey = (typeof PROFILE_SERIES)[number];
export const RATE_ESTIMATORS = RATE_ESTIMATOR_NAMES;

/**
 * The payload of `infodyn profile --json` (issue 4): curves aligned with `sigma` (ascending), keys omitted where
 * they do not apply to the model, standard errors where a number is a Monte Carlo estimate, and the peaks.
 */
export interface ProfilePayload extends Partial<Record<ProfileSeriesKey, Series>> {
  dim: number;
  sigma: Series;
  mmse: Series;
  entropyRate: Series;
  entropyRateEstimators: RateEstimatorSeries;
  /** The independent routes among the estimators, each with its reason (names in one route are one quantity). */
  independent: EstimatorRoute[];
  /** Each route's first estimator minus `posteriorVariance`, paired over the same draws (the routes' check). */
  routeDifference?: Partial<Record<RateEstimatorName, Series>>;
  marginalEntropyRate: Series;
  bandwidth: Series;
  scoreNormSq: Series;
  meanDivergence: Series;
  standardError?: Partial<Record<ProfileSeriesKey, Series>> & {
    entropyRateEstimators?: Partial<RateEstimatorSeries>;
    routeDifference?: Partial<Record<RateEstimatorName, Series>>;
  };
  peaks: InformationProfile["peaks"];
  /** t(σ) of `--process`. */
  t?: Series;
  /** dH/dt = (dσ/dt)·dH/dσ of `--process`. */
  entropyRateTime?: Series;
  /** Denoiser route: how the numbers were estimated. */
  method?: string;
  /** The keys left out, each with the reason (the denoiser route's; `jacobianSpectrum` above D = 16). */
  omitted?: Record<string, string>;
}

/** The JSON of `infodyn profile --json`. */
export type ProfileJson = Envelope<"profile", ProfileParams> & ProfilePayload;

/** What a profile result is: an exact model's {@link InformationProfile} or a {@link DenoiserProfile}. */
export type ProfileResult = { profile: InformationProfile; process?: NoiseProcess } | { denoiser: DenoiserProfile; process?: NoiseProcess };

/** The payload of the exact route (the keys and order of issue 4's contract, with the routes after the estimators). */
export function exactProfilePayload(profile: InformationProfile): ProfilePayload {
  const pts = profile.points;
  const out: Record<string, unknown> = { dim: profile.dim, sigma: profile.sigma };
  const series = (pick: (p: ProfilePoint) => number | undefined) => {
    const v = pts.map(pick);
    return v.every((x) => x !== undefined) ? (v as number[]) : undefined;
  };
  const estimators = RATE_ESTIMATORS.filter((e) => pts.every((p) => p.entropyRateEstimators[e] !== undefined));
  const checked = RATE_ESTIMATORS.filter((e) => pts.length > 0 && pts.every((p) => p.routeDifference?.[e] !== undefined));
  const mc = pts.some((p) => p.standardError);
  for (const key of PROFILE_SERIES) {
    const v = series((p) => p[key]);
    if (v) out[key] = v;
    if (key === "entropyRate") {
      out.entropyRateEstimators = Object.fromEntries(estimators.map((e) => [e, pts.map((p) => p.entropyRateEstimators[e]!)]));
      out.independent = profile.independent;
      if (checked.length > 0) out.routeDifference = Object.fromEntries(checked.map((e) => [e, pts.map((p) => p.routeDifference![e]!)]));
    }
  }
  if (mc) {
    const se: Record<string, unknown> = {};
    for (const key of PROFILE_SERIES) {
      if (!(key in out)) continue;
      se[key] = pts.map((p) => (p.standardError ? (p.standardError[key] ?? 0) : 0));
    }
    se.entropyRateEstimators = Object.fromEntries(estimators.map((e) => [e, pts.map((p) => p.standardError?.entropyRateEstimators?.[e] ?? 0)]));
    if (checked.length > 0) se.routeDifference = Object.fromEntries(checked.map((e) => [e, pts.map((p) => p.standardError?.routeDifference?.[e] ?? 0)]));
    out.standardError = se;
  }
  out.peaks = profile.peaks;
  if (profile.omitted) out.omitted = profile.omitted;
  return out as unknown as ProfilePayload;
}

/**
 * The JSON contract of `infodyn profile --json`: the envelope, then the curves (ascending σ) of the exact profile
 * or of the denoiser's estimators, the peaks, and with a process `t` and `entropyRateTime`.
 *
 * @example
 * profileContract({ profile: informationProfile(model, grid) }, envelope("profile", modelInfo(m), params));
 */
export function profileContract(result: ProfileResult, env: Envelope<"profile", ProfileParams>): ProfileJson {
  const payload = "profile" in result ? exactProfilePayload(result.profile) : denoiserProfilePayload(result.denoiser);
  const process = result.process;
  if (process) {
    const rate = payload.entropyRate;
    const ts = payload.sigma.map((s) => process.time(s));
    const tail = { t: ts, entropyRateTime: ts.map((t, i) => rate[i] * process.sigmaDerivative(t)) };
    // t and dH/dt follow the peaks, as they always did; the denoiser route's notes stay last.
    const { method, omitted, ...rest } = payload;
    return withEnvelope(env, { ...rest, ...tail, ...(method !== undefined ? { method } : {}), ...(omitted ? { omitted } : {}) }) as ProfileJson;
  }
  return withEnvelope(env, payload) as ProfileJson;
}

const series = z.array(z.number());
const estimatorSeries = z.strictObject({
  scoreNorm: series,
  divergence: series,
  fisherTrace: series,
  jacobianSpectrum: series.optional(),
  posteriorVariance: series,
});
const name = z.enum(RATE_ESTIMATOR_NAMES);
const byEstimator = z.partialRecord(name, series);
const peak = z
  .strictObject({ sigma: z.number(), value: z.number(), standardError: z.number().nonnegative().optional(), atBoundary: z.boolean(), low: z.number(), high: z.number(), refined: z.boolean().optional() })
  .refine((p) => p.low <= p.sigma && p.sigma <= p.high, "the bracket must hold σ: low ≤ sigma ≤ high");
const optionalSeries = Object.fromEntries(PROFILE_SERIES.map((k) => [k, series.optional()])) as Record<ProfileSeriesKey, z.ZodOptional<typeof series>>;

/**
 * The schema of `infodyn profile --json` (zod; {@link ProfileJson} is its TypeScript form): every key, its type,
 * and no other key. `independent` must name every estimator of `entropyRateEstimators` exactly once.
 *
 * @example
 * profileJsonSchema.parse(JSON.parse(stdout)); // throws, naming the key, on any departure from the contract
 */
export const profileJsonSchema = z
  .strictObject({
    command: z.literal("profile"),
    version: z.string(),
    model: z.unknown(),
    params: z.unknown(),
    dim: z.number().int().positive(),
    sigma: series,
    ...optionalSeries,
    mmse: series,
    entropyRate: series,
    entropyRateEstimators: estimatorSeries,
    independent: z.array(z.strictObject({ estimators: z.array(name).min(1), reason: z.string().min(1) })).min(1),
    routeDifference: byEstimator.optional(),
    marginalEntropyRate: series,
    bandwidth: series,
    scoreNormSq: series,
    meanDivergence: series,
    standardError: z.looseObject({ entropyRateEstimators: byEstimator.optional(), routeDifference: byEstimator.optional() }).optional(),
    peaks: z.strictObject({ entropyRateLogSigma: peak.optional(), pathwiseEntropyVariance: peak.optional(), classEntropyRate: peak.optional() }),
    t: series.optional(),
    entropyRateTime: series.optional(),
    method: z.string().optional(),
    omitted: z.record(z.string(), z.string()).optional(),
  })
  .refine((j) => {
    const named = j.independent.flatMap((r) => r.estimators).sort();
    return JSON.stringify(named) === JSON.stringify(Object.keys(j.entropyRateEstimators).sort());
  }, "independent must name every estimator of entropyRateEstimators exactly once");
