import type { InformationProfile } from "../../analysis/info/grid.js";
import type { Peak } from "../../analysis/info/peak.js";
import type { ProfilePoint } from "../../analysis/info/profile.js";
import type { RateEstimatorName } from "../../analysis/info/routes.js";
import type { DataModel } from "../../models/types.js";
import { figure, PANEL, sigmaAxis, sigmaRule, type VegaLiteSpec } from "../theme.js";

/** Legend names, short enough that a route of three (`mmse/σ³ = Fisher trace = Jacobian spectrum`) fits the legend. */
const ESTIMATOR_LABELS: Record<RateEstimatorName, string> = {
  scoreNorm: "score norm",
  divergence: "divergence",
  fisherTrace: "Fisher trace",
  jacobianSpectrum: "Jacobian spectrum",
  posteriorVariance: "mmse/σ³",
};

/** The caption line of every figure with Monte Carlo curves. */
export const BAND_NOTE = "Bands: ±2 standard errors (Monte Carlo, fresh draws at each σ: independent between levels).";

/** The bands' `fill` scale keeps its own (absent) legend, so the lines' colour and dash make one legend. */
export const BAND_LEGEND = { legend: { fill: "independent" } };

/** A row of a curve with its ±2 SE band (lo = hi = value where the value is exact). */
export type Row = { sigma: number; series: string; value: number; lo: number; hi: number };

export function row(sigma: number, series: string, value: number, se = 0): Row {
  return { sigma, series, value, lo: value - 2 * se, hi: value + 2 * se };
}

/** Lines against log σ, one per `series`, with their ±2 SE bands as shaded areas when any is non-zero. */
export function bandedLines(rows: Row[], yTitle: string, legend = true): VegaLiteSpec[] {
  const color = { field: "series", type: "nominal", title: null, ...(legend ? {} : { legend: null }) };
  const line: VegaLiteSpec = {
    data: { values: rows },
    mark: "line",
    encoding: { x: sigmaAxis(), y: { field: "value", type: "quantitative", title: yTitle }, color },
  };
  if (!rows.some((r) => r.hi > r.lo)) return [line];
  const band: VegaLiteSpec = {
    data: { values: rows },
    mark: { type: "area", opacity: 0.2 },
    // `fill`, not `color`: its own scale (the same category range over the same sorted series, so the same colours)
    // whose legend is left out, so the legend shows the lines
    encoding: { x: sigmaAxis(), y: { field: "lo", type: "quantitative", title: yTitle }, y2: { field: "hi" }, fill: { field: "series", type: "nominal", legend: null } },
  };
  return [band, line];
}

/** The peak: a shaded bracket [low, high] (the σ range its errors allow) and a dashed rule at its σ. */
export function peakLayers(peak: Peak | undefined, label: string): VegaLiteSpec[] {
  if (!peak) return [];
  const bracket: VegaLiteSpec[] =
    peak.high > peak.low
      ? [
          {
            data: { values: [{ low: peak.low, high: peak.high }] },
            mark: { type: "rect", color: "#888", opacity: 0.12 },
            encoding: { x: { ...sigmaAxis(), field: "low" }, x2: { field: "high" } },
          },
        ]
      : [];
  return [...bracket, ...sigmaRule(peak.sigma, label)];
}

/** A title with caption lines under it (Vega-Lite's subtitle). */
export function captioned(text: string, lines: string[]): { text: string; subtitle?: string[] } {
  return lines.length > 0 ? { text, subtitle: lines } : { text };
}

const monteCarlo = (p: InformationProfile) => p.points.some((q) => q.standardError !== undefined);
const peakNote = (name: string) => `Shaded: the σ range that holds the ${name} (grid neighbours of the levels within 2 SE of the maximum).`;

/** I(y; x_σ) and H(y|x_σ) against σ (seed 000 fig. 1, left), with ±2 SE bands where they are Monte Carlo. */
export function entropyProfileFigure(p: InformationProfile): VegaLiteSpec {
  const rows = p.points.flatMap((q) => [
    row(q.sigma, "I(y; x_σ)", q.mutualInformation, q.standardError?.mutualInformation),
    ...(q.conditionalEntropy !== undefined ? [row(q.sigma, "H(y | x_σ)", q.conditionalEntropy, q.standardError?.conditionalEntropy)] : []),
  ]);
  return figure("", {
    title: captioned("Information about the data carried by the noisy state", [
      ...(monteCarlo(p) ? [BAND_NOTE] : []),
      ...(p.peaks.entropyRateLogSigma ? [peakNote("peak of the rate mmse/σ²")] : []),
    ]),
    ...PANEL,
    resolve: BAND_LEGEND,
    layer: [...bandedLines(rows, "nats"), ...peakLayers(p.peaks.entropyRateLogSigma, "peak rate")],
  });
}

