import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { fromRows, zeros } from "../src/batch.js";
import {
  gaussianKl,
  gaussianPairDenoiser,
  gaussianW2,
  guidedGaussianMoments,
  logContraction,
  type GaussianPair,
  type PairDirection,
} from "../src/analysis/guidance/gaussian.js";
import { gridWithEdges, type GuidanceSchedule } from "../src/analysis/guidance/schedule.js";
import { sampleGuided } from "../src/analysis/guidance/guided.js";
import { logSigmas } from "../src/noise/grid.js";
import { createRng } from "../src/numeric/rng.js";
import { Welford } from "../src/numeric/welford.js";
import { rkAdaptive, type Derivative } from "../src/analysis/dynamics/runge-kutta.js";
import { drive } from "../src/score/program.js";
import { expectClose } from "./helpers.js";

// THEORY.md §9.2, jointly Gaussian model. Our w: s_w = s + w(s_c − s); γ = w − 1 is the paper's w.

interface ConstantCase {
  lambdaC: number;
  lambdaU: number;
  deltaMu: number;
  gamma: number;
  ode: { u: number; v: number };
  sde: { u: number; v: number };
}
interface WindowCase {
  lc: number;
  lu: number;
  muc: number;
  muu: number;
  w: number;
  windows: [number, number, number][];
  smin: number;
  smax: number;
  ode: { mean: number; variance: number };
  sde: { mean: number; variance: number };
}
interface LinearCase {
  lc: number;
  lu: number;
  muc: number;
  muu: number;
  gamma0: number;
  omega: number;
  smin: number;
  smax: number;
  ode: { mean: number; variance: number };
  sde: { mean: number; variance: number };
}
const fixture = JSON.parse(readFileSync(join(import.meta.dirname, "fixtures", "guidance.json"), "utf8")) as {
  constant: ConstantCase[];
  piecewise: WindowCase[];
  linear: LinearCase[];
};

const constant = (gamma: number): GuidanceSchedule => ({ type: "constant", w: 1 + gamma });
const dirOf = (c: ConstantCase): PairDirection => ({ lambdaC: c.lambdaC, lambdaU: c.lambdaU, muC: c.deltaMu, muU: 0 });
const windowsOf = (c: WindowCase): GuidanceSchedule => ({ type: "windows", w: c.w, windows: c.windows.map(([lo, hi, w]) => ({ lo, hi, w })) });

