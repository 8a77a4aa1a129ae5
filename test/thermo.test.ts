import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { fromRows } from "../src/batch.js";
import { deltas } from "../src/models/deltas.js";
import { ising } from "../src/models/ising.js";
import { ve } from "../src/noise/process.js";
import { createRng } from "../src/numeric/rng.js";
import { integrate } from "../src/numeric/quadrature.js";
import {
  condensationSigma,
  criticalExponents,
  findFixedPoints,
  freeEnergy,
  hopfieldEnergy,
  hopfieldUpdate,
  inverseTemperature,
  isingExact,
  isingGibbs,
  newtonFixedPoint,
  orderParameter,
  participation,
  participationAlongPaths,
  participationOfEnergies,
  REM_BETA_C,
  remExactParticipation,
  remLaw,
  remMonteCarlo,
  regularizedFreeEnergy,
  saddleNodeSigma,
  susceptibility,
  twoDeltas,
  weightForField,
} from "../src/analysis/thermo/index.js";
import { memorizationJson } from "../src/cli/memorization.js";
import { remJson } from "../src/cli/rem.js";
import { parseGrid, thermoJson } from "../src/cli/thermo.js";
import { expectClose } from "./helpers.js";

const fixture = JSON.parse(readFileSync(new URL("./fixtures/thermo.json", import.meta.url), "utf8"));

describe("free energy and magnetization", () => {
  const four = deltas(fromRows([[1, 0], [-1, 0], [0, 1], [0, -1]]));
  it("−∇F̃ = σ²·score and −∇F = m(x), by central differences (h = 1e-5: error ~h² + ε/h ≈ 1e-10)", () => {
    const h = 1e-5;
    for (const sigma of [0.3, 0.7, 1.5]) {
      for (const p of [[0.2, -0.1], [0.9, 0.4], [-1.3, 0.05]]) {
        const post = four.posterior(fromRows([p]), sigma);
        for (let k = 0; k < 2; k++) {
          const plus = p.slice();
          const minus = p.slice();
          plus[k] += h;
          minus[k] -= h;
          const pts = fromRows([plus, minus]);
          const ft = regularizedFreeEnergy(four, pts, sigma);
          const f = freeEnergy(four, pts, sigma);
          const score = (post.mean.data[k] - p[k]) / sigma ** 2;
          expectClose(-(ft[0] - ft[1]) / (2 * h), sigma ** 2 * score, { atol: 1e-8 }, `σ=${sigma} ∂F̃/∂x${k}`);
          expectClose(-(f[0] - f[1]) / (2 * h), post.mean.data[k], { atol: 1e-8 }, `σ=${sigma} ∂F/∂x${k}`);
        }
      }
    }
  });

  it("F = −σ² log Z with Z = Σ π_j e^{−β(½‖y_j‖² − x·y_j)} exactly (the documented constant)", () => {
    const x = [0.3, -0.7];
    for (const sigma of [0.4, 2]) {
      const beta = 1 / sigma ** 2;
      const Z = [[1, 0], [-1, 0], [0, 1], [0, -1]].reduce((s, y) => s + 0.25 * Math.exp(-beta * (0.5 - x[0] * y[0] - x[1] * y[1])), 0);
      expectClose(freeEnergy(four, fromRows([x]), sigma)[0], -Math.log(Z) / beta, { rtol: 1e-14 }, `σ=${sigma}`);
    }
  });

  it("F̃ of equal-norm deltas is the modern Hopfield energy plus r²/2 + σ² log N, and x ← m(x) is Hopfield retrieval (random unit patterns)", () => {
    const rng = createRng(7);
    const D = 5;
    const N = 12;
    const rows = Array.from({ length: N }, () => {
      const v = Array.from({ length: D }, () => rng.normal());
      const n = Math.hypot(...v);
      return v.map((t) => t / n);
    });
    const pats = fromRows(rows);
    const model = deltas(pats);
    for (const sigma of [0.3, 0.8, 2]) {
      const beta = 1 / sigma ** 2;
      let x = Array.from({ length: D }, () => rng.normal());
      for (let step = 0; step < 5; step++) {
        const ft = regularizedFreeEnergy(model, fromRows([x]), sigma)[0];
        expectClose(ft, hopfieldEnergy(pats, x, beta) + 0.5 + sigma ** 2 * Math.log(N), { rtol: 1e-13, atol: 1e-13 }, `F̃ σ=${sigma}`);
        const m = model.denoise(fromRows([x]), sigma).data;
        const hop = hopfieldUpdate(pats, x, beta);
        for (let k = 0; k < D; k++) expectClose(m[k], hop[k], { atol: 1e-14 }, `update σ=${sigma}`);
        x = Array.from(m);
      }
    }
  });
});

