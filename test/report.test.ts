import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { profileAt } from "../src/analysis/info/profile.js";
import { parseModel } from "../src/models/parse.js";
import { renderSvg } from "../src/report/render.js";
import { reportPlan } from "../src/report/plan.js";
import { buildReport } from "../src/report/report.js";
import { VERSION } from "../src/version.js";
import { expectClose } from "./helpers.js";
import { pixelVariance } from "./pixels.js";

const root = join(import.meta.dirname, "..");
const twoDeltas = () => parseModel(JSON.parse(readFileSync(join(root, "examples", "two-deltas-weighted.json"), "utf8")));


describe("the report", () => {
  const model = twoDeltas();
  const plan = reportPlan(model, { seed: 1 });
  const report = buildReport(model, plan, { source: "two-deltas-weighted.json" });

  it("makes its choices once, in a plan: σ range around the data scale, samples, paths, steps, seed", () => {
    // the spread of the points ±1 themselves (unweighted, as the report has always measured it): 1
    expectClose(plan.dataScale, 1, { rtol: 1e-15 });
    expect(plan).toMatchObject({ seed: 1, sigma: { levels: 41 }, profile: { samples: 4000, budget: 2e7 }, paths: { n: 200, steps: 100 } });
    // the default range of every command (scale.ts): points ±1 are 2 apart, so σ_min = 2/10; the weighted pair
    // (0.7, 0.3) has Var = 1 − 0.4² = 0.84, so σ_max = 10 √0.84
    expectClose(plan.sigma.min, 0.2, { rtol: 1e-15 });
    expectClose(plan.sigma.max, 10 * Math.sqrt(0.84), { rtol: 1e-14 });
    expect(report.plan).toBe(plan);
    // the report's numbers follow the plan
    const profile = report.results.profile;
    expect(profile.sigma).toHaveLength(plan.sigma.levels);
    expectClose(profile.sigma[0], plan.sigma.min, { rtol: 1e-15 });
    expect(report.results.paths.sigma).toHaveLength(plan.paths.steps + 1);
    expect(report.results.schedules.entropic).toHaveLength(plan.schedules.steps + 1);
    expect(report.results.seed).toBe(1);
  });

  it("has the sections that apply to a labelled discrete model", () => {
    expect(report.sections.map((s) => s.id)).toEqual(["model", "profile", "pathwise", "classes", "semantics", "guidance", "dynamics", "branchings", "memorization", "schedules", "summary"]);
    expect(Object.keys(report.figures).sort()).toEqual([
      "class-entropy", "class-windows", "data", "decision-tree", "decisions", "entropy-profile", "free-energy", "guidance-rate", "lyapunov", "participation",
      "pathwise-entropy-variance", "rate-estimators", "schedules", "trajectories",
    ]);
  });

  it("renders every figure to an SVG that parses as one <svg> element and to a PNG that is not blank", async () => {
    for (const [name, spec] of Object.entries(report.figures)) {
      const svg = await renderSvg(spec);
      expect(svg.trimStart().startsWith("<svg"), name).toBe(true);
      expect(svg.trimEnd().endsWith("</svg>"), name).toBe(true);
      expect(pixelVariance(svg), name).toBeGreaterThan(50); // a blank or single-colour image has ~0
    }
  });

  it("results.json carries the library's own numbers (recomputed independently of the report)", () => {
    const points = (report.results.profile as { points: { sigma: number; mmse: number; conditionalEntropy: number }[] }).points;
    for (const p of [points[0], points[17], points[points.length - 1]]) {
      const direct = profileAt(model, p.sigma);
      expect(p.mmse).toBe(direct.mmse);
      expect(p.conditionalEntropy).toBe(direct.conditionalEntropy);
    }
    expect(report.results).toMatchObject({ seed: 1, commandLine: "" });
    // the weighted pair branches once, by a saddle-node at the Curie–Weiss fold 0.73676 (THEORY.md §5)
    const bif = report.results.bifurcations as { branchings: { sigma: number; kind: string }[] };
    expect(bif.branchings.map((b) => b.kind)).toEqual(["saddle-node"]);
    expect(bif.branchings[0].sigma).toBeCloseTo(0.7367598214, 8);
    // the entropic schedule has equal steps of H between its levels (to the interpolated profile's accuracy)
    const levels = (report.results.schedules as Record<string, number[]>).entropic;
    expect(levels).toHaveLength(17);
    const H = (s: number) => profileAt(model, s).conditionalEntropy!;
    const steps = levels.slice(1).map((s, i) => H(s) - H(levels[i]));
    for (const d of steps) expect(Math.abs(d - steps[8]) / steps[8]).toBeLessThan(0.02); // interpolation of mmse on 41 levels
  });

  it("infodyn report writes index.html, results.json and every figure as svg, png and spec, self-contained", () => {
    const out = join(mkdtempSync(join(tmpdir(), "infodyn-report-")), "r");
    const r = spawnSync(process.execPath, [join(root, "dist", "cli", "main.js"), "report", "examples/triangle.json", "--out", out], {
      cwd: root,
      encoding: "utf8",
    });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Report written to .*index\.html/);
    const html = readFileSync(join(out, "index.html"), "utf8");
    expect(html).toMatch(/<svg/);
    expect(html).not.toMatch(/<script|<link|src="http|href="http/); // no network, no CDN
    const figures = readdirSync(join(out, "figures"));
    for (const f of figures.filter((x) => x.endsWith(".svg"))) {
      const base = f.slice(0, -4);
      expect(figures).toContain(`${base}.png`);
      expect(figures).toContain(`${base}.vl.json`);
    }
    const results = JSON.parse(readFileSync(join(out, "results.json"), "utf8"));
    expect(Object.keys(results)).toEqual([
      "command", "version", "model", "params", "seed", "commandLine", "dataScale", "profile", "paths", "participation", "semantics", "guidance", "bifurcations", "schedules", "summary",
    ]);
    expect(results.command).toBe("report");
    expect(results.version).toBe(VERSION);
    expect(results.commandLine).toMatch(/^infodyn report examples\/triangle\.json/);
    expect(results.model).toEqual({ source: "examples/triangle.json", kind: "deltas", dim: 2, name: "three points on the unit circle", numClasses: 3, classNames: ["0", "1", "2"], type: "exact" });
    const triangle = parseModel(JSON.parse(readFileSync(join(root, "examples", "triangle.json"), "utf8")));
    expect(results.params).toEqual(reportPlan(triangle, { seed: 0, samples: 4000 }));
    expect(readdirSync(join(out, ".."))).toEqual(["r"]); // no temp folder left behind
    expect(existsSync(join(out, "figures", "entropy-profile.png"))).toBe(true);
    // Three classes: the Ward tree's two splits, coarsest first (all three classes), then one within a group of two,
    // each decided at a finite σ inside the report's range, with its figure.
    const splits = results.semantics.splits as { groups: string[][]; sigma: number; low: number; high: number }[];
    expect(splits.length).toBe(2);
    expect([...splits[0].groups.flat()].sort()).toEqual(["0", "1", "2"]);
    expect(splits[1].groups.flat().length).toBe(2);
    for (const sp of splits) {
      expect(sp.groups.every((g) => g.length > 0)).toBe(true);
      expect(sp.low).toBeLessThanOrEqual(sp.sigma);
      expect(sp.sigma).toBeLessThanOrEqual(sp.high);
      expect(sp.sigma).toBeGreaterThanOrEqual(results.params.sigma.min);
      expect(sp.sigma).toBeLessThanOrEqual(results.params.sigma.max);
    }
    expect(figures).toContain("decision-levels.svg");
  });
});
