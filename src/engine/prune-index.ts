import { createRng } from "../numeric/rng.js";
import type { DeltaSet } from "./types.js";

/**
 * A point set indexed once for exact pruning ({@link prunedPosteriorKernel}): an orthonormal projection P (k × D)
 * about the data mean μ, each point's projection `z_j = P(y_j − μ)` and residual norm `ρ_j = ‖(I − PᵀP)(y_j − μ)‖`,
 * and clusters of the projections (points sorted by cluster, so that a cluster is one contiguous range).
 *
 * For orthonormal P, `‖x − y‖² = ‖P(x − y)‖² + ‖r_x − r_y‖² ≥ ‖z_x − z_y‖² + (ρ_x − ρ_y)²` (Pythagoras, then the
 * reverse triangle inequality in the residual space); over a cluster with centre z_c, projected radius R_c and
 * residual norms in [ρmin_c, ρmax_c], `‖x − y‖² ≥ max(0, ‖z_x − z_c‖ − R_c)² + dist(ρ_x, [ρmin_c, ρmax_c])²`.
 */
export interface PruneIndex {
  readonly k: number;
  readonly center: Float64Array;
  /** P, row-major k × D, orthonormal rows (defect max|PPᵀ − I| ≤ {@link MAX_DEFECT}). */
  readonly basis: Float64Array;
  /** Sorted position → original index. */
  readonly order: Int32Array;
  /** z of the points in sorted order, N × k. */
  readonly z: Float64Array;
  /** ρ in sorted order. */
  readonly rho: Float64Array;
  /** log π in sorted order. */
  readonly logWeights: Float64Array;
  /** Cluster c holds sorted positions start[c] … start[c+1]−1. */
  readonly start: Int32Array;
  readonly centres: Float64Array;
  readonly radius: Float64Array;
  readonly rhoMin: Float64Array;
  readonly rhoMax: Float64Array;
  readonly maxLogWeight: Float64Array;
  /** max_j ‖y_j − μ‖ (for the rounding slack). */
  readonly maxNorm: number;
  /** Wall time of the build, seconds. */
  readonly seconds: number;
}

/** Largest accepted orthonormality defect of P; two Gram–Schmidt passes leave ~1e-15. */
export const MAX_DEFECT = 1e-13;

/** Options of {@link buildPruneIndex}. */
export interface PruneIndexOptions {
  /** Projected dimensions k; @default D if D ≤ 16, else 16 for D ≤ 256, else 32. */
  dims?: number;
  /** Number of clusters; @default min(256, ⌈N / 32⌉). */
  clusters?: number;
}

