import { fromRows } from "../../batch.js";
import { deltas } from "../../models/deltas.js";
import { gmm } from "../../models/gmm.js";
import type { DataModel } from "../../models/types.js";
import { createRng } from "../../numeric/rng.js";

/**
 * Positions of the paper's 1-D test beds (THEORY.md §9.1, paper §6.1, App. H.2): `count` points drawn uniformly
 * on [0, 1) from `createRng(seed)`, then standardised to mean 0 and standard deviation 1 as a uniform mixture
 * with component variance `w²` (Σ π μ² + w² = 1).
 */
function standardisedPositions(count: number, seed: number, width: number): Float64Array {
  const rng = createRng(seed);
  const p = Float64Array.from({ length: count }, () => rng.uniform());
  let mean = 0;
  for (const v of p) mean += v / count;
  let second = 0;
  for (const v of p) second += (v - mean) ** 2 / count;
  // Variance of the scaled mixture: scale²·second + width² = 1.
  const scale = Math.sqrt(Math.max(0, 1 - width * width) / second);
  return p.map((v) => (v - mean) * scale);
}

/**
 * The discrete 1-D test bed: `count` equally weighted points (default 15), standardised (mean 0, std 1).
 *
 * @example
 * fifteenPoints(0).sample(3, createRng(1)); // three of the 15 points
 */
export function fifteenPoints(seed = 0, count = 15): DataModel {
  const mu = standardisedPositions(count, seed, 0);
  return deltas(fromRows(Array.from(mu, (m) => [m])));
}

/**
 * The continuous 1-D test bed: `count` equally weighted Gaussians of standard deviation `width` (default 15,
 * width 0.1 — overlapping: the mean gap of 15 points on a unit-variance range is ≈ 0.24), the mixture
 * standardised to mean 0 and variance 1.
 */
export function fifteenGaussians(seed = 0, width = 0.1, count = 15): DataModel {
  const mu = standardisedPositions(count, seed, width);
  return gmm(Array.from(mu, (m) => ({ weight: 1, mean: [m], variance: width * width })));
}
