import { describe, expect, it } from "vitest";
import { fromRows } from "../src/batch.js";
import { decisionTree } from "../src/analysis/bifurcation/tree.js";
import { parseModel } from "../src/models/parse.js";
import { logSigmas } from "../src/noise/grid.js";
import { specData } from "../src/report/figures/paper-helpers.js";
import { followModes } from "../src/analysis/bifurcation/follow.js";
import type { DataModel } from "../src/models/types.js";

/** The report's use of followModes: from the model's own points, splits bracketed to 0.1 %. */
const modeTree = (model: DataModel, sigmas: number[]) => {
  const st = model.structure!;
  return followModes(model, st.type === "mixture" ? st.means.data : new Float64Array(0), sigmas, { rtol: 1e-3 });
};
import { axisTitle, principalAxes, project } from "../src/report/pca.js";
import { reportPlan } from "../src/report/plan.js";
import { renderSvg } from "../src/report/render.js";
import { buildReport } from "../src/report/report.js";
import type { VegaLiteSpec } from "../src/report/theme.js";
import { expectClose } from "./helpers.js";
import { pixelVariance } from "./pixels.js";

/** An orthonormal basis of R³ (u: the principal axis) and the 2×2×2 factorial design t u + s v + r w. */
const u = [1 / 3, 2 / 3, 2 / 3];
const v = [2 / 3, 1 / 3, -2 / 3];
const w = [2 / 3, -2 / 3, 1 / 3];
const design: number[][] = [];
for (const t of [-3, 3]) for (const s of [-1, 1]) for (const r of [-0.5, 0.5]) design.push([t, s, r]);
const offset = [5, -2, 1];
const points = design.map(([t, s, r]) => [0, 1, 2].map((k) => offset[k] + t * u[k] + s * v[k] + r * w[k]));

const ascendingGrid = (n: number, lo: number, hi: number) => Array.from(logSigmas(n, lo, hi)).reverse();
const encodingTitle = (spec: VegaLiteSpec, axis: "x" | "y") => JSON.stringify(spec).match(new RegExp(`"${axis}":\\{"field":"pc[12]","type":"quantitative","title":"([^"]+)"`))?.[1];