describe("errata of seed 004 (THEORY.md Errata 3–5)", () => {
  it("3: β(t) = 1/(ν² t) = 1/σ²(t), not σ² t", () => {
    for (const [t, nu] of [[0.5, 1], [2, 0.3], [7, 2]]) expectClose(inverseTemperature(t, nu) * ve(nu).sigma(t) ** 2, 1, { rtol: 1e-15 }, `t=${t}`);
    expect(inverseTemperature(2, 1)).not.toBeCloseTo(ve(1).sigma(2) ** 2 * 2, 3);
  });
  it("4: Z_N with the 1/N of eq. 35 gives Z_N(2β)/Z_N(β)² = N·Σw²; the REM law is for Y = Σw²", () => {
    const E = new Float64Array([0.3, -1.2, 2.1, 0.7]);
    const beta = 1.3;
    const ZN = (b: number) => E.reduce((s, e) => s + Math.exp(b * e), 0) / E.length;
    const Y = participationOfEnergies(E, beta);
    expectClose(ZN(2 * beta) / ZN(beta) ** 2, E.length * Y, { rtol: 1e-14 });
    // at β = 3β_c the exact mean of Σw² (not N·Σw²) is near the law 2/3
    expect(Math.abs(remExactParticipation(16, 3 * REM_BETA_C) - remLaw(3 * REM_BETA_C))).toBeLessThan(0.05);
  });
  it("5: posterior weights are ∝ e^{+β x·y_j} (retrieval moves toward the nearest pattern)", () => {
    const pats = fromRows([[1, 0], [0, 1]]);
    const model = deltas(pats);
    const x = [0.8, 0.1];
    const m = model.denoise(fromRows([x]), 0.5).data;
    const w = 1 / (1 + Math.exp(-(x[0] - x[1]) / 0.25)); // softmax(+β x·y)
    expectClose(m[0], w, { rtol: 1e-14 });
    expect(m[0]).toBeGreaterThan(0.5);
  });
});

describe("fixed points and susceptibility", () => {
  const two = twoDeltas(1);
  it("χ = (I − G)⁻¹G matches ∂x*/∂h by re-solving x = m(x + h) (central differences, h = 1e-6)", () => {
    for (const [sigma, start] of [[1.5, 0], [0.6, 1], [0.9, -1]] as const) {
      const fp = newtonFixedPoint(two, [start], sigma);
      const chi = susceptibility(fp.covariance, 1, sigma)[0];
      const h = 1e-6;
      const up = newtonFixedPoint(two, fp.x, sigma, { field: [h] }).x[0];
      const dn = newtonFixedPoint(two, fp.x, sigma, { field: [-h] }).x[0];
      // χ = ∂m/∂h with m = x*: x* = m(x*+h), so ∂x*/∂h = χ
      expectClose((up - dn) / (2 * h), chi, { rtol: 1e-6 }, `σ=${sigma}`);
    }
  });
  it("χ of two deltas ±1 at x* = 0 is 1/(σ² − 1): a linear fit of 1/χ vs σ² vanishes at σ_c = 1 to 1e-12", () => {
    const s2 = [1.1, 1.3, 1.7, 2.5, 4];
    const inv = s2.map((v) => 1 / susceptibility(newtonFixedPoint(two, [0], Math.sqrt(v)).covariance, 1, Math.sqrt(v))[0]);
    const n = s2.length;
    const mx = s2.reduce((a, b) => a + b) / n;
    const my = inv.reduce((a, b) => a + b) / n;
    const slope = s2.reduce((a, v, i) => a + (v - mx) * (inv[i] - my), 0) / s2.reduce((a, v) => a + (v - mx) ** 2, 0);
    expectClose(mx - my / slope, 1, { atol: 1e-12 }, "σ_c²");
    expectClose(slope, 1, { atol: 1e-12 }, "amplitude");
  });
  it("the stable ±x* branch loses nothing and x* = 0 turns unstable exactly at σ = 1 (λ_max(C)/σ² crosses 1)", () => {
    expect(newtonFixedPoint(two, [0], 1 + 1e-6).stable).toBe(true);
    expect(newtonFixedPoint(two, [0], 1 - 1e-6).stable).toBe(false);
    const fps = findFixedPoints(two, [[-1], [0], [1]], 0.5);
    expect(fps.length).toBe(3);
    expect(fps.filter((f) => f.stable).length).toBe(2);
  });
  it("four deltas at (±1,0),(0,±1) have one stable point (the origin) above σ² = ½ and four memories well below", () => {
    const four = deltas(fromRows([[1, 0], [-1, 0], [0, 1], [0, -1]]));
    const starts = [[1, 0], [-1, 0], [0, 1], [0, -1], [0, 0], [0.5, 0.5], [-0.5, 0.5], [0.5, -0.5], [-0.5, -0.5]];
    expect(findFixedPoints(four, starts, 0.8).filter((f) => f.stable).length).toBe(1);
    expect(findFixedPoints(four, starts, 0.3).filter((f) => f.stable).length).toBe(4);
  });
});

