import { type Batch, fromRows, zeros } from "../../batch.js";
import type { DataModel } from "../../models/types.js";
import { symmetricEigenvalues } from "../../numeric/eigen.js";
import { createRng } from "../../numeric/rng.js";
import { lengthScale, meanShift, newtonFixedPoints } from "./newton.js";
import { checkComputable } from "../validity.js";
import { fixedPoints1d } from "./bracket-1d.js";
import type { SearchInfo } from "./search.js";

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
  /** The posterior covariance C(x), D × D, where the search computed it (not part of the JSON). */
  covariance?: Float64Array;
}

/** All critical points found at one σ. */
export interface CriticalPointSet {
  sigma: number;
  points: CriticalPoint[];
  /** Σ (−1)^index over the points: 1 (the Euler characteristic of R^D) when none is missing. */
  morseSum: number;
  /**
   * True only where the set is proven complete (`search.complete`): 1-D point masses, every fixed point bracketed
   * ({@link fixedPoints1d}). The Morse count is {@link morseConsistent}.
   */
  complete: boolean;
  /**
   * D ≤ 3: the search tried every kind of start (not a proof), no point is degenerate and morseSum = 1 — a necessary
   * condition for completeness (a missed maximum–saddle pair keeps the sum). False in D > 3 (maxima only).
   */
  morseConsistent: boolean;
  /** The starts, and whether (and why) the search is complete. */
  search: SearchInfo;
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
 * Hessian of `log p_σ`, `J = (C/σ² − I)/σ²`: `max` (stable: every eigenvalue < 0), `saddle`, `min`. The one search
 * of `modes`, `thermo` and the bifurcations' fixed-point sets.
 *
 * Method, by dimension:
 * - 1-D point masses: {@link fixedPoints1d} — the data's hull cut into intervals on which the bounds of the
 *   posterior weights prove f = m(x) − x monotone, every sign change located by Brent's method: complete unless a
 *   root is degenerate (σ at a branching).
 * - D ≤ 3 otherwise: damped Newton ({@link newtonFixedPoints}) from many starts — the anchors (data points or
 *   component means), their mean-shift limits, midpoints of pairs of anchors and of pairs of those limits, the
 *   power-diagram points of pairs and triples (≤ 20 anchors), and a grid over the anchors' bounding box padded by
 *   3σ — deduplicated (distance ≤ max(1e-7σ, 1e-9·extent)) and checked by the Morse count `Σ (−1)^index = 1`
 *   (`morseConsistent`); not a proof (`complete: false`).
 * - D > 3: the modes reached by mean-shift from every anchor, polished by Newton (maxima only; `complete: false`).
 * `search` gives the starts and the reason in words.
 *
 * Special cases: a point with an eigenvalue of `C/σ² − I` within 1e-9 of 0 (at a branching) is kept, classified
 * by sign, and makes `morseConsistent` false. A sphere model in D ≥ 2 has a continuum of maxima: never consistent.
 *
 * @example
 * criticalPoints(deltas(fromRows([[-1], [1]])), 0.5).points.map((p) => p.kind); // ["max", "max", "min"]
 */
export function criticalPoints(model: DataModel, sigma: number, options: CriticalPointOptions = {}): CriticalPointSet {
  checkComputable(model, [sigma]);
  const D = model.dim;
  const st = model.structure;
  if (D === 1 && st?.type === "mixture" && !st.components) return bracketed(model, sigma);
  const anchors = anchorPoints(model, options.seed ?? 0);
  const L = lengthScale(anchors, sigma);
  const limits = meanShift(model, anchors, sigma, { maxIter: 300 });
  const anchorKind = st?.type === "mixture" ? (model.discrete ? "data points" : "component means") : st?.type === "gaussian" ? "the mean" : st?.type === "sphere" ? "axis points of the sphere" : "seeded draws";
  if (D > 3) {
    const modes = dedupe(newtonFixedPoints(model, limits, sigma), D, Math.max(1e-7 * sigma, 1e-9 * L), sigma);
    const points = modes.filter((p) => p.kind === "max");
    return finish(sigma, points, false, {
      starts: anchors.rows,
      kinds: [`${anchors.rows} ${anchorKind}, each followed by mean-shift then Newton`],
      complete: st?.type === "gaussian",
      why:
        st?.type === "gaussian"
          ? "a Gaussian has one critical point, its mean"
          : `not proven: in D = ${D} only the modes that mean-shift reaches from the ${anchors.rows} starts are found (saddles and minima are not searched)`,
    });
  }
  const modes = dedupe(newtonFixedPoints(model, limits, sigma), D, Math.max(1e-7 * sigma, 1e-9 * L), sigma);
  const starts: number[][] = [];
  const kinds: string[] = [];
  const push = (b: Batch | number[][], what: string) => {
    const rows = Array.isArray(b) ? b : Array.from({ length: b.rows }, (_, i) => Array.from(b.data.subarray(i * D, (i + 1) * D)));
    if (rows.length === 0) return;
    starts.push(...rows);
    kinds.push(`${rows.length} ${what}`);
  };
  push(anchors, anchorKind);
  if (options.extraStarts) push(options.extraStarts, "given starts");
  const modeRows = modes.map((p) => Array.from(p.x));
  push(modeRows, "mean-shift limits");
  push(midpoints(modeRows), "midpoints of pairs of limits");
  if (anchors.rows <= (options.maxPairAnchors ?? 40)) {
    const rows = Array.from({ length: anchors.rows }, (_, i) => Array.from(anchors.data.subarray(i * D, (i + 1) * D)));
    push(midpoints(rows), "midpoints of pairs of anchors");
    // fixed points of deltas are convex combinations of the points: starts outside their bounding box are wasted
    // (two near-coincident points put their tie far away)
    if (st?.type === "mixture" && !st.components)
      push(powerDiagramPoints(rows, st.weights, sigma, TRIPLE_ANCHORS).filter((x) => inBox(x, rows)), "power-diagram points (pairs and triples)");
  }
  const n = options.gridSize ?? [0, 101, 21, 9][D];
  push(boxGrid(anchors, 3 * sigma, n), `grid nodes (${n}^${D} over the padded bounding box)`);
  const found = newtonFixedPoints(model, fromRows(starts, D), sigma);
  const points = dedupe(found, D, Math.max(1e-7 * sigma, 1e-9 * L), sigma);
  const degenerate = points.some((p) => p.hessianEigenvalues.some((l) => Math.abs(l * sigma * sigma) < 1e-9));
  const consistent = finish(sigma, points, false, { starts: 0, kinds: [], complete: false, why: "" }).morseSum === 1 && !degenerate && st?.type !== "sphere";
  const gaussian = st?.type === "gaussian";
  const set = finish(sigma, points, consistent, {
    starts: starts.length,
    kinds,
    complete: gaussian,
    why: gaussian
      ? "a Gaussian has one critical point, its mean"
      : `not proven: Newton from ${starts.length} starts; the Morse count Σ(−1)^index = ${consistent ? "1 holds" : "1 fails"} (a necessary condition only)`,
  });
  set.complete = gaussian;
  return set;
}

/** The 1-D point-mass route of {@link criticalPoints}: every fixed point bracketed (see {@link fixedPoints1d}). */
function bracketed(model: DataModel, sigma: number): CriticalPointSet {
  const b = fixedPoints1d(model, sigma);
  const inv = 1 / (sigma * sigma);
  const points: CriticalPoint[] = b.roots.map(({ x, ratio }) => {
    const ev = (ratio - 1) * inv;
    return { x: Float64Array.of(x), kind: ev < 0 ? "max" : "min", hessianEigenvalues: Float64Array.of(ev), index: ev > 0 ? 1 : 0 };
  });
  const rank = { max: 0, saddle: 1, min: 2 };
  points.sort((p, q) => rank[p.kind] - rank[q.kind] || p.x[0] - q.x[0]);
  const degenerate = points.some((p) => Math.abs(p.hessianEigenvalues[0] * sigma * sigma) < 1e-9);
  const set = finish(sigma, points, false, {
    starts: b.intervals,
    kinds: [`${b.intervals} intervals of the data's hull, each proven monotone in m(x) − x or halved`],
    complete: b.complete,
    why: b.complete
      ? "1-D: every fixed point bracketed — on each interval the bounds of the posterior weights prove m(x) − x strictly monotone, and every sign change is located"
      : `not proven: ${b.why}`,
  });
  set.morseConsistent = set.morseSum === 1 && !degenerate;
  set.complete = b.complete;
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

/** Up to this many anchors, the power-diagram vertices of every triple are starts too (C(20, 3) = 1140). */
const TRIPLE_ANCHORS = 20;

/**
 * Where the logits `log π_j − ‖x − y_j‖²/(2σ²)` of two (or three) points tie: the saddles and minima of p_σ sit
 * in the thin layers (width ∝ σ²/distance) around these power-diagram faces, which plain midpoints miss when the
 * weights differ. Pairs: `x = (y_j + y_k)/2 − σ² log(π_j/π_k)(y_j − y_k)/‖y_j − y_k‖²`; triples (D ≥ 2, up to
 * `maxTriples` anchors): the point of their plane where all three tie (two linear equations
 * `2x·(y_j − y_k) = ‖y_j‖² − ‖y_k‖² − 2σ² log(π_j/π_k)`).
 */
function powerDiagramPoints(rows: number[][], weights: Float64Array, sigma: number, maxTriples: number): number[][] {
  const out: number[][] = [];
  const n = rows.length;
  const s2 = sigma * sigma;
  const dot = (a: number[], b: number[]) => a.reduce((acc, v, k) => acc + v * b[k], 0);
  const sub = (a: number[], b: number[]) => a.map((v, k) => v - b[k]);
  for (let j = 0; j < n; j++)
    for (let k = j + 1; k < n; k++) {
      const u = sub(rows[j], rows[k]);
      const uu = dot(u, u);
      if (!(uu > 0) || !(weights[j] > 0 && weights[k] > 0)) continue;
      const c = (-s2 * Math.log(weights[j] / weights[k])) / uu;
      out.push(rows[j].map((v, q) => 0.5 * (v + rows[k][q]) + c * u[q]));
    }
  if (rows[0]?.length < 2 || n > maxTriples) return out;
  // the tie of (j, k) in terms of x: x·u = b with u = y_j − y_k, b = (‖y_j‖² − ‖y_k‖²)/2 − σ² log(π_j/π_k)
  const tie = (j: number, k: number) => ({
    u: sub(rows[j], rows[k]),
    b: 0.5 * (dot(rows[j], rows[j]) - dot(rows[k], rows[k])) - s2 * Math.log(weights[j] / weights[k]),
  });
  for (let j = 0; j < n; j++)
    for (let k = j + 1; k < n; k++)
      for (let l = k + 1; l < n; l++) {
        if (!(weights[j] > 0 && weights[k] > 0 && weights[l] > 0)) continue;
        // x = y_j + a e₁ + b e₂ in the plane of the triple, e₁ = y_k − y_j, e₂ = y_l − y_j
        const e1 = sub(rows[k], rows[j]);
        const e2 = sub(rows[l], rows[j]);
        const t1 = tie(j, k);
        const t2 = tie(j, l);
        const a11 = dot(t1.u, e1);
        const a12 = dot(t1.u, e2);
        const a21 = dot(t2.u, e1);
        const a22 = dot(t2.u, e2);
        const r1 = t1.b - dot(t1.u, rows[j]);
        const r2 = t2.b - dot(t2.u, rows[j]);
        const det = a11 * a22 - a12 * a21;
        if (!(Math.abs(det) > 1e-12 * Math.abs(a11 * a22) + 1e-300)) continue; // collinear
        const a = (r1 * a22 - a12 * r2) / det;
        const b = (a11 * r2 - a21 * r1) / det;
        out.push(rows[j].map((v, q) => v + a * e1[q] + b * e2[q]));
      }
  return out;
}

function inBox(x: number[], rows: number[][]): boolean {
  return x.every((v, k) => {
    let lo = Infinity;
    let hi = -Infinity;
    for (const r of rows) {
      lo = Math.min(lo, r[k]);
      hi = Math.max(hi, r[k]);
    }
    return v >= lo && v <= hi;
  });
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
    const covariance = r.covariance.slice(i * D * D, (i + 1) * D * D);
    out.push({ x, kind: index === 0 ? "max" : index === D ? "min" : "saddle", hessianEigenvalues: ev, index, covariance });
  }
  const rank = { max: 0, saddle: 1, min: 2 };
  return out.sort((a, b) => rank[a.kind] - rank[b.kind] || lexicographic(a.x, b.x));
}

function finish(sigma: number, points: CriticalPoint[], morseConsistent: boolean, search: SearchInfo): CriticalPointSet {
  const morseSum = points.reduce((s, p) => s + (p.index % 2 === 0 ? 1 : -1), 0);
  return { sigma, points, morseSum, complete: search.complete, morseConsistent, search };
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
