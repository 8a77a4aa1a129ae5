import { type Batch, fromRows, zeros } from "../../batch.js";
import type { DataModel } from "../../models/types.js";
import { symmetricEigenvalues } from "../../numeric/eigen.js";
import { createRng } from "../../numeric/rng.js";
import { lengthScale, meanShift, newtonFixedPoints } from "./newton.js";

/** Kind of a critical point of `p_σ`, from the signs of the eigenvalues of the Hessian of `log p_σ`. */
export type CriticalKind = "max" | "saddle" | "min";

/** One critical point `m(x) = x` of `p_σ`. */
export interface CriticalPoint {
  x: Float64Array;
  kind: CriticalKind;
  /** Eigenvalues of `J = ∇∇ᵀ log p_σ = (C/σ² − I)/σ²` at x, ascending. */
  hessianEigenvalues: Float64Array;
  /** Morse index in the convention of −p_σ: the number of positive eigenvalues of J (0 = max, D = min). */
  index: number;
}

/** All critical points found at one σ. */
export interface CriticalPointSet {
  sigma: number;
  points: CriticalPoint[];
  /** Σ (−1)^index over the points: 1 (the Euler characteristic of R^D) when none is missing. */
  morseSum: number;
  /** True when the search is exhaustive by design (D ≤ 3), no point is degenerate and morseSum = 1. */
  complete: boolean;
}

/** Options of {@link criticalPoints}. */
export interface CriticalPointOptions {
  /** Grid nodes per axis over the padded bounding box (default 101 in 1-D, 21 in 2-D, 9 in 3-D). */
  gridSize?: number;
  /** Midpoints of all pairs of anchor points are tried up to this many anchors (default 40). */
  maxPairAnchors?: number;
  /** Seed of the draws used as anchors when the model has no mixture structure (default 0). */
  seed?: number;
  /** Further starts (e.g. the previous level's critical points when following σ). */
  extraStarts?: Batch;
}

/**
 * The critical points of `p_σ` (fixed points `m(x) = x` of the denoiser, THEORY.md §5) and their kind from the
 * Hessian of `log p_σ`, `J = (C/σ² − I)/σ²`: `max` (stable: every eigenvalue < 0), `saddle`, `min`.
 *
 * Method (D ≤ 3): damped Newton ({@link newtonFixedPoints}) from many starts — the anchors (data points or
 * component means), their mean-shift limits, midpoints of pairs of anchors and of pairs of those limits, and a
 * grid over the anchors' bounding box padded by 3σ — then deduplicated (distance ≤ max(1e-7σ, 1e-9·extent)) and
 * checked by the Morse count `Σ (−1)^index = 1` (`#max − #saddle + #min = 1` in 2-D); `complete` only when it
 * holds. D > 3: the modes reached by mean-shift from every anchor, polished by Newton (`complete: false`).
 *
 * Special cases: a point with an eigenvalue of `C/σ² − I` within 1e-9 of 0 (at a branching) is kept, classified
 * by sign, and makes `complete` false. A sphere model in D ≥ 2 has a continuum of maxima: never complete.
 *
 * @example
 * criticalPoints(deltas(fromRows([[-1], [1]])), 0.5).points.map((p) => p.kind); // ["max", "max", "min"]
 */
export function criticalPoints(model: DataModel, sigma: number, options: CriticalPointOptions = {}): CriticalPointSet {
  const D = model.dim;
  const anchors = anchorPoints(model, options.seed ?? 0);
  const L = lengthScale(anchors, sigma);
  const limits = meanShift(model, anchors, sigma, { maxIter: 300 });
  const modes = dedupe(newtonFixedPoints(model, limits, sigma), D, Math.max(1e-7 * sigma, 1e-9 * L), sigma);
  if (D > 3) {
    const points = modes.filter((p) => p.kind === "max");
    return finish(sigma, points, false);
  }
  const starts: number[][] = [];
  const push = (b: Batch) => {
    for (let i = 0; i < b.rows; i++) starts.push(Array.from(b.data.subarray(i * D, (i + 1) * D)));
  };
  push(anchors);
  if (options.extraStarts) push(options.extraStarts);
  const modeRows = modes.map((p) => Array.from(p.x));
  starts.push(...modeRows, ...midpoints(modeRows));
  if (anchors.rows <= (options.maxPairAnchors ?? 40)) {
    const rows = Array.from({ length: anchors.rows }, (_, i) => Array.from(anchors.data.subarray(i * D, (i + 1) * D)));
    starts.push(...midpoints(rows));
  }
  starts.push(...boxGrid(anchors, 3 * sigma, options.gridSize ?? [0, 101, 21, 9][D]));
  const found = newtonFixedPoints(model, fromRows(starts, D), sigma);
  const points = dedupe(found, D, Math.max(1e-7 * sigma, 1e-9 * L), sigma);
  const degenerate = points.some((p) => p.hessianEigenvalues.some((l) => Math.abs(l * sigma * sigma) < 1e-9));
  const set = finish(sigma, points, true);
  set.complete = set.morseSum === 1 && !degenerate && model.structure?.type !== "sphere";
  return set;
}