/** Builds the index (seeded, deterministic): P from 3 subspace iterations on ≤ 2048 points, 3 Lloyd steps. */
export function buildPruneIndex(data: DeltaSet, options: PruneIndexOptions = {}): PruneIndex {
  const t0 = performance.now();
  const { n: N, dim: D, points, logWeights } = data;
  const center = new Float64Array(D);
  for (let j = 0; j < N; j++) for (let d = 0; d < D; d++) center[d] += points[j * D + d];
  for (let d = 0; d < D; d++) center[d] = N > 0 ? center[d] / N : 0;
  const kWant = Math.min(D, options.dims ?? (D <= 16 ? D : D <= 256 ? 16 : 32));
  const basis = kWant === D ? identity(D) : subspace(data, center, kWant);
  const k = basis.length / D;
  const zAll = new Float64Array(N * k);
  const rhoAll = new Float64Array(N);
  const v = new Float64Array(D);
  let maxNorm = 0;
  for (let j = 0; j < N; j++) {
    project(points, j * D, center, basis, k, D, v, zAll, j * k);
    let s = 0;
    for (let d = 0; d < D; d++) s += v[d] * v[d];
    maxNorm = Math.max(maxNorm, Math.sqrt(s));
    rhoAll[j] = residualNorm(v, basis, zAll, j * k, k, D);
  }
  const C = Math.max(1, Math.min(N, options.clusters ?? Math.min(256, Math.ceil(N / 32))));
  const assign = lloyd(zAll, N, k, C);
  // Counting sort by cluster.
  const start = new Int32Array(C + 1);
  for (let j = 0; j < N; j++) start[assign[j] + 1]++;
  for (let c = 0; c < C; c++) start[c + 1] += start[c];
  const fill = start.slice(0, C);
  const order = new Int32Array(N);
  for (let j = 0; j < N; j++) order[fill[assign[j]]++] = j;
  const z = new Float64Array(N * k);
  const rho = new Float64Array(N);
  const lw = new Float64Array(N);
  for (let i = 0; i < N; i++) {
    const j = order[i];
    z.set(zAll.subarray(j * k, (j + 1) * k), i * k);
    rho[i] = rhoAll[j];
    lw[i] = logWeights[j];
  }
  const centres = new Float64Array(C * k);
  const radius = new Float64Array(C);
  const rhoMin = new Float64Array(C).fill(Infinity);
  const rhoMax = new Float64Array(C).fill(-Infinity);
  const maxLogWeight = new Float64Array(C).fill(-Infinity);
  for (let c = 0; c < C; c++) {
    const m = start[c + 1] - start[c];
    for (let i = start[c]; i < start[c + 1]; i++) for (let a = 0; a < k; a++) centres[c * k + a] += z[i * k + a] / m;
    for (let i = start[c]; i < start[c + 1]; i++) {
      let s = 0;
      for (let a = 0; a < k; a++) s += (z[i * k + a] - centres[c * k + a]) ** 2;
      radius[c] = Math.max(radius[c], Math.sqrt(s));
      rhoMin[c] = Math.min(rhoMin[c], rho[i]);
      rhoMax[c] = Math.max(rhoMax[c], rho[i]);
      maxLogWeight[c] = Math.max(maxLogWeight[c], lw[i]);
    }
  }
  const seconds = (performance.now() - t0) / 1000;
  return { k, center, basis, order, z, rho, logWeights: lw, start, centres, radius, rhoMin, rhoMax, maxLogWeight, maxNorm, seconds };
}

/** v = y − μ (y at `src[off…]`) and z = P v into `z[zo…]`. */
export function project(
  src: Float64Array,
  off: number,
  center: Float64Array,
  basis: Float64Array,
  k: number,
  D: number,
  v: Float64Array,
  z: Float64Array,
  zo: number,
): void {
  for (let d = 0; d < D; d++) v[d] = src[off + d] - center[d];
  for (let a = 0; a < k; a++) {
    let s = 0;
    for (let d = 0; d < D; d++) s += basis[a * D + d] * v[d];
    z[zo + a] = s;
  }
}

/** ‖v − Pᵀz‖, formed directly (never as √(‖v‖² − ‖z‖²), which cancels); overwrites v with the residual v − Pᵀz. */
export function residualNorm(v: Float64Array, basis: Float64Array, z: Float64Array, zo: number, k: number, D: number): number {
  for (let a = 0; a < k; a++) {
    const za = z[zo + a];
    const o = a * D;
    for (let d = 0; d < D; d++) v[d] -= basis[o + d] * za;
  }
  let s = 0;
  for (let d = 0; d < D; d++) s += v[d] * v[d];
  return Math.sqrt(s);
}

function identity(D: number): Float64Array {
  const p = new Float64Array(D * D);
  for (let d = 0; d < D; d++) p[d * D + d] = 1;
  return p;
}

