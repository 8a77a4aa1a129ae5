import { fromRows, zeros } from "../../batch.js";
import { sampleHeun } from "../../analysis/dynamics/ode.js";
import { finiteTimeLyapunov } from "../../analysis/dynamics/lyapunov.js";
import { informationProfile } from "../../analysis/info/grid.js";
import { logSigmas } from "../../noise/grid.js";
import { saddleNodeSigma, twoDeltas } from "../../analysis/thermo/phase.js";
import { brentRoot } from "../../numeric/brent.js";
import { figure, type VegaLiteSpec } from "../theme.js";
import { cellEdges, dashedRule, linspace, logspace, named, round, type Row } from "./paper-helpers.js";

const SIGMA_LOG = { type: "log", nice: false } as const;
const RATE = ["expansion rate", "per unit log σ", "(> 0: nearby paths separate)"];

/**
 * The fixed points `m(x) = x` of two deltas ±1 (weights π₁ at +1, 1 − π₁ at −1) on a σ grid, labelled by branch
 * (`lower`, `centre`, `upper`) with their stability `C(x)/σ² < 1` (THEORY.md §5).
 *
 * Method: sign changes of `m(x) − x` on 2101 points of [−1.05, 1.05] (every fixed point lies in (−1, 1)), each
 * refined by Brent's method. Three roots are lower / centre / upper; a single root is named by its sign. The
 * branch ends are added exactly: (σ_c = 1, 0) for equal weights, and the fold `(σ_sn, −√(1 − σ_sn²))` of the
 * disfavoured branch otherwise (`1 = (1 − x²)/σ²` there).
 */
export function twoDeltaFixedPoints(pi1: number, sigmas: readonly number[]): Row[] {
  const model = twoDeltas(1, pi1);
  const grid = linspace(-1.05, 1.05, 2101);
  const rows: Row[] = [];
  const push = (sigma: number, x: number, branch: string, stable: boolean) =>
    rows.push({ sigma, x, branch, stable, path: `${branch} ${stable ? "stable" : "unstable"}` });
  for (const sigma of sigmas) {
    const g = (x: number) => model.denoise(fromRows([[x]]), sigma).data[0] - x;
    const gs = model.denoise(fromRows(grid.map((x) => [x])), sigma).data.map((m, k) => m - grid[k]);
    const roots: number[] = [];
    for (let k = 0; k + 1 < grid.length; k++) {
      if (gs[k] === 0) roots.push(grid[k]);
      else if (gs[k] * gs[k + 1] < 0) roots.push(brentRoot(g, grid[k], grid[k + 1], { xtol: 1e-15 }));
    }
    const post = model.posterior(fromRows(roots.map((x) => [x])), sigma, {});
    roots.forEach((x, k) => {
      const stable = post.traceCov[k] / sigma ** 2 < 1;
      const branch = roots.length === 3 ? ["lower", "centre", "upper"][k] : !stable ? "centre" : x > 1e-9 ? "upper" : x < -1e-9 ? "lower" : "centre";
      push(sigma, x, branch, stable);
    });
  }
  if (pi1 === 0.5) {
    push(1, 0, "upper", true);
    push(1, 0, "lower", true);
  } else {
    const sn = saddleNodeSigma(1, 0.5 * Math.log(pi1 / (1 - pi1)));
    const x = Math.sign(0.5 - pi1) * Math.sqrt(1 - sn * sn);
    push(sn, x, pi1 > 0.5 ? "lower" : "upper", true);
    push(sn, x, "centre", false);
  }
  return rows.sort((a, b) => (a.sigma as number) - (b.sigma as number));
}

