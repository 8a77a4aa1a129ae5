import type { Batch } from "../../batch.js";
import { InfodynError } from "../../errors.js";
import { createRng } from "../../numeric/rng.js";

/*
 * Likelihoods in the units papers report: bits per dimension, and for data on a grid of levels (8-bit images) the
 * discretised likelihood under uniform dequantisation.
 */

/** `nll/(D ln 2)`: nats per point to bits per dimension. */
export const bitsPerDim = (nll: number, D: number): number => nll / (D * Math.LN2);

/**
 * Data on a grid of `levels` values per coordinate, `a + kΔ` (k = 0 … levels − 1, `Δ = (b − a)/(levels − 1)`), each
 * value standing for the bin `[v − Δ/2, v + Δ/2)`: e.g. 8-bit pixels `{levels: 256, range: [0, 255]}` (Δ = 1) or
 * scaled to [−1, 1] `{levels: 256, range: [−1, 1]}` (Δ = 2/255); the digits `{levels: 17, range: [0, 16]}`.
 */
export interface Quantization {
  levels: number;
  range: readonly [number, number];
}

/** The bin width Δ of a {@link Quantization}; throws {@link InfodynError} for fewer than 2 levels or an empty range. */
export function binWidth(q: Quantization): number {
  const [a, b] = q.range;
  if (!(Number.isInteger(q.levels) && q.levels >= 2)) throw new InfodynError(`levels: must be an integer ≥ 2 (got ${q.levels})`);
  if (!(Number.isFinite(a) && Number.isFinite(b) && b > a)) throw new InfodynError(`range: needs a < b, both finite (got ${a}, ${b})`);
  return (b - a) / (q.levels - 1);
}

/**
 * Uniform dequantisation: `ỹ = y + u`, `u ~ U[−Δ/2, Δ/2)^D` (Theis, van den Oord & Bethge 2016), one draw per point
 * from `createRng(seed)`, point after point. With it the discrete probability of y's bin is bounded by Jensen:
 * `−log P(bin) ≤ E_u[−log p(y + u)] − D log Δ`, so {@link discreteBitsPerDim} of `−log p(ỹ)` is an unbiased
 * estimate of an upper bound on the discrete bits/dim (the number papers report).
 */
export function dequantize(points: Batch, q: Quantization, seed = 0): Batch {
  const delta = binWidth(q);
  const rng = createRng(seed);
  const data = new Float64Array(points.data.length);
  for (let p = 0; p < data.length; p++) data[p] = points.data[p] + delta * (rng.uniform() - 0.5);
  return { rows: points.rows, dim: points.dim, data };
}

/** `(nll − D log Δ)/(D ln 2)`: the discrete bits/dim of a dequantised point whose continuous NLL is `nll` nats. */
export const discreteBitsPerDim = (nll: number, D: number, delta: number): number => (nll - D * Math.log(delta)) / (D * Math.LN2);
