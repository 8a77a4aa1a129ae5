import type { Batch } from "../batch.js";
import { buildPruneIndex, project, residualNorm, type PruneIndex, type PruneIndexOptions } from "./prune-index.js";
import { allocateResult, copyResultRow, nanRow, validRow } from "./result.js";
import type { DeltaSet, KernelResult, PosteriorKernel } from "./types.js";

/** Options of {@link prunedPosteriorKernel}. */
export interface PruneOptions extends PruneIndexOptions {
  /** Points whose logit is provably more than this many nats below the row maximum are skipped; @default 760 (Tr C and Σw² are relative to 1e-12 even where they are ~e^{−gap}: a 50-nat margin dropped a Tr C of 2e-65). */
  margin?: number;
  /** A row whose survivors exceed this fraction of N runs dense; @default 0.3. */
  maxFraction?: number;
  /** Sets of fewer points run dense, unindexed; @default 256. */
  minPoints?: number;
}

/**
 * What pruning did, per row: `skippedMass[b]` bounds `Σ_{skipped j} e^{ℓ_j − M}` (M the dense row maximum), hence
 * the skipped share of the posterior mass, and `0 ≤ log Z_dense − log Z ≤ log1p(skippedMass)`; `survivors[b]` the
 * points the row kept (N for a dense row, 0 for a NaN row); `indexSeconds` the index build (0 when cached).
 */
export interface PruneReport {
  readonly skippedMass: Float64Array;
  readonly survivors: Float64Array;
  readonly denseRows: number;
  readonly indexSeconds: number;
}

/** A kernel result from {@link prunedPosteriorKernel}: the usual fields plus its {@link PruneReport}. */
export interface PrunedKernelResult extends KernelResult {
  pruning: PruneReport;
}

/** The pruning report of a result, when a pruned kernel made it. */
export function pruneReport(r: KernelResult): PruneReport | undefined {
  return (r as Partial<PrunedKernelResult>).pruning;
}

/** Extra nats kept when class probabilities or class means are wanted: classes within the reference's 750-nat reach keep their own points within `margin` of the class maximum, so m_c stays exact. */
export const CLASS_MARGIN = 750;
/** Relative rounding slack of the bounds and of the candidate logits, in units of (‖x−μ‖ + max‖y−μ‖)²/(2σ²). */
const ETA = 1e-10;

/**
 * Exact pruning of the posterior kernel: `inner` run on the points that can matter (issue 18 item 2).
 *
 * Method, per query x at noise σ (THEORY.md §3 logits `ℓ_j = log π_j − ‖x − y_j‖²/(2σ²)`):
 * 1. the {@link PruneIndex} (built once per DeltaSet, WeakMap) bounds every cluster's and then every point's logit
 *    from above, `u_j = log π_j − lb_j/(2σ²)` with `lb_j ≤ ‖x − y_j‖²`;
 * 2. the exact logits of the 4 points with the largest u give `L ≤ M` (less the rounding slack);
 * 3. a cluster or point with `u < L − margin − slack` is skipped, adding `n·e^{u − L}` to the row's skipped-mass
 *    bound (so ≤ N e^{−margin} ≈ 1e-17 at N = 60 000 and margin 50: below every output's rounding);
 * 4. rows sharing their best cluster run together on the union of their survivors (each row's bound still holds:
 *    it skipped a subset of what it could); a row with survivors > maxFraction·N, σ = ∞ or a set under minPoints
 *    runs dense. Rows that are not {@link validRow} come out NaN.
 * With class outputs the margin grows by {@link CLASS_MARGIN}. Rounding slack: ETA (1e-10) relative to the
 * squared spread, ≥ 1000× the defect of P (≤ 1e-13) and the summation error D·ε of the bounds.
 */
