import type { Batch } from "../../batch.js";
import { type DenoiseProgram } from "../../score/program.js";
import { EULER, HEUN, RK4, rkStep, rkWork, type Derivative, type Tableau } from "./runge-kutta.js";
import { churn } from "./churn.js";
import { sampler, startState, toD, type SamplerOptions, type SamplerProgram } from "./sampler.js";

/*
 * Probability-flow ODE samplers in σ (THEORY.md §4): dx/dσ = −σ ∇log p_σ(x) = (x − m(x))/σ, integrated from
 * σ_max down the grid by the Runge–Kutta driver (runge-kutta.ts) with the sampler's tableau. A step to a final
 * σ = 0 is the Euler step x ← m(x) (the limit of every method there, since the derivative is singular at σ = 0),
 * as k-diffusion. With S_churn > 0 each step first raises x from σ_i to σ̂_i (EDM's churn, churn.ts) and
 * integrates from σ̂_i: Algorithm 2 of Karras et al. (2022), k-diffusion's `sample_euler` / `sample_heun`.
 */

/**
 * The probability-flow ODE sampler of a tableau, as a program. Step i: σ̂_i and the churned x (σ̂_i = σ_i without
 * churn), `d_i = (x − D(x; σ̂_i))/σ̂_i` (the first stage, reported to the callback with D), then the remaining
 * stages and `x_{i+1} = x + h Σ b_s k_s`, `h = σ_{i+1} − σ̂_i`; to σ = 0 only the Euler stage.
 */
export function odeProgram(tab: Tableau): SamplerProgram {
  return function* (x0: Batch, sigmas: ArrayLike<number>, options: SamplerOptions = {}): DenoiseProgram<Batch> {
    const x = startState(x0, sigmas);
    const { rows, dim } = x;
    const cond = options.cond;
    const raise = churn(options, rows, sigmas.length - 1, tab.name);
    const f: Derivative = function* (y, sigma, out) {
      toD(y, yield { x: { rows, dim, data: y }, sigma, cond }, sigma, out);
    };
    const work = rkWork(tab, x.data.length);
    for (let i = 0; i + 1 < sigmas.length; i++) {
      const sigma = sigmas[i];
      const sigmaNext = sigmas[i + 1];
      const sigmaHat = raise(x, sigma);
      const denoised = yield { x, sigma: sigmaHat, cond };
      options.callback?.({ i, sigma, sigmaHat, sigmaNext, x, denoised });
      toD(x, denoised, sigmaHat, work.k[0]);
      yield* rkStep(tab, f, x.data, sigmaHat, sigmaNext, work, { firstStageDone: true, eulerOnly: sigmaNext === 0 });
    }
    return x;
  };
}

/**
 * Euler's method on the probability-flow ODE (= deterministic DDIM in σ, THEORY.md §9.1):
 * `x_{i+1} = x_i + (σ_{i+1} − σ_i) d_i`, `d_i = (x_i − D(x_i; σ_i))/σ_i`. Global error O(h). With `sChurn` > 0,
 * Algorithm 2 of Karras et al. (2022) with Euler steps (k-diffusion's `sample_euler`): x raised to σ̂_i first
 * ({@link churn}), then `x_{i+1} = x̂ + (σ_{i+1} − σ̂_i)(x̂ − D(x̂; σ̂_i))/σ̂_i` (needs `rng`).
 *
 * @example
 * sampleEuler(model, initialNoise(16, model.dim, 10, 0), edmSigmas(50, 0.01, 10, 7, { zero: true }));
 */
export const sampleEuler = sampler(odeProgram(EULER));

/**
 * Heun's 2nd-order method, Algorithm 2 of Karras et al. (2022) (k-diffusion's `sample_heun`), as the
 * {@link HEUN} tableau (c = (0, 1), a₂₁ = 1, b = (½, ½)) on the driver, line by line:
 * - lines 4–7, the churn ({@link churn}; `sChurn` > 0, needs `rng`): `γ_i = min(S_churn/N, √2 − 1)` on
 *   [S_tmin, S_tmax], `t̂_i = t_i(1 + γ_i)`, `x̂_i = x_i + √(t̂_i² − t_i²) S_noise ε_i`; with S_churn = 0 (the default)
 *   `t̂_i = t_i`, `x̂_i = x_i`: Algorithm 1, deterministic, bit for bit the sampler without the option;
 * - line 8, `d_i = (x̂_i − D(x̂_i; t̂_i))/t̂_i`: the first stage k₁ (c₁ = 0);
 * - line 9, `x_{i+1} = x̂_i + (t_{i+1} − t̂_i) d_i`: the second stage's state `x̂ + h a₂₁ k₁`;
 * - line 10, if `t_{i+1} ≠ 0`: line 11, `d'_i = (x_{i+1} − D(x_{i+1}; t_{i+1}))/t_{i+1}`: the second stage k₂ (c₂ = 1,
 *   evaluated at t_{i+1} exactly); line 12, `x_{i+1} = x̂_i + (t_{i+1} − t̂_i)(½ d_i + ½ d'_i)`: the weights b;
 * - `t_{i+1} = 0`: the Euler step of line 9 (the driver's rule for a final 0).
 * Global error O(h²) without churn. (test/core.test.ts checks it bit for bit against a literal transcription of
 * Algorithm 1; test/samplers-reference.test.ts holds it, churn included, to a transcription of `sample_heun`.)
 *
 * @example
 * sampleHeun(model, initialNoise(16, model.dim, 80, 0), edmSigmas(18, 0.002, 80, 7, { zero: true }));
 * sampleHeun(model, x, edmSigmas(18, 0.002, 80, 7, { zero: true }), { sChurn: 40, sTmin: 0.05, sTmax: 50, sNoise: 1.003, rng: createRng(1) });
 */
export const sampleHeun = sampler(odeProgram(HEUN));

/**
 * The classical 4th-order Runge–Kutta method on the probability-flow ODE in σ, `h = σ_{i+1} − σ_i`:
 * `k₁ = f(x, σ)`, `k₂ = f(x + ½h k₁, σ + ½h)`, `k₃ = f(x + ½h k₂, σ + ½h)`, `k₄ = f(x + h k₃, σ + h)`,
 * `x ← x + h(k₁/6 + k₂/3 + k₃/3 + k₄/6)`, `f(x, σ) = (x − D(x; σ))/σ`. Global error O(h⁴); the step to a final 0
 * is the Euler step `x ← D(x; σ)`.
 *
 * @example
 * sampleRK4(model, initialNoise(16, model.dim, 10, 0), logSigmas(20, 0.01, 10));
 */
export const sampleRK4 = sampler(odeProgram(RK4));
