import type { NoiseProcess } from "../../noise/process.js";

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
