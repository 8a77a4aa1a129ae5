import type { DataModel } from "../../models/types.js";
import type { PathsData } from "./dynamics.js";
import { tileFigure, type Tile } from "./tiles.js";
import type { VegaLiteSpec } from "../theme.js";

/** The image shape of a model's points (`"shape"` in its file: [H, W] or [C, H, W]), or undefined. */
export function imageShape(model: DataModel): readonly number[] | undefined {
  return model.shape;
}

/** The smallest and largest coordinate of the data: the grey scale of every tile of a report. */
export function pixelRange(points: ArrayLike<number>): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < points.length; i++) {
    lo = Math.min(lo, points[i]);
    hi = Math.max(hi, points[i]);
  }
  return [lo, hi];
}

const row = (points: ArrayLike<number>, i: number, D: number) => Array.prototype.slice.call(points, i * D, (i + 1) * D) as number[];
const className = (model: DataModel, c: number) => model.classNames?.[c] ?? String(c);

/**
 * Data images: the first `perClass` points of each class in file order (rows = classes), or, unlabelled, two rows
 * of `perClass` points evenly spaced through the data.
 */
export function dataTilesFigure(model: DataModel, shape: readonly number[], points: Float64Array, labels: Int32Array | undefined, perClass = 8): VegaLiteSpec {
  const D = model.dim;
  const n = points.length / D;
  const tiles: Tile[] = [];
  const rowLabels: string[] = [];
  if (labels && model.numClasses > 1) {
    for (let c = 0; c < model.numClasses; c++) {
      let col = 0;
      for (let i = 0; i < n && col < perClass; i++) if (labels[i] === c) tiles.push({ row: rowLabels.length, col: col++, pixels: row(points, i, D) });
      if (col > 0) rowLabels.push(`class ${className(model, c)}`);
    }
  } else {
    const m = Math.min(n, 2 * perClass);
    for (let k = 0; k < m; k++) tiles.push({ row: Math.floor(k / perClass), col: k % perClass, pixels: row(points, Math.floor((k * n) / m), D) });
    rowLabels.push(...Array.from({ length: Math.ceil(m / perClass) }, () => ""));
  }
  const [lo, hi] = pixelRange(points);
  return tileFigure("The data as images", shape, tiles, {
    rowLabels,
    colLabels: [],
    domain: [lo, hi],
    subtitle: `${labels && model.numClasses > 1 ? `the first ${perClass} of each class` : `${tiles.length} points through the data`}; black ${+lo.toPrecision(3)}, white ${+hi.toPrecision(3)}`,
  });
}

/** Columns of {@link denoisingTilesFigure}: the levels of `sigma` (descending) nearest `count` log-uniform σ's. */
export function tileLevels(sigma: readonly number[], count: number): number[] {
  const L = sigma.length;
  const a = Math.log(sigma[0]);
  const b = Math.log(sigma[L - 1]);
  const out: number[] = [];
  for (let c = 0; c < count; c++) {
    const u = count === 1 ? a : a + ((b - a) * c) / (count - 1);
    let best = 0;
    for (let i = 1; i < L; i++) if (Math.abs(Math.log(sigma[i]) - u) < Math.abs(Math.log(sigma[best]) - u)) best = i;
    if (!out.includes(best)) out.push(best);
  }
  return out;
}

/**
 * The posterior means `m(x_σ) = E[y | x_σ]` (the model's `denoise`) at the states of the first `rows` kept reverse
 * trajectories (rows) at `cols` levels from σ_max down to σ_min (columns, σ decreasing: the direction of
 * generation). Each row is labelled with the class of the data point nearest the path's final state.
 */