describe("guided Gaussian moments, probability-flow ODE (THEORY.md §9.2)", () => {
  it("v_out = λ_c κ^{2γ} for constant γ and σ_max → ∞ (to 1e-12)", () => {
    for (const c of fixture.constant) {
      const kappa = Math.sqrt(c.lambdaC / c.lambdaU);
      const got = guidedGaussianMoments(dirOf(c), constant(c.gamma)).variance;
      expectClose(got, c.lambdaC * kappa ** (2 * c.gamma), { rtol: 1e-12 }, `v, γ = ${c.gamma}, λ = ${c.lambdaC}/${c.lambdaU}`);
    }
  });

  it("the mean is γΔμ κ^{1+γ} ₂F₁(½, (1+γ)/2; 3/2; 1 − κ²) (scipy's hyp2f1, to 1e-9)", () => {
    for (const c of fixture.constant) {
      const got = guidedGaussianMoments(dirOf(c), constant(c.gamma)).mean - c.deltaMu;
      expectClose(got, c.ode.u, { rtol: 1e-9, atol: 1e-12 }, `u, γ = ${c.gamma}, λ = ${c.lambdaC}/${c.lambdaU}`);
      expectClose(guidedGaussianMoments(dirOf(c), constant(c.gamma)).variance, c.ode.v, { rtol: 1e-12 }, `v vs scipy, γ = ${c.gamma}`);
    }
  });

  it("has the special cases γ = 1 (artanh), γ = 2 (2Δμκ²), γ = −1 (the unconditional law) and equal variances (γΔμ)", () => {
    const d: PairDirection = { lambdaC: 0.7, lambdaU: 3.1, muC: 1.3, muU: -0.4 };
    const dmu = d.muC - d.muU;
    const k2 = d.lambdaC / d.lambdaU;
    const s = Math.sqrt(1 - k2);
    expectClose(guidedGaussianMoments(d, constant(1)).mean - d.muC, (dmu * k2 * Math.atanh(s)) / s, { rtol: 1e-10 }, "γ = 1");
    expectClose(guidedGaussianMoments(d, constant(2)).mean - d.muC, 2 * dmu * k2, { rtol: 1e-10 }, "γ = 2");
    const uncond = guidedGaussianMoments(d, constant(-1));
    expectClose(uncond.mean, d.muU, { rtol: 1e-10 }, "γ = −1 mean");
    expectClose(uncond.variance, d.lambdaU, { rtol: 1e-12 }, "γ = −1 variance");
    const eq: PairDirection = { lambdaC: 1.4, lambdaU: 1.4, muC: 0.9, muU: -0.6 };
    for (const g of [-0.5, 0.7, 3]) {
      expectClose(guidedGaussianMoments(eq, constant(g)).mean - eq.muC, g * (eq.muC - eq.muU), { rtol: 1e-10 }, `equal variances, γ = ${g}`);
      expectClose(guidedGaussianMoments(eq, constant(g)).variance, eq.lambdaC, { rtol: 1e-12 }, `equal variances keep v, γ = ${g}`);
    }
  });

  it("satisfies the shrinkage identity log(v_out/λ_c) = −Σ_k γ_k(ℓ_c − ℓ_u)_k with every bracket > 0", () => {
    const d: PairDirection = { lambdaC: 0.4, lambdaU: 2, muC: 1, muU: 0 };
    const pieces: [number, number, number][] = [[0, 0.3, -1], [0.3, 1.2, 2.5], [1.2, Infinity, 0.4]]; // [lo, hi, γ]
    const sched: GuidanceSchedule = { type: "windows", w: 1.4, windows: pieces.slice(0, 2).map(([lo, hi, g]) => ({ lo, hi, w: 1 + g })) };
    const ell = (l: number, lo: number, hi: number) => Math.log((l + hi * hi) / (l + lo * lo));
    // the top piece (lo, ∞): ℓ_c − ℓ_u → log((λ_u + lo²)/(λ_c + lo²))
    let want = 0;
    for (const [lo, hi, g] of pieces) {
      const bracket = hi === Infinity ? Math.log((d.lambdaU + lo * lo) / (d.lambdaC + lo * lo)) : ell(d.lambdaC, lo, hi) - ell(d.lambdaU, lo, hi);
      expect(bracket).toBeGreaterThan(0);
      want -= g * bracket;
    }
    expectClose(Math.log(guidedGaussianMoments(d, sched).variance / d.lambdaC), want, { atol: 1e-12 }, "log(v_out/λ_c)");
    // a non-negative schedule always shrinks; the negative late window can restore v_out = λ_c exactly
    expect(guidedGaussianMoments(d, { type: "windows", w: 1, windows: [{ lo: 0.3, hi: 1.2, w: 3.5 }] }).variance).toBeLessThan(d.lambdaC);
  });

  it("matches scipy's solve_ivp on the moment ODEs for piecewise-constant windows at finite σ_max (to 1e-8)", () => {
    for (const c of fixture.piecewise) {
      const d: PairDirection = { lambdaC: c.lc, lambdaU: c.lu, muC: c.muc, muU: c.muu };
      const got = guidedGaussianMoments(d, windowsOf(c), { sigmaMin: c.smin, sigmaMax: c.smax });
      expectClose(got.mean, c.ode.mean, { rtol: 1e-8 }, `ODE mean ${JSON.stringify(c.windows)}`);
      expectClose(got.variance, c.ode.variance, { rtol: 1e-8 }, `ODE variance ${JSON.stringify(c.windows)}`);
    }
  });

  it("matches solve_ivp for the linear schedule γ(t) = γ₀ + ωt, t = σ² (to 1e-8)", () => {
    for (const c of fixture.linear) {
      const d: PairDirection = { lambdaC: c.lc, lambdaU: c.lu, muC: c.muc, muU: c.muu };
      const s: GuidanceSchedule = { type: "linear", gamma0: c.gamma0, omega: c.omega };
      for (const dyn of ["ode", "sde"] as const) {
        const got = guidedGaussianMoments(d, s, { sigmaMin: c.smin, sigmaMax: c.smax, dynamics: dyn });
        expectClose(got.mean, c[dyn].mean, { rtol: 1e-8 }, `${dyn} mean γ₀ = ${c.gamma0}, ω = ${c.omega}`);
        expectClose(got.variance, c[dyn].variance, { rtol: 1e-8 }, `${dyn} variance γ₀ = ${c.gamma0}, ω = ${c.omega}`);
      }
    }
  });

  it("agrees with the moment ODEs integrated here by Dormand–Prince (a second route, to 1e-8)", () => {
    const d: PairDirection = { lambdaC: 0.3, lambdaU: 2.2, muC: 0.8, muU: -0.2 };
    const sched: GuidanceSchedule = { type: "windows", w: 1, windows: [{ lo: 0.2, hi: 1.5, w: 3 }, { lo: 0, hi: 0.1, w: 0 }] };
    const cuts = [20, 1.5, 0.2, 0.1, 0.005];
    const y = Float64Array.of(d.muU, d.lambdaU + 400);
    for (let j = 0; j + 1 < cuts.length; j++) {
      const w = sched.windows.find((win) => 0.5 * (cuts[j] + cuts[j + 1]) > win.lo && 0.5 * (cuts[j] + cuts[j + 1]) <= win.hi)?.w ?? sched.w;
      const f: Derivative = function* (yy, s, out) {
        const A = d.lambdaC + s * s;
        const B = d.lambdaU + s * s;
        const a = w / A + (1 - w) / B;
        const b = (w * d.muC) / A + ((1 - w) * d.muU) / B;
        out[0] = s * (a * yy[0] - b);
        out[1] = 2 * s * a * yy[1];
      };
      drive(rkAdaptive(f, y, cuts[j], cuts[j + 1], { rtol: 1e-12, atol: 1e-14 }), { dim: 1, denoise: (x) => x });
    }
    const got = guidedGaussianMoments(d, sched, { sigmaMin: 0.005, sigmaMax: 20 });
    expectClose(got.mean, y[0], { rtol: 1e-8 }, "mean");
    expectClose(got.variance, y[1], { rtol: 1e-8 }, "variance");
  });

  it("gives KL and W₂ of THEORY.md §9.2 (zero at the class law)", () => {
    expect(gaussianKl([1], [2], [1], [2])).toBe(0);
    expectClose(gaussianKl([1.5, 0], [0.25, 1], [1, 0], [1, 1]), 0.5 * (0.25 - 1 - Math.log(0.25) + 0.25), { rtol: 1e-15 });
    expectClose(gaussianW2([1.5], [0.25], [1], [1]), Math.sqrt(0.25 + 0.25), { rtol: 1e-15 });
  });
});

