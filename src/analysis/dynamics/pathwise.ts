import type { Batch } from "../../batch.js";
import { InfodynError } from "../../errors.js";
import type { DataModel, SyncDenoiser } from "../../models/types.js";
import { dataMoments, exactNoisy, initialNoise, sampleRngs } from "./initial.js";
import { samplerByName, type SamplerName } from "./registry.js";
import type { SamplerSettings } from "./sampler.js";
import { checkGrid } from "../../noise/grid.js";

/** Options of {@link pathwiseEntropyAlong}. */
export interface PathwiseOptions {
  /** Number of trajectories. @default 1000 */
  n?: number;
  /** Seed: trajectory i uses stream i of `sampleRngs(seed, n)` (its start) and a fork of it (its noise). @default 0 */
  seed?: number;
  /** @default "em" */
  sampler?: SamplerName;
  /** The sampler's settings (η, S_churn …; see SamplerSettings). @default none */
  samplerOptions?: SamplerSettings;
  /**
   * Initial law at σ_max: `exact` draws `y + σ_max z` from the model (the marginal the reverse SDE preserves),
   * `data` is `N(mean(y), (σ_max² + Var) I)`, `zero` is `N(0, σ_max² I)`. @default "exact"
   */
  start?: "exact" | "data" | "zero";
  /** How many trajectories to store in full. @default 8 */
  keep?: number;
  /** Called after each step with (done, total). */
  onProgress?: (done: number, total: number) => void;
  /** Checked between units of work: an aborted signal ends the run with an `AbortedError`. */
  signal?: AbortSignal;
}

/** Pathwise conditional entropy along sampled trajectories. */
export interface PathwiseEntropy {
  /** The positive levels of the grid (a final 0 dropped), descending. */
  sigma: Float64Array;
  /** Mean over trajectories of h(x_σ) at each level; estimates H(y|x_σ) when the marginals are exact. */
  mean: Float64Array;
  /** Variance over trajectories (n − 1 denominator). */
  variance: Float64Array;
  /** √(variance/n). */
  standardError: Float64Array;
  /**
   * Standard error of `variance`: `√((m₄ − s⁴ (n − 3)/(n − 1))/n)` (m₄ the fourth central moment, s² the
   * variance; the large-n variance of the sample variance), 0 for n < 4.
   */
  varianceStandardError: Float64Array;
  /** Each trajectory's decision σ: the geometric midpoint √(σ_i σ_{i+1}) of the step with the largest drop h_i − h_{i+1}. */
  decisionSigma: Float64Array;
  /** The first `keep` trajectories, each levels × D (rows aligned with `sigma`). */
  trajectories: Batch[];
  /** h(x_σ) of every trajectory, n × levels row-major. */
  entropy: Float64Array;
}

/**
 * The pathwise conditional entropy `h(x) = −Σ_j w_j(x) log w_j(x)` (THEORY.md §3, seed 001) along trajectories of a
 * reverse sampler, at every positive level of a descending σ grid: its mean (→ `H(y|x_σ)` when the marginals are
 * exact), its variance across trajectories (peaks at decisions) and each path's decision σ.
 *
 * Method: the sampler's own denoiser call at the state at σ_i (its first stage) asks the posterior for the entropy
 * too, so h costs no extra kernel call; the final level, when positive, gets one more call. Discrete models only
 * (others have no finite h).
 *
 * @example
 * const p = pathwiseEntropyAlong(twoDeltas, logSigmas(200, 0.05, 5), { n: 2000, seed: 1 });
 * p.mean[100]; // ≈ profileAt(twoDeltas, p.sigma[100]).conditionalEntropy
 */
export function pathwiseEntropyAlong(model: DataModel, sigmas: ArrayLike<number>, options: PathwiseOptions = {}): PathwiseEntropy {
  if (!model.discrete)
    throw new InfodynError(`model: pathwise entropy needs a discrete model (deltas, dataset, ising), not '${model.kind}'`);
  const n = options.n ?? 1000;
  let entropy = new Float64Array(0);
  const tap = entropyTap(model);
  const { sigma, trajectories } = samplePaths(
    model,
    sigmas,
    options,
    (x, i, sig) => {
      if (i === 0) entropy = new Float64Array(n * sig.length);
      const h = tap.entropyOf(x, sig[i]) ?? model.posterior(x, sig[i], { entropy: true }).entropy!;
      for (let r = 0; r < n; r++) entropy[r * sig.length + i] = h[r];
    },
    tap.denoiser,
  );
  const levels = sigma.length;
  const mean = new Float64Array(levels);
  const variance = new Float64Array(levels);
  const standardError = new Float64Array(levels);
  const varianceStandardError = new Float64Array(levels);
  for (let i = 0; i < levels; i++) {
    let s = 0;
    for (let r = 0; r < n; r++) s += entropy[r * levels + i];
    const m = s / n;
    let ss = 0;
    let s4 = 0;
    for (let r = 0; r < n; r++) {
      const d2 = (entropy[r * levels + i] - m) ** 2;
      ss += d2;
      s4 += d2 * d2;
    }
    mean[i] = m;
    variance[i] = n > 1 ? ss / (n - 1) : 0;
    standardError[i] = Math.sqrt(variance[i] / n);
    varianceStandardError[i] = sampleVarianceStandardError(s4 / n, variance[i], n);
  }
  const decisionSigma = new Float64Array(n);
  for (let r = 0; r < n; r++) {
    let best = 0;
    let drop = -Infinity;
    for (let i = 0; i + 1 < levels; i++) {
      const d = entropy[r * levels + i] - entropy[r * levels + i + 1];
      if (d > drop) [drop, best] = [d, i];
    }
    decisionSigma[r] = levels > 1 ? Math.sqrt(sigma[best] * sigma[best + 1]) : sigma[0];
  }
  return { sigma, mean, variance, standardError, varianceStandardError, decisionSigma, trajectories, entropy };
}