export function denoisingTilesFigure(model: DataModel, shape: readonly number[], paths: PathsData, points: Float64Array, labels: Int32Array | undefined, rows = 6, cols = 8): VegaLiteSpec | undefined {
  const D = model.dim;
  const P = Math.min(rows, paths.trajectories.length);
  if (P === 0) return undefined;
  const levels = tileLevels(paths.sigma, cols);
  const x = new Float64Array(P * levels.length * D);
  const sigma = new Float64Array(P * levels.length);
  for (let p = 0; p < P; p++)
    levels.forEach((l, c) => {
      x.set(paths.trajectories[p][l], (p * levels.length + c) * D);
      sigma[p * levels.length + c] = paths.sigma[l];
    });
  const m = model.denoise({ rows: P * levels.length, dim: D, data: x }, sigma).data;
  const tiles: Tile[] = [];
  for (let p = 0; p < P; p++) levels.forEach((_, c) => tiles.push({ row: p, col: c, pixels: row(m, p * levels.length + c, D) }));
  const rowLabels = Array.from({ length: P }, (_, p) => {
    const end = paths.trajectories[p][paths.sigma.length - 1];
    const j = nearestPoint(points, D, end).index;
    return labels && model.numClasses > 1 ? `path ${p + 1} → ${className(model, labels[j])}` : `path ${p + 1}`;
  });
  return tileFigure("Posterior means m(x_σ) = E[y | x_σ] along reverse trajectories", shape, tiles, {
    rowLabels,
    colLabels: levels.map((l, c) => `${c === 0 ? "σ = " : ""}${+paths.sigma[l].toPrecision(3)}`),
    domain: pixelRange(points),
    subtitle: "rows: paths (→ class of the nearest data point at the end); σ decreasing →",
  });
}

/**
 * The generated samples: the final states of the kept trajectories (at σ_min, with that much noise left) above the
 * data point nearest each, with the posterior's effective number of points 1/Y = 1/Σ w² at σ_min.
 */
export function samplesTilesFigure(model: DataModel, shape: readonly number[], paths: PathsData, points: Float64Array, labels: Int32Array | undefined, count = 12): { spec: VegaLiteSpec; copies: number; shown: number } | undefined {
  const D = model.dim;
  const P = Math.min(count, paths.trajectories.length);
  if (P === 0) return undefined;
  const L = paths.sigma.length;
  const sigmaMin = paths.sigma[L - 1];
  const finals = new Float64Array(P * D);
  for (let p = 0; p < P; p++) finals.set(paths.trajectories[p][L - 1], p * D);
  const Y = model.discrete ? model.posterior({ rows: P, dim: D, data: finals }, sigmaMin, { participation: true }).participation : undefined;
  const tiles: Tile[] = [];
  const colLabels: string[] = [];
  let copies = 0;
  for (let p = 0; p < P; p++) {
    const x = row(finals, p, D);
    const nn = nearestPoint(points, D, x);
    tiles.push({ row: 0, col: p, pixels: x }, { row: 1, col: p, pixels: row(points, nn.index, D) });
    if (Y && 1 / Y[p] < 1.5) copies++;
    colLabels.push(labels && model.numClasses > 1 ? className(model, labels[nn.index]) : "");
  }
  const spec = tileFigure("Generated samples and their nearest data points", shape, tiles, {
    rowLabels: [`sample at σ = ${+sigmaMin.toPrecision(3)}`, "nearest data point"],
    colLabels,
    domain: pixelRange(points),
    subtitle: Y ? `final states of the reverse SDE; ${copies} of ${P} have 1/Σ w² < 1.5: one training point` : "final states of the reverse SDE",
  });
  return { spec, copies, shown: P };
}

/** The data point nearest x (squared Euclidean distance), by a linear scan. */
export function nearestPoint(points: ArrayLike<number>, D: number, x: ArrayLike<number>): { index: number; distance: number } {
  const n = points.length / D;
  let best = 0;
  let bestD = Infinity;
  for (let i = 0; i < n; i++) {
    let d2 = 0;
    for (let k = 0; k < D; k++) d2 += (points[i * D + k] - x[k]) ** 2;
    if (d2 < bestD) {
      bestD = d2;
      best = i;
    }
  }
  return { index: best, distance: Math.sqrt(bestD) };
}
