/**
 * log Σ exp(xᵢ) over a slice, without overflow or underflow.
 *
 * Formula: with m = max xᵢ attained at index k,
 *   log Σ exp(xᵢ) = m + log1p(Σ_{i≠k} exp(xᵢ − m)).
 * Every exp argument is ≤ 0, so nothing overflows, and log1p keeps full relative accuracy
 * of the correction when the other terms are small (result ≈ m).
 *
 * Method: one pass for the maximum, one pass for the shifted sum.
 *
 * Special cases: any NaN → NaN; otherwise any +∞ → +∞; all −∞ (or an empty slice) → −∞.
 * Entries of ±1e308 are fine: the shift happens before the exponential.
 *
 * @example
 * logSumExp([1000, 1000]); // 1000 + log 2
 * logSumExp(new Float64Array([0, 1, 2, 3]), 2, 2); // log(e² + e³)
 */
export function logSumExp(xs: ArrayLike<number>, offset = 0, length = xs.length - offset): number {
  const end = offset + length;
  let m = -Infinity;
  let k = -1;
  for (let i = offset; i < end; i++) {
    const x = xs[i];
    if (x !== x) return NaN;
    if (x > m || k < 0) {
      m = x;
      k = i;
    }
  }
  if (m === Infinity) return Infinity;
  if (m === -Infinity) return -Infinity;
  let s = 0;
  for (let i = offset; i < end; i++) if (i !== k) s += Math.exp(xs[i] - m);
  return m + Math.log1p(s);
}

/**
 * {@link logSumExp} of every row of a row-major `rows × cols` matrix.
 *
 * Formula: outᵢ = log Σⱼ exp(x[i·cols + j]).
 *
 * Method: {@link logSumExp} on each row slice; writes into `out` when given (length ≥ rows).
 *
 * Special cases: per row, as for {@link logSumExp}; with cols = 0 every row gives −∞.
 *
 * @example
 * logSumExpRows(new Float64Array([0, 0, 1, -Infinity]), 2, 2); // [log 2, 1]
 */
export function logSumExpRows(
  x: Float64Array,
  rows: number,
  cols: number,
  out: Float64Array = new Float64Array(rows),
): Float64Array {
  for (let i = 0; i < rows; i++) out[i] = logSumExp(x, i * cols, cols);
  return out;
}
