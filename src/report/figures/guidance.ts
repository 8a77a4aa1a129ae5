import type { GaussianFront } from "../guidance-front.js";
import type { GuidanceRates } from "../guidance-rate.js";
import { figure, PANEL, sigmaAxis, type VegaLiteSpec } from "../theme.js";
import { BAND_LEGEND, bandedLines, captioned, row, type Row } from "./info.js";

/**
 * The class-information rate of class c with and without guidance (THEORY.md §9.3, "Guidance and commitment"):
 * the exact unguided σ·r_c(σ) (with its ±2 SE band), the first-order prediction (1+2γ)·σ·r_c, and the measured mean
 * d log p(c|x)/d log σ along guided reverse-SDE paths as points with ±2 SE error bars.
 */
export function guidanceRateFigure(r: GuidanceRates, className: string): VegaLiteSpec | undefined {
  // the curves on the measured range widened by 1.5 (outside it the rate is ≈ 0 and would squeeze the peak)
  const inside = (s: number) => s >= r.sigmaEnd / 1.5 && s <= r.sigmaStart * 1.5;
  const series = (g: number) => `γ = ${g}`;
  const rows: Row[] = [];
  r.unguided.forEach((e, i) => {
    if (!Number.isFinite(e.value) || !inside(r.sigma[i])) return;
    for (const g of r.gammas) rows.push(row(r.sigma[i], series(g), (1 + 2 * g) * e.value, g === 0 ? e.standardError : 0));
  });
  const points = r.measured.flatMap((m) => m.rate.flatMap((e, i) => (Number.isFinite(e.value) ? [row(m.sigma[i], series(m.gamma), e.value, e.standardError)] : [])));
  if (!rows.length) return undefined;
  const encoding = { x: sigmaAxis(), color: { field: "series", type: "nominal", title: null } };
  return figure("", {
    title: captioned(`Class information rate of class ${className} with and without guidance`, [
      "Lines: σ·r_c(σ) = E_{x|c}‖m_c − m‖²/σ² (γ = 0, exact posteriors, ±2 SE band) and its first-order guided value (1+2γ)·σ·r_c.",
      `Points: mean d log p(c|x)/d log σ along ${r.paths} reverse-SDE paths driven by s_c + γ∇log p(c|x) from σ = ${r.sigmaStart.toPrecision(3)} (±2 SE bars).`,
      "Guided paths leave p_σ(·|c) as the class is decided, so they fall below the first-order line at lower σ.",
    ]),
    ...PANEL,
    resolve: BAND_LEGEND,
    layer: [
      ...bandedLines(rows, "nats per unit log σ"),
      { data: { values: points }, mark: { type: "rule" }, encoding: { ...encoding, y: { field: "lo", type: "quantitative" }, y2: { field: "hi" } } },
      { data: { values: points }, mark: { type: "point", filled: true, size: 50 }, encoding: { ...encoding, y: { field: "value", type: "quantitative" } } },
    ],
  });
}

/**
 * The Pareto front of guidance schedules, misclassification 1 − separability (log) against KL to the class law,
 * from the Gaussian closed forms; constant guidance as a curve; the comparison at constant w's separability marked.
 */
export function paretoFigure(f: GaussianFront): VegaLiteSpec | undefined {
  const point = (series: string, c: { separability: number; kl: number }, order = 0) => ({ series, miss: 1 - c.separability, kl: c.kl, order });
  const front = f.front.filter((c) => c.separability < 1).map((c, i) => point("Pareto front", c, i));
  // constant guidance in order of w (its separability is not monotone in w)
  const constant = f.constant.filter((c) => c.separability < 1).map((c, i) => point("constant w = 1 … 8", c, i));
  const marks = [point(`constant w = ${f.target.constant.schedule.type === "constant" ? f.target.constant.schedule.w : ""}`, f.target.constant), ...(f.target.window ? [point("least-KL window", f.target.window)] : [])];
  if (!front.length) return undefined;
  const x = { field: "miss", type: "quantitative", scale: { type: "log" }, title: "1 − separability (1 − mean p(c|x) at σ_min)" };
  const y = { field: "kl", type: "quantitative", title: "KL to the class law (nats)" };
  const color = { field: "series", type: "nominal", title: null };
  return figure("", {
    title: captioned("What guidance costs: separability against distortion", [
      "Jointly Gaussian closed forms (THEORY.md §9.2), probability-flow ODE: the class and the data as Gaussians with their moments.",
      "Windows: w inside (a, b], w = 1 outside, optionally w = 0 (negative guidance) below a. Circles: constant w and the",
      "least-KL window of at least its separability.",
    ]),
    ...PANEL,
    layer: [
      { data: { values: [...front, ...constant] }, mark: { type: "line", point: true }, encoding: { x, y, color, order: { field: "order", type: "quantitative" } } },
      { data: { values: marks }, mark: { type: "point", size: 160, filled: false, strokeWidth: 2.5 }, encoding: { x, y, color } },
    ],
  });
}
