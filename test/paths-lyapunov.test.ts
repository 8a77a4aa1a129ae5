import { describe, expect, it } from "vitest";
import { fromRows } from "../src/batch.js";
import { finiteTimeLyapunov } from "../src/analysis/dynamics/lyapunov.js";
import { exactNoisy } from "../src/analysis/dynamics/initial.js";
import { pathwiseEntropyAlong } from "../src/analysis/dynamics/pathwise.js";
import { LYAPUNOV_CONVENTION, lyapunovSeries, pathsReport } from "../src/analysis/dynamics/report.js";
import { deltas } from "../src/models/deltas.js";
import { gaussian } from "../src/models/gaussian.js";
import { logSigmas } from "../src/noise/grid.js";
import { expectAllClose, expectClose } from "./helpers.js";

/*
 * The Lyapunov numbers of `infodyn paths`, against closed forms (THEORY.md §4): the tangent flow of the
 * probability-flow ODE is dδ/d(−log σ) = (C(x)/σ² − I) δ in the direction of generation (σ decreasing).
 * - N(μ, Σ): C = σ²Σ(Σ + σ²)⁻¹ everywhere, so along eigenvalue λ the growth from σ_a down to σ_b is
 *   ½ log((λ + σ_b²)/(λ + σ_a²)): local rate −σ²/(λ + σ²) < 0 (contraction), Λ = ½ log((λ+σ²)/(λ+σ_max²))/log(σ_max/σ).
 * - two deltas ±1 at their midpoint x = 0 (a fixed point of the flow: m(0) = 0 by symmetry), C = 1: the local rate
 *   along the separating axis is 1/σ² − 1 — positive below the branching σ = 1, the sign of a decision — and the
 *   exponent over [σ, σ_max] is (1/(2σ²) − 1/(2σ_max²) − log(σ_max/σ)) / log(σ_max/σ). A transverse direction with
 *   no data spread contracts at exactly −1.
 */

const sMax = 5;
const growth = (l: number, a: number, b: number) => 0.5 * Math.log((l + b * b) / (l + a * a));

