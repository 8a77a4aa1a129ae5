/**
 * The unbiased estimate of the squared maximum mean discrepancy with a Gaussian (RBF) kernel
 * `k(a, b) = exp(−‖a − b‖²/(2ℓ²))` (Gretton et al. 2012, eq. 3):
 * `MMD²_u = Σ_{i≠j} k(x_i, x_j)/(m(m−1)) + Σ_{i≠j} k(y_i, y_j)/(n(n−1)) − 2 Σ_{i,j} k(x_i, y_j)/(mn)`.
 * Its mean is exactly 0 when X and Y have the same law (it can be negative), so direct data samples give a
 * zero-mean baseline.
 *
 * Special cases: fewer than two rows in X or Y → NaN.
 *
 * @example
 * mmdRbf(x, y, 1, 0.5); // ≈ 0 ± O(1/N) for x, y from the same law
 */
export function mmdRbf(x: ArrayLike<number>, y: ArrayLike<number>, dim: number, lengthScale: number): number {
  const m = x.length / dim;
  const n = y.length / dim;
  if (!(m >= 2 && n >= 2)) return NaN;
  const c = -0.5 / (lengthScale * lengthScale);
  const sum = (p: ArrayLike<number>, np: number, q: ArrayLike<number>, nq: number, same: boolean) => {
    let s = 0;
    for (let i = 0; i < np; i++)
      for (let j = same ? i + 1 : 0; j < nq; j++) {
        let d2 = 0;
        for (let d = 0; d < dim; d++) {
          const t = p[i * dim + d] - q[j * dim + d];
          d2 += t * t;
        }
        s += Math.exp(c * d2);
      }
    return same ? 2 * s : s;
  };
  return sum(x, m, x, m, true) / (m * (m - 1)) + sum(y, n, y, n, true) / (n * (n - 1)) - (2 * sum(x, m, y, n, false)) / (m * n);
}

/** The median heuristic ℓ = median pairwise distance of (the first ≤ 500 rows of) a sample; 1 if it is 0. */
export function medianLengthScale(y: ArrayLike<number>, dim: number): number {
  const n = Math.min(500, y.length / dim);
  const d: number[] = [];
  for (let i = 0; i < n; i++)
    for (let j = i + 1; j < n; j++) {
      let d2 = 0;
      for (let k = 0; k < dim; k++) d2 += (y[i * dim + k] - y[j * dim + k]) ** 2;
      d.push(Math.sqrt(d2));
    }
  d.sort((a, b) => a - b);
  const med = d.length ? d[d.length >> 1] : 1;
  return med > 0 ? med : 1;
}
