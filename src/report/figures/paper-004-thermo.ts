import { fromRows } from "../../batch.js";
import { criticalPoints } from "../../analysis/bifurcation/critical-points.js";
import { freeEnergyGrid } from "../../analysis/thermo/free-energy.js";
import { orderParameter, twoDeltas } from "../../analysis/thermo/phase.js";
import { deltas } from "../../models/deltas.js";
import type { DataModel } from "../../models/types.js";
import { createRng } from "../../numeric/rng.js";
import { figure, type VegaLiteSpec } from "../theme.js";
import { cellEdges, dashedRule, linspace, named, round, type Row } from "./paper-helpers.js";

/** The four-delta model of seed 004 fig. 3: equal weights at (±1, 0), (0, ±1). */
export function fourDeltas(): DataModel {
  return deltas(fromRows([[1, 0], [0, 1], [-1, 0], [0, -1]]));
}

/**
 * Seed 004 fig. 2 (VE process `σ² = σ₀² t`, σ₀ = 1, two equal deltas ±1, σ_c = 1).
 * a) The order parameter x*(σ): the stable fixed points (solid) and the unstable x* = 0 below σ_c (dashed), over
 * the field of the regularized free-energy gradient `−∂F̃/∂x = m(x) − x` (arrows: direction and, by length and
 * colour, size); σ_c dashed. b) The forward process `x_t = y + σ₀ W_t` from each delta (seeded Brownian paths),
 * the critical time `t_c = σ_c²/σ₀² = 1` dashed.
 */
export function seed004Fig2(seed = 0): VegaLiteSpec {
  const model = twoDeltas(1, 0.5);
  const sigmas = linspace(0.02, 2, 199);
  const branches: Row[] = [];
  orderParameter(1, 0.5, sigmas).forEach((p) =>
    p.stable.forEach((x) => branches.push({ sigma: p.sigma, x, branch: p.stable.length === 1 ? "centre" : x > 0 ? "upper" : "lower", stable: true })),
  );
  for (const sigma of [0.02, 1]) branches.push({ sigma, x: 0, branch: "centre (unstable)", stable: false });
  branches.push({ sigma: 1, x: 0, branch: "upper", stable: true }, { sigma: 1, x: 0, branch: "lower", stable: true });
  branches.sort((a, b) => (a.sigma as number) - (b.sigma as number));

  const arrows: Row[] = [];
  const gs = linspace(0.1, 1.9, 19);
  const xs = linspace(-1.4, 1.4, 15);
  for (const sigma of gs) {
    const m = model.denoise(fromRows(xs.map((x) => [x])), sigma).data;
    xs.forEach((x, k) => {
      const g = m[k] - x;
      const len = 0.16 * Math.tanh(2.5 * g);
      arrows.push({ sigma, x, gradient: round(g), tip: x + len, magnitude: round(Math.abs(g)), shape: g > 0 ? "triangle-up" : "triangle-down" });
    });
  }
  const sx = { field: "sigma", type: "quantitative", title: "noise level σ = σ₀√t", scale: { domain: [0, 2], nice: false } };
  const mag = { field: "magnitude", type: "quantitative", title: "|∂F̃/∂x|", scale: { scheme: "greys", domain: [0, 1.2], range: ["#ccc", "#333"], clamp: true } };
  const a = {
    width: 380,
    height: 280,
    title: "a) Order parameter x*(σ) and −∂F̃/∂x",
    layer: [
      { data: named("gradient", arrows), mark: { type: "rule", strokeWidth: 1.5 }, encoding: { x: sx, y: { field: "x", type: "quantitative" }, y2: { field: "tip" }, color: mag } },
      {
        data: { values: arrows },
        mark: { type: "point", filled: true, size: 22 },
        encoding: { x: sx, y: { field: "tip", type: "quantitative" }, shape: { field: "shape", type: "nominal", scale: null }, color: mag },
      },
      {
        data: named("orderParameter", branches),
        mark: { type: "line", strokeWidth: 3, color: "#d62728" },
        encoding: {
          x: sx,
          y: { field: "x", type: "quantitative", title: "order parameter x* (data at ±1)", scale: { domain: [-1.5, 1.5], nice: false } },
          detail: { field: "branch" },
          strokeDash: { field: "stable", type: "nominal", scale: { domain: [true, false], range: [[1, 0], [6, 4]] }, legend: null },
        },
      },
      ...dashedRule("sigmaC", "sigma", 1, "σ_c", sx),
    ],
  };

  const rng = createRng(seed);
  const dt = 0.01;
  const steps = 250;
  const paths: Row[] = [];
  for (let p = 0; p < 24; p++) {
    const start = p % 2 === 0 ? 1 : -1;
    let x = start;
    for (let i = 0; i <= steps; i++) {
      if (i % 2 === 0) paths.push({ path: p, t: round(i * dt), x: round(x), start: start > 0 ? "y = +1" : "y = −1" });
      x += Math.sqrt(dt) * rng.normal();
    }
  }
  const tx = { field: "t", type: "quantitative", title: "time t (σ² = σ₀² t, σ₀ = 1)", scale: { domain: [0, 2.5], nice: false } };
  const b = {
    width: 380,
    height: 280,
    title: "b) Forward process from the two deltas",
    layer: [
      {
        data: named("forward", paths),
        mark: { type: "line", strokeWidth: 1.2, opacity: 0.8 },
        encoding: {
          x: tx,
          y: { field: "x", type: "quantitative", title: "x_t" },
          detail: { field: "path" },
          color: { field: "start", type: "nominal", title: "started at", scale: { range: ["#1f77b4", "#ff7f0e"] } },
        },
      },
      ...dashedRule("criticalTime", "t", 1, "t_c", tx),
    ],
  };
  return figure("Seed 004, fig. 2 — phase transition of two deltas ±1: order parameter and forward process", {
    hconcat: [a, b],
    resolve: { scale: { color: "independent" } },
  });
}

