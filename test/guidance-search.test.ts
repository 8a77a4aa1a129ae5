import { readFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Command } from "commander";
import { describe, expect, it } from "vitest";
import { classDecision, noiseLevel } from "../src/analysis/guidance/decision.js";
import { guidanceDistortion } from "../src/analysis/guidance/distortion.js";
import { paretoFront, searchWindow } from "../src/analysis/guidance/search.js";
import { profileAt } from "../src/analysis/info/profile.js";
import { registerGuidance, runGuidance } from "../src/cli/guidance.js";
import { deltas } from "../src/models/deltas.js";
import { parseModel } from "../src/models/parse.js";
import { fromRows } from "../src/batch.js";
import { vpLinear, edm } from "../src/noise/process.js";
import { expectClose } from "./helpers.js";

const root = join(import.meta.dirname, "..");
const example = join(root, "examples", "gmm-4class.json");
const model = parseModel(JSON.parse(readFileSync(example, "utf8")));

describe("the class decision interval of the 4-class GMM (examples/gmm-4class.json)", () => {
  const d = classDecision(model, vpLinear(), { levels: 32 });
  it("peaks where profileAt's exact quadrature puts the maximum of σ·dH(c|x_σ)/dσ", () => {
    const exact = (s: number) => s * profileAt(model, s).classEntropyRate!;
    const at = exact(d.peak.sigma);
    // the Monte Carlo curve's maximum is within its noise of the exact curve's value there, and the exact curve
    // is lower a tenth of a log-unit either side
    expectClose(d.peak.value, at, { rtol: 0.02 });
    expect(exact(d.peak.sigma * 1.5)).toBeLessThan(at);
    expect(exact(d.peak.sigma / 1.5)).toBeLessThan(at);
    expect(d.low.sigma).toBeLessThan(d.peak.sigma);
    expect(d.high.sigma).toBeGreaterThan(d.peak.sigma);
    expect(d.fractionInside).toBeGreaterThan(0.5);
  });

  it("prints the interval in t and timestep of the process (σ → t is the process's inverse)", () => {
    expectClose(vpLinear().sigma(d.peak.t), d.peak.sigma, { rtol: 1e-10 });
    expectClose(d.peak.timestep!, 1000 * d.peak.t, { rtol: 1e-15 });
    expect(noiseLevel(2, edm())).toEqual({ sigma: 2, t: 2 });
  });
});

describe("the guidance window search (issue 17 item 3)", () => {
  const small = { label: 3, steps: 32, n: 1000, searchN: 300, edges: 3 };
  const s = searchWindow(model, { ...small, separability: 0.99 });

  it("reaches the target separability at every reported schedule, and the optimum has the least KL among them", () => {
    for (const c of s.atTarget) expectClose(c.separability, 0.99, { atol: 2e-4 }, JSON.stringify(c.schedule));
    for (const c of s.atTarget) expect(s.optimum.search.kl).toBeLessThanOrEqual(c.kl);
    // nor does any schedule of the front that reaches the target (an overshoot with less KL would be the optimum)
    for (const c of s.front) if (c.separability >= 0.99) expect(s.optimum.search.kl, JSON.stringify(c.schedule)).toBeLessThanOrEqual(c.kl);
    // re-measured on fresh paths, the optimum still reaches the target within a few standard errors
    const sep = s.optimum.distortion.separability;
    expect(sep.value).toBeGreaterThanOrEqual(0.99 - 4 * sep.standardError - 2e-3);
  });

  it("does not distort more than constant guidance of the same separability (paired KL difference ≤ 2 SE)", () => {
    expect(s.constant).toBeDefined();
    expect(s.optimum.search.kl).toBeLessThanOrEqual(s.constant!.search.kl);
    expect(s.klDifference!.value).toBeLessThan(2 * s.klDifference!.standardError);
  });

  it("returns a Pareto front no candidate dominates", () => {
    const f = s.front;
    for (let i = 1; i < f.length; i++) {
      expect(f[i].separability).toBeGreaterThan(f[i - 1].separability);
      expect(f[i].kl).toBeGreaterThan(f[i - 1].kl);
    }
    expect(paretoFront([{ separability: 0.9, kl: 0.1 }, { separability: 0.95, kl: 0.05 }, { separability: 0.99, kl: 0.3 }])).toEqual([
      { separability: 0.95, kl: 0.05 },
      { separability: 0.99, kl: 0.3 },
    ]);
  });

  it("refuses an unreachable target", () => {
    expect(() => searchWindow(model, { ...small, separability: 0.9999999, wMax: 1.5, edges: 1 })).toThrow(/no schedule/);
  });
});

describe("distortion on a labelled deltas model (discrete: the KL of the delta bins)", () => {
  it("is near zero at w = 1 and grows with |w − 1|; separability does not fall", () => {
    const m = deltas(fromRows([[-1.5], [-0.5], [0.4], [1.3]]), { labels: [0, 0, 1, 1] });
    const at = (w: number) => guidanceDistortion(m, { label: 1, schedule: { type: "constant", w }, n: 1000, steps: 60, sigmaMin: 0.05, sigmaMax: 10 });
    const one = at(1);
    const three = at(3);
    expect(one.kl.method).toBe("bins");
    expect(one.kl.value).toBeLessThan(3 * one.kl.standardError + 0.01);
    expect(three.kl.value).toBeGreaterThan(one.kl.value + 3 * three.kl.standardError);
    expect(three.separability.value).toBeGreaterThanOrEqual(one.separability.value);
  });
});

