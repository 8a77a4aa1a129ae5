import { zeros } from "../batch.js";
import { createRng } from "../numeric/rng.js";
import { deltas } from "./deltas.js";
import type { DataModel } from "./types.js";

/** Clusters of the default dataset: class name, centre, spread, count. */
const CLUSTERS = [
  { name: "west", centre: [-2.2, -0.4], spread: 0.45, count: 90 },
  { name: "north-east", centre: [1.6, 1.1], spread: 0.35, count: 80 },
  { name: "south-east", centre: [1.9, -0.9], spread: 0.35, count: 70 },
  { name: "north", centre: [-0.3, 2.6], spread: 0.5, count: 60 },
] as const;

/** Seed of the embedded default dataset (fixed: the dataset is part of the package). */
export const DEFAULT_MODEL_SEED = 20261123;

/**
 * The embedded default model: 300 labelled points in 2-D, four Gaussian clusters of unequal size and spread
 * (two of them close together, so the data branches at several noise levels), drawn from a fixed seed.
 * Used by `infodyn report` with no model and by `npm start`.
 */
export function defaultModel(): DataModel {
  const rng = createRng(DEFAULT_MODEL_SEED);
  const total = CLUSTERS.reduce((a, c) => a + c.count, 0);
  const points = zeros(total, 2);
  const labels = new Int32Array(total);
  let i = 0;
  CLUSTERS.forEach((c, k) => {
    for (let j = 0; j < c.count; j++, i++) {
      points.data[2 * i] = c.centre[0] + c.spread * rng.normal();
      points.data[2 * i + 1] = c.centre[1] + c.spread * rng.normal();
      labels[i] = k;
    }
  });
  return deltas(points, { labels, classNames: CLUSTERS.map((c) => c.name) });
}
