import type { Batch } from "../batch.js";
import { buildPruneIndex, project, residualNorm, type PruneIndex, type PruneIndexOptions } from "./prune-index.js";
import { referenceRow, referenceScratch } from "./reference.js";
import { allocateResult, copyResultRow, nanRow, validRow } from "./result.js";
import type { DeltaSet, KernelResult, PosteriorKernel } from "./types.js";

/** Options of {@link prunedPosteriorKernel}. */
export interface PruneOptions extends PruneIndexOptions {
  /**
   * The first try's margin: points whose logit is provably more than this many nats below the row maximum are
   * skipped; @default 40 + ln N (the skipped mass is then below e^{−40} ≈ 4e-18 of the heaviest point's). The
   * row is kept only where the skipped mass provably moves no output beyond the backends' 1e-12 (see
   * {@link tightEnough}); else it is redone at twice the margin, and so on up to {@link margin}.
   */
  firstMargin?: number;
  /** The widest margin, the last try, and the only one with class outputs or the covariance; @default 760 (the reference's own 750-nat cut plus slack: where Tr C is ~e^{−gap} of the mean's scale, only this keeps it to 1e-12 — a 50-nat margin dropped a Tr C of 2e-65). */
  margin?: number;
  /** A row whose survivors exceed this fraction of N runs dense (the survivors are evaluated in TypeScript, about a tenth of the native kernel's rate per point); @default 0.05. */
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
  /** Extra tries at a doubled margin, summed over the rows, where the narrow first margin could not settle a row. */
  readonly retries: number;
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
 *    bound (≤ N e^{−margin}); first at the narrow margin (40 + ln N nats);
 * 4. the row is the reference's arithmetic ({@link referenceRow}) on the survivors, in index order; it stands
 *    where the skipped mass provably moves no output beyond a tenth of the backends' tolerance
 *    ({@link tightEnough}), else it is redone at twice the margin, and so on up to the wide margin (760 nats,
 *    beyond the reference's own 750-nat cut), which always stands;
 * 5. a row with survivors > maxFraction·N (decided from the cluster bounds before any point bound where it can
 *    be), σ = ∞ or a set under minPoints runs dense, all such rows in one call of `inner`. Rows that are not
 *    {@link validRow} come out NaN.
 * With class outputs or the covariance only the wide margin is used, grown by {@link CLASS_MARGIN} for classes. Rounding slack: ETA (1e-10) relative to the
 * squared spread, ≥ 1000× the defect of P (≤ 1e-13) and the summation error D·ε of the bounds.
 */
export function prunedPosteriorKernel(inner: PosteriorKernel, options: PruneOptions = {}): PosteriorKernel {
  const { margin = 760, maxFraction = 0.05, minPoints = 256 } = options;
  const cache = new WeakMap<DeltaSet, PruneIndex>();
  return (data, queries, sigma, want) => {
    const { n: N, dim: D, numClasses: K } = data;
    const B = queries.rows;
    const skippedMass = new Float64Array(B);
    const survivors = new Float64Array(B);
    const sigmaOf = (b: number) => (typeof sigma === "number" ? sigma : sigma[b]);
    if (N < minPoints) {
      survivors.fill(N);
      return withReport(inner(data, queries, sigma, want), { skippedMass, survivors, denseRows: B, retries: 0, indexSeconds: 0 });
    }
    const cached = cache.get(data);
    const index = cached ?? buildPruneIndex(data, options);
    if (!cached) cache.set(data, index);
    const indexSeconds = cached ? 0 : index.seconds;
    const classes = (want.classProbs || want.classMeans) && data.labels !== undefined && K > 0;
    // Class outputs and the covariance take the wide margin at once (a minority class's p(c|x) needs its own
    // points within 1e-12 of its own maximum, up to the reference's 750-nat reach).
    const wide = margin + (classes ? CLASS_MARGIN : 0);
    const first = classes || want.covariance ? wide : Math.min(wide, options.firstMargin ?? 40 + Math.log(N));
    const out = allocateResult(data, B, want);
    const dense: number[] = [];
    const scratch = rowScratch(index, D, N);
    const ref = referenceScratch(data, want, N);
    const sel = new Int32Array(N);
    const most = Math.floor(maxFraction * N);
    let retries = 0;
    for (let b = 0; b < B; b++) {
      const s = sigmaOf(b);
      if (!validRow(queries.data, b, D, s)) {
        nanRow(out, b, D, K);
        continue;
      }
      // Row b on a margin's survivors into `out`; whether it may stand (the wide margin always may).
      const evaluate = (r: PrunedRow): boolean => {
        for (let t = 0; t < r.count; t++) sel[t] = index.order[r.keep[t]];
        sel.subarray(0, r.count).sort();
        referenceRow(data, queries.data, b, s, sel, r.count, out, ref);
        return r.margin >= wide || tightEnough(out, b, D, r, index);
      };
      // Margins first, 2·first, 4·first, … up to the wide one, until the row may stand (a posterior whose Tr C is
      // ~e^{−gap} of the mean's scale needs the points within a few tens of nats of its runner-up, gap nats down).
      let row: PrunedRow | undefined;
      let done = false;
      for (let m = first; Number.isFinite(s); m = Math.min(wide, 2 * m)) {
        if (m > first) retries++;
        row = pruneRow(data, index, queries.data, b, s, m, most, scratch);
        done = row !== undefined && evaluate(row);
        if (done || !row || m === wide) break;
      }
      if (!row || !done) {
        dense.push(b);
        survivors[b] = N;
        continue;
      }
      skippedMass[b] = row.skipped;
      survivors[b] = row.count;
    }
    if (dense.length > 0) {
      const r = inner(data, takeRows(queries, dense), takeSigma(sigma, dense), want);
      dense.forEach((b, t) => copyResultRow(r, t, out, b, D, K));
    }
    return withReport(out, { skippedMass, survivors, denseRows: dense.length, retries, indexSeconds });
  };
}

/**
 * Whether row b, computed on the survivors of a margin, is within the backends' tolerances of the dense
 * row. With S the skipped-mass bound (units of the heaviest weight, so the normaliser grows by at most a factor
 * 1 + S) and R = max‖y − μ‖ + ‖m − μ‖ ≥ ‖y_j − m‖ for every point: the mean moves by ≤ S R, log Z by ≤ S, Σw² by
 * ≤ 2S relative, Tr C by ≤ S R² + S Tr C, and h by ≤ S h + H with H = Σ_skipped e^{u−L}(1 + L − u) (each skipped
 * w_j(1 − log w_j) bounded through its logit bound u, the function increasing in u below L). Required: S R ≤
 * 1e-14 R₀ (R₀ = max‖y − μ‖), S ≤ 1e-14, S R² ≤ 1e-13 Tr C, H ≤ 1e-14 + 1e-13 h — a tenth of the 1e-12 relative
 * (1e-13 absolute for h and log Z) the backends agree to. A concentrated posterior whose Tr C is ~e^{−gap}
 * with a gap beyond the first margin fails the Tr C test and is redone at twice the margin.
 */
function tightEnough(out: KernelResult, b: number, D: number, r: PrunedRow, index: PruneIndex): boolean {
  const S = r.skipped;
  if (S === 0 && r.skippedEntropy === 0) return true;
  let mm = 0;
  for (let d = 0; d < D; d++) mm += (out.mean[b * D + d] - index.center[d]) ** 2;
  const R = index.maxNorm + Math.sqrt(mm);
  if (!(S <= 1e-14) || !(S * R <= 1e-14 * index.maxNorm) || !(S * R * R <= 1e-13 * out.traceCov[b])) return false;
  return !out.entropy || r.skippedEntropy <= 1e-14 + 1e-13 * out.entropy[b];
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

/** One row's survivors at a margin: positions in the index's order, `keep[0 … count)` (scratch, reused by the next row). */
interface PrunedRow {
  readonly margin: number;
  readonly keep: Int32Array;
  readonly count: number;
  /** Σ over skipped points of e^{u−L} ≥ their weight relative to the heaviest point's. */
  readonly skipped: number;
  /** Σ over skipped points of e^{u−L}(1 + L − u) ≥ their share of the entropy (relative to the heaviest weight). */
  readonly skippedEntropy: number;
}

/**
 * One row's survivors and skipped-mass bounds (see {@link prunedPosteriorKernel}); undefined where more than
 * `most` points survive (the row runs dense), decided at the cluster level before any point bound when it can be.
 */
function pruneRow(data: DeltaSet, index: PruneIndex, q: Float64Array, b: number, s: number, margin: number, most: number, sc: Scratch): PrunedRow | undefined {
  const { dim: D, points } = data;
  const { k, center, basis, order, z, rho, logWeights, start, centres, radius, rhoMin, rhoMax, maxLogWeight } = index;
  const C = start.length - 1;
  const inv = 1 / (2 * s * s);
  const { v, zx, ub, clusterUb, keep } = sc;
  project(q, b * D, center, basis, k, D, v, zx, 0);
  let nx = 0;
  for (let d = 0; d < D; d++) nx += v[d] * v[d];
  const rx = residualNorm(v, basis, zx, 0, k, D);
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
  let inKept = 0;
  for (let c = 0; c < C; c++) if (start[c + 1] > start[c] && clusterUb[c] >= T) inKept += start[c + 1] - start[c];
  if (inKept > 8 * most) return undefined; // hopeless even if the point bounds cut the kept clusters by 8
  let skipped = 0;
  let skippedEntropy = 0;
  let count = 0;
  for (let c = 0; c < C; c++) {
    if (start[c + 1] === start[c]) continue;
    if (clusterUb[c] < T) {
      const e = (start[c + 1] - start[c]) * Math.exp(clusterUb[c] - L);
      skipped += e;
      skippedEntropy += e * (1 + L - clusterUb[c]);
      continue;
    }
    for (let i = start[c]; i < start[c + 1]; i++) {
      const u = c === best ? ub[i] : pointBound(z, rho, logWeights, i, zx, rx, k, inv);
      if (u < T) {
        const e = Math.exp(u - L);
        skipped += e;
        skippedEntropy += e * (1 + L - u);
      } else keep[count++] = i;
    }
  }
  return { margin, keep, count, skipped, skippedEntropy };
}

/** u_i = log π_i − (‖z_x − z_i‖² + (ρ_x − ρ_i)²)/(2σ²) ≥ ℓ_i. */
function pointBound(z: Float64Array, rho: Float64Array, lw: Float64Array, i: number, zx: Float64Array, rx: number, k: number, inv: number): number {
  let t = (rx - rho[i]) ** 2;
  for (let a = 0; a < k; a++) t += (zx[a] - z[i * k + a]) ** 2;
  return lw[i] - t * inv;
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
