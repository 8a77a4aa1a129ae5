import { EigenvalueDecomposition, Matrix } from "ml-matrix";

/** Eigen-decomposition of a symmetric matrix. */
export interface SymmetricEigen {
  /** Eigenvalues, ascending. */
  values: Float64Array;
  /** n×n row-major; column j (entries j, n + j, 2n + j, …) is the unit eigenvector of values[j]. */
  vectors: Float64Array;
}

/**
 * Eigenvalues and orthonormal eigenvectors of a real symmetric n×n matrix, A = V·Λ·Vᵀ.
 *
 * Formula: A·vⱼ = λⱼ·vⱼ, λ₀ ≤ λ₁ ≤ … ≤ λₙ₋₁, VᵀV = I. Only the symmetric part (A + Aᵀ)/2 is used.
 *
 * Method: n = 1 directly; n = 2 in closed form as LAPACK's dlaev2 (the larger-magnitude
 * eigenvalue by addition, the other as det/λ written (a_max/λ₁)·a_min − (b/λ₁)·b, so a nearly
 * singular 2×2 keeps its small eigenvalue; a Jacobi rotation for the vectors); larger n by
 * ml-matrix's EigenvalueDecomposition (Householder tridiagonalisation and the implicit QL
 * algorithm, tred2/tql2 from EISPACK via JAMA). Eigenvalues are accurate to ≈ ε·‖A‖ absolutely.
 *
 * Special cases: if n is not a positive integer, a has fewer than n² entries, or an entry is
 * not finite, every value and vector entry is NaN (length n², or 0 for a bad n).
 *
 * @example
 * symmetricEigen(new Float64Array([2, 1, 1, 2]), 2);
 * // values [1, 3]; vectors columns ±(1, −1)/√2 and ±(1, 1)/√2
 */
export function symmetricEigen(a: ArrayLike<number>, n: number): SymmetricEigen {
  if (!(Number.isInteger(n) && n >= 1)) return { values: new Float64Array(0), vectors: new Float64Array(0) };
  const values = new Float64Array(n);
  const vectors = new Float64Array(n * n);
  if (!validInput(a, n)) {
    values.fill(NaN);
    vectors.fill(NaN);
    return { values, vectors };
  }
  if (n === 1) {
    values[0] = a[0];
    vectors[0] = 1;
    return { values, vectors };
  }
  if (n === 2) return eigen2(a[0], 0.5 * (a[1] + a[2]), a[3]);
  // Scale by the largest entry and flush entries below ε²·max|a| to 0: that moves the eigenvalues by far less than
  // their ε‖A‖ accuracy, and keeps ml-matrix's QL iteration from dividing by a subnormal (its convergence test
  // underflows there and the deflation search runs off the matrix).
  let scale = 0;
  for (let i = 0; i < n * n; i++) scale = Math.max(scale, Math.abs(a[i]));
  if (scale === 0) {
    for (let j = 0; j < n; j++) vectors[j * n + j] = 1;
    return { values, vectors };
  }
  const tiny = Number.EPSILON * Number.EPSILON;
  const m = new Matrix(n, n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      const v = (0.5 * (a[i * n + j] + a[j * n + i])) / scale;
      m.set(i, j, Math.abs(v) < tiny ? 0 : v);
    }
  const evd = new EigenvalueDecomposition(m, { assumeSymmetric: true });
  const lambda = evd.realEigenvalues.map((l) => l * scale);
  const v = evd.eigenvectorMatrix;
  const order = Array.from({ length: n }, (_, j) => j).sort((p, q) => lambda[p] - lambda[q]);
  for (let j = 0; j < n; j++) {
    const src = order[j];
    values[j] = lambda[src];
    for (let i = 0; i < n; i++) vectors[i * n + j] = v.get(i, src);
  }
  return { values, vectors };
}

/**
 * Eigenvalues (ascending) of a real symmetric n×n matrix; see {@link symmetricEigen}.
 *
 * Formula, method and special cases as for {@link symmetricEigen}.
 *
 * @example
 * symmetricEigenvalues(new Float64Array([2, 1, 1, 2]), 2); // [1, 3]
 */
export function symmetricEigenvalues(a: ArrayLike<number>, n: number): Float64Array {
  return symmetricEigen(a, n).values;
}

function validInput(a: ArrayLike<number>, n: number): boolean {
  if (a.length < n * n) return false;
  for (let i = 0; i < n * n; i++) if (!Number.isFinite(a[i])) return false;
  return true;
}

/** [[a, b], [b, c]] by LAPACK dlaev2, returned ascending. */
function eigen2(a: number, b: number, c: number): SymmetricEigen {
  const sm = a + c;
  const df = a - c;
  const adf = Math.abs(df);
  const tb = b + b;
  const ab = Math.abs(tb);
  const [acmx, acmn] = Math.abs(a) > Math.abs(c) ? [a, c] : [c, a];
  let rt: number;
  if (adf > ab) rt = adf * Math.sqrt(1 + (ab / adf) ** 2);
  else if (adf < ab) rt = ab * Math.sqrt(1 + (adf / ab) ** 2);
  else rt = ab * Math.SQRT2;
  let rt1: number; // larger in magnitude
  let rt2: number;
  let sgn1: number;
  if (sm < 0) {
    rt1 = 0.5 * (sm - rt);
    sgn1 = -1;
    rt2 = (acmx / rt1) * acmn - (b / rt1) * b;
  } else if (sm > 0) {
    rt1 = 0.5 * (sm + rt);
    sgn1 = 1;
    rt2 = (acmx / rt1) * acmn - (b / rt1) * b;
  } else {
    rt1 = 0.5 * rt;
    rt2 = -0.5 * rt;
    sgn1 = 1;
  }
  // (cs1, sn1) is the unit eigenvector of rt1; (−sn1, cs1) that of rt2.
  let cs: number;
  let sgn2: number;
  if (df >= 0) {
    cs = df + rt;
    sgn2 = 1;
  } else {
    cs = df - rt;
    sgn2 = -1;
  }
  let cs1: number;
  let sn1: number;
  if (Math.abs(cs) > ab) {
    const ct = -tb / cs;
    sn1 = 1 / Math.sqrt(1 + ct * ct);
    cs1 = ct * sn1;
  } else if (ab === 0) {
    cs1 = 1;
    sn1 = 0;
  } else {
    const tn = -cs / tb;
    cs1 = 1 / Math.sqrt(1 + tn * tn);
    sn1 = tn * cs1;
  }
  if (sgn1 === sgn2) {
    const tn = cs1;
    cs1 = -sn1;
    sn1 = tn;
  }
  // Ascending: column 0 for the smaller eigenvalue.
  if (rt1 <= rt2) {
    return { values: Float64Array.of(rt1, rt2), vectors: Float64Array.of(cs1, -sn1, sn1, cs1) };
  }
  return { values: Float64Array.of(rt2, rt1), vectors: Float64Array.of(-sn1, cs1, cs1, sn1) };
}