/** The points that anchor the search: data points / component means, or seeded draws. */
export function anchorPoints(model: DataModel, seed = 0): Batch {
  const s = model.structure;
  if (s?.type === "mixture") return s.means;
  if (s?.type === "gaussian") return fromRows([Array.from(s.mean)]);
  if (s?.type === "sphere") {
    const D = model.dim;
    const out = zeros(2 * D + 1, D);
    for (let k = 0; k < D; k++) {
      out.data[2 * k * D + k] = s.radius;
      out.data[(2 * k + 1) * D + k] = -s.radius;
    }
    return out;
  }
  return model.sample(200, createRng(seed));
}

function midpoints(rows: number[][]): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < rows.length; i++)
    for (let j = i + 1; j < rows.length; j++) out.push(rows[i].map((v, k) => 0.5 * (v + rows[j][k])));
  return out;
}

/** A regular grid of `n` nodes per axis over the bounding box of `b` padded by `pad`. */
function boxGrid(b: Batch, pad: number, n: number): number[][] {
  const D = b.dim;
  const lo = new Array<number>(D).fill(Infinity);
  const hi = new Array<number>(D).fill(-Infinity);
  for (let i = 0; i < b.rows; i++)
    for (let k = 0; k < D; k++) {
      lo[k] = Math.min(lo[k], b.data[i * D + k] - pad);
      hi[k] = Math.max(hi[k], b.data[i * D + k] + pad);
    }
  const out: number[][] = [];
  const total = n ** D;
  for (let c = 0; c < total; c++) {
    const p: number[] = [];
    for (let k = 0, r = c; k < D; k++, r = Math.floor(r / n)) p.push(lo[k] + ((hi[k] - lo[k]) * (r % n)) / (n - 1));
    out.push(p);
  }
  return out;
}

/** Converged rows, merged when closer than tol, with their Hessian spectra; sorted by kind, then coordinates. */
function dedupe(r: ReturnType<typeof newtonFixedPoints>, D: number, tol: number, sigma: number): CriticalPoint[] {
  const out: CriticalPoint[] = [];
  const inv = 1 / (sigma * sigma);
  for (let i = 0; i < r.x.rows; i++) {
    if (!r.converged[i]) continue;
    const x = r.x.data.slice(i * D, (i + 1) * D);
    if (out.some((p) => distance(p.x, x) <= tol)) continue;
    const J = new Float64Array(D * D);
    for (let p = 0; p < D; p++)
      for (let q = 0; q < D; q++) J[p * D + q] = (r.covariance[i * D * D + p * D + q] * inv - (p === q ? 1 : 0)) * inv;
    const ev = symmetricEigenvalues(J, D);
    const index = ev.reduce((c, l) => c + (l > 0 ? 1 : 0), 0);
    out.push({ x, kind: index === 0 ? "max" : index === D ? "min" : "saddle", hessianEigenvalues: ev, index });
  }
  const rank = { max: 0, saddle: 1, min: 2 };
  return out.sort((a, b) => rank[a.kind] - rank[b.kind] || lexicographic(a.x, b.x));
}

function finish(sigma: number, points: CriticalPoint[], complete: boolean): CriticalPointSet {
  const morseSum = points.reduce((s, p) => s + (p.index % 2 === 0 ? 1 : -1), 0);
  return { sigma, points, morseSum, complete };
}

export function distance(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let k = 0; k < a.length; k++) s += (a[k] - b[k]) ** 2;
  return Math.sqrt(s);
}

function lexicographic(a: Float64Array, b: Float64Array): number {
  for (let k = 0; k < a.length; k++) if (a[k] !== b[k]) return a[k] - b[k];
  return 0;
}