/** A heatmap of log p_σ(x) over (σ, x) with the fixed-point paths on top (seed 000 fig. 1, right). */
function pathsPanel(pi1: number, title: string, legend: boolean): VegaLiteSpec {
  const model = twoDeltas(1, pi1);
  const sigmas = logspace(0.1, 3, 56);
  const xs = linspace(-2, 2, 81);
  const se = cellEdges(sigmas, true);
  const xe = cellEdges(xs);
  const heat: Row[] = [];
  sigmas.forEach((sigma, i) => {
    const lp = model.logDensity(fromRows(xs.map((x) => [x])), sigma);
    xs.forEach((_, k) => heat.push({ s0: se[i], s1: se[i + 1], x0: xe[k], x1: xe[k + 1], logp: round(lp[k], 4) }));
  });
  const pathSigmas = [...logspace(0.1, 3, 160), 1].sort((a, b) => a - b);
  const paths = twoDeltaFixedPoints(pi1, pathSigmas);
  const sx = { field: "sigma", type: "quantitative", scale: SIGMA_LOG, title: "noise level σ (log scale)" };
  return {
    width: 300,
    height: 260,
    title,
    layer: [
      {
        data: { values: heat },
        mark: { type: "rect" },
        encoding: {
          x: { field: "s0", type: "quantitative", scale: SIGMA_LOG, title: "noise level σ (log scale)" },
          x2: { field: "s1" },
          y: { field: "x0", type: "quantitative", title: "x (data at ±1)", scale: { domain: [-2, 2], nice: false } },
          y2: { field: "x1" },
          color: {
            field: "logp",
            type: "quantitative",
            title: "log p_σ(x)",
            scale: { scheme: "viridis", domain: [-6, 0.7], clamp: true },
            ...(legend ? {} : { legend: null }),
          },
        },
      },
      {
        data: named(`fixedPoints${pi1}`, paths),
        mark: { type: "line", strokeWidth: 2.5 },
        encoding: {
          x: sx,
          y: { field: "x", type: "quantitative" },
          detail: { field: "path" },
          strokeDash: {
            field: "stable",
            type: "nominal",
            title: "fixed point",
            scale: { domain: [true, false], range: [[1, 0], [5, 3]] },
            legend: null,
          },
          color: { value: "white" },
        },
      },
    ],
  };
}

/**
 * Seed 000 fig. 1: the conditional entropy profile H(y|x_σ) (with I(y; x_σ)) of two equal deltas ±1, and the
 * paths of the fixed points of the score over a heatmap of log p_σ(x), for equal weights (a continuous, critical
 * branching at σ_c = 1) and for weights 0.8/0.2 (a discontinuous one: the second mode appears at a saddle-node).
 */
export function seed000Fig1(): VegaLiteSpec {
  const model = twoDeltas(1, 0.5);
  const profile = informationProfile(model, logSigmas(81, 0.05, 10), { refinePeaks: false });
  const values = profile.points.flatMap((q) => [
    { sigma: q.sigma, quantity: "H(y | x_σ)", nats: q.conditionalEntropy ?? NaN },
    { sigma: q.sigma, quantity: "I(y; x_σ)", nats: q.mutualInformation },
  ]);
  const sx = { field: "sigma", type: "quantitative", scale: SIGMA_LOG, title: "noise level σ (log scale)" };
  const left = {
    width: 300,
    height: 260,
    title: "Conditional entropy profile",
    layer: [
      {
        data: named("entropy", values),
        mark: "line",
        encoding: { x: sx, y: { field: "nats", type: "quantitative", title: "nats" }, color: { field: "quantity", type: "nominal", title: null, legend: { orient: "top", direction: "horizontal" } } },
      },
      ...dashedRule("sigmaC", "sigma", 1, "σ_c = 1", sx),
    ],
  };
  return figure("Seed 000, fig. 1 — two deltas at ±1: entropy profile and fixed-point paths over log p_σ(x)", {
    hconcat: [left, pathsPanel(0.5, "Fixed points (dashed: unstable), equal weights", false), pathsPanel(0.8, "Fixed points, weights 0.8 at +1, 0.2 at −1", true)],
    resolve: { scale: { color: "independent" } },
  });
}

/**
 * Seed 000 fig. 2: stability and instability of trajectories in the symmetry-breaking potential of two deltas ±1.
 * Left: the potential −log p_σ(x) (shifted to a minimum of 0) above, at and below σ_c = 1, coloured by the local
 * expansion rate `C(x)/σ² − 1 = σ² J(x)` of the reverse flow per unit log σ (positive: nearby trajectories
 * separate). Right: probability-flow trajectories (Heun, σ from 3 to 0.05) coloured by their finite-time
 * Lyapunov exponent per step, `log|δ_{i+1}/δ_i| / log(σ_i/σ_{i+1})`.
 */
