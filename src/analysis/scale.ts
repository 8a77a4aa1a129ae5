import type { DataModel } from "../models/types.js";
import { createRng } from "../numeric/rng.js";

/*
 * The σ range every command uses by default, decided once from the data (docs/cli.md, "Default noise levels").
 */

/** Points of a model used to measure its scales: its own points (discrete mixtures ≤ 5000 points), else draws. */
export function labelledSample(model: DataModel, n: number, seed: number): { points: Float64Array; labels?: Int32Array } {
  const st = model.structure;
  if (model.discrete && st?.type === "mixture" && st.means.rows <= 5000) {
    const labels = "set" in model ? (model as unknown as { set: { labels?: Int32Array } }).set.labels : undefined;
    return { points: st.means.data, labels };
  }
  const rng = createRng(seed + 1);
  if (model.sampleLabelled) {
    const s = model.sampleLabelled(n, rng);
    return { points: s.points.data, labels: s.labels };
  }
  return { points: model.sample(n, rng).data };
}

/** √(Tr Cov(y)/D) of a sample: the per-coordinate σ scale of the data. */
export function dataScale(points: Float64Array, D: number): number {
  return Math.sqrt(totalVariance(points, D) / D) || 1;
}

/**
 * Tr Cov(y) of a sample, or of weighted points (`weights` summing to 1, as a discrete model's): two passes, the
 * mean first, then the squared deviations.
 */
export function totalVariance(points: Float64Array, D: number, weights?: Float64Array): number {
  const n = points.length / D;
  const w = (i: number) => (weights ? weights[i] : 1 / n);
  let tr = 0;
  for (let k = 0; k < D; k++) {
    let m = 0;
    for (let i = 0; i < n; i++) m += w(i) * points[i * D + k];
    let s = 0;
    for (let i = 0; i < n; i++) s += w(i) * (points[i * D + k] - m) ** 2;
    tr += s;
  }
  return tr;
}

/**
 * Nearest-neighbour distances of the distinct points of a sample (at most `limit` points, taken evenly), ascending;
 * coincident points (distance 0) are skipped.
 */
export function nearestNeighbourDistances(points: Float64Array, D: number, limit = 2000): Float64Array {
  const n = points.length / D;
  const stride = Math.max(1, Math.ceil(n / limit));
  const idx: number[] = [];
  for (let i = 0; i < n; i += stride) idx.push(i);
  const out: number[] = [];
  for (const i of idx) {
    let best = Infinity;
    for (const j of idx) {
      if (j === i) continue;
      let d2 = 0;
      for (let k = 0; k < D; k++) {
        const d = points[i * D + k] - points[j * D + k];
        d2 += d * d;
      }
      if (d2 > 0 && d2 < best) best = d2;
    }
    if (Number.isFinite(best)) out.push(Math.sqrt(best));
  }
  return Float64Array.from(out).sort();
}

/** The default σ range of every command, with the scales it came from. */
export interface SigmaRange {
  min: number;
  max: number;
  /** √Tr Cov(y): σ_max = 10 × this. */
  spread: number;
  /** The smallest length the data resolves (see {@link defaultSigmaRange}): σ_min = this / 10. */
  resolution: number;
  /** How `resolution` was measured, in words. */
  rule: string;
}

/**
 * The default σ range of a model, the same in every command (docs/cli.md, "Default noise levels"):
 *
 * - `σ_max = 10 √Tr Cov(y)`: for σ² ≫ Tr Cov, `I(y; x_σ) ≈ Tr Cov/(2σ²)`, so at most ≈ 0.005 nats of information is
 *   left above the range, in every dimension (a per-coordinate scale √(Tr Cov/D) would leave D/200 nats).
 * - `σ_min = r/10` with r the smallest length the data resolves: for a finite set of points, the 10th percentile of
 *   the nearest-neighbour distances (at σ = r/10 a point's neighbour at distance r keeps a posterior weight
 *   ≈ e^{−r²/(8σ²)} ≈ 4·10⁻⁶: the regime of memorizing one training point); for Gaussian components the smallest
 *   standard deviation (and the means' spacing, for a mixture of several); for a sphere of radius R in D dimensions
 *   R/√D, the scale of its transverse fluctuation.
 *
 * Special cases: a single point (or no spread) gives the range [0.1, 10] scaled by the data's magnitude (1 at the
 * origin); `min < max` always.
 *
 * @example
 * defaultSigmaRange(parseModel({ kind: "deltas", points: [[-1], [1]] })); // { min: 0.2, max: 10, … }
 */