describe("Lyapunov spectrum of a paths report: sorted, in the direction of generation", () => {
  it("Gaussian with variances ascending along the axes: exponents and local rates come largest first and equal the closed form (RK4, 1e-8)", () => {
    // GS order starts at e_1 (λ = 0.1, the most contracting): unsorted output would be ascending
    const lambda = [0.1, 1, 4];
    const g = gaussian(new Float64Array(3), new Float64Array([0.1, 0, 0, 0, 1, 0, 0, 0, 4]));
    const r = pathsReport(g, { sampler: "rk4", n: 3, steps: 200, lyapunovSteps: 200, lyapunovPaths: 3, sigmaMin: 0.05, sigmaMax: sMax, seed: 2 }) as any;
    const desc = [...lambda].sort((a, b) => b - a);
    expect(r.lyapunov.convention).toBe(LYAPUNOV_CONVENTION);
    r.lyapunov.sigma.forEach((s: number, i: number) => {
      const prev = i === 0 ? sMax : r.lyapunov.sigma[i - 1];
      const dl = Math.log(prev / s);
      // RK4's tangent of the discrete flow at Δlog σ ≈ 0.023: O(h⁴) ≈ 3e-7 relative to a rate's curvature, ≲ 1e-8 here
      expectAllClose(r.lyapunov.exponents[i], desc.map((l) => growth(l, sMax, s) / Math.log(sMax / s)), { atol: 1e-8 }, `Λ at σ = ${s}`);
      expectAllClose(r.lyapunov.rates[i], desc.map((l) => growth(l, prev, s) / dl), { atol: 1e-8 }, `rates at σ = ${s}`);
      for (let j = 1; j < 3; j++) expect(r.lyapunov.exponents[i][j]).toBeLessThanOrEqual(r.lyapunov.exponents[i][j - 1]);
      // the same C at every x: no spread across paths
      for (const se of r.lyapunov.exponentsStandardError[i]) expect(se).toBeLessThan(1e-10);
      expectClose(r.lyapunov.exponentSum[i], desc.reduce((a, l) => a + growth(l, sMax, s), 0) / Math.log(sMax / s), { atol: 1e-8 }, "ΣΛ");
    });
    // contraction everywhere (no decision in a Gaussian), towards −1 in the flattest direction at small σ
    for (const rates of r.lyapunov.rates) for (const v of rates) expect(v).toBeLessThan(0);
  });

  it("two deltas ±1 from the midpoint: the separating rate is 1/σ² − 1, positive below σ = 1 (RK4, 400 steps, 1e-5)", () => {
    const two = deltas(fromRows([[-1], [1]]));
    const sigmas = logSigmas(401, 0.3, 3);
    const lyap = finiteTimeLyapunov(two, fromRows([[0]]), sigmas, { method: "rk4" });
    expect(lyap.x.data[0]).toBe(0); // m(0) = 0: the path stays on the unstable fixed point
    const s = lyapunovSeries(lyap);
    s.sigma.forEach((sig, i) => {
      const prev = i === 0 ? 3 : s.sigma[i - 1];
      // exact growth over the step: ∫ (1/u² − 1) du/u from sig to prev
      const want = (0.5 / sig ** 2 - 0.5 / prev ** 2 - Math.log(prev / sig)) / Math.log(prev / sig);
      // RK4 on dδ/dt = a(t)δ, t = −log σ, a = e^{2t} − 1 ≤ 10: the rate's error ~ h⁴ (a⁵ + …)/120 ≲ 1e-6 at h = 0.0058
      expectClose(s.rates[i][0], want, { atol: 1e-5 }, `rate at σ = ${sig}`);
      const cum = (0.5 / sig ** 2 - 0.5 / 9 - Math.log(3 / sig)) / Math.log(3 / sig);
      expectClose(s.exponents[i][0], cum, { atol: 1e-5 }, `Λ over [${sig}, 3]`);
    });
    const at = (x: number) => s.sigma.findIndex((v) => v <= x);
    expect(s.rates[at(0.9)][0]).toBeGreaterThan(0); // separating below the branching, in the direction of generation
    expect(s.rates[at(1.1)][0]).toBeLessThan(0); // contracting above it
  });

  it("two deltas on the second axis, (0, ±1): sorting puts the separating direction first although Gram–Schmidt starts on e₁", () => {
    const two = deltas(fromRows([[0, -1], [0, 1]]));
    const lyap = finiteTimeLyapunov(two, fromRows([[0, 0]]), logSigmas(201, 0.4, 3), { method: "rk4" });
    // unsorted: direction 0 is e₁ (no data spread: exactly −1), direction 1 the separating one
    expectClose(lyap.logGrowth[0] / Math.log(lyap.sigma[0] / lyap.sigma[1]), -1, { atol: 1e-12 }, "e₁ contracts at −1");
    const s = lyapunovSeries(lyap);
    const last = s.sigma.length - 1;
    const sig = s.sigma[last];
    expectClose(s.exponents[last][0], (0.5 / sig ** 2 - 0.5 / 9 - Math.log(3 / sig)) / Math.log(3 / sig), { atol: 1e-5 }, "Λ₁ separating");
    expectClose(s.exponents[last][1], -1, { atol: 1e-12 }, "Λ₂ = −1");
    expect(s.rates[last][0]).toBeGreaterThan(s.rates[last][1]);
    expectClose(s.rateSum[last], s.rates[last][0] + s.rates[last][1], { rtol: 1e-14 }, "sum of the sorted rates");
  });

  it("standard errors: 0 with one path, positive and from the spread across paths otherwise", () => {
    const two = deltas(fromRows([[-1], [1]]));
    const one = pathsReport(two, { n: 1, steps: 40, sigmaMin: 0.2, sigmaMax: 5, seed: 3 }) as any;
    expect(one.lyapunov.paths).toBe(1);
    for (const row of one.lyapunov.exponentsStandardError) expect(row[0]).toBe(0);
    const many = pathsReport(two, { n: 40, steps: 40, lyapunovPaths: 12, sigmaMin: 0.2, sigmaMax: 5, seed: 3 }) as any;
    expect(many.lyapunov.paths).toBe(12);
    // the mean and SE of the per-path exponents over [σ_min, σ_max], recomputed from the raw run (1-D: no sort)
    const raw = finiteTimeLyapunov(two, exactNoisy(two, 12, 5, 3), logSigmas(41, 0.2, 5));
    const v = Array.from(raw.exponents);
    const mean = v.reduce((a, b) => a + b, 0) / 12;
    const se = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / 11 / 12);
    const last = many.lyapunov.sigma.length - 1;
    expectClose(many.lyapunov.exponents[last][0], mean, { rtol: 1e-12 }, "mean Λ");
    expectClose(many.lyapunov.exponentsStandardError[last][0], se, { rtol: 1e-9 }, "SE of Λ");
    expect(se).toBeGreaterThan(0);
  });
});

describe("pathwise entropy: the standard error of Var h", () => {
  it("matches the spread of Var h across 40 independent seeds (two deltas, 200 paths; within ±35 %, the SE of an SD from 40 draws ≈ 11 %)", () => {
    const two = deltas(fromRows([[-1], [1]]));
    const sigmas = logSigmas(31, 0.2, 5);
    const runs = Array.from({ length: 40 }, (_, s) => pathwiseEntropyAlong(two, sigmas, { n: 200, seed: 100 + s }));
    for (const i of [10, 15, 20]) {
      const v = runs.map((r) => r.variance[i]);
      const m = v.reduce((a, b) => a + b, 0) / v.length;
      const sd = Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / (v.length - 1));
      const se = runs.reduce((a, r) => a + r.varianceStandardError[i], 0) / runs.length;
      expect(se / sd, `σ = ${runs[0].sigma[i]}: reported ${se}, spread ${sd}`).toBeGreaterThan(0.65);
      expect(se / sd).toBeLessThan(1.35);
    }
  });
});
