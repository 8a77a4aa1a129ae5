import type { Batch } from "../../batch.js";
import type { DataModel, Denoiser } from "../../models/types.js";
import { denoiserRatesProgram, type DenoiserRateOptions } from "../info/denoiser.js";
import { mixtureDesign, monteCarlo, type Design } from "../info/design.js";
import { expectation } from "../info/expect.js";
import type { DenoiseProgram } from "../../score/program.js";
import { profileAt, type ProfileOptions } from "../info/profile.js";
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
 * The mmse of a data model as a source of entropic time. Gaussians (closed form) and 1-D mixtures (adaptive
 * quadrature, {@link exactMmse}) give an `exact` source, a smooth function of σ; every other model gives the
 * node-by-node source of {@link nodeMmse} (`exact: false`: 2-D quadrature or the sphere's radial integral where
 * they apply, else Monte Carlo with a standard error), never a Monte Carlo value labelled exact.
 *
 * @example
 * modelMmse(parseModel({ kind: "gaussian", mean: [0], cov: [[1]] })).at(1, 0); // { mmse: 0.5, standardError: 0 }
 */
export function modelMmse(model: DataModel, options: NodeMmseOptions = {}): MmseSource {
  const st = model.structure;
  if (st?.type === "gaussian" || (st?.type === "mixture" && model.dim === 1)) {
    const method = st.type === "gaussian" ? "closed form" : "adaptive gauss-kronrod (1-D)";
    return { exact: true, method, at: (sigma) => ({ mmse: exactMmse(model, sigma, options), standardError: 0 }) };
  }
  return nodeMmse(model, options);
}

/** Options of {@link nodeMmse}. */
export interface NodeMmseOptions extends ProfileOptions {
  /** Monte Carlo draws per node (default 4000). */
  samples?: number;
  /** Node k draws with seed `seed + k` (default 0). */
  seed?: number;
  /** Monte Carlo at every node, even where a 2-D quadrature would fit. */
  monteCarlo?: boolean;
}

/** Points per posterior call on a quadrature design (a 2-D design at small σ has millions of nodes). */
const CHUNK = 8192;

/**
 * mmse(σ) = E_x Tr C(x) node by node (THEORY.md §2, §9.1), from the posterior kernel's trace only (no entropies or
 * covariances): a 2-D quadrature design where one fits the work budget (standard error 0), the sphere's radial
 * integral, else seeded Monte Carlo `x = y + σz` with `samples` draws (stratified by component for mixtures of
 * at most samples/8 components), node k with seed `seed + k`, so the node errors are independent and the level
 * standard errors of {@link entropicLevels} apply. An `exact: false` source: the profile integrates its nodes by
 * {@link nodeRule}.
 *
 * @example
 * nodeMmse(digits, { samples: 4000 }).at(5, 0); // { mmse: ≈ 58, standardError: ≈ 1 } (Monte Carlo)
 */
export function nodeMmse(model: DataModel, options: NodeMmseOptions = {}): MmseSource {
  const { samples = 4000, seed = 0 } = options;
  const st = model.structure;
  const sphere = st?.type === "sphere";
  const quadrature = !options.monteCarlo && st?.type === "mixture" && model.dim <= 2;
  const method = sphere ? "radial gauss-kronrod" : quadrature ? "2-D quadrature (monte-carlo where it exceeds the budget)" : `monte-carlo (${samples} draws per σ)`;
  return {
    exact: false,
    method,
    at(sigma, index) {
      if (sphere) return { mmse: profileAt(model, sigma).mmse, standardError: 0 };
      const design: Design =
        mixtureDesign(model, sigma, { samples, seed: seed + index, monteCarlo: !quadrature }) ?? monteCarlo(model, sigma, { samples, seed: seed + index });
      return designMmse(model, design, sigma);
    },
  };
}

/** `E Tr C(x)` over a design, with its standard error (0 for quadrature), from the posterior kernel's trace. */
function designMmse(model: DataModel, design: Design, sigma: number): MmseValue {
  const { rows, dim } = design.nodes;
  const trace = new Float64Array(rows);
  for (let s = 0; s < rows; s += CHUNK) {
    const e = Math.min(rows, s + CHUNK);
    trace.set(model.posterior({ rows: e - s, dim, data: design.nodes.data.subarray(s * dim, e * dim) }, sigma).traceCov, s);
  }
  const est = expectation(trace, design);
  return { mmse: est.value, standardError: est.standardError };
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
