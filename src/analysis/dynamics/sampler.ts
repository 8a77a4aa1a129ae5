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
  /** The state at σ_i (a view: copy it to keep it). */
  x: Batch;
  /** D(x; σ_i) = m(x) (a view: copy it to keep it). */
  denoised: Batch;
}

/** Options shared by every sampler. */
export interface SamplerOptions {
  /** Called at the start of every step. */
  callback?: (step: StepInfo) => void;
  /**
   * Randomness of the stochastic samplers: one stream per row, or one `Rng` that is forked once per row before
   * the first step (row i gets the i-th fork, so its noise does not depend on the batch size).
   */
  rng?: Rng | readonly Rng[];
  /** Stochastic DDIM only: η ∈ [0, 1] (1 = ancestral, 0 = deterministic DDIM = Euler). @default 1 */
  eta?: number;
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
