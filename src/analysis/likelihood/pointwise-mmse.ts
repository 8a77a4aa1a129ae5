import type { Batch } from "../../batch.js";
import type { Conditioning } from "../../models/types.js";
import { gaussHermite } from "../../numeric/quadrature.js";
import type { DenoiseProgram } from "../../score/program.js";

/*
 * The pointwise mmse of THEORY.md §8, `mmse(y, γ) = E_z ‖y − m(y + σz)‖²` (γ = 1/σ²), at one σ for a batch of points:
 * the squared errors at given noise draws z (a quadrature rule's nodes or Monte Carlo draws), from one denoiser call.
 */

/** Dimensions up to which the pointwise mmse is a tensor Gauss–Hermite rule in z by default (else Monte Carlo). */
export const QUADRATURE_MAX_DIM = 3;

/** Default Gauss–Hermite nodes per coordinate: n^D nodes in all (128, 64² = 4096, 24³ = 13824). */
export const DEFAULT_NODES: Readonly<Record<number, number>> = { 1: 128, 2: 64, 3: 24 };

/** Noise draws z with a weight each: `E_z g(z) ≈ Σ_j w_j g(z_j)` (row-major n × D nodes). */
export interface NoiseRule {
  nodes: Float64Array;
  weights: Float64Array;
}

/**
 * The tensor Gauss–Hermite rule for z ~ N(0, I_D) with n nodes per coordinate (probabilists' weight, so the
 * weights sum to 1); node j = Σ_k j_k n^{D−1−k} holds (x_{j_0}, …, x_{j_{D−1}}) with weight Π_k w_{j_k}.
 * Exact for polynomials of degree ≤ 2n − 1 in each coordinate: the pointwise mmse of a Gaussian (a quadratic in z)
 * is exact from n = 2.
 *
 * @example
 * tensorGaussHermite(2, 3).weights.length; // 9
 */
export function tensorGaussHermite(D: number, n: number): NoiseRule {
  const { nodes: x, weights: w } = gaussHermite(n);
  const count = n ** D;
  const nodes = new Float64Array(count * D);
  const weights = new Float64Array(count).fill(1);
  for (let j = 0; j < count; j++) {
    let rest = j;
    for (let k = D - 1; k >= 0; k--) {
      const i = rest % n;
      rest = (rest - i) / n;
      nodes[j * D + k] = x[i];
      weights[j] *= w[i];
    }
  }
  return { nodes, weights };
}

/**
 * The posterior mean of the smoothed law `y' = y + s z'` at noise level σ, from the denoiser of y:
 * `E[y' | x] = x + (σ²/τ²)(D(x, τ) − x)`, `τ² = s² + σ²`.
 *
 * Derivation: the noisy state of y' at σ is the noisy state of y at τ (`x = y + s z' + σ z`), so its score is
 * `∇log p_τ(x) = (D(x, τ) − x)/τ²` (Tweedie, §2), and Tweedie for y' at σ gives `E[y'|x] = x + σ² ∇log p_τ(x)`.
 * With s = 0 it is `D(x, σ)` itself. Written into `out` for the rows of `x` from the denoised `m = D(x, τ)`.
 */
export function smoothedMean(x: Float64Array, m: Float64Array, sigma: number, smoothing: number, out: Float64Array): void {
  if (smoothing === 0) {
    out.set(m);
    return;
  }
  const r = (sigma * sigma) / (smoothing * smoothing + sigma * sigma);
  for (let p = 0; p < x.length; p++) out[p] = x[p] + r * (m[p] - x[p]);
}

/** The level at which the denoiser of y is asked for the smoothed law's level σ: τ = √(s² + σ²). */
export const smoothedLevel = (sigma: number, smoothing: number): number => Math.hypot(smoothing, sigma);

/**
 * Squared errors `‖y_i − E[y'|x]‖²`, `x = y_i + σ z_{ij}`, for every point i and draw j, from one denoiser call
 * (rows i·n + j; `z` holds n draws per point, point by point). With `labels`, every row of point i is denoised given
 * `labels[i]` (the class-conditional law), and with `paired` also unconditionally: then the errors of the
 * conditional rows follow those of the unconditional ones (2·rows values, same x). `perDimension` (2·rows·D or
 * rows·D values), when given, receives each coordinate's squared error `(y_ik − E[y'|x]_k)²` row by row.
 */
export function* pointwiseErrors(
  points: Batch,
  sigma: number,
  z: Float64Array,
  n: number,
  smoothing: number,
  labels?: Int32Array,
  paired = false,
  perDimension?: Float64Array,
): DenoiseProgram<Float64Array> {
  const D = points.dim;
  const rows = points.rows * n;
  const copies = labels && paired ? 2 : 1;
  const X = new Float64Array(copies * rows * D);
  for (let i = 0; i < points.rows; i++)
    for (let j = 0; j < n; j++) {
      const o = (i * n + j) * D;
      for (let k = 0; k < D; k++) X[o + k] = points.data[i * D + k] + sigma * z[o + k];
    }
  if (copies === 2) X.copyWithin(rows * D, 0, rows * D);
  let cond: Conditioning | undefined;
  if (labels) {
    const rowLabels = new Int32Array(copies * rows).fill(-1);
    const off = copies === 2 ? rows : 0;
    for (let i = 0; i < points.rows; i++) rowLabels.fill(labels[i], off + i * n, off + (i + 1) * n);
    cond = { labels: rowLabels };
  }
  const M = (yield { x: { rows: copies * rows, dim: D, data: X }, sigma: smoothedLevel(sigma, smoothing), cond }).data;
  const mean = new Float64Array(M.length);
  smoothedMean(X, M, sigma, smoothing, mean);
  const errors = new Float64Array(copies * rows);
  for (let r = 0; r < copies * rows; r++) {
    const i = Math.floor((r % rows) / n);
    let e2 = 0;
    for (let k = 0; k < D; k++) {
      const e = points.data[i * D + k] - mean[r * D + k];
      e2 += e * e;
      if (perDimension) perDimension[r * D + k] = e * e;
    }
    errors[r] = e2;
  }
  return errors;
}

/**
 * The pointwise mmse of a Gaussian `N(μ, V diag(λ) Vᵀ)` in closed form, from `c = Vᵀ(y − μ)`:
 * `mmse(y, σ) = Σ_i [(σ²/(λ_i + σ²))² c_i² + σ² λ_i²/(λ_i + σ²)²]`.
 *
 * Derivation (§2b): `y − m(x) = (I − A)(y − μ) − σ A z` with `A = Σ(Σ + σ²I)⁻¹`, so the mean over z of its squared
 * norm is `‖(I − A)(y − μ)‖² + σ² Tr A²`. Its large-γ limit is `D/γ` (full rank) and its small-γ limit `‖y − μ‖²`.
 *
 * @example
 * gaussianPointwiseMmse(Float64Array.of(1), Float64Array.of(0), 1); // 0.25
 */
export function gaussianPointwiseMmse(lambda: ArrayLike<number>, c: ArrayLike<number>, sigma: number): number {
  const s2 = sigma * sigma;
  let acc = 0;
  for (let i = 0; i < lambda.length; i++) {
    const v = lambda[i] + s2;
    const shrink = s2 / v;
    const gain = lambda[i] / v;
    acc += shrink * shrink * c[i] * c[i] + s2 * gain * gain;
  }
  return acc;
}
