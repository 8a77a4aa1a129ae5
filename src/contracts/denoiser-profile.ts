import type { DenoiserClassProfile } from "../analysis/info/class-rate.js";
import type { DenoiserRates } from "../analysis/info/denoiser.js";
import { integrateFromTop } from "../analysis/info/integrate.js";
import { findPeak, type Peak } from "../analysis/info/peak.js";
import { denoiserRoutes, type EstimatorRoute } from "../analysis/info/routes.js";
import type { ProfilePayload, RateEstimatorSeries } from "./profile.js";

/** The rate estimators in the order of the JSON (profile.ts's RATE_ESTIMATORS; type-only import: no module cycle). */
const RATE_ESTIMATORS = ["scoreNorm", "divergence", "fisherTrace", "jacobianSpectrum", "posteriorVariance"] as const;

/**
 * The information profile of a denoiser on data samples (the denoiser route of `infodyn profile`): the estimates
 * of {@link denoiserRateProfile} at each σ (ascending), and what follows from them without a posterior.
 */
export interface DenoiserProfile {
  dim: number;
  sigma: number[];
  rates: DenoiserRates[];
  /**
   * I(y; x_σ) = ∫_σ^∞ mmse(s)/s³ ds (dI/dσ = −dH(y|x_σ)/dσ, I → 0 as σ → ∞): the trapezoid rule in log σ on the grid
   * from σ to σ_max, plus the tail above σ_max of the isotropic Gaussian law with the data's total variance T,
   * `(D/2) log(1 + T/(D σ_max²))` (exact for that law; every law's tail tends to T/(2σ_max²)). `standardError` is
   * the sum of the nodes' |weight|·SE, an upper bound (the levels share their data samples; the tail's is left out).
   */
  mutualInformation: { value: number; standardError: number }[];
  /**
   * Grid maximum of dH/dlog σ = mmse/σ² (no refinement: the curve is an estimate), with the bracket of the levels
   * within 2 SE (each level's SE combined as if independent: the levels share their data samples, so the true
   * difference errors are smaller and the bracket errs wide).
   */
  peaks: { entropyRateLogSigma?: Peak; classEntropyRate?: Peak };
  /**
   * A conditional denoiser with labelled data samples: H(c|x_σ) and dH(c|x_σ)/dσ from its conditional and
   * unconditional outputs (class-rate.ts, `denoiserClassProfile`), on the same σ's.
   */
  classes?: DenoiserClassProfile;
  /** The independent routes among the estimators (routes.ts, `denoiserRoutes`). */
  independent: EstimatorRoute[];
  method: string;
}

/** Options of {@link denoiserProfile}. */
export interface DenoiserProfileOptions {
  /** Tr Cov(y) of the data (for the tail of I above σ_max); default: mmse at σ_max, its lower bound. */
  traceCov?: number;
  /** How the estimates were made, for the output. */
  method?: string;
  /** Hutchinson probes per point (for the routes' reasons; default 1). */
  probes?: number;
  /** The class profile of a conditional denoiser on the same σ's. */
  classes?: DenoiserClassProfile;
}

/**
 * Assembles a {@link DenoiserProfile} from the per-σ estimates of `denoiserRateProfile` (ascending σ): the
 * mutual information by integrating the rate, and the grid peak of mmse/σ².
 *
 * @example
 * denoiserProfile(await denoiserRateProfile(net, data, [0.5, 1, 2]), 2, { traceCov: 1 }).mutualInformation[0].value;
 */
export function denoiserProfile(rates: DenoiserRates[], dim: number, { traceCov, method = "", probes = 1, classes }: DenoiserProfileOptions = {}): DenoiserProfile {
  const sigma = rates.map((r) => r.sigma);
  const n = sigma.length;
  for (let i = 1; i < n; i++) if (!(sigma[i] > sigma[i - 1])) throw new RangeError("denoiserProfile: the rates must be in ascending σ");
  const g = rates.map((r, i) => r.mmse.value / (sigma[i] * sigma[i]));
  const ge = rates.map((r, i) => r.mmse.standardError / (sigma[i] * sigma[i]));
  // From the top: the tail beyond σ_max, then one trapezoid per interval in u = log σ.
  const top = sigma[n - 1];
  const T = traceCov ?? (n > 0 ? rates[n - 1].mmse.value : 0);
  const mi = integrateFromTop(sigma, g, ge, n > 0 ? 0.5 * dim * Math.log1p(T / (dim * top * top)) : 0);
  const peak = findPeak(() => NaN, sigma, g, { refine: false, errors: ge });
  const spectrum = rates.length > 0 && rates.every((r) => r.entropyRateEstimators.jacobianSpectrum !== undefined);
  const independent = denoiserRoutes(dim, probes).map((r) => ({ ...r, estimators: r.estimators.filter((e) => e !== "jacobianSpectrum" || spectrum) }));
  if (classes && !(classes.sigma.length === n && classes.sigma.every((x, i) => x === sigma[i]))) throw new RangeError("denoiserProfile: the class profile must be on the rates' σ's");
  const peaks = { ...(peak ? { entropyRateLogSigma: peak } : {}), ...(classes?.peak ? { classEntropyRate: classes.peak } : {}) };
  return { dim, sigma, rates, mutualInformation: mi, peaks, independent, method, ...(classes ? { classes } : {}) };
}