export function prunedPosteriorKernel(inner: PosteriorKernel, options: PruneOptions = {}): PosteriorKernel {
  const { margin = 760, maxFraction = 0.3, minPoints = 256 } = options;
  const cache = new WeakMap<DeltaSet, PruneIndex>();
  return (data, queries, sigma, want) => {
    const { n: N, dim: D, numClasses: K } = data;
    const B = queries.rows;
    const skippedMass = new Float64Array(B);
    const survivors = new Float64Array(B);
    const sigmaOf = (b: number) => (typeof sigma === "number" ? sigma : sigma[b]);
    if (N < minPoints) {
      survivors.fill(N);
      return withReport(inner(data, queries, sigma, want), { skippedMass, survivors, denseRows: B, indexSeconds: 0 });
    }
    let index = cache.get(data);
    let indexSeconds = 0;
    if (!index) {
      index = buildPruneIndex(data, options);
      cache.set(data, index);
      indexSeconds = index.seconds;
    }
    const classes = (want.classProbs || want.classMeans) && data.labels !== undefined && K > 0;
    const m = margin + (classes ? CLASS_MARGIN : 0);
    const out = allocateResult(data, B, want);
    const dense: number[] = [];
    const groups = new Map<number, { rows: number[]; keep: Int32Array[] }>();
    const scratch = rowScratch(index, D, N);
    for (let b = 0; b < B; b++) {
      const s = sigmaOf(b);
      if (!validRow(queries.data, b, D, s)) {
        nanRow(out, b, D, K);
        continue;
      }
      const row = Number.isFinite(s) ? pruneRow(data, index, queries.data, b, s, m, scratch) : undefined;
      if (!row || row.keep.length > maxFraction * N) {
        dense.push(b);
        survivors[b] = N;
        continue;
      }
      skippedMass[b] = row.skipped;
      survivors[b] = row.keep.length;
      const g = groups.get(row.best) ?? { rows: [], keep: [] };
      g.rows.push(b);
      g.keep.push(row.keep);
      groups.set(row.best, g);
    }
    const mark = new Uint8Array(N);
    for (const g of groups.values()) {
      let count = 0;
      for (const keep of g.keep) for (const i of keep) if (!mark[i]) (mark[i] = 1), count++;
      if (count > maxFraction * N) {
        // The union would not pay: each row on its own survivors.
        mark.fill(0);
        g.rows.forEach((b, t) => runOn(data, index!, sorted(g.keep[t]), queries, sigma, [b], want, out));
        continue;
      }
      const sel = new Int32Array(count);
      let c = 0;
      for (let i = 0; i < N; i++) if (mark[i]) (sel[c++] = i), (mark[i] = 0);
      runOn(data, index, sel, queries, sigma, g.rows, want, out);
    }
    if (dense.length > 0) {
      const r = inner(data, takeRows(queries, dense), takeSigma(sigma, dense), want);
      dense.forEach((b, t) => copyResultRow(r, t, out, b, D, K));
    }
    return withReport(out, { skippedMass, survivors, denseRows: dense.length, indexSeconds });
  };

  function runOn(data: DeltaSet, index: PruneIndex, sel: Int32Array, queries: Batch, sigma: number | Float64Array, rows: number[], want: Parameters<PosteriorKernel>[3], out: KernelResult): void {
    const r = inner(subset(data, index, sel), takeRows(queries, rows), takeSigma(sigma, rows), want);
    rows.forEach((b, t) => copyResultRow(r, t, out, b, data.dim, data.numClasses));
  }
}

function sorted(a: Int32Array): Int32Array {
  return a.slice().sort();
}

function withReport(r: KernelResult, pruning: PruneReport): PrunedKernelResult {
  return Object.assign(r, { pruning });
}

interface Scratch {
  v: Float64Array;
  zx: Float64Array;
  ub: Float64Array;
  clusterUb: Float64Array;
  keep: Int32Array;
}

function rowScratch(index: PruneIndex, D: number, N: number): Scratch {
  return {
    v: new Float64Array(D),
    zx: new Float64Array(index.k),
    ub: new Float64Array(N),
    clusterUb: new Float64Array(index.start.length - 1),
    keep: new Int32Array(N),
  };
}

