/**
 * Solves `A X = B` for small dense systems (A n × n, B n × k, row-major) by Gaussian elimination with partial
 * pivoting; A and B are not modified. Special cases: a singular (zero pivot) or non-finite system gives NaN.
 * @example solveLinear([2, 0, 0, 4], [2, 4], 2, 1); // returns Float64Array [1, 1]
 */
export function solveLinear(A: ArrayLike<number>, B: ArrayLike<number>, n: number, k: number): Float64Array {
  const a = Float64Array.from(A);
  const x = Float64Array.from(B);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(a[r * n + c]) > Math.abs(a[p * n + c])) p = r;
    const piv = a[p * n + c];
    if (!(Math.abs(piv) > 0) || !Number.isFinite(piv)) return x.fill(NaN);
    if (p !== c) {
      for (let j = 0; j < n; j++) [a[c * n + j], a[p * n + j]] = [a[p * n + j], a[c * n + j]];
      for (let j = 0; j < k; j++) [x[c * k + j], x[p * k + j]] = [x[p * k + j], x[c * k + j]];
    }
    for (let r = c + 1; r < n; r++) {
      const f = a[r * n + c] / piv;
      if (f === 0) continue;
      for (let j = c; j < n; j++) a[r * n + j] -= f * a[c * n + j];
      for (let j = 0; j < k; j++) x[r * k + j] -= f * x[c * k + j];
    }
  }
  for (let c = n - 1; c >= 0; c--) {
    for (let j = 0; j < k; j++) {
      let s = x[c * k + j];
      for (let q = c + 1; q < n; q++) s -= a[c * n + q] * x[q * k + j];
      x[c * k + j] = s / a[c * n + c];
    }
  }
  return x;
}
