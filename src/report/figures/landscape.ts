import type { TreeNode } from "../../analysis/bifurcation/tree.js";
import type { FreeEnergyGrid } from "../../analysis/thermo/free-energy.js";
import { figure, PANEL, type VegaLiteSpec } from "../theme.js";

/**
 * The decision tree as a dendrogram (seed 000 §5.1): leaves (data points or groups) along x, the σ at which a
 * group splits on a log y axis; leaves hang down to σ_min.
 */
export function treeFigure(tree: TreeNode, sigmaMin: number, leafName: (i: number) => string, of = "the data"): VegaLiteSpec {
  const order: number[] = [];
  const walk = (n: TreeNode) => (n.children.length ? n.children.forEach(walk) : order.push(...n.members));
  walk(tree);
  const xOf = new Map(order.map((m, i) => [m, i]));
  const segments: Record<string, number>[] = [];
  const place = (n: TreeNode): number => {
    if (!n.children.length) return n.members.reduce((a, m) => a + xOf.get(m)!, 0) / n.members.length;
    const xs = n.children.map(place);
    const s = n.sigma!;
    segments.push({ x: Math.min(...xs), x2: Math.max(...xs), y: s, y2: s });
    n.children.forEach((c, i) => segments.push({ x: xs[i], x2: xs[i], y: s, y2: c.sigma ?? sigmaMin }));
    return (Math.min(...xs) + Math.max(...xs)) / 2;
  };
  const top = place(tree);
  if (tree.sigma) segments.push({ x: top, x2: top, y: tree.sigma * 1.6, y2: tree.sigma });
  const leaves = order.map((m, i) => ({ x: i, label: leafName(m), y: sigmaMin }));
  return figure(`Decision tree: the σ at which groups of ${of} split`, {
    width: Math.max(240, Math.min(700, 28 * order.length)),
    height: PANEL.height,
    layer: [
      {
        data: { values: segments },
        mark: { type: "rule", strokeWidth: 2, color: "#4c78a8" },
        encoding: {
          x: { field: "x", type: "quantitative", axis: null },
          x2: { field: "x2" },
          y: { field: "y", type: "quantitative", scale: { type: "log", nice: false }, title: "σ of the split" },
          y2: { field: "y2" },
        },
      },
      {
        data: { values: leaves },
        mark: { type: "text", angle: 0, dy: 10, fontSize: 10, baseline: "top" },
        encoding: { x: { field: "x", type: "quantitative" }, y: { field: "y", type: "quantitative" }, text: { field: "label" } },
      },
    ],
  });
}

/**
 * Negative regularized free energy −F̃(x) = σ² log p_σ(x) + const at several σ (seed 004 fig. 3): heatmaps in
 * 2-D, curves in 1-D. Its maxima are the modes; new maxima appear at each branching.
 */
export function landscapeFigure(grids: { sigma: number; grid: FreeEnergyGrid }[], dim: number): VegaLiteSpec | undefined {
  if (!grids.length || dim > 2) return undefined;
  if (dim === 1) {
    const values = grids.flatMap(({ sigma, grid }) =>
      grid.x.map((x, i) => ({ x, value: -grid.regularizedFreeEnergy[0][i], sigma: `σ = ${sigma.toPrecision(3)}` })),
    );
    return figure("Negative regularized free energy −F̃(x) at the branching levels", {
      ...PANEL,
      data: { values },
      mark: "line",
      encoding: {
        x: { field: "x", type: "quantitative", title: "x" },
        y: { field: "value", type: "quantitative", title: "−F̃(x) = σ² log p_σ(x) + c" },
        color: { field: "sigma", type: "nominal", title: null },
      },
    });
  }
  return figure("Negative regularized free energy −F̃(x) at the branching levels", {
    hconcat: grids.map(({ sigma, grid }) => {
      const dx = (grid.x[1] - grid.x[0]) / 2;
      const dy = (grid.y![1] - grid.y![0]) / 2;
      const values = grid.y!.flatMap((y, iy) =>
        grid.x.map((x, ix) => ({ x: x - dx, x2: x + dx, y: y - dy, y2: y + dy, value: -grid.regularizedFreeEnergy[iy][ix] })),
      );
      // each panel on its own colour scale: the shape, not the level, shows the modes
      const top = Math.max(...values.map((v) => v.value));
      for (const v of values) v.value = Math.max(v.value - top, -3 * sigma * sigma);
      return {
        title: `σ = ${sigma.toPrecision(3)}`,
        width: 200,
        height: 200,
        data: { values },
        mark: { type: "rect" },
        encoding: {
          x: { field: "x", type: "quantitative", title: "x₁", scale: { nice: false, zero: false }, axis: { grid: false } },
          x2: { field: "x2" },
          y: { field: "y", type: "quantitative", title: "x₂", scale: { nice: false, zero: false }, axis: { grid: false } },
          y2: { field: "y2" },
          color: { field: "value", type: "quantitative", scale: { scheme: "viridis" }, legend: null },
        },
      };
    }),
    resolve: { scale: { color: "independent" } },
  });
}

/**
 * −F̃ = σ² log p_σ + c along the line through two modes, x(t) = a + t(b − a) (t = 0 at a, 1 at b), one curve per σ
 * (each shifted to a maximum of 0): two maxima below the σ at which they merge, one above it. For data of any D.
 */
export function lineLandscapeFigure(curves: { sigma: number; t: number[]; value: number[] }[], names: [string, string]): VegaLiteSpec {
  const label = (sigma: number) => `σ = ${sigma.toPrecision(3)}`;
  const values = curves.flatMap(({ sigma, t, value }) => t.map((u, i) => ({ t: u, value: value[i], sigma: label(sigma) })));
  const domain = [...curves].sort((a, b) => b.sigma - a.sigma).map((c) => label(c.sigma));
  return figure(
    { text: `−F̃ along the line through the modes of ${names[0]} and ${names[1]}`, subtitle: "at the σ where they merge and a factor 1.15 either side; each curve's maximum at 0" },
    {
      ...PANEL,
      data: { values },
      mark: "line",
      encoding: {
        x: { field: "t", type: "quantitative", title: `position t on the line (0: mode of ${names[0]}, 1: mode of ${names[1]})` },
        y: { field: "value", type: "quantitative", title: "−F̃(x) = σ² log p_σ(x) + c" },
        color: { field: "sigma", type: "nominal", title: null, scale: { domain } },
      },
    },
  );
}
