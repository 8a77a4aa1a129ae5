import type { ParticipationStats } from "../../analysis/thermo/participation.js";
import type { DataModel } from "../../models/types.js";
import { figure, PANEL, sigmaAxis, sigmaLines, sigmaRule, type VegaLiteSpec } from "../theme.js";

/** What the report takes from `pathsReport` (the `infodyn paths` JSON). */
export interface PathsData {
  sigma: number[];
  trajectories: number[][][];
  lyapunov: { sigma: number[]; rates: number[][] };
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

/** Local Lyapunov rates of the probability-flow ODE against σ (positive = nearby trajectories separate). */
export function lyapunovFigure(paths: PathsData): VegaLiteSpec {
  const values = paths.lyapunov.sigma.flatMap((s, i) => paths.lyapunov.rates[i].map((r, j) => ({ sigma: s, rate: r, direction: `λ${j + 1}` })));
  return figure("Finite-time Lyapunov rates along the flow (per unit log σ)", {
    ...PANEL,
    layer: [
      sigmaLines(values, { field: "rate", title: "d log|δ| / d log σ" }, "direction"),
      { data: { values: [{ y: 0 }] }, mark: { type: "rule", color: "#555", strokeDash: [2, 2] }, encoding: { y: { field: "y", type: "quantitative" } } },
    ],
  });
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
