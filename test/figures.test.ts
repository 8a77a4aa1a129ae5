import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Command } from "commander";
import { describe, expect, it } from "vitest";
import { fromRows } from "../src/batch.js";
import { profileAt } from "../src/analysis/info/profile.js";
import { twoDeltas } from "../src/analysis/thermo/phase.js";
import { registerFigures } from "../src/cli/figures.js";
import { digitImages, digitsModel } from "../src/models/digits.js";
import { firstBranching, paperFigures, PAPER_FIGURE_NAMES, specData } from "../src/report/figures/papers.js";
import { expectClose } from "./helpers.js";
import { pixelVariance } from "./pixels.js";


const num = (v: unknown) => v as number;

describe("the paper figures", () => {
  const figures = paperFigures(0);
  const byName = Object.fromEntries(figures.map((f) => [f.name, f.spec]));
  const data = (fig: string, name: string) => {
    const d = specData(byName[fig], name);
    expect(d, `${fig}: data set ${name}`).toBeDefined();
    return d!;
  };

  it("are the six figures of seeds 000 and 004, each with a title and a one-line caption", () => {
    expect(figures.map((f) => f.name)).toEqual(["seed000-fig1", "seed000-fig2", "seed004-fig1", "seed004-fig2", "seed004-fig3", "seed004-fig4"]);
    expect(PAPER_FIGURE_NAMES).toEqual(figures.map((f) => f.name));
    for (const f of figures) expect(f.caption.length, f.name).toBeGreaterThan(40);
  });

  it("seed 000 fig. 1 draws the library's H(y|x_σ), with H + I = log 2 for two equal deltas", () => {
    const model = twoDeltas(1, 0.5);
    const rows = data("seed000-fig1", "entropy");
    for (const r of rows.filter((_, i) => i % 23 === 0)) {
      const p = profileAt(model, num(r.sigma));
      const want = r.quantity === "H(y | x_σ)" ? p.conditionalEntropy! : p.mutualInformation;
      expect(r.nats, `σ = ${r.sigma}`).toBe(want);
    }
    const H = rows.filter((r) => r.quantity === "H(y | x_σ)");
    const I = rows.filter((r) => r.quantity === "I(y; x_σ)");
    // I is computed as H(y) − E h, so the sum is log 2 up to rounding of the quadrature sum.
    H.forEach((h, i) => expectClose(num(h.nats) + num(I[i].nats), Math.log(2), { atol: 1e-12 }, `σ = ${h.sigma}`));
  });

  it("seed 000 fig. 1's fixed-point paths solve x = tanh(x/σ² + h), stable exactly where 1 − x² < σ²", () => {
    for (const [pi1, name] of [[0.5, "fixedPoints0.5"], [0.8, "fixedPoints0.8"]] as const) {
      const h = 0.5 * Math.log(pi1 / (1 - pi1));
      const rows = data("seed000-fig1", name);
      expect(rows.length).toBeGreaterThan(160);
      for (const r of rows) {
        const [x, s2] = [num(r.x), num(r.sigma) ** 2];
        // Brent to 1e-15 on a root of slope ≥ |1 − (1 − x²)/σ²|; the saddle-node end is added in closed form.
        expectClose(x, Math.tanh(x / s2 + h), { atol: 1e-9 }, `${name} σ = ${r.sigma}`);
        if (Math.abs(1 - (1 - x * x) / s2) > 1e-6) expect(r.stable, `${name} σ = ${r.sigma}`).toBe((1 - x * x) / s2 < 1);
      }
      // Equal weights: the centre is the only fixed point above σ_c = 1 and unstable below it (at σ_c, C/σ² = 1 exactly).
      if (pi1 === 0.5)
        for (const r of rows.filter((q) => q.branch === "centre" && q.sigma !== 1)) {
          expect(r.x).toBe(0);
          expect(r.stable, `σ = ${r.sigma}`).toBe(num(r.sigma) >= 1);
        }
    }
    expect(data("seed000-fig1", "sigmaC")[0].sigma).toBe(1);
  });

  it("seed 000 fig. 2 colours the potential by C/σ² − 1 = 1/(σ² cosh²(x/σ²)) − 1 and has trajectories that split at σ_c", () => {
    for (const r of data("seed000-fig2", "potential").filter((_, i) => i % 17 === 0)) {
      const [x, s2] = [num(r.x), num(r.sigma) ** 2];
      expectClose(num(r.rate), 1 / (s2 * Math.cosh(x / s2) ** 2) - 1, { rtol: 1e-12, atol: 1e-12 }, `x = ${x}, σ = ${r.sigma}`);
    }
    const traj = data("seed000-fig2", "trajectories");
    // The last step ends at σ = 0.05: every path but the one started at 0 is within O(σ) of ±1 (the flow's x − y ~ σ).
    const ends = traj.filter((r) => num(r.sigmaNext) === Math.min(...traj.map((q) => num(q.sigmaNext))));
    for (const r of ends) expect(Math.abs(num(r.xNext)) < 1e-9 || Math.abs(Math.abs(num(r.xNext)) - 1) < 3 * 0.05, `end ${r.xNext}`).toBe(true);
    // Near the top of the potential below σ_c the reverse flow expands (positive rate), far from it it contracts.
    expect(Math.max(...traj.filter((r) => num(r.sigma) < 0.9).map((r) => num(r.rate)))).toBeGreaterThan(1);
    expect(Math.min(...traj.map((r) => num(r.rate)))).toBeLessThan(-0.5);
  });

  it("seed 004 fig. 1 ends on images of the dataset (x ← m(x) at σ ≈ 0 memorizes)", () => {
    const pixels = data("seed004-fig1", "pixels");
    expect(pixels.length).toBe(3 * 2 * 8 * 144);
    const values = pixels.map((p) => num(p.v));
    expect(Math.min(...values)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...values)).toBeLessThanOrEqual(1);
  });

  it("seed 004 fig. 2: the order parameter solves x = tanh(x/σ²), the gradient is tanh(x/σ²) − x, σ_c and t_c at 1", () => {
    for (const r of data("seed004-fig2", "orderParameter")) {
      const x = num(r.x);
      expectClose(x, Math.tanh(x / num(r.sigma) ** 2), { atol: 1e-9 }, `σ = ${r.sigma}`); // Newton to 1e-13
      if (num(r.sigma) > 1) expect(Math.abs(x)).toBeLessThan(1e-9);
    }
    for (const r of data("seed004-fig2", "gradient")) {
      const x = num(r.x);
      // drawn values are rounded to 6 significant digits
      expectClose(num(r.gradient), Math.tanh(x / num(r.sigma) ** 2) - x, { rtol: 1e-5, atol: 1e-9 }, `x = ${x}, σ = ${r.sigma}`);
    }
    expect(data("seed004-fig2", "sigmaC")[0].sigma).toBe(1);
    expect(data("seed004-fig2", "criticalTime")[0].t).toBe(1);
  });

  it("seed 004 fig. 3: −F̃ of four deltas has the square's symmetry and one maximum above t = ½, four below", () => {
    for (const t of [1, 0.6, 0.5, 0.35, 0.15]) {
      const rows = data("seed004-fig3", `freeEnergy${t}`);
      const key = (x: number, y: number) => `${x.toFixed(6)},${y.toFixed(6)}`;
      const map = new Map(rows.map((r) => [key(num(r.x0), num(r.y0)), num(r.negF)]));
      expect(Math.max(...map.values())).toBe(0);
      for (const r of rows) {
        const [x0, x1, y0, y1, v] = [num(r.x0), num(r.x1), num(r.y0), num(r.y1), num(r.negF)];
        // values rounded to 4 significant digits: compare to 1e-3 relative
        for (const w of [map.get(key(y0, x0)), map.get(key(-x1, y0)), map.get(key(x0, -y1))]) expectClose(w!, v, { rtol: 1e-3, atol: 1e-4 }, `t = ${t} at (${x0}, ${y0})`);
      }
      const maxima = data("seed004-fig3", `criticalPoints${t}`).filter((p) => p.kind === "maximum of −F̃");
      if (t > 0.5) {
        expect(maxima.length, `t = ${t}`).toBe(1);
        expect(Math.hypot(num(maxima[0].x), num(maxima[0].y)), `t = ${t}`).toBeLessThan(1e-9); // Newton to its tolerance
      }
      if (t < 0.5) {
        expect(maxima.length, `t = ${t}`).toBe(4);
        // On the axis, x = m₁(x, 0) = sinh(a)/(cosh(a) + 1), a = x/σ² (weights e^{±a} and 1, 1 of the four points).
        for (const p of maxima) {
          const r = Math.hypot(num(p.x), num(p.y));
          expectClose(r, Math.sinh(r / t) / (Math.cosh(r / t) + 1), { atol: 1e-9 }, `t = ${t}`);
        }
      }
    }
  });

  it("seed 004 fig. 4 marks the first branching of the digit data, below which a Gaussian start gets the classes wrong", () => {
    const model = digitsModel({ size: 8, perDigit: 10 });
    const sigmaB = num(data("seed004-fig4", "firstBranching")[0].sigma);
    expect(sigmaB).toBe(firstBranching(model, 3, 0.1));
    // Independent check: mean-shift from every data point (1000 steps) finds one mode just above σ_B, several below.
    const modes = (sigma: number) => {
      let x = model.structure!.type === "mixture" ? (model.structure as { means: ReturnType<typeof fromRows> }).means : fromRows([[0]]);
      for (let k = 0; k < 1000; k++) x = model.denoise(x, sigma);
      const reps: number[][] = [];
      for (let i = 0; i < x.rows; i++) {
        const r = Array.from(x.data.subarray(i * x.dim, (i + 1) * x.dim));
        if (!reps.some((q) => Math.hypot(...q.map((v, d) => v - r[d])) < 0.05 * sigma)) reps.push(r);
      }
      return reps.length;
    };
    expect(modes(sigmaB * 1.02)).toBe(1);
    expect(modes(sigmaB / 1.02)).toBeGreaterThan(1);
    const err = data("seed004-fig4", "class-proportion error ½Σ|p̂ − π|");
    const low = (start: string) => num(err.find((r) => r.start.toString().startsWith(start) && num(r.sigma) === Math.min(...err.map((q) => num(q.sigma))))!.value);
    // 200 samples: the Monte Carlo error of the class error is ≈ 0.08; the Gaussian start at σ = 0.15 is far beyond it.
    expect(low("Gaussian")).toBeGreaterThan(0.2);
    expect(low("Gaussian")).toBeGreaterThan(2 * low("true"));
  });

  it("infodyn figures writes every figure as svg, png and spec, and an index, atomically; every PNG is not blank", async () => {
    const parent = mkdtempSync(join(tmpdir(), "infodyn-figures-"));
    const out = join(parent, "f");
    const program = new Command("infodyn").exitOverride();
    registerFigures(program);
    const write = process.stdout.write;
    let printed = "";
    process.stdout.write = ((s: string) => ((printed += s), true)) as typeof process.stdout.write;
    try {
      await program.parseAsync(["figures", "--out", out, "--seed", "0"], { from: "user" });
    } finally {
      process.stdout.write = write;
    }
    expect(printed).toMatch(/Figures written to .*f \(6 figures/);
    expect(readdirSync(parent)).toEqual(["f"]); // no temp folder left behind
    const files = readdirSync(out);
    const html = readFileSync(join(out, "index.html"), "utf8");
    expect(html).not.toMatch(/<script|src="http|href="http/);
    for (const name of PAPER_FIGURE_NAMES) {
      for (const ext of ["svg", "png", "vl.json"]) expect(files).toContain(`${name}.${ext}`);
      expect(html).toContain(`${name}.png`);
      const svg = readFileSync(join(out, `${name}.svg`), "utf8");
      expect(svg.trimStart().startsWith("<svg"), name).toBe(true);
      expect(svg.trimEnd().endsWith("</svg>"), name).toBe(true);
      expect(svg, name).not.toMatch(/NaN|undefined/);
      expect(pixelVariance(svg), name).toBeGreaterThan(50); // a blank or single-colour image has ~0
      expect(JSON.parse(readFileSync(join(out, `${name}.vl.json`), "utf8")).$schema).toMatch(/vega-lite/);
    }
  });

  it("the digit dataset is deterministic, in [0, 1], ten labelled classes with ink in every image", () => {
    const a = digitImages({ perDigit: 5, seed: 3 });
    const b = digitImages({ perDigit: 5, seed: 3 });
    expect(a.points.data).toEqual(b.points.data);
    expect(Array.from(new Set(a.labels))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    for (let i = 0; i < a.points.rows; i++) {
      const img = a.points.data.subarray(i * 144, (i + 1) * 144);
      expect(Math.min(...img)).toBeGreaterThanOrEqual(0);
      expect(Math.max(...img)).toBeLessThanOrEqual(1);
      expect(img.reduce((s, v) => s + v, 0), `image ${i}`).toBeGreaterThan(8);
    }
  });
});
