import { InfodynError } from "../errors.js";

/*
 * Grids of noise levels, in one convention (k-diffusion's): a descending Float64Array σ_0 > σ_1 > … > σ_{n−1} > 0,
 * optionally followed by a final 0 (the sampler's last step lands on the data). Every analysis that takes a σ grid
 * takes this form and checks it with {@link checkGrid}; `ascending` gives the increasing copy that plots, tables
 * and JSON curves use.
 */

/** A descending grid of noise levels (an optional final 0). */
export type SigmaGrid = Float64Array;

/** Options of the grid builders. */
export interface LevelOptions {
  /** Append a final σ = 0 (one more entry). @default false */
  zero?: boolean;
}

/**
 * `n` noise levels uniform in log σ from σ_max down to σ_min: `σ_i = exp(log σ_min + (n−1−i)/(n−1) · log(σ_max/σ_min))`,
 * the ends exact. Every step has the same ratio, so per-step growth rates are rates per unit log σ up to one constant.
 *
 * Special cases: n = 1 gives `[σ_max]`.
 *
 * @example
 * logSigmas(3, 0.1, 10); // Float64Array [10, 1, 0.1]
 */
export function logSigmas(n: number, sigmaMin: number, sigmaMax: number, { zero = false }: LevelOptions = {}): SigmaGrid {
  checkCount(n);
  const out = new Float64Array(n + (zero ? 1 : 0));
  const a = Math.log(sigmaMin);
  const b = Math.log(sigmaMax);
  const steps = n - 1;
  for (let i = 0; i < n; i++) {
    const j = steps - i; // index from the small end
    out[i] = i === 0 ? sigmaMax : j === 0 ? sigmaMin : Math.exp(a + ((b - a) * j) / steps);
  }
  return out;
}

/**
 * The EDM noise levels (Karras et al. 2022, eq. 5), as k-diffusion's `get_sigmas_karras`:
 * `σ_i = (σ_max^{1/ρ} + i/(n−1) (σ_min^{1/ρ} − σ_max^{1/ρ}))^ρ`, i = 0 … n−1, the ends exact. EDM's defaults: n = 18,
 * σ_min = 0.002, σ_max = 80, ρ = 7.
 *
 * @example
 * edmSigmas(3, 0.1, 10); // Float64Array [10, ≈1.56, 0.1]
 */
export function edmSigmas(n: number, sigmaMin: number, sigmaMax: number, rho = 7, { zero = false }: LevelOptions = {}): SigmaGrid {
  checkCount(n);
  const out = new Float64Array(n + (zero ? 1 : 0));
  const a = sigmaMax ** (1 / rho);
  const b = sigmaMin ** (1 / rho);
  for (let i = 0; i < n; i++) out[i] = i === 0 ? sigmaMax : i === n - 1 ? sigmaMin : (a + (i / (n - 1)) * (b - a)) ** rho;
  return out;
}

/**
 * A grid from explicit levels (a user's list): strictly monotone in either direction, all finite and > 0;
 * returned descending. Throws an {@link InfodynError} naming `name` for an unsorted list, a repeated level or a
 * level ≤ 0.
 *
 * @example
 * sigmaGrid([0.5, 1, 2]); // Float64Array [2, 1, 0.5]
 */
export function sigmaGrid(levels: ArrayLike<number>, name = "sigma"): SigmaGrid {
  const n = levels.length;
  if (n === 0) throw new InfodynError(`${name}: needs at least one noise level`);
  for (let i = 0; i < n; i++)
    if (!(Number.isFinite(levels[i]) && levels[i] > 0)) throw new InfodynError(`${name}[${i}]: ${levels[i]} is not a noise level > 0`);
  const up = n > 1 && levels[1] > levels[0];
  for (let i = 1; i < n; i++)
    if (up ? !(levels[i] > levels[i - 1]) : !(levels[i] < levels[i - 1]))
      throw new InfodynError(`${name}[${i}]: ${levels[i]} breaks the order of the levels (give them ascending or descending, without repeats)`);
  const out = Float64Array.from(levels);
  return up ? out.reverse() : out;
}

/**
 * Checks a descending grid: finite, strictly descending, all > 0 except an optional final 0 (only where `zero`
 * is allowed), at least `min` levels. Throws an {@link InfodynError} naming `name` and the offending index.
 */
export function checkGrid(sigmas: ArrayLike<number>, name = "sigmas", { min = 1, zero = true }: { min?: number; zero?: boolean } = {}): void {
  const n = sigmas.length;
  if (n < min) throw new InfodynError(`${name}: need at least ${min} noise level${min === 1 ? "" : "s"}, got ${n}`);
  for (let i = 0; i < n; i++) {
    const s = sigmas[i];
    if (!Number.isFinite(s) || s < 0 || (s === 0 && !(zero && i === n - 1)))
      throw new InfodynError(`${name}[${i}]: ${s} is not a noise level > 0${zero ? " (only the last may be 0)" : ""}`);
    if (i > 0 && !(s < sigmas[i - 1])) throw new InfodynError(`${name}[${i}]: ${s} does not descend from ${sigmas[i - 1]}`);
  }
}

/**
 * The positive levels of a descending grid in increasing order (a final 0 dropped): the order of plots and tables.
 *
 * @example
 * ascending(logSigmas(3, 0.1, 10, { zero: true })); // Float64Array [0.1, 1, 10]
 */
export function ascending(grid: ArrayLike<number>): Float64Array {
  const n = grid.length > 0 && grid[grid.length - 1] === 0 ? grid.length - 1 : grid.length;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = grid[n - 1 - i];
  return out;
}

/** The positive levels of a grid (a final 0 dropped), in the grid's order. */
export function positiveLevels(grid: ArrayLike<number>): Float64Array {
  const n = grid.length > 0 && grid[grid.length - 1] === 0 ? grid.length - 1 : grid.length;
  return Float64Array.from({ length: n }, (_, i) => grid[i]);
}

function checkCount(n: number): void {
  if (!(Number.isInteger(n) && n >= 1)) throw new InfodynError(`grid: ${n} is not a number of levels (an integer ≥ 1)`);
}