describe("phase diagram of two deltas", () => {
  it("critical exponents β, γ, δ fitted from computed fixed points are ½, 1, 3 within ±0.01", () => {
    const e = criticalExponents(1);
    expectClose(e.beta.exponent, 0.5, { atol: 0.01 }, "β");
    expectClose(e.gamma.exponent, 1, { atol: 0.01 }, "γ above");
    expectClose(e.gammaBelow.exponent, 1, { atol: 0.01 }, "γ below");
    expectClose(e.delta.exponent, 3, { atol: 0.01 }, "δ");
  });
  it("the saddle-node σ matches scipy and brackets where the second stable branch appears (first order)", () => {
    for (const { h, temperature } of fixture.saddle) {
      const s = saddleNodeSigma(1, h);
      expectClose(s * s, temperature, { rtol: 1e-12 }, `h=${h}`);
      if (h >= 0.01) {
        const [above, below] = orderParameter(1, weightForField(h), [s * (1 + 1e-4), s * (1 - 1e-4)]);
        expect(above.stable.length).toBe(1);
        expect(below.stable.length).toBe(2);
        expect(above.stable[0]).toBeGreaterThan(0); // the favoured branch is continuous
      }
    }
  });
  it("equal weights: x* = 0 above σ_c = 1, ±x* with x = tanh(x/σ²) below (critical)", () => {
    const [above, below] = orderParameter(1, 0.5, [1.01, 0.8]);
    expect(above.stable.length).toBe(1);
    expect(Math.abs(above.stable[0])).toBeLessThan(1e-10);
    expect(below.stable.length).toBe(2);
    const x = below.stable[1];
    expectClose(Math.tanh(x / 0.64), x, { atol: 1e-13 });
  });
});

describe("diffused Ising model", () => {
  const d = 8;
  const J = new Float64Array(d * d);
  for (let i = 0; i < d; i++) J[i * d + ((i + 1) % d)] = J[((i + 1) % d) * d + i] = 1;
  const spec = { couplings: J, d, temperature: 1.5 };
  it("enumeration matches numpy for the 8-spin ring (magnetization, energy, susceptibility, m(x))", () => {
    const model = ising(J, d, 1.5);
    for (const c of fixture.ising) {
      const r = isingExact(spec, c.x, c.sigma);
      expectClose(r.magnetization, c.magnetization, { atol: 1e-13 }, "M");
      expectClose(r.energy, c.energy, { rtol: 1e-13 }, "E");
      expectClose(r.susceptibility, c.susceptibility, { rtol: 1e-12 }, "χ");
      const m = model.denoise(fromRows([c.x]), c.sigma).data; // the deltas kernel over 2^d states
      for (let k = 0; k < d; k++) expectClose(r.meanSpins[k], m[k], { atol: 1e-13 }, `m${k}`);
    }
  });
  it("the Gibbs sampler agrees with enumeration within 4 batch-means SE", () => {
    const cases: [number[], number][] = [[new Array(d).fill(0), 1], [fixture.ising[1].x, 0.7], [new Array(d).fill(0.2), 2]];
    cases.forEach(([x, sigma], i) => {
      const ex = isingExact(spec, x, sigma);
      const g = isingGibbs(spec, x, sigma, { sweeps: 40000, seed: 11 + i });
      const se = g.standardError!;
      expect(Math.abs(g.magnetization - ex.magnetization)).toBeLessThan(4 * se.magnetization);
      expect(Math.abs(g.energy - ex.energy)).toBeLessThan(4 * se.energy);
      expect(Math.abs(g.susceptibility - ex.susceptibility)).toBeLessThan(4 * se.susceptibility);
    });
  });
});

