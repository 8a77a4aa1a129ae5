import type { Batch } from "../../batch.js";
import { InfodynError } from "../../errors.js";
import type { Denoiser } from "../../models/types.js";
import { drive, type DenoiseProgram, type Driven } from "../../score/program.js";
import { gammaGrid, immseWeights, type GammaGrid, type ImmseOptions } from "./immse.js";
import { mmseProfileProgram } from "./mmse-profile.js";

/** What {@link pointwiseMutualInformation} computed, per point (nats). */
export interface PointwiseMutualInformation {
  /** pmi(y, c) = log p(y | c) − log p(y). */
  pmi: Float64Array;
  /** Monte Carlo standard error (0 for quadrature), from the paired differences. */
  standardError: Float64Array;
  /**
   * With `map`: each coordinate's share of pmi(y, c), points × D, `½ Σ_l c_l [(y_k − D_k)² − (y_k − D_{c,k})²]`
   * averaged over z — for image data, where in the image the label is carried; its row sums are `pmi`.
   */
  map?: Float64Array;
  grid: GammaGrid;
  mmseMethod: "quadrature" | "monte-carlo";
  draws: number;
  denoiserCalls: number;
  denoiserRows: number;
}

/**
 * The pointwise mutual information between a point y and its label c, from a conditional denoiser alone:
 * `pmi(y, c) = log p(y | c) − log p(y) = ½ ∫₀^∞ [mmse(y, γ) − mmse_c(y, γ)] dγ`.
 *
 * Derivation: write the I-MMSE likelihood (THEORY.md §8) for p(·|c), whose posterior mean is `D(x, σ, c)`, and for
 * p; the `(D/2) log 2πe` and `D/(1 + γ)` terms cancel in the difference. `mmse_c(y, γ) = E_z‖y − D(y + σz, σ, c)‖²`
 * on the same x as the unconditional one. Its mean over (y, c) is I(y; c) = H(c) − H(c|y), the σ → 0 end of the
 * class-entropy profile (§9.3). Tails: below γ_lo the difference tends to `‖y − E y‖² − ‖y − E[y|c]‖²` (held
 * constant); above γ_hi both mmse are `D/γ − a/γ²`, so the difference falls as γ⁻² ({@link immseWeights}: the
 * same weights `c_l`, `pmi ≈ ½ Σ_l c_l (mmse_l − mmse_{c,l})`).
 *
 * Method: the conditional and unconditional rows in one denoiser call per level (mmse-profile.ts, `paired`), so the
 * Monte Carlo noise largely cancels in the difference; `SE² = ¼ Σ_l c_l² Var(difference_l)`.
 *
 * @example
 * const m = parseModel({ kind: "gmm", components: [{ weight: 1, mean: [-1], variance: 0.5, label: "a" }, { weight: 1, mean: [1], variance: 0.5, label: "b" }] });
 * pointwiseMutualInformation(m, fromRows([[-1]]), Int32Array.of(0), { sigmaMin: 1e-4, sigmaMax: 1e4 }).pmi[0];
 * // ≈ exactPmi(m, fromRows([[-1]]), Int32Array.of(0))[0] = log(2/(1 + e^{−4})) ≈ 0.6749
 */
export function pointwiseMutualInformation<Dn extends Denoiser>(
  denoiser: Dn,
  points: Batch,
  labels: Int32Array,
  options: ImmseOptions & { map?: boolean },
): Driven<Dn, PointwiseMutualInformation> {
  if (points.dim !== denoiser.dim) throw new InfodynError(`points: dimension ${points.dim} differs from the denoiser's ${denoiser.dim}`);
  return drive(pmiProgram(points, labels, options), denoiser, { signal: options.signal });
}

/** {@link pointwiseMutualInformation} as a program. */
export function* pmiProgram(points: Batch, labels: Int32Array, options: ImmseOptions & { map?: boolean }): DenoiseProgram<PointwiseMutualInformation> {
  if (labels.length !== points.rows) throw new InfodynError(`labels: ${labels.length} labels for ${points.rows} points`);
  for (let i = 0; i < labels.length; i++) if (!(labels[i] >= 0)) throw new InfodynError(`labels[${i}]: ${labels[i]} is not a class`);
  const grid = gammaGrid(options.sigmaMin, options.sigmaMax, options.step);
  const prof = yield* mmseProfileProgram(points, grid.sigma, { ...options, labels, paired: true, perDimension: options.map === true });
  const { c } = immseWeights(grid);
  const L = c.length;
  const pmi = new Float64Array(points.rows);
  const standardError = new Float64Array(points.rows);
  for (let i = 0; i < points.rows; i++) {
    let sum = 0;
    let v = 0;
    for (let l = 0; l < L; l++) {
      sum += c[l] * (prof.mmse[i * L + l] - prof.conditional![i * L + l]);
      v += c[l] * c[l] * prof.differenceVariance![i * L + l];
    }
    pmi[i] = 0.5 * sum;
    standardError[i] = 0.5 * Math.sqrt(v);
  }
  let map: Float64Array | undefined;
  if (prof.differenceByDimension) {
    const D = points.dim;
    map = new Float64Array(points.rows * D);
    for (let i = 0; i < points.rows; i++)
      for (let l = 0; l < L; l++) for (let k = 0; k < D; k++) map[i * D + k] += 0.5 * c[l] * prof.differenceByDimension[(i * L + l) * D + k];
  }
  return { pmi, standardError, ...(map ? { map } : {}), grid, mmseMethod: prof.method, draws: prof.draws, denoiserCalls: prof.denoiserCalls, denoiserRows: prof.denoiserRows };
}