/**
 * The entropy rate as dH/dlog σ = σ dH/dσ by its independent routes (`p.independent`): one curve per route, named
 * by every estimator it stands for (formulas of one quantity are one curve, never two "agreeing" ones), with ±2 SE
 * bands where Monte Carlo.
 */
export function rateEstimatorsFigure(p: InformationProfile): VegaLiteSpec {
  const routes = p.independent;
  const label = (names: RateEstimatorName[]) => names.map((n) => ESTIMATOR_LABELS[n]).join(" = ");
  const rows = p.points.flatMap((q) =>
    routes.flatMap((r) => {
      const first = r.estimators.find((e) => q.entropyRateEstimators[e] !== undefined);
      if (!first) return [];
      const names = r.estimators.filter((e) => q.entropyRateEstimators[e] !== undefined);
      return [row(q.sigma, label(names), q.sigma * q.entropyRateEstimators[first]!, q.sigma * (q.standardError?.entropyRateEstimators?.[first] ?? 0))];
    }),
  );
  const lines =
    routes.length > 1
      ? [
          `One curve per independent route (${routes.length}); estimators joined by = are formulas of one quantity, drawn once.`,
          "Routes agreeing within their bands check the kernel's mean against its covariance and the sampling of x.",
        ]
      : ["Closed forms: the five estimators are one formula rearranged, drawn once (their agreement would check nothing)."];
  if (p.omitted?.jacobianSpectrum) lines.push(`Jacobian spectrum omitted: it ${p.omitted.jacobianSpectrum}.`);
  if (monteCarlo(p)) lines.push(BAND_NOTE);
  return figure("", {
    title: captioned("Entropy rate dH(y|x_σ)/dlog σ by its independent routes", lines),
    ...PANEL,
    resolve: BAND_LEGEND,
    layer: [
      ...bandedLines(rows, "dH/dlog σ (nats)").map((l, i, all) =>
        i === all.length - 1 ? { ...l, mark: { type: "line", opacity: 0.85 }, encoding: { ...(l.encoding as object), strokeDash: { field: "series", type: "nominal", title: null } } } : l,
      ),
      ...peakLayers(p.peaks.entropyRateLogSigma, "peak"),
    ],
  });
}

/** Var_x h(x_σ) with its peak and bracket (seed 001: decisions), ±2 SE band where Monte Carlo. */
export function pathwiseVarianceFigure(p: InformationProfile): VegaLiteSpec | undefined {
  if (p.points.some((q) => q.pathwiseEntropyVariance === undefined)) return undefined;
  const rows = p.points.map((q) => row(q.sigma, "Var h", q.pathwiseEntropyVariance!, q.standardError?.pathwiseEntropyVariance));
  return figure("", {
    title: captioned("Variance of the pathwise entropy h(x_σ) across noisy states", [
      ...(monteCarlo(p) ? [BAND_NOTE] : []),
      ...(p.peaks.pathwiseEntropyVariance ? [peakNote("peak")] : []),
    ]),
    ...PANEL,
    resolve: BAND_LEGEND,
    layer: [...bandedLines(rows, "Var h (nats²)", false), ...peakLayers(p.peaks.pathwiseEntropyVariance, "peak")],
  });
}

/** H(c|x_σ) and its rate dH(c|x_σ)/dσ (whose maximum is the reported class peak) for labelled models. */
export function classEntropyFigure(p: InformationProfile): VegaLiteSpec | undefined {
  if (p.points.some((q) => q.classEntropy === undefined)) return undefined;
  const rows = p.points.flatMap((q: ProfilePoint) => [
    row(q.sigma, "H(c | x_σ) (nats)", q.classEntropy!, q.standardError?.classEntropy),
    row(q.sigma, "dH(c | x_σ)/dσ (per unit σ)", q.classEntropyRate!, q.standardError?.classEntropyRate),
  ]);
  return figure("", {
    title: captioned("Class entropy and its rate", [
      ...(monteCarlo(p) ? [BAND_NOTE] : []),
      ...(p.peaks.classEntropyRate ? [peakNote("peak of the class rate")] : []),
    ]),
    ...PANEL,
    resolve: BAND_LEGEND,
    layer: [...bandedLines(rows, "nats, nats per unit σ"), ...peakLayers(p.peaks.classEntropyRate, "peak class rate")],
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
