/**
 * The two matrix products of the blocked kernel, for a group of four queries and a block of points, as
 * register-tiled loops over Float64Array (no allocation, monomorphic, contiguous inner loops).
 */

/**
 * `G[i·P + (j − j0)] = X_i · Y_j` for the four rows `X_i` at `xo + i·D` and the points j in [j0, j1)
 * (P = j1 − j0): four queries × two points per pass over k, eight running sums.
 */
export function dots4(X: Float64Array, xo: number, Y: Float64Array, j0: number, j1: number, D: number, G: Float64Array): void {
  const P = j1 - j0;
  const x1 = xo + D;
  const x2 = xo + 2 * D;
  const x3 = xo + 3 * D;
  let j = j0;
  for (; j + 1 < j1; j += 2) {
    const ya = j * D;
    const yb = ya + D;
    let a0 = 0, a1 = 0, a2 = 0, a3 = 0, b0 = 0, b1 = 0, b2 = 0, b3 = 0;
    for (let k = 0; k < D; k++) {
      const u = Y[ya + k];
      const v = Y[yb + k];
      const p0 = X[xo + k];
      const p1 = X[x1 + k];
      const p2 = X[x2 + k];
      const p3 = X[x3 + k];
      a0 += p0 * u;
      a1 += p1 * u;
      a2 += p2 * u;
      a3 += p3 * u;
      b0 += p0 * v;
      b1 += p1 * v;
      b2 += p2 * v;
      b3 += p3 * v;
    }
    const c = j - j0;
    G[c] = a0;
    G[P + c] = a1;
    G[2 * P + c] = a2;
    G[3 * P + c] = a3;
    G[c + 1] = b0;
    G[P + c + 1] = b1;
    G[2 * P + c + 1] = b2;
    G[3 * P + c + 1] = b3;
  }
  if (j < j1) {
    const ya = j * D;
    let a0 = 0, a1 = 0, a2 = 0, a3 = 0;
    for (let k = 0; k < D; k++) {
      const u = Y[ya + k];
      a0 += X[xo + k] * u;
      a1 += X[x1 + k] * u;
      a2 += X[x2 + k] * u;
      a3 += X[x3 + k] * u;
    }
    const c = j - j0;
    G[c] = a0;
    G[P + c] = a1;
    G[2 * P + c] = a2;
    G[3 * P + c] = a3;
  }
}

/**
 * `A[r_i + t_j·D + k] += E[i·P + (j − j0)] · Y_j[k]` for the four accumulator rows at `r_i` (stride `rowStride`
 * between queries) and the points j in [j0, j1), `t_j` = the point's class when `labels` is given, else 0.
 * Points whose four weights are all zero are skipped.
 */
export function accumulate4(
  E: Float64Array,
  Y: Float64Array,
  j0: number,
  j1: number,
  D: number,
  A: Float64Array,
  r0: number,
  rowStride: number,
  labels: Int32Array | undefined,
): void {
  const P = j1 - j0;
  for (let j = j0; j < j1; j++) {
    const c = j - j0;
    const e0 = E[c];
    const e1 = E[P + c];
    const e2 = E[2 * P + c];
    const e3 = E[3 * P + c];
    if (e0 === 0 && e1 === 0 && e2 === 0 && e3 === 0) continue;
    const t = labels ? labels[j] * D : 0;
    const a0 = r0 + t;
    const a1 = a0 + rowStride;
    const a2 = a1 + rowStride;
    const a3 = a2 + rowStride;
    const yo = j * D;
    for (let k = 0; k < D; k++) {
      const v = Y[yo + k];
      A[a0 + k] += e0 * v;
      A[a1 + k] += e1 * v;
      A[a2 + k] += e2 * v;
      A[a3 + k] += e3 * v;
    }
  }
}
