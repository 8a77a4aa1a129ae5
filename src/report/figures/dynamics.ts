import type { ParticipationStats } from "../../analysis/thermo/participation.js";
import type { DataModel } from "../../models/types.js";
import { figure, PANEL, sigmaAxis, sigmaRule, type VegaLiteSpec } from "../theme.js";
import { named } from "./paper-helpers.js";

/** What the report takes from `pathsReport` (the `infodyn paths` JSON). */
export interface PathsData {
  sigma: number[];
  trajectories: number[][][];
  lyapunov: {
    sigma: number[];
    rates: number[][];
    paths?: number;
    /** Standard errors of `rates` across paths, and the sums over directions with theirs (where the paths give them). */
    ratesStandardError?: number[][];
    rateSum?: number[];
    rateSumStandardError?: number[];
  };
  decisionSigma?: { edges: number[]; counts: number[] };
}

/**
 * Sampled reverse trajectories coloured by their pathwise entropy h(x_σ) = −Σ w log w (seed 001): in the plane
 * for 2-D data, as x against σ for 1-D data.
 */
export function trajectoriesFigure(model: DataModel, paths: PathsData): VegaLiteSpec | undefined {
  if (model.dim > 2 || !model.discrete) return undefined;
  const D = model.dim;
  const L = paths.sigma.length;
  const values: Record<string, number>[] = [];
  paths.trajectories.forEach((traj, p) => {
    const x = { rows: L, dim: D, data: Float64Array.from(traj.flat()) };
    const h = model.posterior(x, Float64Array.from(paths.sigma), { entropy: true }).entropy!;
    traj.forEach((pt, i) => values.push({ path: p, step: i, sigma: paths.sigma[i], x1: pt[0], x2: D === 2 ? pt[1] : 0, h: h[i] }));
  });
  const x = D === 2 ? { field: "x1", type: "quantitative", title: "x₁" } : sigmaAxis();
  const y = D === 2 ? { field: "x2", type: "quantitative", title: "x₂" } : { field: "x1", type: "quantitative", title: "x" };
  // In the plane, show the paths below the data scale (above it they are mostly noise).
  const clip = D === 2 ? values.filter((v) => v.sigma <= 1.5) : values;
  return figure("Generative trajectories coloured by pathwise entropy h(x_σ)", {
    width: D === 2 ? 360 : PANEL.width,
    height: D === 2 ? 360 : PANEL.height,
    data: { values: clip },
    layer: [
      { mark: { type: "line", color: "#bbb", strokeWidth: 0.8 }, encoding: { x, y, detail: { field: "path" }, order: { field: "step" } } },
      {
        mark: { type: "circle", size: 14 },
        encoding: { x, y, color: { field: "h", type: "quantitative", title: "h (nats)", scale: { scheme: "viridis" } } },
      },
    ],
  });
}

/** Each σ's local Lyapunov rates sorted, largest first (the spectrum λ₁ ≥ λ₂ ≥ …; copies, the input is kept). */
export function sortedSpectrum(rates: readonly (readonly number[])[]): number[][] {
  return rates.map((r) => [...r].sort((a, b) => b - a));
}

/** The rates and their standard errors (zeros where absent) permuted together, each σ's rates largest first. */
export function sortedWithErrors(rates: readonly (readonly number[])[], errors?: readonly (readonly number[])[]): { rates: number[][]; errors: number[][] } {
  const order = rates.map((r) => r.map((_, j) => j).sort((a, b) => r[b] - r[a]));
  return {
    rates: order.map((o, i) => o.map((j) => rates[i][j])),
    errors: order.map((o, i) => o.map((j) => errors?.[i]?.[j] ?? 0)),
  };
}

const SUB = "₀₁₂₃₄₅₆₇₈₉";
const lambda = (j: number) => `λ${String(j).replace(/\d/g, (d) => SUB[+d])}`;

/**
 * The local Lyapunov spectrum of the probability-flow ODE against σ, read in the direction of generation (σ
 * decreasing to the right): at each σ the rates sorted, largest first, `log|R_jj|/Δ(−log σ)` per step (positive:
 * nearby trajectories separate; negative: they contract; a flat direction of the data contracts at −1). The top
 * three λ₁ ≥ λ₂ ≥ λ₃ in colour (± 1 standard error across paths as bands, where the paths give errors), the rest in
 * grey without a legend entry; below, their sum (the rate of phase-space volume). Rates are sorted here too, their
 * errors permuted alike. Named data sets `spectrum` (sigma, rate, lo, hi, series) and `sum`.
 */
