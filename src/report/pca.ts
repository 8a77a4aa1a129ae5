import { symmetricEigen } from "../numeric/eigen.js";

/** The top principal axes of a sample of points: the projection the report draws high-dimensional data in. */
export interface PrincipalAxes {
  dim: number;
  /** The sample mean, the origin of the projection. */
  mean: Float64Array;
  /** `k` unit axes, row-major k × D, in order of decreasing variance; each signed so its largest entry is positive. */
  axes: Float64Array;
  /** Variance of the sample along each axis (eigenvalues of its covariance), decreasing. */
  variance: number[];
  /** Share of the total variance Tr Cov along each axis (variance / Tr Cov). */
  explained: number[];
}

/**
 * Principal component analysis of n points in D dimensions (row-major), the top `k` axes.
 *
 * Method: the covariance `Cov = (1/n) Σ (y − ȳ)(y − ȳ)ᵀ` (two passes: the mean first), its symmetric
 * eigen-decomposition (`symmetricEigen`, ascending: the last k columns, reversed). The axes are signed so that
 * each one's largest-magnitude entry is positive (a deterministic orientation).
 *
 * Special cases: k is clipped to D; zero spread gives the coordinate axes with variance 0 and explained 0.
 *
 * @example
 * principalAxes(Float64Array.from([-2, 0, 2, 0, 0, 1, 0, -1]), 2, 2).axes; // [1, 0, 0, 1]: x₁ has variance 2, x₂ 0.5
 */
export function principalAxes(points: Float64Array, D: number, k = 2): PrincipalAxes {
  const n = points.length / D;
  k = Math.min(k, D);
  const mean = new Float64Array(D);
  for (let i = 0; i < n; i++) for (let a = 0; a < D; a++) mean[a] += points[i * D + a];
  for (let a = 0; a < D; a++) mean[a] /= n;
  const cov = new Float64Array(D * D);
  const d = new Float64Array(D);
  for (let i = 0; i < n; i++) {
    for (let a = 0; a < D; a++) d[a] = points[i * D + a] - mean[a];
    for (let a = 0; a < D; a++) for (let b = a; b < D; b++) cov[a * D + b] += d[a] * d[b];
  }
  for (let a = 0; a < D; a++)
    for (let b = a; b < D; b++) {
      cov[a * D + b] /= n;
      cov[b * D + a] = cov[a * D + b];
    }
  let total = 0;
  for (let a = 0; a < D; a++) total += cov[a * D + a];
  const { values, vectors } = symmetricEigen(cov, D);
  const axes = new Float64Array(k * D);
  const variance: number[] = [];
  for (let r = 0; r < k; r++) {
    const j = D - 1 - r;
    let top = 0;
    for (let a = 0; a < D; a++) if (Math.abs(vectors[a * D + j]) > Math.abs(vectors[top * D + j])) top = a;
    const sign = vectors[top * D + j] < 0 ? -1 : 1;
    for (let a = 0; a < D; a++) axes[r * D + a] = sign * vectors[a * D + j];
    variance.push(Math.max(0, values[j]));
  }
  return { dim: D, mean, axes, variance, explained: variance.map((v) => (total > 0 ? v / total : 0)) };
}

/** The coordinates of n points (row-major, D each) on the axes: `(y − ȳ)·v_r`, row-major n × k. */
export function project(pca: PrincipalAxes, points: ArrayLike<number>): Float64Array {
  const D = pca.dim;
  const k = pca.axes.length / D;
  const n = points.length / D;
  const out = new Float64Array(n * k);
  for (let i = 0; i < n; i++)
    for (let r = 0; r < k; r++) {
      let s = 0;
      for (let a = 0; a < D; a++) s += (points[i * D + a] - pca.mean[a]) * pca.axes[r * D + a];
      out[i * k + r] = s;
    }
  return out;
}

/** The title of projection axis r: "PC1 (28.9% of the variance)". */
export function axisTitle(pca: PrincipalAxes, r: number): string {
  return `PC${r + 1} (${(100 * pca.explained[r]).toFixed(1)}% of the variance)`;
}
