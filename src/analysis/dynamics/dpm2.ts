import type { Batch } from "../../batch.js";
import type { DenoiseProgram } from "../../score/program.js";
import { churn } from "./churn.js";
import { sampler, startState, toD, type SamplerOptions } from "./sampler.js";

/**
 * DPM-2 as a program (k-diffusion's `sample_dpm_2`): EDM's Algorithm 2 with the Heun correction replaced by the
 * midpoint method, the midpoint taken in log σ (the second-order DPM-Solver-2 step of Lu et al. 2022, written for
 * the σ-ODE). Step i, from σ̂ = σ_i(1 + γ_i) (the churn, {@link churn}; σ̂ = σ_i without it) to σ' = σ_{i+1}:
 * - `d = (x − D(x; σ̂))/σ̂` (the callback sees x and D(x; σ̂));
 * - `σ_mid = √(σ̂ σ')` (k-diffusion: `exp(lerp(log σ̂, log σ', ½))`), `x₂ = x + (σ_mid − σ̂) d`;
 * - `d₂ = (x₂ − D(x₂; σ_mid))/σ_mid`, `x ← x + (σ' − σ̂) d₂`.
 * To a final σ' = 0 the Euler step `x ← x + (0 − σ̂) d` (≈ D; one evaluation). Two evaluations per step otherwise.
 */
export function* dpm2Program(x0: Batch, sigmas: ArrayLike<number>, options: SamplerOptions = {}): DenoiseProgram<Batch> {
  const x = startState(x0, sigmas);
  const { rows, dim } = x;
  const cond = options.cond;
  const raise = churn(options, rows, sigmas.length - 1, "dpm2");
  const n = x.data.length;
  const d = new Float64Array(n);
  const x2: Batch = { rows, dim, data: new Float64Array(n) };
  for (let i = 0; i + 1 < sigmas.length; i++) {
    const sigma = sigmas[i];
    const sigmaNext = sigmas[i + 1];
    const sigmaHat = raise(x, sigma);
    const denoised = yield { x, sigma: sigmaHat, cond };
    options.callback?.({ i, sigma, sigmaHat, sigmaNext, x, denoised });
    toD(x, denoised, sigmaHat, d);
    if (sigmaNext === 0) {
      for (let p = 0; p < n; p++) x.data[p] += d[p] * (sigmaNext - sigmaHat);
      continue;
    }
    const sigmaMid = Math.sqrt(sigmaHat * sigmaNext);
    for (let p = 0; p < n; p++) x2.data[p] = x.data[p] + d[p] * (sigmaMid - sigmaHat);
    toD(x2, yield { x: x2, sigma: sigmaMid, cond }, sigmaMid, d);
    for (let p = 0; p < n; p++) x.data[p] += d[p] * (sigmaNext - sigmaHat);
  }
  return x;
}

/**
 * DPM-2 ({@link dpm2Program}): second order, two denoiser calls per step (one on the step to a final 0). Options
 * `sChurn`, `sTmin`, `sTmax`, `sNoise` as {@link sampleHeun} (EDM's churn; needs `rng` when sChurn > 0).
 *
 * @example
 * sampleDpm2(model, initialNoise(16, model.dim, 80, 0), edmSigmas(18, 0.002, 80, 7, { zero: true }));
 */
export const sampleDpm2 = sampler(dpm2Program);
