import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseModel } from "../src/models/parse.js";
import { createRng } from "../src/numeric/rng.js";
import { gaussianFront, TARGET_W } from "../src/report/guidance-front.js";
import { guidedClassRate } from "../src/report/guidance-rate.js";
import { reportPlan } from "../src/report/plan.js";
import { buildReport } from "../src/report/report.js";
import { expectClose } from "./helpers.js";

const root = join(import.meta.dirname, "..");
const twoDeltas = () => parseModel(JSON.parse(readFileSync(join(root, "examples", "two-deltas-weighted.json"), "utf8")));

describe("guidance in the report", () => {
  it("guidance s_c + γ g_c multiplies the mean increment of log p(c|x) by 1+2γ (one step from p_σ(·|c))", () => {
    const model = twoDeltas();
    const label = 1; // the class at +1 (weight 0.3): p(c|x) is undecided at σ = 1.5
    const sigma0 = 1.5;
    const sigmas = [sigma0, sigma0 * Math.exp(-0.01)];
    const n = 40_000;
    // starts x = y + σ₀ z, y = +1: distributed as p_σ₀(·|c), the law the conditional (γ = 0) SDE keeps
    const rng = createRng(7);
    const start = { rows: n, dim: 1, data: Float64Array.from({ length: n }, () => 1 + sigma0 * rng.normal()) };
    const run = (gamma: number) => guidedClassRate(model, label, sigmas, { gamma, start, seed: 3 }).increments;
    const base = run(0);
    for (const gamma of [1, 3]) {
      const a = run(gamma);
      // paired ratio R = ā/b̄ (same starts and noise), SE by the delta method: Var(a − R b)/(n b̄²)
      let ma = 0;
      let mb = 0;
      for (let i = 0; i < n; i++) [ma, mb] = [ma + a[i] / n, mb + base[i] / n];
      const R = ma / mb;
      let v = 0;
      for (let i = 0; i < n; i++) v += (a[i] - R * base[i]) ** 2 / (n - 1);
      const se = Math.sqrt(v / n) / Math.abs(mb);
      // 4 SE of Monte Carlo, plus the Euler–Maruyama step's O(Δ log σ) = O(1%) bias of each mean (2% allowed)
      expect(Math.abs(R - (1 + 2 * gamma)), `γ = ${gamma}: R = ${R} ± ${se}`).toBeLessThan(4 * se + 0.02 * (1 + 2 * gamma));
      expect(se).toBeLessThan(0.05 * (1 + 2 * gamma)); // the check has teeth: the SE is a few % of the factor
    }
  });

  it("the Gaussian front's constant guidance matches THEORY.md §9.2's σ_max → ∞ closed form (w = 3: v = λ_c κ⁴, u = 2Δμκ²)", () => {
    const model = parseModel({
      kind: "gmm",
      components: [
        { weight: 0.6, mean: [-1], variance: 0.5, label: "a" },
        { weight: 0.4, mean: [2], variance: 0.3, label: "b" },
      ],
    });
    expect(model.classNames).toEqual(["a", "b"]);
    // moments by hand: class b N(2, 0.3); the data μ = 0.6·(−1) + 0.4·2 = 0.2, λ = 0.6(0.5 + 1.2²) + 0.4(0.3 + 1.8²)
    const [muC, lc, muU, lu] = [2, 0.3, 0.2, 0.6 * (0.5 + 1.44) + 0.4 * (0.3 + 3.24)];
    const f = gaussianFront(model, 1, 1e-7, 1e7, 0)!;
    const c = f.constant.find((p) => p.schedule.type === "constant" && p.schedule.w === TARGET_W)!;
    const gamma = TARGET_W - 1;
    const q = (lc / lu) ** gamma; // v_out/λ_c = κ^{2γ}
    const u = 2 * (muC - muU) * (lc / lu); // γ = 2: u_out = 2Δμκ²
    // σ_max = 10⁷, σ_min = 10⁻⁷: the start's mean offset decays as e^{−Λ/2} ∝ √λ_u/σ_max ≈ 2e-7 (measured 2.5e-5 at
    // σ_max = 10⁴), the variance's as λ/σ_max²
    expectClose(c.kl, 0.5 * (q - 1 - Math.log(q) + (u * u) / lc), { rtol: 1e-6 });
    // separability of constant w = 1 (the class law itself): E_{x∼N(μ_c, λ_c)} of the class-vs-rest Gaussian
    // classifier (rest = class a, N(−1, 0.5), π = 0.4 : 0.6), by a trapezoid on ±12 SD (error ≪ 1e-10); the code's
    // 1000 fixed draws have SE = sd(p)/√1000 ≤ 0.5/√1000 ≈ 0.016: 3 of them allowed
    const one = f.constant.find((p) => p.schedule.type === "constant" && p.schedule.w === 1)!;
    const normal = (x: number, m: number, v: number) => Math.exp(-((x - m) ** 2) / (2 * v)) / Math.sqrt(2 * Math.PI * v);
    let sep = 0;
    const h = 1e-3;
    for (let x = muC - 12 * Math.sqrt(lc); x <= muC + 12 * Math.sqrt(lc); x += h) {
      const pc = 0.4 * normal(x, 2, 0.3);
      sep += h * normal(x, muC, lc) * (pc / (pc + 0.6 * normal(x, -1, 0.5)));
    }
    expect(Math.abs(one.separability - sep)).toBeLessThan(3 * 0.016);
    // the front: no member dominated by another candidate's (separability, KL)
    for (const a of f.front) for (const b of f.front) if (a !== b) expect(b.separability >= a.separability && b.kl < a.kl && b.separability > a.separability).toBe(false);
  });

  it("a class of one point has no Gaussian front (its KL is infinite), and the section says why", () => {
    expect(gaussianFront(twoDeltas(), 0, 0.01, 10, 0)).toBeUndefined();
  });

  it("the report has the guidance section right after semantics, with finite numbers and its payload", () => {
    const model = twoDeltas();
    const report = buildReport(model, reportPlan(model, { seed: 1 }), { source: "two-deltas-weighted.json" });
    const ids = report.sections.map((s) => s.id);
    expect(ids[ids.indexOf("semantics") + 1]).toBe("guidance");
    const g = report.results.guidance!;
    expect(g.class).toBe("minus");
    const section = report.sections[ids.indexOf("guidance")];
    // two deltas: one point per class, so the Gaussian front is left out, and the text says so
    expect(section.figures).toEqual(["guidance-rate"]);
    expect(section.text).toMatch(/Pareto front is left out/);
    expect(g.front).toBeUndefined();
    // every number in the text is finite (no NaN, no Infinity, no "–" placeholder)
    expect(section.text).not.toMatch(/NaN|Infinity|–\s/);
    // the interval: the half-maximum ends bracket the peak, and in VP-linear timesteps the order is kept
    const e = g.interval!.edm;
    expect(e.low.sigma).toBeLessThan(e.peak.sigma);
    expect(e.peak.sigma).toBeLessThan(e.high.sigma);
    expect(g.interval!.vp.low.timestep!).toBeLessThan(g.interval!.vp.high.timestep!);
    // EDM's t is σ; VP-linear's σ(t) = √(e^{B(t)} − 1), B(t) = 0.1t + 9.95t² (closed form, not the code's inverse)
    expect(e.peak.t).toBe(e.peak.sigma);
    const t = g.interval!.vp.peak.t;
    expectClose(Math.sqrt(Math.expm1(0.1 * t + 9.95 * t * t)), e.peak.sigma, { rtol: 1e-12 });
    // the peak is the grid maximum of σ·dH(c|x)/dσ of the report's own profile
    const pts = report.results.profile.points;
    const best = pts.reduce((a, p) => (p.sigma * p.classEntropyRate! > a.sigma * a.classEntropyRate! ? p : a));
    expect(e.peak.sigma).toBe(best.sigma);
  });
});
