import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { pathsReport } from "../src/analysis/dynamics/report.js";
import { defaultSigmaRange as bifurcationRange } from "../src/analysis/bifurcation/report.js";
import { defaultSigmaRange } from "../src/analysis/scale.js";
import { parseModel } from "../src/models/parse.js";
import { expectClose } from "./helpers.js";

/*
 * paths, bifurcations and memorization take their default σ range from the data (src/analysis/scale.ts, README
 * "Default noise levels"); a given --sigma-min / --sigma-max wins. The built CLI is run as a user would.
 */

const root = join(import.meta.dirname, "..");
const run = (...args: string[]) => spawnSync(process.execPath, [join(root, "dist", "cli", "main.js"), ...args], { cwd: root, encoding: "utf8" });
const json = (...args: string[]) => {
  const r = run(...args, "--json");
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout);
};
const model = (file: string) => parseModel(JSON.parse(readFileSync(join(root, "examples", file), "utf8")));

describe("default σ ranges from the data", () => {
  const two = model("two-deltas.json");
  const range = defaultSigmaRange(two);

  it("the range of ±1 is [0.2, 10] (10 √Tr Cov, a tenth of the spacing)", () => {
    expectClose(range.min, 0.2, { rtol: 1e-15 }, "σ_min");
    expectClose(range.max, 10, { rtol: 1e-15 }, "σ_max");
    expect(bifurcationRange(two)).toEqual([range.min, range.max]);
  });

  it("pathsReport: the grid runs from the default σ_max down to σ_min; a given σ_min wins and keeps the default σ_max", () => {
    const r = pathsReport(two, { n: 4, steps: 10 }) as any;
    expect(r.sigma[0]).toBe(range.max);
    expectClose(r.sigma[10], range.min, { rtol: 1e-14 }, "last level");
    expect(r.lyapunov.sigma[r.lyapunov.sigma.length - 1]).toBeCloseTo(range.min, 14);
    const own = pathsReport(two, { n: 4, steps: 10, sigmaMin: 0.5 }) as any;
    expect(own.sigma[0]).toBe(range.max);
    expectClose(own.sigma[10], 0.5, { rtol: 1e-14 }, "given σ_min");
  });

  for (const file of ["two-deltas.json", "triangle.json", "four-deltas.json"]) {
    it(`${file}: paths, bifurcations and memorization echo the default range in params`, () => {
      const r = defaultSigmaRange(model(file));
      const p = json("paths", `examples/${file}`, "--n", "4", "--steps", "8");
      expect(p.params.sigmaMin).toBe(r.min);
      expect(p.params.sigmaMax).toBe(r.max);
      const b = json("bifurcations", `examples/${file}`, "--steps", "12");
      expect([b.params.sigmaMin, b.params.sigmaMax]).toEqual([r.min, r.max]);
      expect([b.sigmaMin, b.sigmaMax]).toEqual([r.min, r.max]);
      const m = json("memorization", `examples/${file}`, "--steps", "6", "--samples", "20", "--paths", "3");
      expect([m.params.sigmaMin, m.params.sigmaMax]).toEqual([r.min, r.max]);
      expect(m.sigma[0]).toBeCloseTo(r.min, 12);
    });
  }

  it("options win over the defaults; an option against the other default is checked and named", () => {
    const b = json("bifurcations", "examples/two-deltas.json", "--sigma-min", "0.3", "--steps", "10");
    expect([b.params.sigmaMin, b.params.sigmaMax]).toEqual([0.3, 10]);
    const bad = run("paths", "examples/two-deltas.json", "--sigma-min", "20");
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--sigma-min: 20 must be below the default --sigma-max 10/);
    const badM = run("memorization", "examples/two-deltas.json", "--sigma-max", "0.1");
    expect(badM.status).toBe(2);
    expect(badM.stderr).toMatch(/--sigma-max: 0.1 must exceed --sigma-min 0.2/);
  });

  it("help texts point to the README's rule", () => {
    // commander wraps the help to the terminal width: compare with the whitespace folded
    for (const cmd of ["paths", "bifurcations", "memorization"])
      expect(run(cmd, "--help").stdout.replace(/\s+/g, " ")).toMatch(/from the data \(see README, Default noise levels\)/);
  });
});
