import type { Batch } from "../../batch.js";
import type { DenoiseProgram } from "../../score/program.js";
import { sampler, samplerSettings, startState, type SamplerOptions } from "./sampler.js";

/**
 * DPM-Solver++(2M) as a program (Lu et al. 2022, "DPM-Solver++", Algorithm 2; k-diffusion's `sample_dpmpp_2m`):
 * the probability-flow ODE solved exactly in its linear part, in the time `t = λ = −log σ` (VE: α = 1), with the
 * denoiser extrapolated linearly in t from the last two steps.
 *
 * Method: step i from σ to σ' with `h = log(σ/σ')` and denoised `D_i = D(x; σ)`:
 * `x ← (σ'/σ) x − (e^{−h} − 1) D̄`, where `D̄ = D_i` on the first step (DPM-Solver++(1) = DDIM) and otherwise
 * `D̄ = (1 + 1/(2r)) D_i − (1/(2r)) D_{i−1}`, `r = h_{i−1}/h_i`, `h_{i−1} = log(σ_{i−1}/σ_i)` (the previous step's
 * log-ratio). One denoiser call per step; global error O(h²) in the step size in log σ.
 *
 * Special cases: the step to a final σ' = 0 is `x ← D_i` (h = ∞: the first-order step's limit, as k-diffusion).
 */
export function* dpmpp2mProgram(x0: Batch, sigmas: ArrayLike<number>, options: SamplerOptions = {}): DenoiseProgram<Batch> {
  samplerSettings(options);
  const x = startState(x0, sigmas);
  const n = x.data.length;
  const previous = new Float64Array(n);
  for (let i = 0; i + 1 < sigmas.length; i++) {
    const sigma = sigmas[i];
    const sigmaNext = sigmas[i + 1];
    const denoised = yield { x, sigma, cond: options.cond };
    options.callback?.({ i, sigma, sigmaHat: sigma, sigmaNext, x, denoised });
    const m = denoised.data;
    if (sigmaNext === 0) x.data.set(m);
    else {
      const h = Math.log(sigma / sigmaNext);
      const ratio = sigmaNext / sigma;
      const c = -Math.expm1(-h);
      if (i === 0) for (let p = 0; p < n; p++) x.data[p] = ratio * x.data[p] + c * m[p];
      else {
        const r = Math.log(sigmas[i - 1] / sigma) / h;
        const a = 1 + 1 / (2 * r);
        const b = 1 / (2 * r);
        for (let p = 0; p < n; p++) x.data[p] = ratio * x.data[p] + c * (a * m[p] - b * previous[p]);
      }
    }
    previous.set(m);
  }
  return x;
}

/**
 * DPM-Solver++(2M) ({@link dpmpp2mProgram}): deterministic, second order, one denoiser call per step (the
 * sampler of choice at 10–25 steps). Takes no sampler settings.
 *
 * @example
 * sampleDpmpp2m(model, initialNoise(16, model.dim, 80, 0), edmSigmas(20, 0.002, 80, 7, { zero: true }));
 */
export const sampleDpmpp2m = sampler(dpmpp2mProgram);