/**
 * Seed 004 fig. 3: the negative regularized free energy `−F̃(x) = σ² log p_σ(x) + const` of the four-delta model
 * at several times `t = σ²` (σ₀ = 1), shifted to a maximum of 0 in each panel, with the critical points of p_σ
 * (maxima of −F̃: filled; saddles: crosses). The single maximum at the origin splits into four at
 * `σ_c² = λ_max(C(0)) = ½`.
 */
export function seed004Fig3(): VegaLiteSpec {
  const model = fourDeltas();
  const times = [1, 0.6, 0.5, 0.35, 0.15];
  const n = 49;
  const L = 1.6;
  const grid = linspace(-L, L, n);
  const e = cellEdges(grid);
  const panels = times.map((t) => {
    const sigma = Math.sqrt(t);
    const f = freeEnergyGrid(model, sigma, { x0: -L, x1: L, n });
    let top = -Infinity;
    for (const r of f.regularizedFreeEnergy) for (const v of r) top = Math.max(top, -v);
    const heat: Row[] = [];
    f.regularizedFreeEnergy.forEach((r, iy) => r.forEach((v, ix) => heat.push({ x0: e[ix], x1: e[ix + 1], y0: e[iy], y1: e[iy + 1], negF: round(-v - top, 4) })));
    const crit = criticalPoints(model, sigma)
      .points.filter((p) => p.kind !== "min")
      .map((p) => ({ x: p.x[0], y: p.x[1], kind: p.kind === "max" ? "maximum of −F̃" : "saddle", t }));
    const ax = (title: string) => ({ type: "quantitative", title, scale: { domain: [-L, L], nice: false } });
    return {
      width: 200,
      height: 200,
      title: `t = σ² = ${t}`,
      layer: [
        {
          data: named(`freeEnergy${t}`, heat),
          mark: "rect",
          encoding: {
            x: { field: "x0", ...ax("x₁") },
            x2: { field: "x1" },
            y: { field: "y0", ...ax("x₂") },
            y2: { field: "y1" },
            color: { field: "negF", type: "quantitative", title: ["−F̃(x) − max −F̃", "(nats × σ²)"], scale: { scheme: "magma", domain: [-0.6, 0], clamp: true } },
          },
        },
        {
          data: named(`criticalPoints${t}`, crit),
          mark: { type: "point", size: 60, strokeWidth: 2, color: "#3bd3ff" },
          encoding: {
            x: { field: "x", type: "quantitative" },
            y: { field: "y", type: "quantitative" },
            shape: { field: "kind", type: "nominal", title: "critical point", scale: { domain: ["maximum of −F̃", "saddle"], range: ["circle", "cross"] } },
          },
        },
        {
          data: { values: [{ x: 1, y: 0 }, { x: 0, y: 1 }, { x: -1, y: 0 }, { x: 0, y: -1 }] },
          mark: { type: "point", shape: "diamond", size: 30, color: "white", filled: true },
          encoding: { x: { field: "x", type: "quantitative" }, y: { field: "y", type: "quantitative" } },
        },
      ],
    };
  });
  return figure("Seed 004, fig. 3 — negative regularized free energy of four deltas at (±1, 0), (0, ±1) (white diamonds: data)", {
    hconcat: panels,
  });
}