describe("the PCA projection of data with D > 2", () => {
  it("finds the known principal axes and variances of a factorial design (closed form: Cov = diag(9, 1, 1/4) in the basis u, v, w)", () => {
    const pca = principalAxes(Float64Array.from(points.flat()), 3, 2);
    // the covariance of the design is exactly 9 uuᵀ + vvᵀ + ¼ wwᵀ: eigen-decomposition to rounding (ε·‖Cov‖ ≈ 1e-15·9)
    expectClose(pca.variance[0], 9, { atol: 1e-13 });
    expectClose(pca.variance[1], 1, { atol: 1e-13 });
    expectClose(pca.explained[0], 9 / 10.25, { atol: 1e-14 });
    expectClose(pca.explained[1], 1 / 10.25, { atol: 1e-14 });
    // the axes are ±u, ±v, signed so the largest entry is positive: u = (1, 2, 2)/3 and v = (2, 1, −2)/3 as they are
    for (let k = 0; k < 3; k++) {
      expectClose(pca.axes[k], u[k], { atol: 1e-13 }, `axis 1[${k}]`);
      expectClose(pca.axes[3 + k], v[k], { atol: 1e-13 }, `axis 2[${k}]`);
      expectClose(pca.mean[k], offset[k], { atol: 1e-14 }, `mean[${k}]`);
    }
    // projections are the design's own t and s
    const xy = project(pca, Float64Array.from(points.flat()));
    design.forEach(([t, s], i) => {
      expectClose(xy[2 * i], t, { atol: 1e-13 });
      expectClose(xy[2 * i + 1], s, { atol: 1e-13 });
    });
    expect(axisTitle(pca, 0)).toBe("PC1 (87.8% of the variance)");
    expect(axisTitle(pca, 1)).toBe("PC2 (9.8% of the variance)");
  });

  const labels = design.map(([t]) => (t < 0 ? "left" : "right"));
  const model = parseModel({ kind: "deltas", points, labels });
  const plan = reportPlan(model, { samples: 500, seed: 3 });
  const report = buildReport(model, plan, { source: "factorial-3d" });

  it("draws the data and the trajectories of a 3-D model on those axes, titled with their share of the variance", () => {
    const data = report.figures.data;
    expect(encodingTitle(data, "x")).toBe("PC1 (87.8% of the variance)");
    expect(encodingTitle(data, "y")).toBe("PC2 (9.8% of the variance)");
    const rows = specData(data, "projection")!;
    expect(rows).toHaveLength(8);
    rows.forEach((r, i) => {
      expectClose(r.pc1 as number, design[i][0], { atol: 1e-5 }); // rounded to 6 digits in the spec
      expectClose(r.pc2 as number, design[i][1], { atol: 1e-5 });
      expect(r.class).toBe(labels[i]);
    });
    const traj = report.figures.trajectories;
    expect(encodingTitle(traj, "x")).toBe("PC1 (87.8% of the variance)");
    const drawn = specData(traj, "trajectories")!;
    expect(drawn.length).toBeGreaterThan(plan.paths.keep);
    // each drawn state is a trajectory state projected on (u, v), from the largest σ ≤ the PC1 spread √9 = 3 down
    expect(Math.max(...drawn.map((r) => r.sigma as number))).toBeLessThanOrEqual(3);
    expect(report.results.projection).toEqual({ variance: expect.any(Array), explained: expect.any(Array) });
    expectClose(report.results.projection!.explained[0], 9 / 10.25, { atol: 1e-14 });
  });

  it("has a branching section in D = 3, with the decision tree and −F̃ along the line of the last split", async () => {
    expect(report.sections.map((s) => s.id)).toContain("branchings");
    expect(report.figures["decision-tree"]).toBeDefined();
    expect(report.figures["free-energy"]).toBeDefined();
    const bif = report.results.bifurcations!;
    expect(bif.method).toBe("mode-tree");
    expect(bif.starts).toBe(8);
    // eight points, one split per merge: seven splits, each bracket holds its σ and is ≤ 0.1 % wide
    expect(bif.splits).toHaveLength(7);
    for (const s of bif.splits!) {
      expect(s.low).toBeLessThanOrEqual(s.sigma);
      expect(s.sigma).toBeLessThanOrEqual(s.high);
      expect(s.high / s.low - 1).toBeLessThanOrEqual(1e-3);
    }
    const text = report.sections.find((s) => s.id === "branchings")!.text;
    expect(text).toMatch(/the modes of p_σ that the 8 points flow to/);
    expect(text).not.toMatch(/not exhaustive/); // D = 3: the statement of missed modes is for D > 3
    for (const name of ["data", "trajectories", "decision-tree", "free-energy", "lyapunov"])
      expect(pixelVariance(await renderSvg(report.figures[name])), name).toBeGreaterThan(50);
  });

  it("shows no image tiles for data without a shape", () => {
    expect(Object.keys(report.figures).filter((f) => f.endsWith("-images"))).toEqual([]);
    expect(report.sections.map((s) => s.id)).not.toContain("images");
    expect(report.results.images).toBeUndefined();
  });
});

describe("the decision tree by following modes up in σ", () => {
  it("splits two equal points ±1 at the pitchfork σ = 1 (closed form: x = tanh(x/σ²) loses its centre at σ = 1), in any D", () => {
    for (const D of [1, 3, 5]) {
      const a = new Array(D).fill(0);
      const b = new Array(D).fill(0);
      a[0] = -1;
      b[0] = 1;
      const t = modeTree(parseModel({ kind: "deltas", points: [a, b] }), ascendingGrid(41, 0.2, 5))!;
      expect(t.merges, `D = ${D}`).toHaveLength(1);
      const m = t.merges[0];
      // the bracket is 0.1 % wide and must hold σ = 1; mean-shift at a pitchfork converges algebraically, so allow 1 %
      expect(m.high / m.low - 1).toBeLessThanOrEqual(1e-3);
      expectClose(m.sigma, 1, { rtol: 1e-2 }, `D = ${D}`);
      expect(t.tree).toMatchObject({ sigma: m.sigma, members: [0, 1] });
    }
  });

  it("agrees with the bifurcation module's tree (split σ to 1e-9) within its 0.1 % bracket on 6 points in D = 4", () => {
    const pts = [
      [0, 0, 0, 0],
      [1, 0.2, 0, 0],
      [4, 0, 1, 0],
      [4.5, 0.5, 1, 0.3],
      [0, 5, 0, 1],
      [0.3, 5.8, 0.2, 1],
    ];
    const model = parseModel({ kind: "deltas", points: pts, weights: [1, 2, 1, 1, 3, 1] });
    const ours = modeTree(model, ascendingGrid(41, 0.05, 20))!;
    const theirs = decisionTree(model, 0.05, 20, { steps: 40 })!;
    const splits = (n: { sigma: number | null; members: number[]; children: typeof n[] }): [number, string][] =>
      n.children.length ? [[n.sigma!, n.children.map((c) => c.members.join(",")).join("|")], ...n.children.flatMap(splits)] : [];
    const a = splits(ours.tree).sort((x, y) => x[0] - y[0]);
    const b = splits(theirs).sort((x, y) => x[0] - y[0]);
    expect(a.map((s) => s[1].split("|").sort().join("|"))).toEqual(b.map((s) => s[1].split("|").sort().join("|")));
    // mean-shift stalls next to a saddle-node, so the bracket is located to the grid of bisection, ≈ 0.2 %
    a.forEach(([sigma], i) => expectClose(sigma, b[i][0], { rtol: 3e-3 }, `split ${b[i][1]}`));
    expect(ours.starts).toBe(6);
  });
});