/**
 * The standard error of a sample variance s² (n − 1 denominator) from the fourth central moment m₄ of the sample:
 * `√((m₄ − s⁴ (n − 3)/(n − 1))/n)`, the large-n variance of s² with the sample's moments in place of the law's.
 *
 * Special cases: 0 for n < 4; a negative estimate (a light-tailed sample) clamps to 0.
 *
 * @example
 * sampleVarianceStandardError(3, 1, 11); // √(2/10): a normal sample (m₄ = 3σ⁴) gives Var s² = 2σ⁴/(n − 1)
 */
export function sampleVarianceStandardError(m4: number, variance: number, n: number): number {
  return n > 3 ? Math.sqrt(Math.max(0, m4 - (variance * variance * (n - 3)) / (n - 1)) / n) : 0;
}

/**
 * The model as a denoiser whose every call also asks the posterior for h(x) and keeps it: `entropyOf(x, σ)` gives
 * the entropies of the last call when it was on this very batch (the same array) at this σ, else undefined.
 */
function entropyTap(model: DataModel): { denoiser: SyncDenoiser; entropyOf: (x: Batch, sigma: number) => Float64Array | undefined } {
  let last: { data: Float64Array; sigma: number | Float64Array; entropy: Float64Array } | undefined;
  const denoiser: SyncDenoiser = {
    dim: model.dim,
    denoise(x, sigma) {
      const post = model.posterior(x, sigma, { entropy: true });
      last = { data: x.data, sigma, entropy: post.entropy! };
      return post.mean;
    },
  };
  return { denoiser, entropyOf: (x, sigma) => (last && last.data === x.data && last.sigma === sigma ? last.entropy : undefined) };
}

/**
 * Runs `n` seeded trajectories of a reverse sampler from σ_max down a descending grid (options as
 * {@link pathwiseEntropyAlong}), calling `observe(x, i, sigma)` with the batch at every positive level i, and
 * keeps the first `keep` trajectories; the sampler asks `denoiser` (default: the model itself) for D(x; σ).
 * Trajectory i starts from stream i of `sampleRngs(seed, n)` and draws its noise from a fork of that stream, so it
 * does not depend on n.
 */
export function samplePaths(
  model: DataModel,
  sigmas: ArrayLike<number>,
  options: PathwiseOptions,
  observe?: (x: Batch, i: number, sigma: Float64Array) => void,
  denoiser: SyncDenoiser = model,
): { sigma: Float64Array; trajectories: Batch[]; x: Batch } {
  const n = options.n ?? 1000;
  const keep = Math.min(options.keep ?? 8, n);
  const seed = options.seed ?? 0;
  const sampler = samplerByName(options.sampler ?? "em");
  checkGrid(sigmas, "sigmas", { min: 2 });
  const levels = sigmas[sigmas.length - 1] === 0 ? sigmas.length - 1 : sigmas.length;
  const sigma = Float64Array.from({ length: levels }, (_, i) => sigmas[i]);
  const D = model.dim;

  const rngs = sampleRngs(seed, n);
  const start = options.start ?? "exact";
  const x0 =
    start === "exact"
      ? exactNoisy(model, n, sigma[0], rngs)
      : initialNoise(n, D, sigma[0], rngs, start === "data" ? dataMoments(model, seed) : {});
  const noise = rngs.map((r) => r.fork());

  const trajectories = Array.from({ length: keep }, () => ({ rows: levels, dim: D, data: new Float64Array(levels * D) }));
  const record = (x: Batch, i: number) => {
    observe?.(x, i, sigma);
    for (let r = 0; r < keep; r++) trajectories[r].data.set(x.data.subarray(r * D, (r + 1) * D), i * D);
  };
  const total = sigmas.length - 1;
  const x = sampler(denoiser, x0, sigmas, {
    ...options.samplerOptions,
    rng: noise,
    signal: options.signal,
    callback: ({ i, x }) => {
      record(x, i);
      options.onProgress?.(i + 1, total);
    },
  });
  if (levels === sigmas.length) record(x, levels - 1);
  return { sigma, trajectories, x };
}
