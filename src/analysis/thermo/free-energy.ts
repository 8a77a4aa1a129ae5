import type { Batch } from "../../batch.js";
import type { DataModel } from "../../models/types.js";

const LOG_2PI = Math.log(2 * Math.PI);

/**
 * Regularized free energy `F̃(x) = −σ² log p_σ(x) − (Dσ²/2) log(2πσ²) = −σ² log ∫ φ(y) e^{−‖x−y‖²/(2σ²)} dy`
 * (THEORY.md §6, β = 1/σ²). The additive constant is fixed so that `F̃ = F + ½‖x‖²` holds exactly with
 * `F = −β⁻¹ log Z`, `Z(x) = ∫ e^{−H(y;x)} dy`, `H = β(½‖y‖² − x·y) − log φ(y)` (φ a normalised density, or
 * Σ π_j δ for deltas, where `F̃ = −σ² logsumexp_j(log π_j − ‖x − y_j‖²/(2σ²))`).
 * Its gradient is `x − m(x) = −σ² ∇log p_σ`: the score is `−β ∇F̃`.
 *
 * Method: from the model's `logDensity`. Special cases: rows with a NaN log-density give NaN.
 * @example regularizedFreeEnergy(deltas(fromRows([[-1], [1]])), fromRows([[0]]), 1)[0]; // returns 0.5
 */
export function regularizedFreeEnergy(model: DataModel, x: Batch, sigma: number): Float64Array {
  const logp = model.logDensity(x, sigma);
  const s2 = sigma * sigma;
  const c = 0.5 * x.dim * (LOG_2PI + Math.log(s2));
  const out = new Float64Array(x.rows);
  for (let i = 0; i < x.rows; i++) out[i] = -s2 * (logp[i] + c);
  return out;
}

/**
 * Free energy `F(x) = −σ² log Z(x) = F̃(x) − ½‖x‖²` (THEORY.md §6), with the constant of
 * {@link regularizedFreeEnergy}; the magnetization is `m(x) = −∇F = E[y|x]`.
 * @example freeEnergy(deltas(fromRows([[-1], [1]])), fromRows([[0]]), 1)[0]; // returns 0.5
 */
export function freeEnergy(model: DataModel, x: Batch, sigma: number): Float64Array {
  const out = regularizedFreeEnergy(model, x, sigma);
  for (let i = 0; i < x.rows; i++) {
    let n2 = 0;
    for (let k = 0; k < x.dim; k++) n2 += x.data[i * x.dim + k] ** 2;
    out[i] -= 0.5 * n2;
  }
  return out;
}

/** Magnetization `m(x) = ⟨y⟩_x = −∇F(x)`: the posterior mean (THEORY.md §6). */
export function magnetization(model: DataModel, x: Batch, sigma: number): Batch {
  return model.denoise(x, sigma);
}

/** A 1-D or 2-D grid of F and F̃: values row-major `[iy][ix]` (one row for 1-D models). */
export interface FreeEnergyGrid {
  x: number[];
  /** Present for 2-D models. */
  y?: number[];
  freeEnergy: number[][];
  regularizedFreeEnergy: number[][];
}

/** `n` evenly spaced values from a to b inclusive (n ≥ 2; n = 1 gives [a]). */
export function linspace(a: number, b: number, n: number): number[] {
  return Array.from({ length: n }, (_, i) => (n === 1 ? a : a + ((b - a) * i) / (n - 1)));
}

/**
 * F and F̃ on an n-point grid over [x0, x1] (1-D models) or an n × n grid over [x0, x1] × [y0, y1] (2-D models).
 * Special cases: models of other dimension give NaN-free empty grids (no rows).
 * @example freeEnergyGrid(model, 0.5, { x0: -2, x1: 2, n: 41 }).regularizedFreeEnergy[0].length; // 41
 */
export function freeEnergyGrid(
  model: DataModel,
  sigma: number,
  g: { x0: number; x1: number; y0?: number; y1?: number; n: number },
): FreeEnergyGrid {
  const xs = linspace(g.x0, g.x1, g.n);
  const D = model.dim;
  if (D === 1) {
    const b = { rows: xs.length, dim: 1, data: Float64Array.from(xs) };
    return { x: xs, freeEnergy: [Array.from(freeEnergy(model, b, sigma))], regularizedFreeEnergy: [Array.from(regularizedFreeEnergy(model, b, sigma))] };
  }
  if (D !== 2) return { x: xs, freeEnergy: [], regularizedFreeEnergy: [] };
  const ys = linspace(g.y0 ?? g.x0, g.y1 ?? g.x1, g.n);
  const data = new Float64Array(xs.length * ys.length * 2);
  ys.forEach((yv, iy) => xs.forEach((xv, ix) => data.set([xv, yv], 2 * (iy * xs.length + ix))));
  const b = { rows: xs.length * ys.length, dim: 2, data };
  const ft = regularizedFreeEnergy(model, b, sigma);
  const f = freeEnergy(model, b, sigma);
  const rows = (v: Float64Array) => ys.map((_, iy) => Array.from(v.subarray(iy * xs.length, (iy + 1) * xs.length)));
  return { x: xs, y: ys, freeEnergy: rows(f), regularizedFreeEnergy: rows(ft) };
}
