import { InfodynError } from "../../errors.js";
import { vpCosine, type NoiseProcess } from "../../noise/process.js";
import { ascending, edmSigmas, logSigmas } from "../../noise/grid.js";
import { clockIncrements, type Clock, type EntropicProfile } from "./entropic-profile.js";
import { clockStandardError, entropicLevels, nodeClock } from "./invert.js";

/** Schedule names as the CLI spells them (THEORY.md §7, §9.1). */
export type ScheduleKind = "entropic" | "rescaled-entropic" | "edm" | "uniform" | "log" | "cosine";
export const SCHEDULE_KINDS: readonly ScheduleKind[] = ["entropic", "rescaled-entropic", "edm", "uniform", "log", "cosine"];

/**
 * A schedule of n steps: n + 1 levels ascending from σ_min to σ_max (the order they are printed and plotted), their
 * times and entropies; `sigmaGrid(schedule.sigma)` is the descending grid a sampler takes (noise/grid.ts).
 */
export interface Schedule {
  kind: ScheduleKind;
  /** σ_0 = σ_min < … < σ_n = σ_max. */
  sigma: Float64Array;
  /** t_i = t(σ_i) of the chosen process (entropic levels depend on σ only: paper Thm 5.2). */
  t: Float64Array;
  /** H(y|x_{σ_i}) − H(y|x_{σ_min}) in nats (φ_H relative to σ_min), when a profile is given. */
  entropy?: Float64Array;
  /** Monte Carlo standard error of each level (entropic kinds from an estimated profile), else zeros. */
  standardError: Float64Array;
  /** Monte Carlo standard error of each entropy at its printed level (estimated profiles with node errors). */
  entropyStandardError?: Float64Array;
}

/** Options of {@link scheduleSigmas}. */
export interface ScheduleOptions {
  /** EDM's ρ (default 7). */
  rho?: number;
  /** The process whose t is uniform for `uniform` and whose t is reported. */
  process: NoiseProcess;
  /** The φ profile (needed by the entropic kinds; gives `entropy` for every kind). */
  profile?: EntropicProfile;
}

/**
 * The n + 1 levels of a schedule on [σ_min, σ_max], ascending (THEORY.md §7, §9.1):
 * - `entropic`: equal steps of φ_H = H(y|x_σ); `rescaled-entropic`: equal steps of φ_R = ∫ mmse/s² ds
 *   ({@link entropicLevels}; identical to equal steps of I(y; x_σ) over the interval);
 * - `edm`: `σ_i^{1/ρ}` uniform (Karras et al. eq. 5, ρ = 7 by default); `log`: uniform in log σ;
 * - `uniform`: uniform in t of `process` (VE: uniform in σ², EDM: in σ); `cosine`: uniform in t of the VP
 *   cosine process (Nichol & Dhariwal), whatever `process` is.
 * With a profile every kind gets the entropy of its levels (and, from an estimated profile, its standard error
 * {@link clockStandardError}); without one the baselines get none.
 *
 * Special cases: throws {@link InfodynError} for an entropic kind without a profile, n < 1, or a σ range
 * that is not 0 < σ_min < σ_max or not inside the process's range (for `uniform`).
 *
 * @example
 * scheduleSigmas("log", 2, 0.1, 10, { process: edm() }).sigma; // [0.1, 1, 10]
 */
export function scheduleSigmas(kind: ScheduleKind, n: number, sigmaMin: number, sigmaMax: number, options: ScheduleOptions): Schedule {
  if (!(Number.isInteger(n) && n >= 1)) throw new InfodynError(`steps: '${n}' is not an integer ≥ 1`);
  if (!(sigmaMin > 0 && sigmaMax > sigmaMin && Number.isFinite(sigmaMax)))
    throw new InfodynError(`sigma range: need 0 < σ_min < σ_max < ∞ (got ${sigmaMin}, ${sigmaMax})`);
  let sigma: Float64Array;
  let standardError: Float64Array = new Float64Array(n + 1);
  const { process, profile } = options;
  switch (kind) {
    case "entropic":
    case "rescaled-entropic": {
      if (!profile) throw new InfodynError(`${kind}: needs the model's mmse profile`);
      const clock = kind === "entropic" ? profile.phiH : profile.phiR;
      if (!(clock[clock.length - 1] > 0))
        throw new InfodynError(
          `--kind ${kind}: mmse(σ) is 0 on [${sigmaMin}, ${sigmaMax}] (one distinct data point): no step carries information, so equal information steps are undefined; use --kind edm, log or uniform`,
        );
      const lv = entropicLevels(profile, kind === "entropic" ? "H" : "R", n);
      sigma = lv.sigma;
      standardError = lv.standardError;
      break;
    }
    case "edm":
      sigma = ascending(edmSigmas(n + 1, sigmaMin, sigmaMax, options.rho ?? 7));
      break;
    case "log":
      sigma = ascending(logSigmas(n + 1, sigmaMin, sigmaMax));
      break;
    case "uniform":
    case "cosine":
      sigma = uniformInTime(kind === "cosine" ? vpCosine() : process, n, sigmaMin, sigmaMax);
      break;
    default:
      throw new InfodynError(`--kind: unknown schedule '${kind}' (expected one of ${SCHEDULE_KINDS.join(", ")})`);
  }
  const t = sigma.map((s) => process.time(s));
  const entropy = profile ? sigma.map((s) => clockAt(profile, "H", s)) : undefined;
  const entropyStandardError = profile?.mmseStandardError.some((v) => v > 0) ? sigma.map((s) => clockStandardError(profile, "H", s)) : undefined;
  return { kind, sigma, t, entropy, standardError, ...(entropyStandardError ? { entropyStandardError } : {}) };
}

/** σ(t_i) for t uniform between t(σ_min) and t(σ_max) of a process; the ends exact. */
export function uniformInTime(process: NoiseProcess, n: number, sigmaMin: number, sigmaMax: number): Float64Array {
  const t0 = process.time(sigmaMin);
  const t1 = process.time(sigmaMax);
  if (!(Number.isFinite(t0) && Number.isFinite(t1) && t1 <= process.tMax))
    throw new InfodynError(`--sigma-max: ${sigmaMax} is beyond the range of the ${process.name} process`);
  return Float64Array.from({ length: n + 1 }, (_, i) =>
    i === 0 ? sigmaMin : i === n ? sigmaMax : process.sigma(t0 + (i / n) * (t1 - t0)),
  );
}

/**
 * φ(σ) − φ(σ_min) for a clock at any σ in the profile's range: the node value plus a 5-point Gauss–Legendre
 * integral of the exact rate (exact sources), or the partial integral of {@link nodeRule}'s cubic (estimated ones).
 */
export function clockAt(profile: EntropicProfile, clock: Clock, sigma: number): number {
  const phi = clock === "H" ? profile.phiH : profile.phiR;
  const u = Math.log(sigma);
  const N = profile.u.length - 1;
  let k = 0;
  while (k < N - 1 && profile.u[k + 1] <= u) k++;
  if (N === 0) return 0;
  if (profile.source.exact) {
    const [dH, dR] = clockIncrements(profile.source, profile.u[k], u);
    return phi[k] + (clock === "H" ? dH : dR);
  }
  return nodeClock(profile, clock, k, (u - profile.u[k]) / (profile.u[k + 1] - profile.u[k]));
}
