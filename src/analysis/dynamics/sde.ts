import type { Batch } from "../../batch.js";
import type { Rng } from "../../numeric/rng.js";
import type { DenoiseProgram } from "../../score/program.js";
import { rowStreams, sampler, samplerSettings, startState, type SamplerOptions } from "./sampler.js";

/**
 * One Euler–Maruyama step of the reverse VE SDE `dx = −ν² ∇log p dt + ν dW̄` (THEORY.md §4) from σ_i to σ_{i+1},
 * in place, given `denoised` = D(x; σ_i):
 * `x ← x + (σ_i² − σ_{i+1}²) ∇log p_{σ_i}(x) + √(σ_i² − σ_{i+1}²) ξ`, `∇log p = (D − x)/σ_i²`, `ξ ~ N(0, I)` from
 * row r's stream `rngs[r]` (D draws per row, in coordinate order).
 */
export function eulerMaruyamaStep(x: Batch, denoised: Batch, sigma: number, sigmaNext: number, rngs: readonly Rng[]): void {
  const D = x.dim;
  const dvar = sigma * sigma - sigmaNext * sigmaNext;
  const drift = dvar / (sigma * sigma);
  const noise = Math.sqrt(dvar);
  for (let r = 0; r < x.rows; r++) {
    const rng = rngs[r];
    for (let k = r * D; k < (r + 1) * D; k++) x.data[k] += drift * (denoised.data[k] - x.data[k]) + noise * rng.normal();
  }
}

/**
 * One stochastic DDIM / ancestral step in VE form (THEORY.md §9.1; k-diffusion's `sample_euler_ancestral` with
 * `get_ancestral_step`), in place, given `denoised` = D(x; σ): with `σ_up = min(σ', η σ' √(σ² − σ'²)/σ)`,
 * `σ_down = √(σ'² − σ_up²)`: `x' = D + (σ_down/σ)(x − D) + S_noise σ_up ξ` (k-diffusion's Euler step to σ_down,
 * `x + (σ_down − σ)(x − D)/σ`, in one product). For η = 1, S_noise = 1:
 * `x' ~ N(D + (σ'²/σ²)(x − D), σ'²(σ² − σ'²)/σ² · I)`; η = 0 is deterministic DDIM = Euler (no draws); σ' = 0
 * gives x' = D (no draws).
 */
export function ddimStep(x: Batch, denoised: Batch, sigma: number, sigmaNext: number, eta: number, rngs: readonly Rng[], sNoise = 1): void {
  const D = x.dim;
  const sigmaUp = Math.min(sigmaNext, (eta * sigmaNext * Math.sqrt(sigma * sigma - sigmaNext * sigmaNext)) / sigma);
  const sigmaDown = Math.sqrt(Math.max(0, sigmaNext * sigmaNext - sigmaUp * sigmaUp));
  const ratio = sigmaDown / sigma;
  for (let r = 0; r < x.rows; r++) {
    for (let k = r * D; k < (r + 1) * D; k++) {
      const m = denoised.data[k];
      x.data[k] = m + ratio * (x.data[k] - m) + (sigmaUp > 0 ? sigmaUp * (sNoise * rngs[r].normal()) : 0);
    }
  }
}

/** Euler–Maruyama as a program: one denoiser call per step, then {@link eulerMaruyamaStep}. */
export function* eulerMaruyamaProgram(x0: Batch, sigmas: ArrayLike<number>, options: SamplerOptions = {}): DenoiseProgram<Batch> {
  const x = startState(x0, sigmas);
  const rngs = rowStreams(x.rows, options.rng, "sampleEulerMaruyama");
  for (let i = 0; i + 1 < sigmas.length; i++) {
    const sigma = sigmas[i];
    const sigmaNext = sigmas[i + 1];
    const denoised = yield { x, sigma, cond: options.cond };
    options.callback?.({ i, sigma, sigmaHat: sigma, sigmaNext, x, denoised });
    eulerMaruyamaStep(x, denoised, sigma, sigmaNext, rngs);
  }
  return x;
}

/** Stochastic DDIM (= Euler ancestral) as a program: one denoiser call per step, then {@link ddimStep}. */
export function* ddimProgram(x0: Batch, sigmas: ArrayLike<number>, options: SamplerOptions = {}): DenoiseProgram<Batch> {
  const x = startState(x0, sigmas);
  const { eta, sNoise } = samplerSettings(options);
  const rngs = eta === 0 ? [] : rowStreams(x.rows, options.rng, "sampleDdim");
  for (let i = 0; i + 1 < sigmas.length; i++) {
    const sigma = sigmas[i];
    const sigmaNext = sigmas[i + 1];
    const denoised = yield { x, sigma, cond: options.cond };
    options.callback?.({ i, sigma, sigmaHat: sigma, sigmaNext, x, denoised });
    ddimStep(x, denoised, sigma, sigmaNext, eta, rngs, sNoise);
  }
  return x;
}

/**
 * Euler–Maruyama on the reverse VE SDE ({@link eulerMaruyamaStep}). Needs `rng` (one stream per row, or one Rng
 * forked per row). Weak error O(h). A step to a final 0 gives `x ← D(x; σ)` plus noise of variance σ² (the SDE's
 * own last step; use a small positive σ_min to avoid it).
 *
 * @example
 * sampleEulerMaruyama(model, exactNoisy(model, 1000, 5, 0), logSigmas(400, 0.01, 5), { rng: createRng(1) });
 */
export const sampleEulerMaruyama = sampler(eulerMaruyamaProgram);

/**
 * Stochastic DDIM / ancestral sampling ({@link ddimStep}): k-diffusion's `sample_euler_ancestral(eta, s_noise)`,
 * registered as both `ddim` and `euler-ancestral`. Options `eta` (default 1) and `sNoise` (default 1). Needs `rng`
 * unless η = 0; row r draws D normals on every step with σ_up > 0 (every step to σ' > 0 when η > 0), as
 * k-diffusion draws one noise tensor on every step to σ' > 0. A step to a final 0 gives `x' = D`.
 *
 * @example
 * sampleDdim(model, initialNoise(100, 1, 20, 0), logSigmas(100, 0.01, 20, { zero: true }), { rng: createRng(1) });
 * sampleDdim(model, x, edmSigmas(30, 0.02, 20, 7, { zero: true }), { eta: 0.5, sNoise: 0.98, rng: createRng(1) });
 */
export const sampleDdim = sampler(ddimProgram);
