import { InfodynError } from "../../errors.js";
import type { Estimate } from "./expect.js";

/** Options of {@link optimalityGap}. */
export interface OptimalityGapOptions {
  /** A level departs when the excess exceeds this many standard errors of the difference. @default 3 */
  k?: number;
  /** … and this fraction of the exact mmse. @default 0.1 */
  relative?: number;
}

/** A denoiser's loss beside the exact mmse of its training set, per σ ({@link optimalityGap}). */
export interface OptimalityGap {
  /** Ascending σ. */
  sigma: number[];
  /** The denoiser's loss E‖y − D(y + σz, σ)‖² over the training samples. */
  loss: Estimate[];
  /** The exact mmse of the training set's empirical law (its optimal denoiser's loss). */
  exact: Estimate[];
  /** loss − exact, with the standard error of the difference (the two estimates independent). */
  excess: Estimate[];
  /** loss / exact (Infinity where the exact mmse is 0). */
  ratio: number[];
  /**
   * Where the denoiser parts from the optimum: the largest σ of the grid at which, and at every smaller σ, the
   * excess is significant (> k SE) and large (> `relative` × exact). Undefined when the smallest σ does not depart
   * (the denoiser stays at the optimum of its training set over the range: it reproduces the training points).
   */
  parting?: { sigma: number; index: number };
  /** How `parting` was decided, in words. */
  rule: string;
}

/**
 * The optimality gap of a denoiser trained on a known set: its denoising loss against the exact mmse of the
 * empirical distribution of that set (THEORY.md §8: the loss is the mmse for the optimal denoiser and an upper
 * bound for any other). Where the loss stays at the exact mmse the denoiser behaves as the empirical optimum,
 * which at small σ returns the nearest training point (memorization); where it departs it is smoother than the
 * optimum (generalization, or plain training error: the gap alone does not say which).
 *
 * What each disagreement detects: the gap measures the distance of the denoiser from the training set's optimum
 * (any error, including a denoiser that is right for a different law); agreement among its rate estimators (score
 * norm, divergence, loss) measures only whether the denoiser is the exact score of *some* law — a linear (Wiener)
 * denoiser is the exact score of a Gaussian, so its estimators agree while on the digits its loss is 7× the
 * training set's mmse at σ = 0.5 (test/optimality.test.ts). Estimator agreement alone does not certify a network.
 *
 * Special cases: throws {@link InfodynError} for arrays of different lengths or σ's not ascending. The excess's
 * standard error combines both errors in quadrature.
 *
 * @example
 * optimalityGap([1, 2], [{ value: 5, standardError: 0.1 }, { value: 9, standardError: 0.1 }], [{ value: 1, standardError: 0 }, { value: 8.9, standardError: 0 }]).parting;
 * // { sigma: 1, index: 0 }: σ = 2 is within 10 % of the optimum
 */
export function optimalityGap(sigma: readonly number[], loss: readonly Estimate[], exact: readonly Estimate[], options: OptimalityGapOptions = {}): OptimalityGap {
  const n = sigma.length;
  const k = options.k ?? 3;
  const relative = options.relative ?? 0.1;
  if (loss.length !== n || exact.length !== n) throw new InfodynError(`optimalityGap: ${n} σ's, ${loss.length} losses and ${exact.length} exact values`);
  for (let i = 1; i < n; i++) if (!(sigma[i] > sigma[i - 1])) throw new InfodynError("optimalityGap: σ's must be ascending");
  const excess = loss.map((l, i) => ({ value: l.value - exact[i].value, standardError: Math.hypot(l.standardError, exact[i].standardError) }));
  const ratio = loss.map((l, i) => (exact[i].value > 0 ? l.value / exact[i].value : l.value > 0 ? Infinity : 1));
  const departs = excess.map((e, i) => e.value > k * e.standardError && e.value > relative * exact[i].value);
  let top = -1;
  while (top + 1 < n && departs[top + 1]) top++;
  const rule = `the largest σ at which, and below which on the grid, the loss exceeds the exact mmse by more than ${k} standard errors and ${100 * relative} %`;
  return { sigma: [...sigma], loss: [...loss], exact: [...exact], excess, ratio, ...(top >= 0 ? { parting: { sigma: sigma[top], index: top } } : {}), rule };
}
