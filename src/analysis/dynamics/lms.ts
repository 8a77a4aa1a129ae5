import type { Batch } from "../../batch.js";
import type { DenoiseProgram } from "../../score/program.js";
import { sampler, samplerSettings, startState, toD, type SamplerOptions } from "./sampler.js";

/** The 4-point Gauss–Legendre rule on [−1, 1]: nodes ±√(3/7 ∓ (2/7)√(6/5)), weights (18 ± √30)/36. */
const GL4_NODES = [Math.sqrt(3 / 7 - (2 / 7) * Math.sqrt(6 / 5)), Math.sqrt(3 / 7 + (2 / 7) * Math.sqrt(6 / 5))];
const GL4_WEIGHTS = [(18 + Math.sqrt(30)) / 36, (18 - Math.sqrt(30)) / 36];

/**
 * The coefficients of the linear multistep step i of order q (k-diffusion's `linear_multistep_coeff`): the
 * integrals over the step of the Lagrange basis on the last q levels,
 * `c_j = ∫_{σ_i}^{σ_{i+1}} ℓ_j(τ) dτ`, `ℓ_j(τ) = Π_{k≠j, k<q} (τ − σ_{i−k})/(σ_{i−j} − σ_{i−k})`, j = 0 … q − 1,
 * so that `x_{i+1} = x_i + Σ_j c_j d_{i−j}` integrates the polynomial through the derivatives d_i … d_{i−q+1}.
 *
 * Method: ℓ_j has degree q − 1 ≤ 7, so the 4-point Gauss–Legendre rule (exact to degree 7) gives the integral
 * exactly up to rounding: a few ulps relative to Σ|c_j| (k-diffusion calls scipy's adaptive `quad`, whose
 * Gauss–Kronrod rule is exact there too; test/samplers-reference.test.ts agrees with it to 1e-13).
 *
 * Special cases: q = 1 gives c = [σ_{i+1} − σ_i] (Euler); Σ_j c_j = σ_{i+1} − σ_i for every q (Σ_j ℓ_j ≡ 1); a
 * final σ_{i+1} = 0 needs no special rule (the polynomial is integrated to 0). Needs q ≤ i + 1 and q ≤ 8 (the
 * callers guarantee both).
 *
 * @example
 * lmsCoefficients([3, 2, 1, 0.5], 1, 2); // [−1.5, 0.5]: ∫ from 2 to 1 of 3 − τ and of τ − 2 (sum −1 = σ₂ − σ₁)
 */
export function lmsCoefficients(sigmas: ArrayLike<number>, i: number, q: number): Float64Array {
  const a = sigmas[i];
  const b = sigmas[i + 1];
  const half = (b - a) / 2;
  const mid = (a + b) / 2;
  const out = new Float64Array(q);
  for (let j = 0; j < q; j++) {
    let sum = 0;
    for (let g = 0; g < 4; g++) {
      const tau = mid + half * (g < 2 ? -GL4_NODES[g] : GL4_NODES[g - 2]);
      let prod = 1;
      for (let k = 0; k < q; k++) if (k !== j) prod *= (tau - sigmas[i - k]) / (sigmas[i - j] - sigmas[i - k]);
      sum += GL4_WEIGHTS[g % 2] * prod;
    }
    out[j] = half * sum;
  }
  return out;
}

/**
 * The linear multistep sampler as a program (k-diffusion's `sample_lms`; Adams–Bashforth on the non-uniform σ
 * grid): step i evaluates `d_i = (x − D(x; σ_i))/σ_i` once, keeps the last q derivatives, and takes
 * `x ← x + Σ_j c_j d_{i−j}` with the coefficients of {@link lmsCoefficients} at the current order
 * `min(i + 1, order)` (Euler, then order 2, 3 … as history accrues). One denoiser call per step; global error
 * O(h^order) on a smooth grid.
 */
export function* lmsProgram(x0: Batch, sigmas: ArrayLike<number>, options: SamplerOptions = {}): DenoiseProgram<Batch> {
  const { order } = samplerSettings(options);
  const x = startState(x0, sigmas);
  const n = x.data.length;
  // ds[0] is the newest derivative; the arrays rotate so no step allocates.
  const ds = Array.from({ length: order }, () => new Float64Array(n));
  for (let i = 0; i + 1 < sigmas.length; i++) {
    const sigma = sigmas[i];
    const denoised = yield { x, sigma, cond: options.cond };
    ds.unshift(ds.pop()!);
    toD(x, denoised, sigma, ds[0]);
    options.callback?.({ i, sigma, sigmaHat: sigma, sigmaNext: sigmas[i + 1], x, denoised });
    const q = Math.min(i + 1, order);
    const c = lmsCoefficients(sigmas, i, q);
    for (let p = 0; p < n; p++) {
      let acc = 0;
      for (let j = 0; j < q; j++) acc += c[j] * ds[j][p];
      x.data[p] += acc;
    }
  }
  return x;
}

/**
 * Linear multistep sampling ({@link lmsProgram}): deterministic, option `order` (integer 1 … 8, default 4, as
 * k-diffusion), one denoiser call per step.
 *
 * @example
 * sampleLms(model, initialNoise(16, model.dim, 80, 0), edmSigmas(25, 0.002, 80, 7, { zero: true }), { order: 4 });
 */
export const sampleLms = sampler(lmsProgram);
