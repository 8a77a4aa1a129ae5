/**
 * fast-check arbitraries and small geometry helpers shared by test/property.test.ts and test/fuzz.test.ts.
 *
 * Every generator draws in a bounded box (data coordinates in [−1, 1], queries in [−2, 2], translations in
 * [−8, 8], σ log-uniform in a stated range relative to the data's span) so that the rounding bounds the
 * properties state stay meaningful; the properties are seeded (`fc.assert(…, { seed, numRuns })`), so every
 * run of the suite draws the same cases.
 */
import fc from "fast-check";
import { expect } from "vitest";

/** One seed per file (each fc.assert adds its own offset, so two properties never draw the same stream). */
export const PROPERTY_SEED = 0x1d_2026;
export const FUZZ_SEED = 0x0f_22;

/** base + FNV-1a hash of the running test's name: a per-property seed that does not depend on test order. */
export function seedFor(base: number): number {
  const name = expect.getState().currentTestName ?? "";
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193) >>> 0;
  return (base + h) | 0;
}

/** A double in [lo, hi], never NaN or ±∞ (fast-check's doubles include −0, the bounds and subnormals). */
export function real(lo: number, hi: number): fc.Arbitrary<number> {
  return fc.double({ min: lo, max: hi, noNaN: true, noDefaultInfinity: true });
}

/** Log-uniform in [lo, hi] (lo > 0). */
export function logUniform(lo: number, hi: number): fc.Arbitrary<number> {
  return fc.double({ min: Math.log(lo), max: Math.log(hi), noNaN: true, noDefaultInfinity: true }).map(Math.exp);
}

export function vector(D: number, bound: number): fc.Arbitrary<number[]> {
  return fc.array(real(-bound, bound), { minLength: D, maxLength: D });
}

/** A weighted, labelled point set in [−1, 1]^D whose span is at least `minSpan`. */
export interface DeltaCase {
  points: number[][];
  weights: number[];
  labels: number[];
}

export function deltaCase(D: number, nMin: number, nMax: number, minSpan = 0.2): fc.Arbitrary<DeltaCase> {
  return fc
    .integer({ min: nMin, max: nMax })
    .chain((n) =>
      fc.record({
        points: fc.array(vector(D, 1), { minLength: n, maxLength: n }),
        // weight ratios up to 400: far from underflow, far enough from uniform to matter
        weights: fc.array(logUniform(0.05, 20), { minLength: n, maxLength: n }),
        labels: fc.array(fc.integer({ min: 0, max: 2 }), { minLength: n, maxLength: n }),
      }),
    )
    .filter((c) => span(c.points) >= minSpan);
}

/** A Gaussian-mixture component as `parseModel` reads it (exactly one of `cov` / `variance`). */
export interface GmmComponentSpec {
  weight: number;
  mean: number[];
  cov?: number[][];
  variance?: number;
}

/** A random symmetric PSD matrix `A Aᵀ + δ I`, entries of A in [−a, a]. */
export function spdMatrix(D: number, a: number): fc.Arbitrary<number[][]> {
  return fc.record({ A: fc.array(vector(D, a), { minLength: D, maxLength: D }), delta: logUniform(1e-4, 0.05) }).map(({ A, delta }) => {
    const M: number[][] = [];
    for (let i = 0; i < D; i++) {
      M.push([]);
      for (let j = 0; j < D; j++) {
        let s = i === j ? delta : 0;
        for (let k = 0; k < D; k++) s += A[i][k] * A[j][k];
        M[i].push(s);
      }
    }
    // exactly symmetric (the two triangles summed in the same order already are; keep it explicit)
    for (let i = 0; i < D; i++) for (let j = 0; j < i; j++) M[i][j] = M[j][i];
    return M;
  });
}

export function gmmCase(D: number, kMin: number, kMax: number): fc.Arbitrary<GmmComponentSpec[]> {
  const component: fc.Arbitrary<GmmComponentSpec> = fc.record({
    weight: logUniform(0.05, 20),
    mean: vector(D, 1),
    shape: fc.oneof(
      logUniform(1e-3, 0.3).map((variance) => ({ variance })),
      fc.constant({ variance: 0 }),
      spdMatrix(D, 0.4).map((cov) => ({ cov })),
    ),
  }).map(({ weight, mean, shape }) => ({ weight, mean, ...shape }));
  return fc.array(component, { minLength: kMin, maxLength: kMax }).filter((cs) => span(cs.map((c) => c.mean)) >= 0.2);
}

/** A permutation of 0 … n−1. */
export function permutation(n: number): fc.Arbitrary<number[]> {
  const ids = Array.from({ length: n }, (_, i) => i);
  return fc.shuffledSubarray(ids, { minLength: n, maxLength: n });
}

