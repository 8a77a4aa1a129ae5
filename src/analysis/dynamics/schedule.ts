import { InfodynError } from "../../errors.js";
import type { NoiseProcess } from "../../noise/process.js";

/**
 * The EDM noise levels (Karras et al. 2022, eq. 5), descending, as k-diffusion's `get_sigmas_karras`:
 * `σ_i = (σ_max^{1/ρ} + i/(n−1) (σ_min^{1/ρ} − σ_max^{1/ρ}))^ρ`, i = 0 … n−1, with a final 0 appended when
 * `zero` is true (n + 1 entries). EDM's defaults: n = 18, σ_min = 0.002, σ_max = 80, ρ = 7.
 *
 * Special cases: n = 1 gives `[σ_max]`; the ends are exactly σ_max and σ_min. Use `.reverse()` for ascending.
 *
 * @example
 * edmSigmas(3, 0.1, 10); // Float64Array [10, ≈1.56, 0.1]
 */
export function edmSigmas(n: number, sigmaMin: number, sigmaMax: number, rho = 7, zero = false): Float64Array {
  const out = new Float64Array(n + (zero ? 1 : 0));
  const a = sigmaMax ** (1 / rho);
  const b = sigmaMin ** (1 / rho);
  for (let i = 0; i < n; i++) out[i] = i === 0 ? sigmaMax : i === n - 1 ? sigmaMin : (a + (i / (n - 1)) * (b - a)) ** rho;
  return out;
}

/**
 * `n` noise levels uniform in log σ from σ_max down to σ_min (descending), with a final 0 when `zero` is true:
 * `σ_i = σ_max (σ_min/σ_max)^{i/(n−1)}`. Every step has the same ratio, so per-step growth rates of the tangent
 * dynamics are rates per unit log σ up to one constant.
 *
 * @example
 * logSigmas(3, 0.1, 10); // Float64Array [10, 1, 0.1]
 */
export function logSigmas(n: number, sigmaMin: number, sigmaMax: number, zero = false): Float64Array {
  const out = new Float64Array(n + (zero ? 1 : 0));
  const a = Math.log(sigmaMax);
  const b = Math.log(sigmaMin);
  for (let i = 0; i < n; i++) out[i] = i === 0 ? sigmaMax : i === n - 1 ? sigmaMin : Math.exp(a + (i / (n - 1)) * (b - a));
  return out;
}

/**
 * The times `t_i = t(σ_i)` of a σ grid under a forward process (THEORY.md §1, §9.1).
 *
 * Every quantity of the exact dynamics is a function of σ alone: `x_t = s(t)(y + σ(t) z)`, so `x_t / s(t)`
 * has the VE law at σ(t), and the probability-flow ODE and reverse SDE of any process are the VE ones in the
 * variable `x/s` after the change of variable t ↦ σ(t). Sampling in σ (all samplers here) is therefore exact
 * for every process; a process only says *when* each level is reached and scales the state by `s(t)`.
 * Levels outside the process's range give its `time` (NaN or ±∞ for VP processes beyond their σ range).
 *
 * @example
 * sigmasToTimes(logSigmas(3, 0.1, 10), ve()); // [100, 1, 0.01]
 */
export function sigmasToTimes(sigmas: ArrayLike<number>, process: NoiseProcess): Float64Array {
  const out = new Float64Array(sigmas.length);
  for (let i = 0; i < sigmas.length; i++) out[i] = process.time(sigmas[i]);
  return out;
}

/**
 * Boundary check of a sampler's σ grid: at least two levels, finite, strictly descending, all > 0 except an
 * optional final 0 (as k-diffusion). Throws an {@link InfodynError} naming `name`.
 */
export function checkSigmas(sigmas: ArrayLike<number>, name = "sigmas"): void {
  const n = sigmas.length;
  if (n < 2) throw new InfodynError(`${name}: need at least two noise levels, got ${n}`);
  for (let i = 0; i < n; i++) {
    const s = sigmas[i];
    if (!Number.isFinite(s) || s < 0 || (s === 0 && i !== n - 1))
      throw new InfodynError(`${name}[${i}]: ${s} is not a noise level > 0 (only the last may be 0)`);
    if (i > 0 && !(s < sigmas[i - 1])) throw new InfodynError(`${name}[${i}]: ${s} does not descend from ${sigmas[i - 1]}`);
  }
}