/** Why each quantity of the exact profile is missing on the denoiser route. */
export const DENOISER_OMITTED: Record<string, string> = {
  conditionalEntropy: "H(y|x_σ) = H(y) − I(y; x_σ) needs the entropy of the data law, which data samples do not give",
  pathwiseEntropyVariance: "needs the posterior weights (an exact model)",
  classEntropy: "needs the class posterior p(c|x) (an exact model), or a conditional denoiser with labelled data samples",
  classEntropyRate: "needs the class posterior p(c|x) (an exact model), or a conditional denoiser with labelled data samples",
};

/** The payload of the denoiser route: the same keys where the estimators give them (see {@link DENOISER_OMITTED}). */
export function denoiserProfilePayload(p: DenoiserProfile): ProfilePayload {
  const D = p.dim;
  const r = p.rates;
  const est = (pick: (x: DenoiserRates) => { value: number; standardError: number } | undefined) => ({
    value: r.map((x) => pick(x)!.value),
    se: r.map((x) => pick(x)!.standardError),
  });
  const hasSpectrum = r.length > 0 && r.every((x) => x.entropyRateEstimators.jacobianSpectrum !== undefined);
  const names = RATE_ESTIMATORS.filter((e) => e !== "jacobianSpectrum" || hasSpectrum);
  const estimators = Object.fromEntries(names.map((e) => [e, est((x) => x.entropyRateEstimators[e])])) as Record<string, { value: number[]; se: number[] }>;
  const mmse = est((x) => x.mmse);
  const rate = est((x) => x.entropyRate);
  const sn = est((x) => x.scoreNormSq);
  const div = est((x) => x.meanDivergence);
  const mi = { value: p.mutualInformation.map((m) => m.value), se: p.mutualInformation.map((m) => m.standardError) };
  const hasDiff = r.length > 0 && r.every((x) => x.routeDifference !== undefined);
  const diffs = hasDiff ? Object.fromEntries(Object.keys(r[0].routeDifference!).map((e) => [e, est((x) => x.routeDifference![e as keyof DenoiserRates["entropyRateEstimators"]])])) : {};
  const pickDiff = (k: "value" | "se") => Object.fromEntries(Object.entries(diffs).map(([e, v]) => [e, v[k]]));
  const cls = p.classes;
  const classEntropy = cls ? { value: cls.classEntropy.map((e) => e.value), se: cls.classEntropy.map((e) => e.standardError) } : undefined;
  const classRate = cls ? { value: cls.rates.map((e) => e.classEntropyRate.value), se: cls.rates.map((e) => e.classEntropyRate.standardError) } : undefined;
  const omitted = { ...DENOISER_OMITTED };
  if (cls) {
    delete omitted.classEntropy;
    delete omitted.classEntropyRate;
  }
  const pick = (o: Record<string, { value: number[]; se: number[] }>, k: "value" | "se") =>
    Object.fromEntries(Object.entries(o).map(([e, v]) => [e, v[k]])) as unknown as RateEstimatorSeries;
  return {
    dim: D,
    sigma: p.sigma,
    mutualInformation: mi.value,
    mmse: mmse.value,
    entropyRate: rate.value,
    entropyRateEstimators: pick(estimators, "value"),
    independent: p.independent,
    ...(hasDiff ? { routeDifference: pickDiff("value") } : {}),
    marginalEntropyRate: p.sigma.map((s, i) => D / s - rate.value[i]),
    bandwidth: p.sigma.map((s) => D / s),
    scoreNormSq: sn.value,
    meanDivergence: div.value,
    ...(classEntropy && classRate ? { classEntropy: classEntropy.value, classEntropyRate: classRate.value } : {}),
    standardError: {
      mutualInformation: mi.se,
      mmse: mmse.se,
      entropyRate: rate.se,
      entropyRateEstimators: pick(estimators, "se"),
      ...(hasDiff ? { routeDifference: pickDiff("se") } : {}),
      marginalEntropyRate: rate.se,
      scoreNormSq: sn.se,
      meanDivergence: div.se,
      ...(classEntropy && classRate ? { classEntropy: classEntropy.se, classEntropyRate: classRate.se } : {}),
    },
    peaks: p.peaks,
    method: p.method,
    omitted,
  };
}