/**
 * An orthogonal D × D matrix: D = 1 → ±1; D = 2 → rotation by θ, optionally a reflection; D = 3 → the rotation
 * of a unit quaternion, optionally composed with a reflection (det −1).
 */
export function orthogonal(D: number): fc.Arbitrary<number[][]> {
  if (D === 1) return fc.boolean().map((r) => [[r ? -1 : 1]]);
  if (D === 2)
    return fc.record({ t: real(0, 2 * Math.PI), r: fc.boolean() }).map(({ t, r }) => {
      const c = Math.cos(t);
      const s = Math.sin(t);
      return r ? [[c, s], [s, -c]] : [[c, -s], [s, c]];
    });
  return fc
    .record({ q: vector(4, 1), r: fc.boolean() })
    .filter(({ q }) => Math.hypot(...q) > 0.1)
    .map(({ q, r }) => {
      const n = Math.hypot(...q);
      const [a, b, c, d] = q.map((v) => v / n);
      const R = [
        [1 - 2 * (c * c + d * d), 2 * (b * c - a * d), 2 * (b * d + a * c)],
        [2 * (b * c + a * d), 1 - 2 * (b * b + d * d), 2 * (c * d - a * b)],
        [2 * (b * d - a * c), 2 * (c * d + a * b), 1 - 2 * (b * b + c * c)],
      ];
      if (r) R[0] = R[0].map((v) => -v);
      return R;
    });
}

// ------------------------------------------------------------------------------------------------
// Geometry
// ------------------------------------------------------------------------------------------------

export function dist(a: readonly number[], b: readonly number[]): number {
  let s = 0;
  for (let k = 0; k < a.length; k++) s += (a[k] - b[k]) ** 2;
  return Math.sqrt(s);
}

/** Largest pairwise distance. */
export function span(points: readonly (readonly number[])[]): number {
  let s = 0;
  for (let i = 0; i < points.length; i++) for (let j = i + 1; j < points.length; j++) s = Math.max(s, dist(points[i], points[j]));
  return s;
}

/** Smallest pairwise distance. */
export function nearest(points: readonly (readonly number[])[]): number {
  let s = Infinity;
  for (let i = 0; i < points.length; i++) for (let j = i + 1; j < points.length; j++) s = Math.min(s, dist(points[i], points[j]));
  return s;
}

export function apply(Q: readonly (readonly number[])[], v: readonly number[]): number[] {
  return Q.map((row) => row.reduce((s, q, k) => s + q * v[k], 0));
}

/** Q M Qᵀ. */
export function conjugate(Q: readonly (readonly number[])[], M: readonly (readonly number[])[]): number[][] {
  const D = Q.length;
  const QM = Q.map((row) => Array.from({ length: D }, (_, j) => row.reduce((s, q, k) => s + q * M[k][j], 0)));
  const out = QM.map((row) => Array.from({ length: D }, (_, j) => row.reduce((s, v, k) => s + v * Q[j][k], 0)));
  for (let i = 0; i < D; i++) for (let j = 0; j < i; j++) out[i][j] = out[j][i] = 0.5 * (out[i][j] + out[j][i]);
  return out;
}

export function maxAbs(rows: readonly (readonly number[])[]): number {
  let m = 0;
  for (const r of rows) for (const v of r) m = Math.max(m, Math.abs(v));
  return m;
}

/**
 * Eigenvalues (ascending) of a small symmetric matrix by cyclic Jacobi rotations — the tests' own oracle,
 * independent of src/numeric/eigen.ts (and robust to subnormal entries: a rotation is skipped when its
 * off-diagonal entry is negligible against the diagonal, or underflows).
 */
export function jacobiEigenvalues(a: ArrayLike<number>, n: number): number[] {
  const A = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => 0.5 * (a[i * n + j] + a[j * n + i])));
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += A[p][q] ** 2;
    if (off === 0) break;
    for (let p = 0; p < n; p++)
      for (let q = p + 1; q < n; q++) {
        const apq = A[p][q];
        if (apq === 0) continue;
        if (Math.abs(apq) <= 1e-18 * (Math.abs(A[p][p]) + Math.abs(A[q][q])) || Math.abs(apq) < 1e-300) {
          A[p][q] = A[q][p] = 0;
          continue;
        }
        const theta = (A[q][q] - A[p][p]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = A[k][p];
          const akq = A[k][q];
          A[k][p] = c * akp - s * akq;
          A[k][q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = A[p][k];
          const aqk = A[q][k];
          A[p][k] = c * apk - s * aqk;
          A[q][k] = s * apk + c * aqk;
        }
        A[p][q] = A[q][p] = 0;
      }
  }
  return A.map((r, i) => r[i]).sort((x, y) => x - y);
}
