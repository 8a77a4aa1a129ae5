import type { Batch } from "../../batch.js";
import { InfodynError } from "../../errors.js";
import type { Denoiser } from "../../models/types.js";
import { drive, type DenoiseProgram, type Driven } from "../../score/program.js";
import { mmseProfileProgram, type MmseProfileOptions } from "./mmse-profile.js";
import { gaussianPointwiseMmse } from "./pointwise-mmse.js";

const LOG_2PI_E = Math.log(2 * Math.PI) + 1;

/** The grid of the I-MMSE integral: γ_l = γ_lo e^{l h}, l = 0 … L − 1, uniform in log γ (γ = 1/σ²). */
export interface GammaGrid {
  /** Ascending γ (descending σ = γ^{−1/2}). */
  gamma: Float64Array;
  sigma: Float64Array;
  /** The step h in log γ. */
  step: number;
}

/**
 * The γ grid from σ_min to σ_max with a step of at most `step` in log γ (= 2 Δlog σ), both ends on the grid.
 *
 * @example
 * gammaGrid(0.01, 100).gamma.length; // 94 levels: log(1e8)/0.2 = 92.1 steps, rounded up, + 1
 */
export function gammaGrid(sigmaMin: number, sigmaMax: number, step = 0.2): GammaGrid {
  if (!(sigmaMin > 0 && sigmaMax > sigmaMin && Number.isFinite(sigmaMax)))
    throw new InfodynError(`sigma range: needs 0 < σ_min < σ_max < ∞ (got ${sigmaMin}, ${sigmaMax})`);
  if (!(step > 0 && Number.isFinite(step))) throw new InfodynError(`step: must be positive and finite (got ${step})`);
  const span = 2 * Math.log(sigmaMax / sigmaMin);
  const L = Math.ceil(span / step - 1e-9) + 1;
  const h = span / (L - 1);
  const gamma = new Float64Array(L);
  const sigma = new Float64Array(L);
  for (let l = 0; l < L; l++) {
    sigma[l] = l === L - 1 ? sigmaMin : sigmaMax * Math.exp(-0.5 * l * h);
    gamma[l] = 1 / (sigma[l] * sigma[l]);
  }
  return { gamma, sigma, step: h };
}

/**
 * The weights of the I-MMSE integral over the grid, so that `∫₀^∞ mmse(y, γ) dγ ≈ Σ_l c_l mmse(y, γ_l)` and
 * `∫₀^∞ [D/(1+γ) − mmse(y, γ)] dγ ≈ D·known − Σ_l c_l mmse(y, γ_l)`.
 *
 * Formula: in u = log γ (dγ = γ du) the trapezoid rule, `h γ_l` (halved at both ends), plus the two tails:
 * - below γ_lo (σ above σ_max): mmse(y, γ) → ‖y − E y‖² + O(γ), held constant: `∫₀^{γ_lo} f = D log(1 + γ_lo) −
 *   γ_lo mmse(y, γ_lo)`, error ≤ ½ γ_lo² |∂_γ mmse|;
 * - above γ_hi (σ below σ_min): for a density `mmse(y, γ) = D/γ − (2Δlog p + ‖∇log p‖²)(y)/γ² + O(γ⁻³)` (expand
 *   `y − m = −σz − σ² ∇log p_σ` and use Stein's identity), so `D/γ − mmse ∝ γ⁻²` and `∫_{γ_hi}^∞ f =
 *   −D log(1 + 1/γ_hi) + D − γ_hi mmse(y, γ_hi)`, error O(γ_hi⁻²).
 * Hence `known = h Σ_l w_l γ_l/(1 + γ_l) + log(1 + γ_lo) − log(1 + 1/γ_hi) + 1` and `c_l = h w_l γ_l` plus
 * `γ_lo` at l = 0 and `γ_hi` at l = L − 1.
 */
export function immseWeights(grid: GammaGrid): { known: number; c: Float64Array } {
  const { gamma, step: h } = grid;
  const L = gamma.length;
  const c = new Float64Array(L);
  let known = 0;
  for (let l = 0; l < L; l++) {
    const w = l === 0 || l === L - 1 ? 0.5 : 1;
    c[l] = h * w * gamma[l];
    known += h * w * (gamma[l] / (1 + gamma[l]));
  }
  c[0] += gamma[0];
  c[L - 1] += gamma[L - 1];
  known += Math.log1p(gamma[0]) - Math.log1p(1 / gamma[L - 1]) + 1;
  return { known, c };
}

/** Options of {@link immseLikelihood}. */
export interface ImmseOptions extends MmseProfileOptions {
  /** The smallest σ of the grid (the largest γ); the γ⁻² tail above it. */
  sigmaMin: number;
  /** The largest σ of the grid; the constant tail above it. */
  sigmaMax: number;
  /** Step in log γ (the trapezoid's error falls like e^{−2π a/h}, a the integrand's strip of analyticity). @default 0.2 */
  step?: number;
  signal?: AbortSignal;
}

/** What {@link immseLikelihood} computed, per point (nats). */
export interface ImmseLikelihood {
  method: "immse";
  /** −log p(y) of the law y + s z' (s = smoothing; −log p(y | c) with labels), nats. */
  nll: Float64Array;
  /** Monte Carlo standard error of nll (0 for quadrature). */
  standardError: Float64Array;
  grid: GammaGrid;
  mmseMethod: "quadrature" | "monte-carlo" | "closed-form";
  /** Nodes or draws per point and level. */
  draws: number;
  denoiserCalls: number;
  denoiserRows: number;
}