describe("infodyn guidance (a local commander harness: main.ts registers it later)", () => {
  const base = { class: "d", w: "1", sampler: "heun", n: "300", steps: "24", seed: "0", process: "vp-linear", edges: "2", searchN: "200", wMax: "30" };

  it("writes the JSON contract: the envelope first, then mean, variance, kl, w2, separability with standard errors", async () => {
    const dir = mkdtempSync(join(tmpdir(), "guidance-"));
    const out = join(dir, "g.json");
    const program = new Command().exitOverride();
    registerGuidance(program);
    await program.parseAsync(["guidance", example, "--class", "d", "--w", "3", "--window", "0.5,inf", "--w-inside", "4", "--n", "300", "--steps", "24", "--json", "--out", out], { from: "user" });
    const j = JSON.parse(readFileSync(out, "utf8"));
    expect(Object.keys(j).slice(0, 4)).toEqual(["command", "version", "model", "params"]);
    expect(j.command).toBe("guidance");
    expect(j.params.schedule).toEqual({ type: "windows", w: 3, gamma: 2, windows: [{ lo: 0.5, w: 4, gamma: 3 }] });
    for (const k of ["mean", "variance"]) expect(j[k].standardError).toHaveLength(2);
    for (const k of ["kl", "w2", "separability", "meanShift", "varianceRatio"]) expect(Number.isFinite(j[k].standardError)).toBe(true);
    expect(j.className).toBe("d");
    expect(j.decision.peak.timestep).toBeGreaterThan(0);
  });

  it("optimizes a window at a separability", () => {
    const j = runGuidance(example, { ...base, optimize: true, separability: "0.98" });
    expect(j.optimize!.target).toBe(0.98);
    expect(j.optimize!.front.length).toBeGreaterThan(0);
    expect(j.params.separability).toBe(0.98);
  });

  it("--windows and --linear give the library's guided law for the same schedule (several windows; THEORY §9.2's linear γ)", () => {
    const cases = [
      { opts: { windows: "0.3:1:3, 1:inf:2" }, schedule: { type: "windows" as const, w: 1, windows: [{ lo: 0.3, hi: 1, w: 3 }, { lo: 1, hi: Infinity, w: 2 }] } },
      { opts: { linear: "-0.5,0.1" }, schedule: { type: "linear" as const, gamma0: -0.5, omega: 0.1 } },
    ];
    for (const { opts, schedule } of cases) {
      const j = runGuidance(example, { ...base, ...opts });
      const p = j.params;
      const want = guidanceDistortion(model, { label: 3, sampler: "heun", n: 300, steps: 24, sigmaMin: p.sigmaMin, sigmaMax: p.sigmaMax, seed: 0, schedule });
      // the same paths, seeds and schedule: equal to float64 rounding of the same arithmetic
      expect(j.separability!.value).toBeCloseTo(want.separability.value, 12);
      expect(j.w2.value).toBeCloseTo(want.w2.value, 12);
      expect(j.mean.value[0]).toBeCloseTo(want.mean[0].value, 12);
    }
    expect(runGuidance(example, { ...base, w: "2", windows: "0.3:1:3" }).params.schedule).toEqual({ type: "windows", w: 2, gamma: 1, windows: [{ lo: 0.3, hi: 1, w: 3, gamma: 2 }] });
    expect(runGuidance(example, { ...base, linear: "-0.5,0.1" }).params.schedule).toEqual({ type: "linear", gamma0: -0.5, omega: 0.1 });
  });

  it("refuses bad options with one line naming the option", () => {
    expect(() => runGuidance(example, { ...base, windows: "0.3:1:3,0.8:2:2" })).toThrow(/--windows.*overlaps/);
    expect(() => runGuidance(example, { ...base, windows: "0.3:1" })).toThrow(/--windows: window 1 '0.3:1' is not a:b:w/);
    expect(() => runGuidance(example, { ...base, linear: "1" })).toThrow(/--linear: '1' is not two numbers/);
    expect(() => runGuidance(example, { ...base, linear: "1,2", windows: "0.3:1:3" })).toThrow(/--linear: cannot be combined with --windows/);
    expect(() => runGuidance(example, { ...base, optimize: true, separability: "0.9", linear: "1,2" })).toThrow(/--optimize: searches the window itself/);
    expect(() => runGuidance(example, { ...base, class: "z" })).toThrow(/--class: 'z' is not a class/);
    expect(() => runGuidance(example, { ...base, window: "0.5,2" })).toThrow(/--window: needs --w-inside/);
    expect(() => runGuidance(example, { ...base, optimize: true })).toThrow(/--separability/);
    expect(() => runGuidance(example, { ...base, window: "2,1", wInside: "3" })).toThrow(/--window: \(2, 1\] is not a σ-window/);
    expect(() => runGuidance(example, { ...base, windows: "0.3:1:3,2:inf:1,-1:0.2:2" })).toThrow(/--windows \(window 3\): \(-1, 0.2\] is not a σ-window/);
    expect(() => runGuidance(example, { ...base, optimize: true, separability: "0.9", window: "0.5,2", wInside: "3" })).toThrow(/--optimize: searches the window itself/);
    expect(() => runGuidance(example, { ...base, sampler: "rk4" })).toThrow(/--sampler/);
    expect(() => runGuidance(join(root, "examples", "gaussian.json"), base)).toThrow(/labelled mixture/);
  });
});