describe("image-shaped data in the report", () => {
  // six 2 × 3 images in two classes (bright left column vs bright right column), D = 6
  const imgs = [
    [9, 1, 0, 8, 1, 0],
    [8, 0, 1, 9, 0, 0],
    [9, 0, 0, 9, 1, 1],
    [0, 1, 9, 0, 0, 8],
    [1, 0, 8, 0, 1, 9],
    [0, 0, 9, 1, 0, 9],
  ];
  const model = parseModel({ kind: "deltas", points: imgs, labels: ["L", "L", "L", "R", "R", "R"], shape: [2, 3] });
  const plan = reportPlan(model, { samples: 300, seed: 1 });
  const report = buildReport(model, plan, { source: "tiny-images" });

  it("shows data images per class, posterior means along paths and the generated samples as tiles", async () => {
    for (const name of ["data-images", "denoising-images", "sample-images"]) {
      expect(report.figures[name], name).toBeDefined();
      expect(pixelVariance(await renderSvg(report.figures[name])), name).toBeGreaterThan(50);
    }
    expect(report.sections.find((s) => s.id === "images")!.figures).toEqual(["denoising-images", "sample-images"]);
    expect(report.sections.find((s) => s.id === "model")!.figures).toEqual(["data", "data-images"]);
    expect(report.results.images).toMatchObject({ shape: [2, 3], samplesShown: plan.paths.keep });
  });

  it("draws each data pixel at its place, grey level (v − min)/(max − min) of the data's range [0, 9]", () => {
    const px = specData(report.figures["data-images"], "pixels")!;
    // row r = class, col = the k-th image of that class; pixel (i, j) is coordinate i·3 + j
    for (const p of px) {
      const image = imgs[(p.row as number) * 3 + (p.col as number)];
      expectClose(p.v as number, image[(p.i as number) * 3 + (p.j as number)] / 9, { atol: 5e-4 }); // rounded to 3 digits
    }
    expect(px).toHaveLength(6 * 6);
  });

  it("the posterior means end on a training image (σ_min: one point carries the posterior), and start near the data mean", () => {
    const px = specData(report.figures["denoising-images"], "pixels")!;
    const cols = Math.max(...px.map((p) => p.col as number)) + 1;
    const mean = [0, 1, 2, 3, 4, 5].map((k) => imgs.reduce((a, im) => a + im[k], 0) / 6);
    for (let r = 0; r < 6; r++) {
      const tile = (c: number) => px.filter((p) => p.row === r && p.col === c).map((p) => (p.v as number) * 9);
      const last = tile(cols - 1);
      // the nearest training image to within the 3-digit rounding of the spec (9 × 5e-4)
      expect(imgs.some((im) => im.every((x, k) => Math.abs(x - last[k]) < 5e-3)), `path ${r}`).toBe(true);
      // at σ_max = 10 √Tr Cov the posterior is nearly the prior (m − ȳ ≈ Cov (x − ȳ)/σ², of order ‖Cov‖/σ per
      // pixel): the first tile is nearer the data mean than any training image
      const first = tile(0);
      const dist = (a: number[]) => Math.hypot(...a.map((x, k) => x - first[k]));
      expect(dist(mean), `path ${r}`).toBeLessThan(Math.min(...imgs.map(dist)));
    }
  });
});