/**
 * The pointwise likelihood by I-MMSE (Kong et al., ICLR 2023; THEORY.md §8), from any denoiser:
 * `−log p(y) = (D/2) log(2πe) − ½ ∫₀^∞ [D/(1 + γ) − mmse(y, γ)] dγ`, `γ = 1/σ²`, `mmse(y, γ) = E_z‖y − D(y + σz, σ)‖²`.
 *
 * Method: the integral by {@link immseWeights} (trapezoid in log γ, both tails stated there) over
 * {@link gammaGrid}; the pointwise mmse by quadrature or Monte Carlo (mmse-profile.ts), whose variances give
 * `SE² = ¼ Σ_l c_l² Var(mmse_l)` (levels independent). With `smoothing` s > 0 the likelihood is that of `y + s z'`
 * (a density for any data: deltas, a sphere, a singular Gaussian), from the denoiser at `τ = √(s² + σ²)`.
 *
 * Special cases: throws {@link InfodynError} for a bad range, step or counts (the γ⁻² tail assumes a density:
 * for data without one in R^D the result grows without bound as σ_min → 0 unless s > 0).
 *
 * @example
 * const g = parseModel({ kind: "gaussian", mean: [0], cov: [[1]] });
 * immseLikelihood(g, fromRows([[0.5]]), { sigmaMin: 1e-4, sigmaMax: 1e4 }).nll[0]; // ≈ ½ log 2π + 0.125 = 1.0439385332
 */
export function immseLikelihood<Dn extends Denoiser>(denoiser: Dn, points: Batch, options: ImmseOptions): Driven<Dn, ImmseLikelihood> {
  if (points.dim !== denoiser.dim) throw new InfodynError(`points: dimension ${points.dim} differs from the denoiser's ${denoiser.dim}`);
  return drive(immseProgram(points, options), denoiser, { signal: options.signal });
}

/** {@link immseLikelihood} as a program. */
export function* immseProgram(points: Batch, options: ImmseOptions): DenoiseProgram<ImmseLikelihood> {
  const grid = gammaGrid(options.sigmaMin, options.sigmaMax, options.step);
  const prof = yield* mmseProfileProgram(points, grid.sigma, { ...options, paired: false });
  return assemble(points, grid, prof.mmse, prof.variance, { mmseMethod: prof.method, draws: prof.draws, denoiserCalls: prof.denoiserCalls, denoiserRows: prof.denoiserRows });
}

/** A Gaussian `N(μ, V diag(λ) Vᵀ)` in its eigenbasis (a `GaussianComponent`). */
export interface GaussianLaw {
  mean: Float64Array;
  lambda: Float64Array;
  vectors: Float64Array;
}

/**
 * {@link immseLikelihood} of a Gaussian with the pointwise mmse in closed form (`gaussianPointwiseMmse`, any D, no
 * denoiser calls); with smoothing s every λ becomes λ + s². The same grid and tails, so it isolates their error.
 */
export function gaussianImmseLikelihood(law: GaussianLaw, points: Batch, options: Omit<ImmseOptions, keyof MmseProfileOptions> & { smoothing?: number }): ImmseLikelihood {
  const grid = gammaGrid(options.sigmaMin, options.sigmaMax, options.step);
  const D = points.dim;
  const L = grid.sigma.length;
  const s2 = (options.smoothing ?? 0) ** 2;
  const lambda = law.lambda.map((l) => l + s2);
  const mmse = new Float64Array(points.rows * L);
  const c = new Float64Array(D);
  for (let i = 0; i < points.rows; i++) {
    for (let j = 0; j < D; j++) {
      let a = 0;
      for (let k = 0; k < D; k++) a += law.vectors[k * D + j] * (points.data[i * D + k] - law.mean[k]);
      c[j] = a;
    }
    for (let l = 0; l < L; l++) mmse[i * L + l] = gaussianPointwiseMmse(lambda, c, grid.sigma[l]);
  }
  return assemble(points, grid, mmse, new Float64Array(mmse.length), { mmseMethod: "closed-form", draws: 0, denoiserCalls: 0, denoiserRows: 0 });
}

/** `−log p = (D/2) log 2πe − ½ (D·known − Σ_l c_l mmse_l)`, `SE² = ¼ Σ_l c_l² Var(mmse_l)`, per point. */
function assemble(
  points: Batch,
  grid: GammaGrid,
  mmse: Float64Array,
  variance: Float64Array,
  cost: Pick<ImmseLikelihood, "mmseMethod" | "draws" | "denoiserCalls" | "denoiserRows">,
): ImmseLikelihood {
  const D = points.dim;
  const L = grid.gamma.length;
  const { known, c } = immseWeights(grid);
  const nll = new Float64Array(points.rows);
  const standardError = new Float64Array(points.rows);
  for (let i = 0; i < points.rows; i++) {
    let sum = 0;
    let v = 0;
    for (let l = 0; l < L; l++) {
      sum += c[l] * mmse[i * L + l];
      v += c[l] * c[l] * variance[i * L + l];
    }
    nll[i] = 0.5 * D * LOG_2PI_E - 0.5 * (D * known - sum);
    standardError[i] = 0.5 * Math.sqrt(v);
  }
  return { method: "immse", nll, standardError, grid, ...cost };
}
