/**
 * Compensated summation: Neumaier's improvement of the Kahan–Babuška algorithm.
 *
 * Formula: keep a running sum s and a correction c. For each term x,
 *   t = s + x;  c += |s| ≥ |x| ? (s − t) + x : (x − t) + s;  s = t,
 * and return s + c. The branch recovers the rounding error of `s + x` exactly (Fast2Sum with
 * the larger operand first), so unlike plain Kahan the method stays exact when a term is larger
 * than the running sum. The error bound is 2u·Σ|xᵢ| + O(n u²)·Σ|xᵢ|, independent of n to first order.
 *
 * Method: A. Neumaier, "Rundungsfehleranalyse einiger Verfahren zur Summation endlicher Summen",
 * Z. Angew. Math. Mech. 54 (1974) 39–51.
 *
 * Special cases: an empty input sums to 0. Once the running sum is no longer finite (an ±∞ or
 * NaN term, or overflow) the correction is meaningless and the plain IEEE sum is returned, so
 * ∞ + (−∞) gives NaN and a single +∞ gives +∞, as with ordinary addition.
 *
 * @example
 * neumaierSum([1, 1e100, 1, -1e100]); // 2 (plain summation gives 0)
 */
export function neumaierSum(xs: ArrayLike<number>): number {
  let s = 0;
  let c = 0;
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i];
    const t = s + x;
    c += Math.abs(s) >= Math.abs(x) ? s - t + x : x - t + s;
    s = t;
  }
  return Number.isFinite(s) ? s + c : s;
}

/**
 * Streaming form of {@link neumaierSum}: add terms one at a time, read the compensated total.
 *
 * Method and special cases as for {@link neumaierSum}.
 *
 * @example
 * const acc = new CompensatedSum();
 * for (const x of [1, 1e100, 1, -1e100]) acc.add(x);
 * acc.value; // 2
 */
export class CompensatedSum {
  private s = 0;
  private c = 0;

  /** Adds one term. */
  add(x: number): void {
    const t = this.s + x;
    this.c += Math.abs(this.s) >= Math.abs(x) ? this.s - t + x : x - t + this.s;
    this.s = t;
  }

  /** The compensated sum of the terms added so far (0 when none). */
  get value(): number {
    return Number.isFinite(this.s) ? this.s + this.c : this.s;
  }
}
