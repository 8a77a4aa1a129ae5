import { noiseProcess, type NoiseProcess, type ProcessName } from "../noise/process.js";

/**
 * How a network's forward process scales its input (THEORY.md §1, EDM notation `x_t = s (y + σ z)`), by family:
 * - `ve` (`ve`, `edm`): `s = 1`, the network sees `x = y + σ z` itself;
 * - `vp` (`vp-linear`, `vp-cosine`, a DDPM beta schedule): `ᾱ = s² = 1/(1 + σ²)`, so `x_t = √ᾱ y + √(1 − ᾱ) z`
 *   and `s = 1/√(1 + σ²)` (from `σ = √(1 − ᾱ)/√ᾱ`);
 * - `flow` (`x_t = (1 − t) y + t z`): `s = 1 − t = 1/(1 + σ)` (from `σ = t/(1 − t)`).
 */
export type ProcessFamily = "ve" | "vp" | "flow";

/**
 * A network's forward process: a named continuous process (its `t(σ)` feeds a `t` noise input), or the discrete
 * DDPM schedule of a beta sequence (its timesteps feed a `timestep` input; `sigmas[n]` is σ at timestep n).
 */
export type NetworkProcess =
  | { kind: "continuous"; name: ProcessName; family: ProcessFamily; process: NoiseProcess }
  | { kind: "discrete"; name: "betas"; family: "vp"; sigmas: Float64Array };

/** The family of a named process. */
export function processFamily(name: ProcessName): ProcessFamily {
  return name === "ve" || name === "edm" ? "ve" : name === "flow" ? "flow" : "vp";
}

/** A named continuous process (`ve` with ν = 1) or the discrete schedule of `betas`. */
export function networkProcess(spec: ProcessName | { betas: readonly number[] }): NetworkProcess {
  if (typeof spec === "string") return { kind: "continuous", name: spec, family: processFamily(spec), process: noiseProcess(spec) };
  return { kind: "discrete", name: "betas", family: "vp", sigmas: ddpmSigmas(spec.betas) };
}

/**
 * The input scale `s(σ)` of a process family: 1 (ve), `1/√(1 + σ²)` (vp), `1/(1 + σ)` (flow).
 * @example inputScale("flow", 1) // returns 0.5
 */
export function inputScale(family: ProcessFamily, sigma: number): number {
  return family === "ve" ? 1 : family === "vp" ? 1 / Math.sqrt(1 + sigma * sigma) : 1 / (1 + sigma);
}

/**
 * σ at each timestep of a DDPM beta schedule (Ho et al. 2020; the diffusers scheduler's `alphas_cumprod`):
 * `ᾱ_n = Π_{i ≤ n} (1 − β_i)` and `σ_n = √((1 − ᾱ_n)/ᾱ_n) = √(expm1(−log ᾱ_n))`, with
 * `log ᾱ_n = Σ_{i ≤ n} log1p(−β_i)` (no cancellation for small β). Ascending for β ∈ (0, 1).
 * @example ddpmSigmas([0.5, 0.5]) // returns [1, √3]
 */
export function ddpmSigmas(betas: readonly number[]): Float64Array {
  const out = new Float64Array(betas.length);
  let logAlphaBar = 0;
  for (let n = 0; n < betas.length; n++) {
    logAlphaBar += Math.log1p(-betas[n]);
    out[n] = Math.sqrt(Math.expm1(-logAlphaBar));
  }
  return out;
}

/**
 * The fractional timestep of σ on an ascending table `σ_n`: `k + (log σ − log σ_k)/(log σ_{k+1} − log σ_k)` for
 * `σ_k ≤ σ ≤ σ_{k+1}` — linear in log σ between timesteps, as k-diffusion's `DiscreteSchedule.sigma_to_t`.
 * NaN outside `[σ_0, σ_{N−1}]` (the network was never trained there).
 * @example fractionalTimestep(Float64Array.of(1, 4), 2) // returns 0.5
 */
export function fractionalTimestep(sigmas: Float64Array, sigma: number): number {
  const N = sigmas.length;
  if (!(sigma >= sigmas[0] && sigma <= sigmas[N - 1])) return NaN;
  if (N === 1) return 0;
  let lo = 0;
  let hi = N - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (sigmas[mid] <= sigma) lo = mid;
    else hi = mid;
  }
  const a = Math.log(sigmas[lo]);
  const b = Math.log(sigmas[hi]);
  return b > a ? lo + (Math.log(sigma) - a) / (b - a) : lo;
}

/**
 * The timestep nearest to σ in log σ, with the relative error `σ_n/σ − 1` of answering there; NaN outside
 * `[σ_0, σ_{N−1}]`.
 */
export function nearestTimestep(sigmas: Float64Array, sigma: number): { n: number; gap: number } {
  const f = fractionalTimestep(sigmas, sigma);
  if (Number.isNaN(f)) return { n: NaN, gap: NaN };
  const n = Math.round(f);
  return { n, gap: sigmas[n] / sigma - 1 };
}
