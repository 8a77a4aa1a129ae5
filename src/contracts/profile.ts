import type { InformationProfile } from "../analysis/info/grid.js";
import type { ProfilePoint } from "../analysis/info/profile.js";
import type { NoiseProcess, ProcessName } from "../noise/process.js";
import { type DenoiserProfile, denoiserProfilePayload } from "./denoiser-profile.js";
import { type Envelope, type SigmaGridParams, withEnvelope } from "./envelope.js";

/** The parameters of `infodyn profile`, echoed in the envelope. */
export interface ProfileParams {
  grid: SigmaGridParams;
  seed: number;
  /** Monte Carlo samples per σ where no quadrature applies (exact models). */
  samples?: number;
  /** Forward process of `t` and `entropyRateTime`, or null. */
  process: ProcessName | null;
  /** Denoiser route: the estimators' settings (data samples per σ, Hutchinson probes, noise draws, ε/σ). */
  estimators?: { samples: number; probes: number; noiseDraws: number; epsilon: number };
}

/** One array per σ (ascending), aligned with `sigma`. */
type Series = number[];

/** The rate estimators of THEORY.md §3 as curves (`jacobianSpectrum` only for D ≤ 16 on the denoiser route). */
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
export const RATE_ESTIMATORS = ["scoreNorm", "divergence", "fisherTrace", "jacobianSpectrum", "posteriorVariance"] as const;

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
  marginalEntropyRate: Series;
  bandwidth: Series;
  scoreNormSq: Series;
  meanDivergence: Series;
  standardError?: Partial<Record<ProfileSeriesKey, Series>> & { entropyRateEstimators?: Partial<RateEstimatorSeries> };
  peaks: InformationProfile["peaks"];
  /** t(σ) of `--process`. */
  t?: Series;
  /** dH/dt = (dσ/dt)·dH/dσ of `--process`. */
  entropyRateTime?: Series;
  /** Denoiser route: how the numbers were estimated. */
  method?: string;
  /** Denoiser route: the keys left out, each with the reason. */
  omitted?: Record<string, string>;
}

/** The JSON of `infodyn profile --json`. */
export type ProfileJson = Envelope<"profile", ProfileParams> & ProfilePayload;

/** What a profile result is: an exact model's {@link InformationProfile} or a {@link DenoiserProfile}. */
export type ProfileResult = { profile: InformationProfile; process?: NoiseProcess } | { denoiser: DenoiserProfile; process?: NoiseProcess };

/** The payload of the exact route (the keys and order of issue 4's contract). */
export function exactProfilePayload(profile: InformationProfile): ProfilePayload {
  const pts = profile.points;
  const out: Record<string, unknown> = { dim: profile.dim, sigma: profile.sigma };
  const series = (pick: (p: ProfilePoint) => number | undefined) => {
    const v = pts.map(pick);
    return v.every((x) => x !== undefined) ? (v as number[]) : undefined;
  };
  for (const key of PROFILE_SERIES) {
    const v = series((p) => p[key]);
    if (v) out[key] = v;
    if (key === "entropyRate")
      out.entropyRateEstimators = Object.fromEntries(RATE_ESTIMATORS.map((e) => [e, pts.map((p) => p.entropyRateEstimators[e])]));
  }
  if (pts.some((p) => p.standardError)) {
    const se: Record<string, unknown> = {};
    for (const key of PROFILE_SERIES) {
      if (!(key in out)) continue;
      se[key] = pts.map((p) => (p.standardError ? (p.standardError[key] ?? 0) : 0));
    }
    se.entropyRateEstimators = Object.fromEntries(
      RATE_ESTIMATORS.map((e) => [e, pts.map((p) => p.standardError?.entropyRateEstimators?.[e] ?? 0)]),
    );
    out.standardError = se;
  }
  out.peaks = profile.peaks;
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