export function seed000Fig2(): VegaLiteSpec {
  const model = twoDeltas(1, 0.5);
  const xs = linspace(-2, 2, 161);
  const potential: Row[] = [];
  for (const sigma of [1.5, 1, 0.6]) {
    const b = fromRows(xs.map((x) => [x]));
    const lp = model.logDensity(b, sigma);
    const post = model.posterior(b, sigma, {});
    const top = Math.max(...lp);
    xs.forEach((x, k) => potential.push({ sigma, x, u: -lp[k] + top, rate: post.traceCov[k] / sigma ** 2 - 1, curve: `σ = ${sigma}` }));
  }
  const starts = Array.from({ length: 25 }, (_, k) => 3 * Math.sign(k - 12) * ((k - 12) / 12) ** 2);
  const sigmas = logSigmas(90, 0.05, 3);
  const x0 = fromRows(starts.map((s) => [s]));
  const traj = zeros(starts.length, sigmas.length);
  sampleHeun(model, x0, sigmas, {
    callback: ({ i, x }) => starts.forEach((_, r) => (traj.data[r * sigmas.length + i] = x.data[r])),
  }).data.forEach((v, r) => (traj.data[r * sigmas.length + sigmas.length - 1] = v));
  const ftle = finiteTimeLyapunov(model, x0, sigmas, { method: "heun" });
  const steps = sigmas.length - 1;
  const paths: Row[] = [];
  starts.forEach((_, r) => {
    for (let i = 0; i < steps; i++)
      paths.push({
        path: r,
        sigma: sigmas[i],
        sigmaNext: sigmas[i + 1],
        x: traj.data[r * sigmas.length + i],
        xNext: traj.data[r * sigmas.length + i + 1],
        rate: ftle.logGrowth[r * steps + i] / Math.log(sigmas[i] / sigmas[i + 1]),
      });
  });
  const color = (legend: boolean) => ({
    field: "rate",
    type: "quantitative",
    title: RATE,
    scale: { scheme: "redblue", reverse: true, domain: [-1.5, 3], domainMid: 0, clamp: true },
    ...(!legend ? { legend: null } : { legend: { titleLimit: 300, type: "gradient", gradientLength: 220 } }),
  });
  const labels = [
    { x: 1.95, u: 1.45, curve: "σ = 0.6", align: "right" },
    { x: -1.95, u: 0.72, curve: "σ = 1", align: "left" },
    { x: -1.95, u: 0.4, curve: "σ = 1.5", align: "left" },
  ];
  const px = { field: "x", type: "quantitative", title: "x (data at ±1)", scale: { domain: [-2, 2], nice: false } };
  const pu = { field: "u", type: "quantitative", title: "−log p_σ(x) + const (nats)", scale: { domain: [0, 1.6], clamp: true } };
  const left = {
    width: 320,
    height: 280,
    title: "Potential −log p_σ(x) by local expansion rate",
    data: named("potential", potential),
    layer: [
      { mark: { type: "line", color: "#ccc", strokeWidth: 1 }, encoding: { x: px, y: pu, detail: { field: "curve" } } },
      { mark: { type: "point", filled: true, size: 16, opacity: 1 }, encoding: { x: px, y: pu, color: color(false) } },
      ...["left", "right"].map((align) => ({
        data: { values: labels.filter((l) => l.align === align) },
        mark: { type: "text", fontSize: 12, align },
        encoding: { x: px, y: pu, text: { field: "curve" } },
      })),
    ],
  };
  const right = {
    width: 360,
    height: 280,
    title: "Flow trajectories by finite-time Lyapunov exponent",
    layer: [
      {
        data: named("trajectories", paths),
        mark: { type: "rule", strokeWidth: 2.2 },
        encoding: {
          x: { field: "sigma", type: "quantitative", scale: { ...SIGMA_LOG, reverse: true }, title: "noise level σ (log scale, generation runs left → right)" },
          x2: { field: "sigmaNext" },
          y: { field: "x", type: "quantitative", title: "x", scale: { domain: [-3, 3] } },
          y2: { field: "xNext" },
          color: color(true),
        },
      },
      ...dashedRule("sigmaC", "sigma", 1, "σ_c", { field: "sigma", type: "quantitative", scale: { ...SIGMA_LOG, reverse: true } }),
    ],
  };
  return figure("Seed 000, fig. 2 — stable and divergent trajectories in a symmetry-breaking potential (two deltas ±1)", {
    hconcat: [left, right],
    align: "none",
    // size the concatenation by the panels, not by label overhang: no wide gap between them
    bounds: "flush",
    spacing: 110,
    resolve: { scale: { color: "shared" }, legend: { color: "independent" } },
  });
}
