import type { Batch } from "../../batch.js";
import type { Denoiser } from "../../models/types.js";
import { rowStreams, startState, type SamplerOptions } from "./sampler.js";

/**
 * Euler–Maruyama on the reverse VE SDE `dx = −ν² ∇log p dt + ν dW̄` (THEORY.md §4), one step from σ_i to σ_{i+1}:
 * `x ← x + (σ_i² − σ_{i+1}²) ∇log p_{σ_i}(x) + √(σ_i² − σ_{i+1}²) ξ`, `∇log p = (D(x; σ_i) − x)/σ_i²`, `ξ ~ N(0, I)`.
 * Needs `rng` (one stream per row, or one Rng forked per row). Weak error O(h). A step to a final 0 gives
 * `x ← D(x; σ)` plus noise of variance σ² (the SDE's own last step; use a small positive σ_min to avoid it).
 *
 * @example
 * sampleEulerMaruyama(model, exactNoisy(model, 1000, 5, 0), logSigmas(400, 0.01, 5), { rng: createRng(1) });
 */
export function sampleEulerMaruyama(
  denoiser: Denoiser,
  x0: Batch,
  sigmas: ArrayLike<number>,
  options: SamplerOptions = {},
): Batch {
  const x = startState(denoiser, x0, sigmas);
  const rngs = rowStreams(x.rows, options.rng, "sampleEulerMaruyama");
  const D = x.dim;
  for (let i = 0; i + 1 < sigmas.length; i++) {
    const sigma = sigmas[i];
    const sigmaNext = sigmas[i + 1];
    const denoised = denoiser.denoise(x, sigma);
    options.callback?.({ i, sigma, sigmaNext, x, denoised });
    const dvar = sigma * sigma - sigmaNext * sigmaNext;
    const drift = dvar / (sigma * sigma);
    const noise = Math.sqrt(dvar);
    for (let r = 0; r < x.rows; r++) {
      const rng = rngs[r];
      for (let k = r * D; k < (r + 1) * D; k++) x.data[k] += drift * (denoised.data[k] - x.data[k]) + noise * rng.normal();
    }
  }
  return x;
}

/**
 * Stochastic DDIM / ancestral sampling in VE form (THEORY.md §9.1; k-diffusion's `sample_euler_ancestral`):
 * with `D = D(x; σ)`, `σ_up = min(σ', η σ' √(σ² − σ'²)/σ)`, `σ_down = √(σ'² − σ_up²)`:
 * `x' = D + (σ_down/σ)(x − D) + σ_up ξ`. For η = 1: `x' ~ N(D + (σ'²/σ²)(x − D), σ'²(σ² − σ'²)/σ² · I)`;
 * η = 0 is deterministic DDIM = Euler. Needs `rng` unless η = 0. A step to a final 0 gives `x' = D`.
 *
 * @example
 * sampleDdim(model, initialNoise(100, 1, 20, 0), logSigmas(100, 0.01, 20, true), { rng: createRng(1) });
 */
export function sampleDdim(denoiser: Denoiser, x0: Batch, sigmas: ArrayLike<number>, options: SamplerOptions = {}): Batch {
  const x = startState(denoiser, x0, sigmas);
  const eta = options.eta ?? 1;
  const rngs = eta === 0 ? [] : rowStreams(x.rows, options.rng, "sampleDdim");
  const D = x.dim;
  for (let i = 0; i + 1 < sigmas.length; i++) {
    const sigma = sigmas[i];
    const sigmaNext = sigmas[i + 1];
    const denoised = denoiser.denoise(x, sigma);
    options.callback?.({ i, sigma, sigmaNext, x, denoised });
    const sigmaUp = Math.min(sigmaNext, (eta * sigmaNext * Math.sqrt(sigma * sigma - sigmaNext * sigmaNext)) / sigma);
    const sigmaDown = Math.sqrt(Math.max(0, sigmaNext * sigmaNext - sigmaUp * sigmaUp));
    const ratio = sigmaDown / sigma;
    for (let r = 0; r < x.rows; r++) {
      for (let k = r * D; k < (r + 1) * D; k++) {
        const m = denoised.data[k];
        x.data[k] = m + ratio * (x.data[k] - m) + (sigmaUp > 0 ? sigmaUp * rngs[r].normal() : 0);
      }
    }
  }
  return x;
}
