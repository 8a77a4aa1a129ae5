import type { DataModel } from "../../models/types.js";
import { DEFAULT_PROBES } from "./divergence.js";
import { FULL_COVARIANCE_MAX_DIM } from "./pointwise.js";

/** The names of the five rate estimators of THEORY.md §3, in the order of the JSON. */
export const RATE_ESTIMATOR_NAMES = ["scoreNorm", "divergence", "fisherTrace", "jacobianSpectrum", "posteriorVariance"] as const;
export type RateEstimatorName = (typeof RATE_ESTIMATOR_NAMES)[number];

/**
 * One independent route to the entropy rate: estimators that are formulas of one computed quantity (they agree to
 * rounding by construction, so their agreement checks nothing), with the reason in one line. Two routes agreeing
 * within their errors is a check; two names in one route are not two checks.
 */
export interface EstimatorRoute {
  estimators: RateEstimatorName[];
  reason: string;
}

/** Why the Jacobian spectrum is left out above D = 16. */
export const SPECTRUM_OMITTED = `needs the eigenvalues of the posterior covariance C(x), computed for D ≤ ${FULL_COVARIANCE_MAX_DIM} only`;

/**
 * The independent routes of {@link profileAt}'s estimators for a model (the first holds `posteriorVariance`):
 *
 * - Gaussian: one route, the closed forms in the eigenvalues of Σ (five rearrangements of one formula).
 * - Otherwise three: the kernel's posterior covariance (Tr C = mmse; its diagonal/σ⁴ = Fisher trace; for
 *   2 ≤ D ≤ 16 the eigenvalues of J built from the full C = Jacobian spectrum; in 1-D all three are Tr C; above 16 the
 *   Fisher trace is Tr C/σ⁴ itself and the spectrum is omitted); the divergence, Tr ∂m/∂x by central differences of
 *   the posterior mean (axes for D ≤ 16, Hutchinson probes above; for a sphere the radial difference plus the
 *   tangential (d − 1) m/ρ), which uses the means only; and the score norm, E‖m − x‖², equal to the rate only in
 *   expectation.
 *
 * @example
 * exactRoutes(parseModel({ kind: "deltas", points: [[-1], [1]] })).length; // 3
 */
export function exactRoutes(model: DataModel, probes = DEFAULT_PROBES): EstimatorRoute[] {
  const D = model.dim;
  const st = model.structure;
  if (st?.type === "gaussian")
    return [{ estimators: ["posteriorVariance", "fisherTrace", "divergence", "jacobianSpectrum", "scoreNorm"], reason: "closed forms in the eigenvalues of Σ: one formula, rearranged (no check)" }];
  const kernel: EstimatorRoute =
    D === 1
      ? { estimators: ["posteriorVariance", "fisherTrace", "jacobianSpectrum"], reason: "Tr C(x) from the posterior kernel (in 1-D the covariance, its diagonal and its eigenvalue are Tr C)" }
      : D <= FULL_COVARIANCE_MAX_DIM
        ? { estimators: ["posteriorVariance", "fisherTrace", "jacobianSpectrum"], reason: "the kernel's posterior covariance C(x): its trace, its diagonal/σ⁴ and the eigenvalues of J = (C/σ² − I)/σ² (one matrix, summed three ways)" }
        : { estimators: ["posteriorVariance", "fisherTrace"], reason: "Tr C(x) from the posterior kernel; the Fisher trace is Tr C/σ⁴ itself" };
  const divergence: EstimatorRoute = {
    estimators: ["divergence"],
    reason:
      st?.type === "sphere"
        ? "Tr ∂m/∂x = ∂m_ρ/∂ρ + (d − 1) m_ρ/ρ by a central difference of the posterior mean (uses the means only: checks them against Tr C, ∂m/∂x = C/σ²)"
        : D <= FULL_COVARIANCE_MAX_DIM
          ? "Tr ∂m/∂x by central differences of the posterior mean along the D axes (uses the means only: checks them against Tr C, ∂m/∂x = C/σ²)"
          : `Tr ∂m/∂x by Hutchinson: ${probes} seeded Rademacher probe${probes === 1 ? "" : "s"} per point, J v by central differences of the posterior mean (uses the means only: checks them against Tr C; probe noise is in its SE)`,
  };
  const score: EstimatorRoute = {
    estimators: ["scoreNorm"],
    reason: "D/σ² − E‖m − x‖²/σ⁴: another pointwise quantity, equal to the rate only in expectation (E‖y − x‖² = Dσ²): checks the mean and the sampling of x",
  };
  return [kernel, divergence, score];
}

/**
 * The independent routes of the denoiser estimators (denoiser.ts): the denoising loss; Tr ∂D/∂x by central
 * differences (Hutchinson probes for `divergence` and its shift `fisherTrace`, the D axes for the spectrum, D ≤ 16);
 * the score norm.
 */
export function denoiserRoutes(D: number, probes: number): EstimatorRoute[] {
  const spectrum = D <= FULL_COVARIANCE_MAX_DIM;
  return [
    { estimators: ["posteriorVariance"], reason: "the denoising loss E‖y − D(x)‖²/σ³ (an upper bound for an imperfect denoiser)" },
    {
      estimators: spectrum ? ["divergence", "fisherTrace", "jacobianSpectrum"] : ["divergence", "fisherTrace"],
      reason:
        `Tr ∂D/∂x by central differences: ${probes} Rademacher probe${probes === 1 ? "" : "s"} per point (the divergence; the Fisher trace is it shifted by D/σ²)` +
        (spectrum ? "; the D axes (the Jacobian spectrum: its eigenvalues sum to that trace)" : ""),
    },
    { estimators: ["scoreNorm"], reason: "E‖s(x)‖²: equal to the rate only for the true score (Stein's identity)" },
  ];
}