describe("guided Gaussian moments, reverse SDE (THEORY.md §9.2)", () => {
  it("match mpmath's integrals v = ∫(λ_c/(λ_c+r))^{2w}(λ_u/(λ_u+r))^{2(1−w)}dr and u = γΔμ∫… dr/(λ_u+r) (to 1e-9)", () => {
    for (const c of fixture.constant) {
      const got = guidedGaussianMoments(dirOf(c), constant(c.gamma), { dynamics: "sde" });
      expectClose(got.variance, c.sde.v, { rtol: 1e-9 }, `SDE v, γ = ${c.gamma}, λ = ${c.lambdaC}/${c.lambdaU}`);
      expectClose(got.mean - c.deltaMu, c.sde.u, { rtol: 1e-9, atol: 1e-12 }, `SDE u, γ = ${c.gamma}, λ = ${c.lambdaC}/${c.lambdaU}`);
    }
  });

  it("shrinks less than the ODE for γ > 0", () => {
    for (const c of fixture.constant.filter((c) => c.gamma > 0 && c.lambdaC < c.lambdaU))
      expect(guidedGaussianMoments(dirOf(c), constant(c.gamma), { dynamics: "sde" }).variance).toBeGreaterThan(guidedGaussianMoments(dirOf(c), constant(c.gamma)).variance);
  });

  it("matches solve_ivp on the SDE moment ODEs for piecewise windows (to 1e-8)", () => {
    for (const c of fixture.piecewise) {
      const d: PairDirection = { lambdaC: c.lc, lambdaU: c.lu, muC: c.muc, muU: c.muu };
      const got = guidedGaussianMoments(d, windowsOf(c), { sigmaMin: c.smin, sigmaMax: c.smax, dynamics: "sde" });
      expectClose(got.mean, c.sde.mean, { rtol: 1e-8 }, `SDE mean ${JSON.stringify(c.windows)}`);
      expectClose(got.variance, c.sde.variance, { rtol: 1e-8 }, `SDE variance ${JSON.stringify(c.windows)}`);
    }
  });
});

