import { symmetricEigen } from "../numeric/eigen.js";

const LOG_2PI = Math.log(2 * Math.PI);

/**
 * A Gaussian `N(μ, Σ)` in its eigenbasis `Σ = V Λ Vᵀ` (Σ may be singular), with the posterior of
 * `x = y + σz` (THEORY.md §2b):
 * `m = μ + V diag(λ/(λ+σ²)) Vᵀ(x − μ)`, `C = V diag(σ²λ/(λ+σ²)) Vᵀ`, `p_σ = N(μ, Σ + σ²I)`.
 */
export class GaussianComponent {
  readonly dim: number;
  readonly mean: Float64Array;
  /** Eigenvalues λ_i ≥ 0 (ascending). */
  readonly lambda: Float64Array;
  /** Eigenvectors, row-major D × D, column i belongs to λ_i. */
  readonly vectors: Float64Array;
  private readonly scratch: Float64Array;

  constructor(mean: Float64Array, cov: Float64Array) {
    const D = mean.length;
    this.dim = D;
    this.mean = mean;
    const { values, vectors } = symmetricEigen(cov, D);
    const top = Math.max(0, ...values);
    // Round-off negatives of a PSD matrix (validated at the boundary) to exact zeros.
    this.lambda = values.map((v) => (v < 1e-12 * top ? 0 : v));
    this.vectors = vectors;
    this.scratch = new Float64Array(D);
  }

  /** Isotropic `N(μ, v I)` without an eigendecomposition. */
  static isotropic(mean: Float64Array, variance: number): GaussianComponent {
    const D = mean.length;
    const cov = new Float64Array(D * D);
    for (let i = 0; i < D; i++) cov[i * D + i] = variance;
    return new GaussianComponent(mean, cov);
  }

  /** Coordinates of `x − μ` in the eigenbasis: `Vᵀ(x − μ)`, written into `out`. */
  project(x: Float64Array, xo: number, out: Float64Array): Float64Array {
    const D = this.dim;
    const V = this.vectors;
    for (let i = 0; i < D; i++) {
      let acc = 0;
      for (let k = 0; k < D; k++) acc += V[k * D + i] * (x[xo + k] - this.mean[k]);
      out[i] = acc;
    }
    return out;
  }

  /** `log N(x; μ, Σ + σ²I)` for the row at offset `xo`. */
  logDensity(x: Float64Array, xo: number, sigma: number): number {
    const c = this.project(x, xo, this.scratch);
    const s2 = sigma * sigma;
    let acc = 0;
    for (let i = 0; i < this.dim; i++) {
      const v = this.lambda[i] + s2;
      acc += LOG_2PI + Math.log(v) + (c[i] * c[i]) / v;
    }
    return -0.5 * acc;
  }

  /** Posterior mean written to `out[oo…]`. */
  posteriorMean(x: Float64Array, xo: number, sigma: number, out: Float64Array, oo: number): void {
    const D = this.dim;
    const c = this.project(x, xo, this.scratch);
    const s2 = sigma * sigma;
    for (let i = 0; i < D; i++) c[i] *= shrink(this.lambda[i], s2);
    const V = this.vectors;
    for (let k = 0; k < D; k++) {
      let acc = this.mean[k];
      for (let i = 0; i < D; i++) acc += V[k * D + i] * c[i];
      out[oo + k] = acc;
    }
  }

  /** `Tr C = Σ σ²λ/(λ + σ²)` (constant in x). */
  traceCov(sigma: number): number {
    const s2 = sigma * sigma;
    let acc = 0;
    for (let i = 0; i < this.dim; i++) acc += postVar(this.lambda[i], s2);
    return acc;
  }

  /** `C = V diag(σ²λ/(λ+σ²)) Vᵀ` added (times `scale`) into `out[oo…]` (D × D). */
  addCovariance(sigma: number, scale: number, out: Float64Array, oo: number): void {
    const D = this.dim;
    const V = this.vectors;
    const s2 = sigma * sigma;
    for (let i = 0; i < D; i++) {
      const c = scale * postVar(this.lambda[i], s2);
      if (c === 0) continue;
      for (let k = 0; k < D; k++) for (let l = 0; l < D; l++) out[oo + k * D + l] += c * V[k * D + i] * V[l * D + i];
    }
  }

  /** One draw `μ + V diag(√λ) z` written to `out[oo…]`. */
  sampleInto(normal: () => number, out: Float64Array, oo: number): void {
    const D = this.dim;
    const z = this.scratch;
    for (let i = 0; i < D; i++) z[i] = Math.sqrt(this.lambda[i]) * normal();
    for (let k = 0; k < D; k++) {
      let acc = this.mean[k];
      for (let i = 0; i < D; i++) acc += this.vectors[k * D + i] * z[i];
      out[oo + k] = acc;
    }
  }
}

/** λ/(λ + σ²), with σ = ∞ → 0. */
function shrink(lambda: number, s2: number): number {
  return lambda === 0 ? 0 : lambda / (lambda + s2);
}

/** σ²λ/(λ + σ²) = 1/(1/λ + 1/σ²): finite for σ = ∞ (→ λ) and λ = ∞ (→ σ²). */
function postVar(lambda: number, s2: number): number {
  return lambda === 0 ? 0 : 1 / (1 / lambda + 1 / s2);
}
