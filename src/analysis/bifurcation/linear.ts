/**
 * Solves the dense n×n system A·u = b in place by Gaussian elimination with partial pivoting (small n: the
 * Newton steps of the fixed-point solvers, n = D or D + 1).
 *
 * Method: row-major `a` (overwritten by its LU factors), `b` overwritten by the solution.
 *
 * Special cases: returns false (and leaves garbage in `b`) when a pivot is 0 or not finite (singular A).
 *
 * @example
 * const b = new Float64Array([3, 5]);
 * solveInPlace(new Float64Array([2, 1, 1, 3]), b, 2); // true; b = [0.8, 1.4]
 */
export function solveInPlace(a: Float64Array, b: Float64Array, n: number): boolean {
  for (let k = 0; k < n; k++) {
    let p = k;
    for (let i = k + 1; i < n; i++) if (Math.abs(a[i * n + k]) > Math.abs(a[p * n + k])) p = i;
    const pivot = a[p * n + k];
    if (pivot === 0 || !Number.isFinite(pivot)) return false;
    if (p !== k) {
      for (let j = 0; j < n; j++) {
        const t = a[k * n + j];
        a[k * n + j] = a[p * n + j];
        a[p * n + j] = t;
      }
      const t = b[k];
      b[k] = b[p];
      b[p] = t;
    }
    for (let i = k + 1; i < n; i++) {
      const f = a[i * n + k] / pivot;
      if (f === 0) continue;
      for (let j = k; j < n; j++) a[i * n + j] -= f * a[k * n + j];
      b[i] -= f * b[k];
    }
  }
  for (let k = n - 1; k >= 0; k--) {
    let s = b[k];
    for (let j = k + 1; j < n; j++) s -= a[k * n + j] * b[j];
    b[k] = s / a[k * n + k];
  }
  return true;
}