export function lyapunovFigure(paths: PathsData): VegaLiteSpec {
  const L = paths.lyapunov;
  const sigma = L.sigma;
  const { rates: rows, errors } = sortedWithErrors(L.rates, L.ratesStandardError);
  const k = rows[0]?.length ?? 0;
  const top = Math.min(3, k);
  const sumName = `Σ of all ${k} rates`;
  const spectrum = sigma.flatMap((s, i) =>
    rows[i].slice(0, top).map((rate, j) => ({ sigma: s, rate, lo: rate - errors[i][j], hi: rate + errors[i][j], series: lambda(j + 1) })),
  );
  const rest = sigma.flatMap((s, i) => rows[i].slice(top).map((rate, j) => ({ sigma: s, rate, j: j + top })));
  const sum = sigma.map((s, i) => {
    const rate = L.rateSum?.[i] ?? rows[i].reduce((a, b) => a + b, 0);
    const se = L.rateSumStandardError?.[i] ?? 0;
    return { sigma: s, rate, lo: rate - se, hi: rate + se, series: sumName };
  });
  const bands = L.ratesStandardError !== undefined;
  const x = { field: "sigma", type: "quantitative", scale: { type: "log", nice: false, reverse: true }, title: "noise level σ (decreasing →: the direction of generation)" };
  const domain = [...Array.from({ length: top }, (_, j) => lambda(j + 1)), ...(k > 1 ? [sumName] : [])];
  const palette = ["#d62728", "#1f77b4", "#2ca02c"].slice(0, top).concat(k > 1 ? ["#222222"] : []);
  const color = { field: "series", type: "nominal", title: null, scale: { domain, range: palette } };
  // ± 1 SE bands, one layer per series with a fixed colour (the legend is the lines')
  const band = (values: Record<string, unknown>[], series: string[], offset: number) =>
    series.map((name, j) => ({
      data: { values: values.filter((v) => v.series === name) },
      mark: { type: "area", opacity: 0.2, color: palette[offset + j] },
      encoding: { x, y: { field: "lo", type: "quantitative" }, y2: { field: "hi" } },
    }));
  const zero = [
    { data: { values: [{ y: 0 }] }, mark: { type: "rule", color: "#555", strokeDash: [2, 2] }, encoding: { y: { field: "y", type: "quantitative" } } },
    ...[
      ["↑ separating", -7],
      ["↓ contracting", 7],
    ].map(([text, dy]) => ({
      data: { values: [{ sigma: sigma[0], y: 0, text }] },
      mark: { type: "text", align: "left", dx: 4, dy, fontSize: 10, color: "#555" },
      encoding: { x, y: { field: "y", type: "quantitative" }, text: { field: "text" } },
    })),
  ];
  const panel = { width: PANEL.width, height: PANEL.height };
  return figure(
    {
      text: "Local Lyapunov spectrum of the probability-flow ODE, in the direction of generation",
      subtitle: `sorted at each σ, λ₁ largest; mean over ${L.paths ?? "the"} paths${bands ? " ± 1 standard error (bands)" : ""}`,
    },
    {
      vconcat: [
        {
          ...panel,
          layer: [
            { data: { values: rest }, mark: { type: "line", color: "#c8c8c8", strokeWidth: 0.8 }, encoding: { x, y: { field: "rate", type: "quantitative" }, detail: { field: "j" } } },
            ...(bands ? band(spectrum, domain.slice(0, top), 0) : []),
            {
              data: named("spectrum", spectrum),
              mark: "line",
              encoding: { x, y: { field: "rate", type: "quantitative", title: "local rate d log|δ| / d(−log σ)" }, color },
            },
            ...zero,
          ],
        },
        ...(k > 1
          ? [
              {
                ...panel,
                height: Math.round(PANEL.height * 0.6),
                layer: [
                  ...(bands ? band(sum, [sumName], top) : []),
                  {
                    data: named("sum", sum),
                    mark: "line",
                    encoding: { x, y: { field: "rate", type: "quantitative", title: "Σ λ (volume rate)", scale: { zero: false } }, color },
                  },
                ],
              },
            ]
          : []),
      ],
      resolve: { scale: { color: "shared" } },
    },
  );
}

/** Histogram of each path's decision σ (largest drop of h), log bins. */
export function decisionFigure(paths: PathsData): VegaLiteSpec | undefined {
  const d = paths.decisionSigma;
  if (!d) return undefined;
  const values = d.counts.map((c, i) => ({ lo: d.edges[i], hi: d.edges[i + 1], count: c }));
  return figure("When each trajectory decides (σ of its largest drop in h)", {
    ...PANEL,
    data: { values },
    mark: { type: "rect", color: "#4c78a8" },
    encoding: {
      x: { field: "lo", type: "quantitative", scale: { type: "log", nice: false }, title: "decision σ" },
      x2: { field: "hi" },
      y: { field: "count", type: "quantitative", title: "trajectories" },
    },
  });
}

/** Effective number of data points shaping the score, 1/Y = 1/Σ w², against σ, with the condensation σ. */
export function participationFigure(stats: ParticipationStats, condensation?: number): VegaLiteSpec {
  const values = stats.sigma.map((s, i) => ({ sigma: s, inv: stats.meanInverseParticipation[i], se: stats.inverseParticipationSE[i] }));
  return figure("Memorization: effective number of data points 1/Y = 1/Σ w²", {
    ...PANEL,
    layer: [
      {
        data: { values },
        mark: "line",
        encoding: { x: sigmaAxis(), y: { field: "inv", type: "quantitative", scale: { type: "log" }, title: "E[1/Y] over x ~ p_σ" } },
      },
      ...sigmaRule(condensation, "condensation"),
    ],
  });
}
