import type { Batch } from "../../batch.js";
import { InfodynError } from "../../errors.js";
import type { Conditioning, Denoiser } from "../../models/types.js";
import { checkGrid } from "../../noise/grid.js";
import type { Rng } from "../../numeric/rng.js";
import { drive, type DenoiseProgram, type Driven } from "../../score/program.js";

/** What a sampler's callback sees at the start of step i (from σ_i to σ_{i+1}), as k-diffusion's callback. */
export interface StepInfo {
  i: number;
  sigma: number;
  sigmaNext: number;
  /** The level the step starts from: σ̂_i = σ_i(1 + γ_i) after EDM's churn, else σ_i (k-diffusion's `sigma_hat`). */
  sigmaHat: number;
  /** The state at σ̂_i, after the churn noise if any (a view: copy it to keep it). */
  x: Batch;
  /** D(x; σ̂_i) = m(x) (a view: copy it to keep it). */
  denoised: Batch;
}

/**
 * The numeric settings of the samplers, k-diffusion's keyword arguments (`eta`, `s_churn`, `s_tmin`, `s_tmax`,
 * `s_noise`, `order`); each sampler reads the ones of its k-diffusion namesake ({@link SAMPLER_SETTINGS} in
 * registry.ts) and ignores the others.
 */
export interface SamplerSettings {
  /**
   * Stochastic DDIM / Euler ancestral: η ≥ 0 scales the ancestral noise, `σ_up = min(σ', η σ' √(σ² − σ'²)/σ)`
   * (1 = ancestral, 0 = deterministic DDIM = Euler; k-diffusion's `eta`). @default 1
   */
  eta?: number;
  /**
   * EDM's churn (Karras et al. 2022, Algorithm 2; euler, heun, dpm2, and any Runge–Kutta sampler): S_churn ≥ 0,
   * `γ_i = min(S_churn/n, √2 − 1)` on the levels with S_tmin ≤ σ_i ≤ S_tmax (n = steps of the grid), 0 elsewhere;
   * 0 is the deterministic sampler, bit for bit. @default 0
   */
  sChurn?: number;
  /** Lower end of the churn window, S_tmin ≥ 0. @default 0 */
  sTmin?: number;
  /** Upper end of the churn window, S_tmax ≥ S_tmin (∞ allowed). @default Infinity */
  sTmax?: number;
  /** S_noise ≥ 0: the scale of the churn noise (euler, heun, dpm2) and of the ancestral noise (ddim). @default 1 */
  sNoise?: number;
  /** LMS: the order of the linear multistep method, an integer in [1, 8] (k-diffusion's `order`). @default 4 */
  order?: number;
}

/** Options shared by every sampler. */
export interface SamplerOptions extends SamplerSettings {
  /** Called at the start of every step. */
  callback?: (step: StepInfo) => void;
  /**
   * Randomness of the stochastic samplers: one stream per row, or one `Rng` that is forked once per row before
   * the first step (row i gets the i-th fork, so its noise does not depend on the batch size). Needed by em,
   * by ddim unless η = 0, and by the churn samplers when S_churn > 0.
   */
  rng?: Rng | readonly Rng[];
  /** Class per row for a conditional denoiser (−1: unconditional); passed to every denoiser call. */
  cond?: Conditioning;
  /** Checked before every denoiser call. */
  signal?: AbortSignal;
}

/**
 * A sampler as a program: integrates the reverse dynamics from `sigmas[0]` down to the last level of a
 * descending grid (a final 0 allowed), yielding each denoiser call, and returns the final states; the input
 * batch is not modified.
 */
export type SamplerProgram = (x: Batch, sigmas: ArrayLike<number>, options?: SamplerOptions) => DenoiseProgram<Batch>;

/**
 * A sampler on a denoiser: synchronous on an exact model, a promise on a network (k-diffusion's signature).
 */
export type Sampler = <Dn extends Denoiser>(denoiser: Dn, x: Batch, sigmas: ArrayLike<number>, options?: SamplerOptions) => Driven<Dn, Batch>;

/** The sampler that drives `program` on a denoiser (checking the state's dimension against it). */
export function sampler(program: SamplerProgram): Sampler {
  return ((denoiser: Denoiser, x: Batch, sigmas: ArrayLike<number>, options: SamplerOptions = {}) => {
    if (x.dim !== denoiser.dim) throw new InfodynError(`x: dimension ${x.dim} does not match the denoiser's ${denoiser.dim}`);
    return drive(program(x, sigmas, options), denoiser, { signal: options.signal });
  }) as Sampler;
}

/**
 * The settings of `options` with their defaults, checked once at the boundary: throws an {@link InfodynError}
 * naming the first bad one (η, S_churn, S_noise finite and ≥ 0; 0 ≤ S_tmin ≤ S_tmax; order an integer in [1, 8]).
 */
export function samplerSettings(options: SamplerSettings): Required<SamplerSettings> {
  const { eta = 1, sChurn = 0, sTmin = 0, sTmax = Infinity, sNoise = 1, order = 4 } = options;
  const bad = (name: string, v: number, want: string) => new InfodynError(`${name}: ${v} is not ${want}`);
  if (!(Number.isFinite(eta) && eta >= 0)) throw bad("eta", eta, "a finite number ≥ 0");
  if (!(Number.isFinite(sChurn) && sChurn >= 0)) throw bad("sChurn", sChurn, "a finite number ≥ 0");
  if (!(Number.isFinite(sTmin) && sTmin >= 0)) throw bad("sTmin", sTmin, "a finite number ≥ 0");
  if (!(sTmax >= sTmin)) throw bad("sTmax", sTmax, `≥ sTmin = ${sTmin}`);
  if (!(Number.isFinite(sNoise) && sNoise >= 0)) throw bad("sNoise", sNoise, "a finite number ≥ 0");
  if (!(Number.isInteger(order) && order >= 1 && order <= 8)) throw bad("order", order, "an integer in [1, 8]");
  return { eta, sChurn, sTmin, sTmax, sNoise, order };
}

/** Boundary checks and a private copy of the initial states. */
export function startState(x: Batch, sigmas: ArrayLike<number>): Batch {
  checkGrid(sigmas, "sigmas", { min: 2 });
  return { rows: x.rows, dim: x.dim, data: Float64Array.from(x.data) };
}

/** One stream per row from the `rng` option; throws when a stochastic sampler gets none. */
export function rowStreams(rows: number, rng: SamplerOptions["rng"], sampler: string): readonly Rng[] {
  if (rng === undefined) throw new InfodynError(`${sampler}: the rng option is required (a seeded Rng or one per row)`);
  if ("length" in rng) {
    if (rng.length < rows) throw new InfodynError(`${sampler}: rng has ${rng.length} streams for ${rows} rows`);
    return rng;
  }
  return Array.from({ length: rows }, () => rng.fork());
}

/** The probability-flow derivative `d = dx/dσ = (x − D(x; σ))/σ` (k-diffusion's `to_d`; THEORY.md §4). */
export function toD(x: Batch | Float64Array, denoised: Batch, sigma: number, out: Float64Array): Float64Array {
  const a = "data" in x ? x.data : x;
  const m = denoised.data;
  for (let k = 0; k < a.length; k++) out[k] = (a[k] - m[k]) / sigma;
  return out;
}