export function defaultSigmaRange(model: DataModel, seed = 0): SigmaRange {
  const D = model.dim;
  const st = model.structure;
  let spread: number;
  let resolution = Infinity;
  let rule: string;
  if (st?.type === "gaussian") {
    spread = Math.sqrt(st.lambda.reduce((a, l) => a + Math.max(0, l), 0));
    for (const l of st.lambda) if (l > 0) resolution = Math.min(resolution, Math.sqrt(l));
    rule = "the smallest standard deviation";
  } else if (st?.type === "sphere") {
    spread = st.radius;
    resolution = st.radius / Math.sqrt(D);
    rule = "radius/√D";
  } else if (st?.type === "mixture" && st.components) {
    const points = st.means.data;
    spread = Math.sqrt(totalVariance(labelledSample(model, 4000, seed).points, D));
    for (const c of st.components) for (const l of c.lambda) if (l > 0) resolution = Math.min(resolution, Math.sqrt(l));
    const nn = nearestNeighbourDistances(points, D);
    if (nn.length > 0) resolution = Math.min(resolution, percentile(nn, 0.1));
    rule = "the smallest component standard deviation or the 10th percentile of the means' nearest-neighbour spacing";
  } else if (model.discrete && st?.type === "mixture" && st.means.rows <= 5000) {
    // the model's own points with their weights (σ_max), their spacing unweighted (σ_min: every point is resolved)
    spread = Math.sqrt(totalVariance(st.means.data, D, st.weights));
    const nn = nearestNeighbourDistances(st.means.data, D);
    if (nn.length > 0) resolution = percentile(nn, 0.1);
    rule = "the 10th percentile of the points' nearest-neighbour distances";
  } else {
    const { points } = labelledSample(model, 2000, seed);
    return pointsSigmaRange(points, D, model.discrete ? "the points'" : "2000 draws'");
  }
  return finishRange(spread, resolution, rule, () => magnitudeOf(labelledSample(model, 16, seed).points));
}

/**
 * {@link defaultSigmaRange} of a sample of data points (a denoiser's data samples, a dataset): σ_max = 10 √Tr Cov,
 * σ_min = a tenth of the 10th percentile of the nearest-neighbour distances (`whose` names the points in `rule`).
 */
export function pointsSigmaRange(points: Float64Array, D: number, whose = "the points'"): SigmaRange {
  const spread = Math.sqrt(totalVariance(points, D));
  const nn = nearestNeighbourDistances(points, D);
  const resolution = nn.length > 0 ? percentile(nn, 0.1) : Infinity;
  return finishRange(spread, resolution, `the 10th percentile of ${whose} nearest-neighbour distances`, () => magnitudeOf(points));
}

function finishRange(spread: number, resolution: number, rule: string, magnitude: () => number): SigmaRange {
  if (!(spread > 0) || !Number.isFinite(resolution)) {
    const m = magnitude() || 1;
    spread = spread > 0 ? spread : m;
    resolution = Number.isFinite(resolution) ? resolution : spread;
    rule = `${rule} (degenerate data: the data's magnitude)`;
  }
  let min = resolution / 10;
  const max = 10 * spread;
  if (!(min < max)) min = max / 100;
  return { min, max, spread, resolution, rule };
}

function percentile(sorted: Float64Array, q: number): number {
  const i = Math.min(sorted.length - 1, Math.max(0, Math.floor(q * (sorted.length - 1))));
  return sorted[i];
}

function magnitudeOf(points: Float64Array): number {
  let m = 0;
  for (const v of points) m = Math.max(m, Math.abs(v));
  return m;
}
