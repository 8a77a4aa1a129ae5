import type { InformationProfile } from "../../analysis/info/grid.js";
import type { DataModel } from "../../models/types.js";
import { figure, PANEL, sigmaAxis, sigmaLines, sigmaRule, type VegaLiteSpec } from "../theme.js";

const ESTIMATOR_LABELS = {
  scoreNorm: "score norm",
  divergence: "expected divergence",
  fisherTrace: "Fisher trace",
  jacobianSpectrum: "Jacobian spectrum",
  posteriorVariance: "posterior variance (mmse/σ³)",
} as const;

/** I(y; x_σ) and H(y|x_σ) against σ (seed 000 fig. 1, left). */
export function entropyProfileFigure(p: InformationProfile): VegaLiteSpec {
  const values = p.points.flatMap((q) => [
    { sigma: q.sigma, quantity: "I(y; x_σ)", nats: q.mutualInformation },
    ...(q.conditionalEntropy !== undefined ? [{ sigma: q.sigma, quantity: "H(y | x_σ)", nats: q.conditionalEntropy }] : []),
  ]);
  return figure("Information about the data carried by the noisy state", {
    ...PANEL,
    layer: [sigmaLines(values, { field: "nats", title: "nats" }, "quantity"), ...sigmaRule(p.peaks.entropyRateLogSigma?.sigma, "peak rate")],
  });
}

/** The five estimators of the entropy rate, as dH/dlog σ = σ dH/dσ, overlaid (their agreement visible). */
export function rateEstimatorsFigure(p: InformationProfile): VegaLiteSpec {
  const values = p.points.flatMap((q) =>
    Object.entries(ESTIMATOR_LABELS).map(([k, label]) => ({
      sigma: q.sigma,
      estimator: label,
      rate: q.sigma * q.entropyRateEstimators[k as keyof typeof ESTIMATOR_LABELS],
    })),
  );
  return figure("Entropy rate dH(y|x_σ)/dlog σ by five estimators", {
    ...PANEL,
    layer: [
      {
        data: { values },
        mark: { type: "line", opacity: 0.8 },
        encoding: {
          x: sigmaAxis(),
          y: { field: "rate", type: "quantitative", title: "dH/dlog σ (nats)" },
          color: { field: "estimator", type: "nominal", title: null },
          strokeDash: { field: "estimator", type: "nominal", title: null },
        },
      },
      ...sigmaRule(p.peaks.entropyRateLogSigma?.sigma, "peak"),
    ],
  });
}

/** Var_x h(x_σ) with its peak (seed 001: decisions). */
export function pathwiseVarianceFigure(p: InformationProfile): VegaLiteSpec | undefined {
  if (p.points.some((q) => q.pathwiseEntropyVariance === undefined)) return undefined;
  const values = p.points.map((q) => ({ sigma: q.sigma, variance: q.pathwiseEntropyVariance }));
  return figure("Variance of the pathwise entropy h(x_σ) across noisy states", {
    ...PANEL,
    layer: [
      { data: { values }, mark: "line", encoding: { x: sigmaAxis(), y: { field: "variance", type: "quantitative", title: "Var h (nats²)" } } },
      ...sigmaRule(p.peaks.pathwiseEntropyVariance?.sigma, "peak"),
    ],
  });
}

/** H(c|x_σ) and its rate dH(c|x_σ)/dσ (whose maximum is the reported class peak) for labelled models. */
export function classEntropyFigure(p: InformationProfile): VegaLiteSpec | undefined {
  if (p.points.some((q) => q.classEntropy === undefined)) return undefined;
  const values = p.points.flatMap((q) => [
    { sigma: q.sigma, quantity: "H(c | x_σ) (nats)", value: q.classEntropy },
    { sigma: q.sigma, quantity: "dH(c | x_σ)/dσ (per unit σ)", value: q.classEntropyRate! },
  ]);
  return figure("Class entropy and its rate", {
    ...PANEL,
    layer: [
      sigmaLines(values, { field: "value", title: "nats, nats per unit σ" }, "quantity"),
      ...sigmaRule(p.peaks.classEntropyRate?.sigma, "peak class rate"),
    ],
  });
}

/** The data of a 1-D or 2-D model (a sample for continuous models), coloured by class. */
export function dataFigure(model: DataModel, points: Float64Array, labels: Int32Array | undefined): VegaLiteSpec | undefined {
  if (model.dim > 2) return undefined;
  const D = model.dim;
  const n = points.length / D;
  const names = model.classNames;
  const values = Array.from({ length: n }, (_, i) => ({
    x: points[i * D],
    y: D === 2 ? points[i * D + 1] : 0,
    class: labels ? (names?.[labels[i]] ?? String(labels[i])) : "data",
  }));
  return figure("The data", {
    width: 320,
    height: D === 2 ? 320 : 80,
    data: { values },
    mark: { type: "point", filled: true, opacity: 0.75 },
    encoding: {
      x: { field: "x", type: "quantitative", title: "y₁", scale: { zero: false } },
      ...(D === 2 ? { y: { field: "y", type: "quantitative", title: "y₂", scale: { zero: false } } } : {}),
      color: { field: "class", type: "nominal", title: labels ? "class" : null },
    },
  });
}
