import type { GaussianComponent } from "./gaussian-component.js";

const LOG_2PI = Math.log(2 * Math.PI);

/** Rows per block of {@link BatchedComponents.evaluate} (its buffers hold K × BLOCK × D numbers twice). */
export const BLOCK = 64;

/**
 * log π_k N(x; μ_k, Σ_k + σ²I) and the posterior means `m_k = μ_k + V diag(λ/(λ+σ²)) Vᵀ(x − μ_k)` of every
 * component for a block of rows, at the flop count of the two products: per component, `Z = (X − μ_k) V_k` once
 * (B × D × D), which serves both the density (Σ_j z_j²/(λ_j + σ²)) and the mean, and `M = μ_k + (Z diag(shrink)) V_kᵀ`
 * (B × D × D), each as dot products of contiguous rows. The eigendecompositions `Σ_k = V_k Λ_k V_kᵀ` are the components' own, made once per model: `Σ_k + σ²I`
 * has the same eigenvectors at every σ, so a new σ only rescales the columns of Z. Sums run over the same index, in the same order, as GaussianComponent's row-by-row methods.
 *
 * Special cases: σ may differ per row (a Float64Array indexed by the row of the whole batch); λ = 0 directions
 * shrink to μ (a point mass), σ = ∞ gives shrink 0.
 */
export class BatchedComponents {
  private readonly K: number;
  private readonly D: number;
  private readonly means: Float64Array[];
  private readonly lambdas: Float64Array[];
  private readonly vectors: Float64Array[];
  /** V_kᵀ, row-major: row j is eigenvector j. */
  private readonly transposed: Float64Array[];
  private readonly centred: Float64Array;
  private readonly Z: Float64Array;
  private readonly M: Float64Array;
  private readonly logN: Float64Array;
  private readonly inv: Float64Array;
  private readonly shrink: Float64Array;

  constructor(components: readonly GaussianComponent[]) {
    const K = (this.K = components.length);
    const D = (this.D = components[0].dim);
    this.means = components.map((c) => c.mean);
    this.lambdas = components.map((c) => c.lambda);
    this.vectors = components.map((c) => c.vectors);
    this.transposed = components.map((c) => {
      const t = new Float64Array(D * D);
      for (let a = 0; a < D; a++) for (let j = 0; j < D; j++) t[j * D + a] = c.vectors[a * D + j];
      return t;
    });
    this.centred = new Float64Array(BLOCK * D);
    this.Z = new Float64Array(BLOCK * D);
    this.M = new Float64Array(K * BLOCK * D);
    this.logN = new Float64Array(K * BLOCK);
    this.inv = new Float64Array(D);
    this.shrink = new Float64Array(D);
  }

  /**
   * Rows `i0 … i0 + rows − 1` of `x` (rows ≤ BLOCK): log π_k N_k (`logW[k]` + log density) for every component,
   * and with `means` (default) the component posterior means, for {@link row} to read.
   */
  evaluate(x: Float64Array, i0: number, rows: number, sigma: number | Float64Array, logW: Float64Array, means = true): void {
    const { K, D, centred: A, Z, M, logN, inv, shrink } = this;
    for (let k = 0; k < K; k++) {
      const mu = this.means[k];
      const lam = this.lambdas[k];
      for (let i = 0; i < rows; i++) for (let a = 0; a < D; a++) A[i * D + a] = x[(i0 + i) * D + a] - mu[a];
      product(A, this.transposed[k], Z, rows, D, undefined);
      let lastS = NaN;
      let logDet = 0;
      for (let i = 0; i < rows; i++) {
        const s = typeof sigma === "number" ? sigma : sigma[i0 + i];
        const s2 = s * s;
        if (s !== lastS) {
          lastS = s;
          logDet = 0;
          for (let j = 0; j < D; j++) {
            const v = lam[j] + s2;
            inv[j] = v;
            logDet += LOG_2PI + Math.log(v);
            shrink[j] = lam[j] === 0 ? 0 : lam[j] / v;
          }
        }
        let acc = logDet;
        const zo = i * D;
        for (let j = 0; j < D; j++) acc += (Z[zo + j] * Z[zo + j]) / inv[j];
        logN[k * BLOCK + i] = logW[k] - 0.5 * acc;
        if (means) for (let j = 0; j < D; j++) Z[zo + j] *= shrink[j];
      }
      if (means) product(Z, this.vectors[k], M.subarray(k * BLOCK * D), rows, D, mu);
    }
  }

  /** Row i of the last block: log π_k N_k into `logp[k]`, and (if computed) m_k into `mk[k·D …]`. */
  row(i: number, logp: Float64Array, mk?: Float64Array): void {
    const { K, D } = this;
    for (let k = 0; k < K; k++) {
      logp[k] = this.logN[k * BLOCK + i];
      if (mk) mk.set(this.M.subarray((k * BLOCK + i) * D, (k * BLOCK + i + 1) * D), k * D);
    }
  }
}

/**
 * `out[i, j] = init[j] + Σ_a X[i, a] Wᵀ[j, a]` (init 0 when absent) for `rows` rows of D: W given transposed, so
 * every output is a dot product of two contiguous rows, summed over a in order; blocks of 4 rows × 2 columns keep
 * eight sums in registers (6 loads per 8 multiply-adds).
 */
function product(X: Float64Array, WT: Float64Array, out: Float64Array, rows: number, D: number, init: Float64Array | undefined): void {
  let i = 0;
  for (; i + 4 <= rows; i += 4) {
    const x0 = i * D;
    const x1 = x0 + D;
    const x2 = x1 + D;
    const x3 = x2 + D;
    let j = 0;
    for (; j + 2 <= D; j += 2) {
      const w0 = j * D;
      const w1 = w0 + D;
      const c0 = init ? init[j] : 0;
      const c1 = init ? init[j + 1] : 0;
      let s00 = c0, s01 = c1, s10 = c0, s11 = c1, s20 = c0, s21 = c1, s30 = c0, s31 = c1;
      for (let a = 0; a < D; a++) {
        const u = WT[w0 + a];
        const v = WT[w1 + a];
        const p0 = X[x0 + a];
        const p1 = X[x1 + a];
        const p2 = X[x2 + a];
        const p3 = X[x3 + a];
        s00 += p0 * u;
        s01 += p0 * v;
        s10 += p1 * u;
        s11 += p1 * v;
        s20 += p2 * u;
        s21 += p2 * v;
        s30 += p3 * u;
        s31 += p3 * v;
      }
      out[x0 + j] = s00;
      out[x0 + j + 1] = s01;
      out[x1 + j] = s10;
      out[x1 + j + 1] = s11;
      out[x2 + j] = s20;
      out[x2 + j + 1] = s21;
      out[x3 + j] = s30;
      out[x3 + j + 1] = s31;
    }
    for (; j < D; j++) for (let r = 0; r < 4; r++) out[x0 + r * D + j] = dot(X, x0 + r * D, WT, j * D, D, init ? init[j] : 0);
  }
  for (; i < rows; i++) for (let j = 0; j < D; j++) out[i * D + j] = dot(X, i * D, WT, j * D, D, init ? init[j] : 0);
}

/** `start + Σ_a x[xo + a] w[wo + a]`, a in order. */
function dot(x: Float64Array, xo: number, w: Float64Array, wo: number, D: number, start: number): number {
  let acc = start;
  for (let a = 0; a < D; a++) acc += x[xo + a] * w[wo + a];
  return acc;
}
