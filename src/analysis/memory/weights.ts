/** A point set `y_j` (K × D row-major) with prior weights π_j (uniform when omitted). */
export interface PointSet {
  points: Float64Array;
  K: number;
  dim: number;
  prior?: Float64Array;
}

/**
 * Posterior weights `w_j(x) = softmax_j(log π_j − ‖x − y_j‖²/(2σ²))` (THEORY.md §2b) and the mean `m(x) = Σ_j w_j y_j`,
 * computed here directly (max-shifted softmax) for the memory classification. Writes into `w` and `m`.
 * @example weightsAt({points: Float64Array.of(-1, 1), K: 2, dim: 1}, Float64Array.of(0), 1, w, m); // w = [½, ½]
 */
export function weightsAt(set: PointSet, x: ArrayLike<number>, sigma: number, w: Float64Array, m: Float64Array): void {
  const { points, K, dim } = set;
  const s2 = sigma * sigma;
  let max = -Infinity;
  for (let j = 0; j < K; j++) {
    let d2 = 0;
    for (let k = 0; k < dim; k++) d2 += (x[k] - points[j * dim + k]) ** 2;
    const l = (set.prior ? Math.log(set.prior[j]) : 0) - d2 / (2 * s2);
    w[j] = l;
    if (l > max) max = l;
  }
  let z = 0;
  for (let j = 0; j < K; j++) z += w[j] = Math.exp(w[j] - max);
  m.fill(0);
  for (let j = 0; j < K; j++) {
    w[j] /= z;
    for (let k = 0; k < dim; k++) m[k] += w[j] * points[j * dim + k];
  }
}

/**
 * Mean shift `x ← m(x)` (the σ² → gradient step on `E_σ`, THEORY.md §9.6) until ‖Δx‖ ≤ tol·σ or `maxIter`; in place.
 * Converges to a stable fixed point from almost every start (slowly near a bifurcation: Newton finishes it).
 */
export function meanShift(set: PointSet, x: Float64Array, sigma: number, maxIter = 5000, tol = 1e-10): Float64Array {
  const w = new Float64Array(set.K);
  const m = new Float64Array(set.dim);
  for (let it = 0; it < maxIter; it++) {
    weightsAt(set, x, sigma, w, m);
    let d2 = 0;
    for (let k = 0; k < set.dim; k++) {
      d2 += (m[k] - x[k]) ** 2;
      x[k] = m[k];
    }
    if (Math.sqrt(d2) <= tol * sigma) break;
  }
  return x;
}