/** One row's survivors (sorted positions), skipped-mass bound and best cluster (see {@link prunedPosteriorKernel}). */
function pruneRow(
  data: DeltaSet,
  index: PruneIndex,
  q: Float64Array,
  b: number,
  s: number,
  margin: number,
  sc: Scratch,
): { keep: Int32Array; skipped: number; best: number } {
  const { dim: D, points } = data;
  const { k, center, basis, order, z, rho, logWeights, start, centres, radius, rhoMin, rhoMax, maxLogWeight } = index;
  const C = start.length - 1;
  const inv = 1 / (2 * s * s);
  const { v, zx, ub, clusterUb, keep } = sc;
  project(q, b * D, center, basis, k, D, v, zx, 0);
  const rx = residualNorm(v, basis, zx, 0, k, D);
  let nx = 0;
  for (let d = 0; d < D; d++) nx += v[d] * v[d];
  const slack = ETA * (Math.sqrt(nx) + index.maxNorm) ** 2 * inv;
  // Cluster bounds: ‖x − y‖² ≥ max(0, ‖z_x − z_c‖ − R_c)² + dist(ρ_x, [ρmin, ρmax])².
  let best = 0;
  for (let c = 0; c < C; c++) {
    if (start[c + 1] === start[c]) {
      clusterUb[c] = -Infinity;
      continue;
    }
    let t = 0;
    for (let a = 0; a < k; a++) t += (zx[a] - centres[c * k + a]) ** 2;
    const g = Math.max(0, Math.sqrt(t) - radius[c]);
    const h = rx < rhoMin[c] ? rhoMin[c] - rx : rx > rhoMax[c] ? rx - rhoMax[c] : 0;
    clusterUb[c] = maxLogWeight[c] - (g * g + h * h) * inv;
    if (clusterUb[c] > clusterUb[best]) best = c;
  }
  // L: exact logits of the best cluster's four points with the largest point bounds.
  const cand = [-1, -1, -1, -1];
  for (let i = start[best]; i < start[best + 1]; i++) {
    ub[i] = pointBound(z, rho, logWeights, i, zx, rx, k, inv);
    for (let t = 0; t < 4; t++)
      if (cand[t] < 0 || ub[i] > ub[cand[t]]) {
        cand.splice(t, 0, i);
        cand.length = 4;
        break;
      }
  }
  let L = -Infinity;
  for (const i of cand) {
    if (i < 0) continue;
    const yo = order[i] * D;
    let d2 = 0;
    for (let d = 0; d < D; d++) d2 += (q[b * D + d] - points[yo + d]) ** 2;
    L = Math.max(L, logWeights[i] - d2 * inv);
  }
  L -= slack;
  const T = L - margin - slack;
  let skipped = 0;
  let count = 0;
  for (let c = 0; c < C; c++) {
    if (start[c + 1] === start[c]) continue;
    if (clusterUb[c] < T) {
      skipped += (start[c + 1] - start[c]) * Math.exp(clusterUb[c] - L);
      continue;
    }
    for (let i = start[c]; i < start[c + 1]; i++) {
      const u = c === best ? ub[i] : pointBound(z, rho, logWeights, i, zx, rx, k, inv);
      if (u < T) skipped += Math.exp(u - L);
      else keep[count++] = i;
    }
  }
  return { keep: keep.slice(0, count), skipped, best };
}

/** u_i = log π_i − (‖z_x − z_i‖² + (ρ_x − ρ_i)²)/(2σ²) ≥ ℓ_i. */
function pointBound(z: Float64Array, rho: Float64Array, lw: Float64Array, i: number, zx: Float64Array, rx: number, k: number, inv: number): number {
  let t = (rx - rho[i]) ** 2;
  for (let a = 0; a < k; a++) t += (zx[a] - z[i * k + a]) ** 2;
  return lw[i] - t * inv;
}

/** The points at sorted positions `sel`, in that order, as a DeltaSet (labels and class count kept). */
function subset(data: DeltaSet, index: PruneIndex, sel: Int32Array): DeltaSet {
  const { dim: D, points, labels, numClasses } = data;
  const p = new Float64Array(sel.length * D);
  const lw = new Float64Array(sel.length);
  const lab = labels ? new Int32Array(sel.length) : undefined;
  sel.forEach((i, t) => {
    const j = index.order[i];
    p.set(points.subarray(j * D, (j + 1) * D), t * D);
    lw[t] = index.logWeights[i];
    if (lab) lab[t] = labels![j];
  });
  return { n: sel.length, dim: D, points: p, logWeights: lw, labels: lab, numClasses };
}

function takeRows(q: Batch, rows: readonly number[]): Batch {
  const D = q.dim;
  const data = new Float64Array(rows.length * D);
  rows.forEach((b, t) => data.set(q.data.subarray(b * D, (b + 1) * D), t * D));
  return { rows: rows.length, dim: D, data };
}

function takeSigma(sigma: number | Float64Array, rows: readonly number[]): number | Float64Array {
  return typeof sigma === "number" ? sigma : Float64Array.from(rows, (b) => sigma[b]);
}
