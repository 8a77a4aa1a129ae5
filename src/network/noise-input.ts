import { fractionalTimestep, nearestTimestep, type NetworkProcess } from "./process.js";

/** What a network is told about the noise level (σ is the VE-equivalent level, THEORY.md §1). */
export type NoiseInput = "sigma" | "logsigma" | "c_noise" | "t" | "timestep";
export const NOISE_INPUTS: readonly NoiseInput[] = ["sigma", "logsigma", "c_noise", "t", "timestep"];

/** Options of {@link noiseInputValue}. */
export interface NoiseInputOptions {
  /** A `t` input is `timeScale · t(σ)` (score_sde's DDPM port feeds `999 t`). @default 1 */
  timeScale?: number;
  /** The timestep input is an integer tensor: σ goes to the nearest timestep (else the fractional one). */
  integer?: boolean;
  /** The largest relative error `|σ_n/σ − 1|` accepted at the nearest integer timestep. @default 0.01 */
  tolerance?: number;
}

/**
 * The value a network's noise input takes at σ, and the σ the network then answers at (σ itself, except for an
 * integer timestep):
 *
 * - `sigma`: σ; `logsigma`: log σ; `c_noise`: ¼ log σ (EDM, Karras et al. 2022 Table 1);
 * - `t`: `timeScale · t(σ)` of the continuous process (ve: σ²; edm: σ; vp-linear, vp-cosine: their t ∈ [0, 1];
 *   flow: σ/(1 + σ)); refused past the process's `tMax`;
 * - `timestep` (a DDPM beta schedule, `σ_n = √((1 − ᾱ_n)/ᾱ_n)`): a float input gets the fractional timestep,
 *   linear in log σ between σ_k and σ_{k+1} (k-diffusion's `DiscreteSchedule`); an integer input gets the
 *   nearest timestep n in log σ, and the network answers at σ_n — refused when `|σ_n/σ − 1|` exceeds the tolerance.
 *   Refused outside `[σ_0, σ_{N−1}]`, where the network was never trained.
 *
 * A refusal is `{ value: NaN, why }` (this is a kernel: it does not throw; the denoiser does, naming σ).
 * @example noiseInputValue("c_noise", process, Math.E ** 4) // { value: 1, sigma: 54.598… }
 */
export function noiseInputValue(
  input: NoiseInput,
  process: NetworkProcess,
  sigma: number,
  o: NoiseInputOptions = {},
): { value: number; sigma: number; why?: string } {
  switch (input) {
    case "sigma":
      return { value: sigma, sigma };
    case "logsigma":
      return { value: Math.log(sigma), sigma };
    case "c_noise":
      return { value: 0.25 * Math.log(sigma), sigma };
    case "t": {
      if (process.kind !== "continuous") return { value: NaN, sigma, why: "a beta schedule has timesteps, not a continuous t" };
      const t = process.process.time(sigma);
      if (!(t <= process.process.tMax))
        return { value: NaN, sigma, why: `σ = ${sigma} is past the end of the ${process.name} process (t = ${t} > ${process.process.tMax})` };
      return { value: (o.timeScale ?? 1) * t, sigma };
    }
    case "timestep": {
      if (process.kind !== "discrete") return { value: NaN, sigma, why: "timesteps need a beta schedule (process {\"betas\": […]})" };
      const s = process.sigmas;
      const range = `the schedule's σ_0 = ${s[0]} … σ_${s.length - 1} = ${s[s.length - 1]}`;
      if (!o.integer) {
        const n = fractionalTimestep(s, sigma);
        return Number.isNaN(n) ? { value: NaN, sigma, why: `σ = ${sigma} is outside ${range}` } : { value: n, sigma };
      }
      const { n, gap } = nearestTimestep(s, sigma);
      if (Number.isNaN(n)) return { value: NaN, sigma, why: `σ = ${sigma} is outside ${range}` };
      const tol = o.tolerance ?? 0.01;
      if (!(Math.abs(gap) <= tol))
        return {
          value: NaN,
          sigma,
          why:
            `σ = ${sigma} lies between timesteps of an integer timestep input: the nearest, ${n} (σ = ${s[n]}), is ` +
            `${(100 * Math.abs(gap)).toPrecision(3)}% off, more than the tolerance ${100 * tol}% ("timestepTolerance" in the model file)`,
        };
      return { value: n, sigma: s[n] };
    }
  }
}
