import { newtonFixedPoint } from "../thermo/fixed-points.js";
import { deltas } from "../../models/deltas.js";
import { createRng } from "../../numeric/rng.js";
import { classifyWeights, type AttractorClass } from "./classify.js";
import { meanShift, type PointSet, weightsAt } from "./weights.js";

/** A stable attractor x* = m(x*) with its classification and basin weight (± SE). */
export interface Attractor {
  x: number[];
  stabilityRatio: number;
  cls: AttractorClass;
  maxWeight: number;
  inverseParticipation: number;
  basin: number;
  basinSE: number;
}

/**
 * Stable attractors of `E_σ` (THEORY.md §9.6): mean shift from every y_j, nearest-neighbour midpoints and `starts`
 * seeded samples of p_σ; Newton refinement of x = m(x); dedupe to 1e-6·σ; keep λ_max(C)/σ² < 1. Basin weights: the
 * fraction of the p_σ samples whose mean-shift flow ends nearest each attractor (within 1e-3·σ), SE = √(f(1−f)/n).
 */
export function findAttractors(set: PointSet, sigma: number, { starts = 500, seed = 0 } = {}): Attractor[] {
  const { K, dim, points } = set;
  const rows = Array.from({ length: K }, (_, j) => Array.from(points.subarray(j * dim, (j + 1) * dim)));
  const model = deltas({ rows: K, dim, data: points }, set.prior ? { weights: set.prior } : {});
  const seeds: Float64Array[] = rows.map((r) => Float64Array.from(r));
  for (let j = 0; j < K; j++) {
    let best = -1, bd = Infinity;
    for (let i = 0; i < K; i++) if (i !== j) {
      const d = rows[i].reduce((s, v, k) => s + (v - rows[j][k]) ** 2, 0);
      if (d < bd) (bd = d), (best = i);
    }
    if (best >= 0) seeds.push(Float64Array.from(rows[j], (v, k) => (v + rows[best][k]) / 2));
  }
  const rng = createRng(seed);
  const samples: Float64Array[] = [];
  for (let s = 0; s < starts; s++) {
    const j = Math.floor(rng.uniform() * K);
    samples.push(Float64Array.from(rows[j], (v) => v + sigma * rng.normal()));
  }
  const found: Attractor[] = [];
  const w = new Float64Array(K), m = new Float64Array(dim);
  const near = (x: ArrayLike<number>, tol: number) => found.findIndex((a) => Math.hypot(...a.x.map((v, k) => v - x[k])) <= tol);
  const ends = samples.map((x) => meanShift(set, Float64Array.from(x), sigma));
  for (const x0 of [...seeds, ...ends]) {
    const fp = newtonFixedPoint(model, meanShift(set, Float64Array.from(x0), sigma), sigma);
    if (!fp.converged || !fp.stable || near(fp.x, 1e-6 * sigma) >= 0) continue;
    weightsAt(set, fp.x, sigma, w, m);
    found.push({ x: Array.from(fp.x), stabilityRatio: fp.stabilityRatio, ...classifyWeights(w), basin: 0, basinSE: 0 });
  }
  for (const e of ends) {
    const i = near(e, 1e-3 * sigma);
    if (i >= 0) found[i].basin += 1 / starts;
  }
  for (const a of found) a.basinSE = Math.sqrt((a.basin * (1 - a.basin)) / starts);
  return found;
}

/** K points evenly spaced on the unit circle. */
export function circlePoints(K: number): PointSet {
  const points = new Float64Array(2 * K);
  for (let j = 0; j < K; j++) (points[2 * j] = Math.cos((2 * Math.PI * j) / K)), (points[2 * j + 1] = Math.sin((2 * Math.PI * j) / K));
  return { points, K, dim: 2 };
}