describe("log-contraction Λ of the guided flow", () => {
  it("is additive over σ and equals ∫ 2σ a dσ by quadrature on every piece", () => {
    const d: PairDirection = { lambdaC: 0.5, lambdaU: 3, muC: 0, muU: 0 };
    const sched: GuidanceSchedule = { type: "windows", w: 1.5, windows: [{ lo: 0.4, hi: 2, w: -0.5 }] };
    expectClose(logContraction(d, sched, 0.1, 5), logContraction(d, sched, 0.1, 1) + logContraction(d, sched, 1, 5), { rtol: 1e-14 });
    let q = 0;
    const n = 200000;
    for (const [a, b, w] of [[0.1, 0.4, 1.5], [0.4, 2, -0.5], [2, 5, 1.5]]) {
      const h = (b - a) / n;
      for (let i = 0; i < n; i++) {
        const s = a + (i + 0.5) * h;
        q += h * 2 * s * (w / (d.lambdaC + s * s) + (1 - w) / (d.lambdaU + s * s));
      }
    }
    expectClose(logContraction(d, sched, 0.1, 5), q, { rtol: 1e-9 });
  });
});

// The guided samplers on the pair's exact denoiser converge to the closed forms: the map from x(σ_max) to x(σ_min)
// is affine on a linear score, so two starting points per direction give the sampler's exact output law.
const pair: GaussianPair = {
  muC: Float64Array.of(1, -0.5),
  lambdaC: Float64Array.of(0.5, 0.2),
  muU: Float64Array.of(-0.5, 0.4),
  lambdaU: Float64Array.of(3, 1.5),
};

function samplerLaw(sched: GuidanceSchedule, sampler: "heun" | "euler", steps: number, sigmaMin: number, sigmaMax: number) {
  // rows: the start mean, and the start mean + its standard deviation in every direction
  const m0 = Array.from(pair.muU);
  const sd0 = Array.from(pair.lambdaU, (l) => Math.sqrt(l + sigmaMax * sigmaMax));
  const x0 = fromRows([m0, m0.map((m, k) => m + sd0[k])]);
  const grid = gridWithEdges(logSigmas(steps, sigmaMin, sigmaMax), sched);
  const x = sampleGuided(gaussianPairDenoiser(pair), x0, grid, { label: 0, schedule: sched, sampler });
  return [0, 1].map((k) => ({ mean: x.data[k], variance: (x.data[2 + k] - x.data[k]) ** 2 }));
}