/** Leading k principal directions (approximately: any orthonormal P keeps the bounds exact, only less tight). */
function subspace(data: DeltaSet, center: Float64Array, k: number): Float64Array {
  const { n: N, dim: D, points } = data;
  const m = Math.min(N, 2048);
  const A = new Float64Array(m * D);
  for (let i = 0; i < m; i++) {
    const j = Math.floor((i * N) / m);
    for (let d = 0; d < D; d++) A[i * D + d] = points[j * D + d] - center[d];
  }
  const rng = createRng(0x5eed + D);
  let Q: Float64Array = new Float64Array(k * D);
  rng.fillNormal(Q);
  Q = orthonormalRows(Q, D);
  for (let it = 0; it < 3; it++) {
    const kk = Q.length / D;
    const B = new Float64Array(m * kk); // A Qᵀ
    for (let i = 0; i < m; i++)
      for (let a = 0; a < kk; a++) {
        let s = 0;
        for (let d = 0; d < D; d++) s += A[i * D + d] * Q[a * D + d];
        B[i * kk + a] = s;
      }
    const W = new Float64Array(kk * D); // (Aᵀ B)ᵀ
    for (let i = 0; i < m; i++) for (let a = 0; a < kk; a++) for (let d = 0; d < D; d++) W[a * D + d] += B[i * kk + a] * A[i * D + d];
    Q = orthonormalRows(W, D);
  }
  const kk = Q.length / D;
  let defect = 0;
  for (let a = 0; a < kk; a++)
    for (let b = 0; b < kk; b++) {
      let s = 0;
      for (let d = 0; d < D; d++) s += Q[a * D + d] * Q[b * D + d];
      defect = Math.max(defect, Math.abs(s - (a === b ? 1 : 0)));
    }
  if (!(defect <= MAX_DEFECT)) throw new Error(`prune index: projection not orthonormal (defect ${defect})`);
  return Q;
}

/** Modified Gram–Schmidt, twice; rows that vanish (rank deficiency) are dropped. */
function orthonormalRows(M: Float64Array, D: number): Float64Array {
  const rows: Float64Array[] = [];
  for (let a = 0; a < M.length / D; a++) {
    const r = M.slice(a * D, (a + 1) * D);
    let n0 = 0;
    for (let d = 0; d < D; d++) n0 += r[d] * r[d];
    for (let pass = 0; pass < 2; pass++)
      for (const q of rows) {
        let s = 0;
        for (let d = 0; d < D; d++) s += q[d] * r[d];
        for (let d = 0; d < D; d++) r[d] -= s * q[d];
      }
    let n1 = 0;
    for (let d = 0; d < D; d++) n1 += r[d] * r[d];
    if (!(n1 > 1e-20 * n0) || n1 === 0) continue;
    const inv = 1 / Math.sqrt(n1);
    for (let d = 0; d < D; d++) r[d] *= inv;
    rows.push(r);
  }
  const out = new Float64Array(rows.length * D);
  rows.forEach((r, a) => out.set(r, a * D));
  return out;
}

/** Cluster of each point after 3 Lloyd steps from C evenly strided points (k-means in the projected space). */
function lloyd(z: Float64Array, N: number, k: number, C: number): Int32Array {
  const centres = new Float64Array(C * k);
  for (let c = 0; c < C; c++) centres.set(z.subarray(Math.floor((c * N) / C) * k, Math.floor((c * N) / C) * k + k), c * k);
  const assign = new Int32Array(N);
  for (let it = 0; it <= 3; it++) {
    for (let j = 0; j < N; j++) {
      let best = Infinity;
      let arg = 0;
      for (let c = 0; c < C; c++) {
        let s = 0;
        for (let a = 0; a < k; a++) {
          const t = z[j * k + a] - centres[c * k + a];
          s += t * t;
        }
        if (s < best) {
          best = s;
          arg = c;
        }
      }
      assign[j] = arg;
    }
    if (it === 3) break;
    const count = new Float64Array(C);
    const sum = new Float64Array(C * k);
    for (let j = 0; j < N; j++) {
      count[assign[j]]++;
      for (let a = 0; a < k; a++) sum[assign[j] * k + a] += z[j * k + a];
    }
    for (let c = 0; c < C; c++) if (count[c] > 0) for (let a = 0; a < k; a++) centres[c * k + a] = sum[c * k + a] / count[c];
  }
  return assign;
}