describe("random-energy model", () => {
  it("the exact finite-M E[Y] matches the scipy nested-quadrature fixture to 1e-9", () => {
    for (const r of fixture.rem) expectClose(remExactParticipation(r.M, r.betaOverBetaC * REM_BETA_C), r.exact, { rtol: 1e-9 }, `M=${r.M} β/β_c=${r.betaOverBetaC}`);
  });
  it("M = 1 equals the two-state form E[(1 + e^{2βΔ})/(1 + e^{βΔ})²], Δ = E₁ − E₂ ~ N(0, 1), by quadrature", () => {
    for (const ratio of [0.5, 2]) {
      const b = ratio * REM_BETA_C;
      // (1 + e^{2u})/(1 + e^u)² = 1 − 1/(1 + cosh u), overflow-free
      const f = (t: number) => ((1 - 1 / (1 + Math.cosh(b * t))) * Math.exp(-0.5 * t * t)) / Math.sqrt(2 * Math.PI);
      expectClose(remExactParticipation(1, b), integrate(f, -Infinity, Infinity).value, { rtol: 1e-10 }, `β/β_c=${ratio}`);
    }
  });
  it("numpy brute-force Monte Carlo at M = 8 (40000 draws) agrees with the exact value within 4 SE", () => {
    const mc = fixture.rem_mc;
    mc.betaOverBetaC.forEach((r: number, i: number) =>
      expect(Math.abs(mc.mean[i] - remExactParticipation(8, r * REM_BETA_C))).toBeLessThan(4 * mc.standardError[i]));
  });
  it("our Monte Carlo agrees with the exact finite-M E[Y] within 4 SE at M = 10 and M = 16", () => {
    const ratios = [0.5, 1.5, 2, 3];
    for (const [M, draws] of [[10, 1000], [16, 60]]) {
      const mc = remMonteCarlo(M, ratios.map((r) => r * REM_BETA_C), { draws, seed: 3 });
      ratios.forEach((r, i) => {
        const ex = remExactParticipation(M, r * REM_BETA_C);
        expect(Math.abs(mc.mean[i] - ex), `M=${M} β/β_c=${r}`).toBeLessThan(4 * mc.standardError[i]);
      });
    }
  });
  it("finite-M E[Y] differs from the law max(0, 1 − β_c/β) by several hundredths at M = 16 and approaches it with M", () => {
    const b = 2 * REM_BETA_C;
    const gaps = [10, 16, 20].map((M) => remExactParticipation(M, b) - remLaw(b));
    expect(gaps[1]).toBeGreaterThan(0.04);
    expect(gaps[2]).toBeLessThan(gaps[1]);
    expect(gaps[1]).toBeLessThan(gaps[0]);
  });
});

