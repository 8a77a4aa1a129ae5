import type { Batch } from "../../batch.js";
import type { DataModel, Denoiser } from "../../models/types.js";
import { denoiserRatesProgram, type DenoiserRateOptions } from "../info/denoiser.js";
import type { DenoiseProgram } from "../../score/program.js";
import type { ProfileOptions } from "../info/profile.js";
import { exactMmse } from "./mmse.js";

/** One value of mmse(σ) with its Monte Carlo standard error (0 for exact values). */
export interface MmseValue {
  mmse: number;
  standardError: number;
}

/**
 * Where the mmse profile of entropic time comes from (THEORY.md §9.1): an exact model, or a denoiser's loss.
 * `exact` sources are smooth functions of σ that the level inversion may refine by Brent's method; estimated
 * ones are only used on their nodes and carry standard errors.
 */
export interface MmseSource {
  readonly exact: boolean;
  /** How the values are computed, for reports. */
  readonly method: string;
  /** mmse at σ; `index` numbers the profile node (estimated sources seed each node independently). */
  at(sigma: number, index: number): MmseValue;
}

/**
 * The exact mmse of a data model ({@link exactMmse}: closed form, 1-D adaptive quadrature, else the info profile).
 *
 * @example
 * modelMmse(parseModel({ kind: "gaussian", mean: [0], cov: [[1]] })).at(1, 0); // { mmse: 0.5, standardError: 0 }
 */
export function modelMmse(model: DataModel, options: ProfileOptions = {}): MmseSource {
  const st = model.structure;
  const method =
    st?.type === "gaussian" ? "closed form" : st?.type === "mixture" && model.dim === 1 ? "adaptive gauss-kronrod (1-D)" : "info profile";
  return { exact: true, method, at: (sigma) => ({ mmse: exactMmse(model, sigma, options), standardError: 0 }) };
}

/**
 * mmse from a denoiser's loss: like {@link MmseSource}, but each node value is a program that asks the denoiser
 * (so a network's source runs asynchronously). {@link entropicProfile} evaluates it once per node.
 */
export interface DenoiserMmseSource<Dn extends Denoiser = Denoiser> {
  readonly exact: false;
  readonly method: string;
  readonly denoiser: Dn;
  /** mmse at the profile node `index` (σ), with its Monte Carlo standard error. */
  node(sigma: number, index: number): DenoiseProgram<MmseValue>;
}

/**
 * mmse from a denoiser's denoising loss `E‖y − D(y + σz; σ)‖²` over data samples (THEORY.md §8, §9.1, the trained
 * model route; an upper bound on the true mmse, the gap being the score error). Node k uses seed `seed + k`, so
 * the node estimates are independent and the level standard errors of {@link entropicLevels} apply. Any
 * denoiser: an exact model or a network (then {@link entropicProfile} returns a promise).
 *
 * @example
 * entropicProfile(denoiserMmse(model, model.sample(4096, createRng(1)), { seed: 3 }), 0.05, 10); // ≈ the exact profile ± SE
 */
export function denoiserMmse<Dn extends Denoiser>(denoiser: Dn, data: Batch, options: DenoiserRateOptions = {}): DenoiserMmseSource<Dn> {
  const seed = options.seed ?? 0;
  return {
    exact: false,
    method: `denoiser loss (${data.rows} samples per σ)`,
    denoiser,
    *node(sigma, index) {
      const r = yield* denoiserRatesProgram(denoiser.dim, data, sigma, { ...options, probes: 1, seed: seed + index });
      return { mmse: r.mmse.value, standardError: r.mmse.standardError };
    },
  };
}
