import type { Batch } from "../../batch.js";
import type { Denoiser } from "../../models/types.js";
import { startState, toD, type SamplerOptions } from "./sampler.js";

/*
 * Probability-flow ODE samplers in σ (THEORY.md §4): dx/dσ = −σ ∇log p_σ(x) = (x − m(x))/σ, integrated from
 * σ_max down the grid. A step to a final σ = 0 is the Euler step x ← m(x) (the limit of every method there,
 * since the derivative is singular at σ = 0), as k-diffusion.
 */

/**
 * Euler's method on the probability-flow ODE (= deterministic DDIM in σ, THEORY.md §9.1):
 * `x_{i+1} = x_i + (σ_{i+1} − σ_i) d_i`, `d_i = (x_i − D(x_i; σ_i))/σ_i`. Global error O(h).
 *
 * @example
 * sampleEuler(model, initialNoise(16, model.dim, 10, 0), edmSigmas(50, 0.01, 10, 7, true));
 */
export function sampleEuler(denoiser: Denoiser, x0: Batch, sigmas: ArrayLike<number>, options: SamplerOptions = {}): Batch {
  const x = startState(denoiser, x0, sigmas);
  const d = new Float64Array(x.data.length);
  for (let i = 0; i + 1 < sigmas.length; i++) {
    const sigma = sigmas[i];
    const sigmaNext = sigmas[i + 1];
    const denoised = denoiser.denoise(x, sigma);
    options.callback?.({ i, sigma, sigmaNext, x, denoised });
    toD(x, denoised, sigma, d);
    const h = sigmaNext - sigma;
    for (let k = 0; k < d.length; k++) x.data[k] += h * d[k];
  }
  return x;
}

/**
 * Heun's 2nd-order method, Algorithm 2 of Karras et al. (2022) with no churn (S_churn = 0, deterministic):
 * `d_i = (x_i − D(x_i; t_i))/t_i`, `x̃ = x_i + (t_{i+1} − t_i) d_i`; if `t_{i+1} ≠ 0`:
 * `d'_i = (x̃ − D(x̃; t_{i+1}))/t_{i+1}`, `x_{i+1} = x_i + (t_{i+1} − t_i)(½ d_i + ½ d'_i)`; else `x_{i+1} = x̃`.
 * Global error O(h²) (the final Euler step to 0 is exact in the limit, it only maps x to m(x)).
 *
 * @example
 * sampleHeun(model, initialNoise(16, model.dim, 80, 0), edmSigmas(18, 0.002, 80, 7, true));
 */
export function sampleHeun(denoiser: Denoiser, x0: Batch, sigmas: ArrayLike<number>, options: SamplerOptions = {}): Batch {
  const x = startState(denoiser, x0, sigmas);
  const n = x.data.length;
  const dCur = new Float64Array(n);
  const dPrime = new Float64Array(n);
  const xHat: Batch = { rows: x.rows, dim: x.dim, data: new Float64Array(n) };
  for (let i = 0; i + 1 < sigmas.length; i++) {
    const tCur = sigmas[i];
    const tNext = sigmas[i + 1];
    // Euler step.
    const denoised = denoiser.denoise(x, tCur);
    options.callback?.({ i, sigma: tCur, sigmaNext: tNext, x, denoised });
    toD(x, denoised, tCur, dCur);
    const h = tNext - tCur;
    for (let k = 0; k < n; k++) xHat.data[k] = x.data[k] + h * dCur[k];
    // Apply the 2nd-order correction, except on the last step to σ = 0.
    if (tNext !== 0) {
      toD(xHat, denoiser.denoise(xHat, tNext), tNext, dPrime);
      for (let k = 0; k < n; k++) x.data[k] += h * (0.5 * dCur[k] + 0.5 * dPrime[k]);
    } else x.data.set(xHat.data);
  }
  return x;
}

/**
 * The classical 4th-order Runge–Kutta method on the probability-flow ODE in σ, `h = σ_{i+1} − σ_i`:
 * `k₁ = f(x, σ)`, `k₂ = f(x + ½h k₁, σ + ½h)`, `k₃ = f(x + ½h k₂, σ + ½h)`, `k₄ = f(x + h k₃, σ + h)`,
 * `x ← x + h(k₁ + 2k₂ + 2k₃ + k₄)/6`, `f(x, σ) = (x − D(x; σ))/σ`. Global error O(h⁴); the step to a final 0 is
 * the Euler step `x ← D(x; σ)`.
 *
 * @example
 * sampleRK4(model, initialNoise(16, model.dim, 10, 0), logSigmas(20, 0.01, 10));
 */
export function sampleRK4(denoiser: Denoiser, x0: Batch, sigmas: ArrayLike<number>, options: SamplerOptions = {}): Batch {
  const x = startState(denoiser, x0, sigmas);
  const n = x.data.length;
  const k = [1, 2, 3, 4].map(() => new Float64Array(n));
  const stage: Batch = { rows: x.rows, dim: x.dim, data: new Float64Array(n) };
  for (let i = 0; i + 1 < sigmas.length; i++) {
    const sigma = sigmas[i];
    const sigmaNext = sigmas[i + 1];
    const h = sigmaNext - sigma;
    const denoised = denoiser.denoise(x, sigma);
    options.callback?.({ i, sigma, sigmaNext, x, denoised });
    toD(x, denoised, sigma, k[0]);
    if (sigmaNext === 0) {
      for (let j = 0; j < n; j++) x.data[j] += h * k[0][j];
      continue;
    }
    const offsets = [0.5 * h, 0.5 * h, h];
    const stageSigmas = [sigma + 0.5 * h, sigma + 0.5 * h, sigmaNext];
    for (let s = 1; s < 4; s++) {
      for (let j = 0; j < n; j++) stage.data[j] = x.data[j] + offsets[s - 1] * k[s - 1][j];
      toD(stage, denoiser.denoise(stage, stageSigmas[s - 1]), stageSigmas[s - 1], k[s]);
    }
    for (let j = 0; j < n; j++) x.data[j] += (h / 6) * (k[0][j] + 2 * k[1][j] + 2 * k[2][j] + k[3][j]);
  }
  return x;
}