describe("memorization and condensation", () => {
  it("participation of two deltas at x is Σw² with w = softmax(±x/σ²)", () => {
    const two = twoDeltas(1);
    const w = 1 / (1 + Math.exp(-2 * 0.3 / 0.49));
    expectClose(participation(two, fromRows([[0.3]]), 0.7)[0], w * w + (1 - w) * (1 - w), { rtol: 1e-14 });
  });
  it("the condensation σ of a query solves 1/Y(x, σ) = threshold (closed form for two deltas)", () => {
    const two = twoDeltas(1);
    // 1/Y = 1/(w² + (1−w)²) = 1.5 ⇔ w(1−w) = 1/6 ⇔ 2x/σ² = log(w/(1−w))
    const w = 0.5 + Math.sqrt(1 / 4 - 1 / 6);
    const x = 0.3;
    const want = Math.sqrt((2 * x) / Math.log(w / (1 - w)));
    expectClose(condensationSigma(two, [x], 1.5), want, { rtol: 1e-10 });
  });
  it("along generative paths 1/Y falls from ≈ N to ≈ 1 (seeded Euler–Maruyama), and every path condenses", () => {
    const rng = createRng(5);
    const pts = fromRows(Array.from({ length: 16 }, () => [rng.normal(), rng.normal()]));
    const model = deltas(pts);
    const sig = Array.from({ length: 61 }, (_, i) => 10 * Math.pow(1e-3, i / 60));
    const r = participationAlongPaths(model, sig, { paths: 100, seed: 2, threshold: 1.5 });
    expect(r.meanInverseParticipation[0]).toBeGreaterThan(15);
    expectClose(r.meanInverseParticipation[60], 1, { atol: 1e-6 });
    expect(r.condensationSigma.every((s) => s > 0.01 && s < 10)).toBe(true);
  });
});

describe("CLI JSON builders (thermo, rem, memorization)", () => {
  it("thermo: two deltas at σ = 0.5 give three fixed points; χ at ±x* is G/(1 − G), G = (1 − x*²)/σ²; grid F̃ = F + ½x²", () => {
    const out = thermoJson(twoDeltas(1), 0.5, parseGrid("-2,2,5", 1)) as any;
    expect(out.sigma).toBe(0.5);
    expect(out.fixedPoints.length).toBe(3);
    for (const fp of out.fixedPoints) {
      expectClose(fp.magnetization[0], fp.x[0], { atol: 1e-12 });
      const G = (1 - fp.x[0] ** 2) / 0.25;
      expectClose(fp.susceptibility[0][0], G / (1 - G), { rtol: 1e-9 });
    }
    out.grid.x.forEach((x: number, i: number) => expectClose(out.grid.regularizedFreeEnergy[0][i], out.grid.freeEnergy[0][i] + 0.5 * x * x, { atol: 1e-14 }));
    expect(() => parseGrid("0,1,2", 2)).toThrow(/--grid/);
  });
  it("thermo: the four-delta 2-D grid has n × n values and F̃ is symmetric under x ↔ y", () => {
    const four = deltas(fromRows([[1, 0], [-1, 0], [0, 1], [0, -1]]));
    const out = thermoJson(four, 0.6, parseGrid("-2,2,-2,2,5", 2)) as any;
    expect(out.grid.regularizedFreeEnergy.length).toBe(5);
    expectClose(out.grid.regularizedFreeEnergy[1][3], out.grid.regularizedFreeEnergy[3][1], { atol: 1e-14 });
  });
  it("rem: keys of the contract, exact equals remExactParticipation, law, Monte Carlo with SE", () => {
    const out = remJson({ M: 8, betaOverBetaC: [0.5, 2], draws: 20, seed: 1 }) as any;
    expect(Object.keys(out)).toEqual(["M", "betaC", "betaOverBetaC", "exact", "law", "monteCarlo", "seed"]);
    expectClose(out.exact[1], remExactParticipation(8, 2 * REM_BETA_C), { rtol: 0 });
    expect(out.law).toEqual([0, 0.5]);
    expect(out.monteCarlo.draws).toBe(20);
    expect(out.monteCarlo.standardError[1]).toBeGreaterThan(0);
  });
  it("memorization: 1/Y → N at large σ and → 1 at small σ; condensation σ per path", () => {
    const model = deltas(fromRows([[0, 0], [1, 0], [0, 1], [1, 1], [3, 3], [-2, 1]]));
    const out = memorizationJson(model, { sigmaMin: 0.01, sigmaMax: 100, steps: 40, samples: 200, paths: 30, threshold: 1.5, seed: 4 }) as any;
    expect(out.sigma.length).toBe(41);
    expectClose(out.meanInverseParticipation[40], 6, { rtol: 1e-3 });
    expectClose(out.meanInverseParticipation[0], 1, { atol: 1e-6 });
    expect(out.condensation.sigma.length).toBe(30);
    expect(out.condensation.condensed).toBe(30);
  });
});