describe("guided samplers on the jointly Gaussian model converge to the closed forms", () => {
  const sched: GuidanceSchedule = { type: "windows", w: 1, windows: [{ lo: 0.3, hi: 2, w: 4 }, { lo: 0, hi: 0.1, w: -0.5 }] };
  const sigmaMin = 0.01;
  const sigmaMax = 30;
  const want = [0, 1].map((k) => guidedGaussianMoments({ lambdaC: pair.lambdaC[k], lambdaU: pair.lambdaU[k], muC: pair.muC[k], muU: pair.muU[k] }, sched, { sigmaMin, sigmaMax }));

  it("Heun on a log grid with the window edges among its levels has error O(h²) (×4 per doubling); Richardson's extrapolation lands within 2e-6", () => {
    const signed = (steps: number) => {
      const got = samplerLaw(sched, "heun", steps, sigmaMin, sigmaMax);
      return [0, 1].flatMap((k) => [got[k].mean - want[k].mean, got[k].variance / want[k].variance - 1]);
    };
    const e = [200, 400, 800, 1600].map(signed);
    for (let i = 1; i < e.length; i++)
      for (let j = 0; j < 4; j++) {
        expect(e[i - 1][j] / e[i][j]).toBeGreaterThan(3.8);
        expect(e[i - 1][j] / e[i][j]).toBeLessThan(4.2);
      }
    for (let j = 0; j < 4; j++) expect(Math.abs(e[3][j])).toBeLessThan(2e-4);
    for (let j = 0; j < 4; j++) expect(Math.abs((4 * e[3][j] - e[2][j]) / 3)).toBeLessThan(2e-6);
  });

  it("Euler converges at order 1", () => {
    const err = (steps: number) => {
      const got = samplerLaw(sched, "euler", steps, sigmaMin, sigmaMax);
      return Math.abs(got[0].variance - want[0].variance) / want[0].variance;
    };
    const r = err(400) / err(800);
    expect(r).toBeGreaterThan(1.8);
    expect(r).toBeLessThan(2.2);
  });

  it("Euler–Maruyama reproduces the SDE closed form within Monte Carlo error (4000 paths)", () => {
    const steps = 400;
    const grid = gridWithEdges(logSigmas(steps, sigmaMin, sigmaMax), sched);
    const n = 4000;
    const x0 = zeros(n, 2);
    const rng = createRng(5);
    for (let i = 0; i < n; i++) for (let k = 0; k < 2; k++) x0.data[i * 2 + k] = pair.muU[k] + Math.sqrt(pair.lambdaU[k] + sigmaMax ** 2) * rng.normal();
    const x = sampleGuided(gaussianPairDenoiser(pair), x0, grid, { label: 0, schedule: sched, sampler: "em", rng: createRng(9) });
    for (let k = 0; k < 2; k++) {
      const dir = { lambdaC: pair.lambdaC[k], lambdaU: pair.lambdaU[k], muC: pair.muC[k], muU: pair.muU[k] };
      const sde = guidedGaussianMoments(dir, sched, { sigmaMin, sigmaMax, dynamics: "sde" });
      const w = new Welford();
      const w2 = new Welford();
      for (let i = 0; i < n; i++) w.push(x.data[i * 2 + k]);
      for (let i = 0; i < n; i++) w2.push((x.data[i * 2 + k] - w.mean) ** 2);
      // Monte Carlo error of the mean and of the variance (Gaussian: SE(v) ≈ v√(2/n)), plus EM's O(h) bias
      expectClose(w.mean, sde.mean, { atol: 4 * Math.sqrt(sde.variance / n) + 0.01 * Math.abs(sde.mean - dir.muC) }, `em mean[${k}]`);
      expectClose(w2.mean, sde.variance, { atol: 4 * sde.variance * Math.sqrt(2 / n) + 0.01 * sde.variance }, `em variance[${k}]`);
      // …and it is the SDE's law, not the ODE's
      const ode = guidedGaussianMoments(dir, sched, { sigmaMin, sigmaMax });
      expect(Math.abs(w2.mean - ode.variance)).toBeGreaterThan(6 * sde.variance * Math.sqrt(2 / n));
    }
  });
});
