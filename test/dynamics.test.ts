import { describe, expect, it } from "vitest";
import { fromRows, type Batch } from "../src/batch.js";
import { deltas } from "../src/models/deltas.js";
import { gaussian } from "../src/models/gaussian.js";
import { createRng } from "../src/numeric/rng.js";
import { sigmasToTimes } from "../src/analysis/dynamics/schedule.js";
import { edmSigmas, logSigmas } from "../src/noise/grid.js";
import { sampleEuler, sampleHeun, sampleRK4 } from "../src/analysis/dynamics/ode.js";
import { sampleDdim, sampleEulerMaruyama } from "../src/analysis/dynamics/sde.js";
import { dataMoments, exactNoisy, initialNoise, sampleRngs } from "../src/analysis/dynamics/initial.js";
import { pathwiseEntropyAlong } from "../src/analysis/dynamics/pathwise.js";
import { finiteTimeLyapunov, localSpectrum } from "../src/analysis/dynamics/lyapunov.js";
import { pathsReport } from "../src/cli/paths.js";
import { profileAt } from "../src/analysis/info/profile.js";
import type { SyncDenoiser } from "../src/models/types.js";
import { noiseProcess } from "../src/noise/process.js";
import { InfodynError } from "../src/errors.js";
import { expectAllClose, expectClose } from "./helpers.js";

// Σ = R diag(λ) Rᵀ with a known rotation, so the closed form needs no eigen-solver.
const lambda = [2.5, 0.3];
const theta = 0.6;
const R = [Math.cos(theta), -Math.sin(theta), Math.sin(theta), Math.cos(theta)]; // columns = eigenvectors
const mu = [1, -0.5];
const cov = new Float64Array(4);
for (let a = 0; a < 2; a++) for (let b = 0; b < 2; b++) cov[a * 2 + b] = lambda[0] * R[a * 2] * R[b * 2] + lambda[1] * R[a * 2 + 1] * R[b * 2 + 1];
const g = gaussian(Float64Array.from(mu), cov);

/** x(σ) = μ + (Σ+σ²I)^{1/2}(Σ+σ_max²I)^{−1/2}(x0 − μ), in the eigenbasis of Σ. */
function exactFlow(x0: ArrayLike<number>, sigmaMax: number, sigma: number): number[] {
  const u = [0, 1].map((j) => R[j] * (x0[0] - mu[0]) + R[2 + j] * (x0[1] - mu[1]));
  const v = u.map((uj, j) => uj * Math.sqrt((lambda[j] + sigma ** 2) / (lambda[j] + sigmaMax ** 2)));
  return [0, 1].map((a) => mu[a] + R[a * 2] * v[0] + R[a * 2 + 1] * v[1]);
}

const sMax = 5;
const sMin = 0.05;
const probe = fromRows([mu, [mu[0] + 1, mu[1]], [mu[0], mu[1] + 1], [mu[0] - 7, mu[1] + 4]]);
function globalError(sampler: typeof sampleEuler, n: number): number {
  const out = sampler(g, probe, edmSigmas(n, sMin, sMax));
  let err = 0;
  for (let r = 0; r < probe.rows; r++) {
    const want = exactFlow(probe.data.subarray(2 * r, 2 * r + 2), sMax, sMin);
    for (let a = 0; a < 2; a++) err = Math.max(err, Math.abs(out.data[2 * r + a] - want[a]));
  }
  return err;
}
function slope(ns: number[], errs: number[]): number {
  const xs = ns.map(Math.log);
  const ys = errs.map(Math.log);
  const mx = xs.reduce((a, b) => a + b) / xs.length;
  const my = ys.reduce((a, b) => a + b) / ys.length;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < xs.length; i++) {
    sxy += (xs[i] - mx) * (ys[i] - my);
    sxx += (xs[i] - mx) ** 2;
  }
  return -sxy / sxx;
}


describe("σ schedules", () => {
  it("edmSigmas follows Karras eq. 5 at an interior level and hits both ends exactly", () => {
    const s = edmSigmas(5, 0.002, 80, 7, { zero: true });
    expect(s.length).toBe(6);
    expect([s[0], s[4], s[5]]).toEqual([80, 0.002, 0]);
    const a = 80 ** (1 / 7);
    const b = 0.002 ** (1 / 7);
    expectClose(s[2], (a + 0.5 * (b - a)) ** 7, { rtol: 1e-15 }, "σ_2");
  });
  it("logSigmas has a constant ratio between levels (1e-14)", () => {
    const s = logSigmas(5, 0.01, 100);
    for (let i = 1; i < 5; i++) expectClose(s[i] / s[i - 1], 0.1, { rtol: 1e-14 }, `ratio ${i}`);
  });
  it("sigmasToTimes inverts each process's σ(t) (1e-12)", () => {
    const s = logSigmas(7, 0.05, 20);
    for (const name of ["ve", "edm", "vp-linear", "vp-cosine"] as const) {
      const p = noiseProcess(name);
      const t = sigmasToTimes(s, p);
      for (let i = 0; i < s.length; i++) expectClose(p.sigma(t[i]), s[i], { rtol: 1e-12 }, `${name} σ(t(σ_${i}))`);
    }
  });
  it("samplers reject a grid that does not descend, or has a 0 before the end, naming the offending entry", () => {
    const x = fromRows([[0, 0]]);
    expect(() => sampleEuler(g, x, [1, 2])).toThrow(/sigmas\[1\]/);
    expect(() => sampleEuler(g, x, [1, 0, 0])).toThrow(InfodynError);
    expect(() => sampleEulerMaruyama(g, x, [1, 0.5])).toThrow(/rng/);
  });
});

describe("probability-flow ODE samplers on a Gaussian N(μ, Σ)", () => {
  // Global error at σ_min on a grid family (EDM ρ = 7), fitted over step counts where the error is well above
  // rounding; expected slopes 1, 2, 4 within ±0.15 (pre-asymptotic curvature of the fit).
  for (const [name, sampler, ns, order] of [
    ["Euler", sampleEuler, [25, 50, 100, 200, 400], 1],
    ["Heun", sampleHeun, [25, 50, 100, 200, 400], 2],
    ["RK4", sampleRK4, [25, 50, 100, 200], 4],
  ] as const) {
    it(`${name} converges to the closed-form flow x(σ) = μ + (Σ+σ²I)^½(Σ+σ_max²I)^−½(x₀ − μ) with order ${order} ± 0.15`, () => {
      const errs = ns.map((n) => globalError(sampler, n));
      const p = slope([...ns], errs);
      console.log(`convergence order ${name}: ${p.toFixed(4)} (errors ${errs.map((e) => e.toExponential(2)).join(", ")})`);
      expectClose(p, order, { atol: 0.15 }, `${name} order`);
    });
  }

  it("RK4 maps the law N(μ, Σ + σ_max²I) onto N(μ, Σ + σ_min²I): mean and covariance pushed through the affine flow (1e-9)", () => {
    // The flow of a linear score is affine, x ↦ A x + b: b and A's columns from the images of μ and μ + e_k.
    const out = sampleRK4(g, probe, logSigmas(400, sMin, sMax));
    const A = [0, 1].map((a) => [0, 1].map((k) => out.data[2 * (k + 1) + a] - out.data[a]));
    const P = [0, 1].map((a) => [0, 1].map((b) => cov[a * 2 + b] + (a === b ? sMax ** 2 : 0)));
    for (let a = 0; a < 2; a++) {
      expectClose(out.data[a], mu[a], { atol: 1e-12 }, `mean[${a}]`);
      for (let b = 0; b < 2; b++) {
        let v = 0;
        for (let i = 0; i < 2; i++) for (let j = 0; j < 2; j++) v += A[a][i] * P[i][j] * A[b][j];
        expectClose(v, cov[a * 2 + b] + (a === b ? sMin ** 2 : 0), { atol: 1e-9 }, `cov[${a}][${b}]`);
      }
    }
  });

  it("samplers accept any Denoiser, and a final 0 is the step x ← D(x; σ_last) (Heun's correction skipped)", () => {
    const plain: SyncDenoiser = { dim: 2, denoise: (x, sigma) => g.denoise(x, sigma) };
    const grid = [3, 1, 0.2];
    for (const sampler of [sampleEuler, sampleHeun, sampleRK4]) {
      const atLast = sampler(plain, probe, grid);
      const withZero = sampler(plain, probe, [...grid, 0]);
      expectAllClose(withZero.data, g.denoise(atLast, 0.2).data, { atol: 1e-14 }, sampler.name);
    }
    expectAllClose(sampleDdim(plain, probe, [...grid, 0], { eta: 0 }).data, sampleEuler(plain, probe, [...grid, 0]).data, { atol: 1e-14 }, "DDIM η=0 = Euler");
  });
});

describe("stochastic samplers", () => {
  const three = deltas(fromRows([[-2], [0], [1.5]]), { weights: [0.2, 0.5, 0.3] });
  for (const [name, sampler] of [
    ["Euler–Maruyama", sampleEulerMaruyama],
    ["stochastic DDIM", sampleDdim],
  ] as const) {
    it(`${name} on deltas 0.2/0.5/0.3: the histogram of samples matches the weights (χ², 2 dof, < 13.8 = p 0.001)`, () => {
      const n = 4000;
      const sigmas = logSigmas(300, 0.01, 20);
      const x0 = initialNoise(n, 1, 20, 11, dataMoments(three));
      const out = sampler(three, x0, sigmas, { rng: createRng(12) });
      const counts = [0, 0, 0];
      const pts = [-2, 0, 1.5];
      for (let i = 0; i < n; i++) {
        const d = pts.map((p) => Math.abs(out.data[i] - p));
        counts[d.indexOf(Math.min(...d))]++;
      }
      const chi2 = [0.2, 0.5, 0.3].reduce((acc, w, j) => acc + (counts[j] - n * w) ** 2 / (n * w), 0);
      console.log(`${name} counts ${counts.join("/")} χ² = ${chi2.toFixed(3)}`);
      expect(chi2).toBeLessThan(13.8);
    });
  }
  it("sample i's trajectory does not depend on the batch size (per-sample streams)", () => {
    const three2 = deltas(fromRows([[-1], [1]]));
    const sigmas = logSigmas(30, 0.05, 4);
    const run = (n: number) => sampleEulerMaruyama(three2, initialNoise(n, 1, 4, 5), sigmas, { rng: createRng(6) });
    const small = run(3);
    const large = run(40);
    expect(Array.from(large.data.subarray(0, 3))).toEqual(Array.from(small.data));
    expect(sampleRngs(9, 2)[1].normal()).toBe(sampleRngs(9, 50)[1].normal());
  });
});

describe("pathwise entropy h(x_σ) along reverse-SDE paths", () => {
  // Every 10th level in 1-D; the triangle stops at σ = 0.3 and compares every 40th level (its 2-D quadrature
  // profile costs 0.1–6 s per σ below 0.5).
  for (const [name, model, sigmaMin, stride] of [
    ["three 1-D deltas 0.2/0.5/0.3", deltas(fromRows([[-2], [0], [1.5]]), { weights: [0.2, 0.5, 0.3] }), 0.05, 10],
    ["triangle", deltas(fromRows([[1, 0], [-0.5, Math.sqrt(3) / 2], [-0.5, -Math.sqrt(3) / 2]])), 0.3, 40],
  ] as const) {
    it(`${name}: started from the exact p_σmax, the mean of h equals H(y|x_σ) of the profile within 4 SE wherever H ≥ 0.01`, () => {
      // Where H(y|x_σ) ≪ 1 the mean is carried by rare paths (probability < 1/n) that n paths do not see, so the
      // sample SE no longer describes the error; the comparison stops at H = 0.01 nats.
      const sigmas = logSigmas(301, sigmaMin, 4);
      const p = pathwiseEntropyAlong(model, sigmas, { n: 3000, seed: 3 });
      let worst = 0;
      for (let i = 0; i < p.sigma.length; i += stride) {
        const want = profileAt(model, p.sigma[i]).conditionalEntropy!;
        if (want < 0.01) continue;
        const z = Math.abs(p.mean[i] - want) / p.standardError[i];
        worst = Math.max(worst, z);
        expect(z, `σ = ${p.sigma[i]}: mean ${p.mean[i]}, H ${want}, SE ${p.standardError[i]}`).toBeLessThan(4);
      }
      console.log(`pathwise entropy ${name}: largest deviation ${worst.toFixed(2)} SE`);
      expect(p.decisionSigma.every((s) => s >= sigmaMin && s <= 4)).toBe(true);
      expect(p.trajectories.length).toBe(8);
      expect(p.trajectories[0].rows).toBe(p.sigma.length);
    });
  }
  it("the variance of h across paths is the profile's Var h at the start (exact p_σmax) within 4 SE of a variance", () => {
    const model = deltas(fromRows([[-1], [1]]));
    const p = pathwiseEntropyAlong(model, logSigmas(50, 0.1, 1.2), { n: 4000, seed: 8 });
    const want = profileAt(model, 1.2).pathwiseEntropyVariance!;
    // SE of a sample variance ≈ √((m4 − v²)/n); h ∈ [0, log 2] so m4 ≤ v·(log 2)².
    const se = Math.sqrt((p.variance[0] * Math.LN2 ** 2) / 4000);
    expect(Math.abs(p.variance[0] - want)).toBeLessThan(4 * se);
  });
});

describe("Lyapunov spectra", () => {
  it("local spectrum: Gaussian J = −(Σ + σ²I)⁻¹ (eigenvalues −1/(λ_i + σ²)); two deltas at 0: (1/σ² − 1)/σ²", () => {
    const sigma = 0.7;
    expectAllClose(localSpectrum(g, [0.3, 2], sigma), lambda.map((l) => -1 / (l + sigma ** 2)).sort((a, b) => a - b), { rtol: 1e-13 }, "Gaussian");
    const two = deltas(fromRows([[-1], [1]]));
    expectAllClose(localSpectrum(two, [0], 0.5), [(1 / 0.25 - 1) / 0.25], { rtol: 1e-13 }, "two deltas");
  });

  it("Gaussian FTLE: Λ_i = ½ log((λ_i + σ²)/(λ_i + σ_max²)) / log(σ_max/σ) on diagonal Σ (RK4, 200 steps, 1e-8)", () => {
    const diag = gaussian(new Float64Array([0.5, 0]), new Float64Array([2.5, 0, 0, 0.3]));
    const sigmas = logSigmas(201, 0.05, 5);
    const f = finiteTimeLyapunov(diag, probe, sigmas, { method: "rk4" });
    const want = (l: number, s: number) => (0.5 * Math.log((l + s * s) / (l + 25))) / Math.log(5 / s);
    for (let r = 0; r < probe.rows; r++) expectAllClose(f.exponents.subarray(2 * r, 2 * r + 2), lambda.map((l) => want(l, 0.05)), { atol: 1e-8 }, `row ${r}`);
    for (const i of [50, 100, 200]) expectAllClose(f.meanCumulative.subarray(2 * i, 2 * i + 2), lambda.map((l) => want(l, sigmas[i])), { atol: 1e-8 }, `σ_${i}`);
  });

  it("rotated Gaussian: first direction grows as ‖M e₁‖ and the sum as log det M, M = R diag(((λ+σ²)/(λ+σ_max²))^½) Rᵀ (1e-8)", () => {
    const f = finiteTimeLyapunov(g, probe, logSigmas(201, sMin, sMax), { method: "rk4" });
    const gain = lambda.map((l) => Math.sqrt((l + sMin ** 2) / (l + sMax ** 2)));
    const Me1 = [0, 1].map((a) => R[a * 2] * gain[0] * R[0] + R[a * 2 + 1] * gain[1] * R[1]);
    const span = Math.log(sMax / sMin);
    expectClose(f.exponents[0] * span, Math.log(Math.hypot(Me1[0], Me1[1])), { atol: 1e-8 }, "log‖M e₁‖");
    expectClose((f.exponents[0] + f.exponents[1]) * span, Math.log(gain[0] * gain[1]), { atol: 1e-8 }, "log det M");
  });

  for (const [name, model] of [
    ["two deltas ±1", deltas(fromRows([[-1], [1]]))],
    ["triangle", deltas(fromRows([[1, 0], [-0.5, Math.sqrt(3) / 2], [-0.5, -Math.sqrt(3) / 2]]))],
  ] as const) {
    it(`${name}: tangent growth equals finite differences of nearby trajectories (δ₀ = 1e-6, QR of the difference Jacobian, 1e-6)`, () => {
      const D = model.dim;
      const sigmas = logSigmas(121, 0.1, 3);
      const x0 = initialNoise(4, D, 3, 21);
      const f = finiteTimeLyapunov(model, x0, sigmas, { method: "heun" });
      expectAllClose(f.x.data, sampleHeun(model, x0, sigmas).data, { atol: 1e-12 }, "same states as sampleHeun");
      const span = Math.log(3 / 0.1);
      const d0 = 1e-6;
      for (let r = 0; r < x0.rows; r++) {
        // Central-difference Jacobian of the discrete flow map, column k from ±δ₀ e_k.
        const M: number[][] = Array.from({ length: D }, () => new Array(D).fill(0));
        for (let k = 0; k < D; k++) {
          const pm = fromRows([0, 1].map((s) => Array.from(x0.data.subarray(r * D, (r + 1) * D), (v, a) => v + (a === k ? (s ? d0 : -d0) : 0))));
          const out = sampleHeun(model, pm, sigmas);
          for (let a = 0; a < D; a++) M[a][k] = (out.data[D + a] - out.data[a]) / (2 * d0);
        }
        // Gram–Schmidt of M's columns: log|R_jj| = accumulated growth of direction j.
        const Q = M.map((row) => [...row]);
        for (let j = 0; j < D; j++) {
          for (let q = 0; q < j; q++) {
            const dot = Q.reduce((acc, row) => acc + row[q] * row[j], 0);
            for (const row of Q) row[j] -= dot * row[q];
          }
          const norm = Math.sqrt(Q.reduce((acc, row) => acc + row[j] ** 2, 0));
          for (const row of Q) row[j] /= norm;
          expectClose(f.exponents[r * D + j] * span, Math.log(norm), { atol: 1e-6 }, `row ${r} direction ${j}`);
        }
      }
    });
  }
});

describe("pathsReport (the JSON of `infodyn paths`)", () => {
  const two = deltas(fromRows([[-1], [1]]));
  it("two deltas: arrays aligned with σ, decision counts sum to n and peak where Var h peaks; trajectories do not depend on n", () => {
    const r = pathsReport(two, { n: 400, steps: 120, sigmaMin: 0.05, sigmaMax: 5, seed: 4 }) as any;
    expect(Object.keys(r)).toEqual(expect.arrayContaining(["sigma", "sampler", "pathwiseEntropy", "decisionSigma", "lyapunov", "trajectories"]));
    expect(r.sigma.length).toBe(121);
    expect(r.pathwiseEntropy.mean.length).toBe(121);
    expect(r.pathwiseEntropy.variance.length).toBe(121);
    expect(r.decisionSigma.edges.length).toBe(r.decisionSigma.counts.length + 1);
    expect(r.decisionSigma.counts.reduce((a: number, b: number) => a + b, 0)).toBe(400);
    expect(r.lyapunov.sigma.length).toBe(50); // its own grid: lyapunovSteps defaults to min(steps, 50)
    expect(r.lyapunov.exponents[0].length).toBe(1);
    expect(r.trajectories.length).toBe(8);
    expect(r.trajectories[0].length).toBe(121);
    expect(JSON.parse(JSON.stringify(r))).toEqual(r);
    // The modal decision bin lies within a factor 2 of the profile's Var h peak (≈ 0.6 for ±1).
    const c: number[] = r.decisionSigma.counts;
    const j = c.indexOf(Math.max(...c));
    const mid = Math.sqrt(r.decisionSigma.edges[j] * r.decisionSigma.edges[j + 1]);
    const v: number[] = r.pathwiseEntropy.variance;
    const peak = r.sigma[v.indexOf(Math.max(...v))];
    console.log(`decision mode σ ≈ ${mid.toFixed(3)}, Var h peak σ ≈ ${peak.toFixed(3)}`);
    expect(mid / peak).toBeGreaterThan(0.5);
    expect(mid / peak).toBeLessThan(2);
    const again = pathsReport(two, { n: 30, steps: 120, sigmaMin: 0.05, sigmaMax: 5, seed: 4 }) as any;
    expect(again.trajectories).toEqual(r.trajectories);
  });
  it("diagonal Gaussian (rk4): no pathwise entropy, and the reported exponents are the closed form ½ log((λ+σ²)/(λ+σ_max²))/log(σ_max/σ) (1e-8)", () => {
    const diag = gaussian(new Float64Array([0, 0]), new Float64Array([2.5, 0, 0, 0.3]));
    const r = pathsReport(diag, { sampler: "rk4", n: 5, steps: 200, lyapunovSteps: 200, sigmaMin: 0.05, sigmaMax: 5 }) as any;
    expect(r.pathwiseEntropy).toBeUndefined();
    r.lyapunov.sigma.forEach((s: number, i: number) =>
      expectAllClose(r.lyapunov.exponents[i], lambda.map((l) => (0.5 * Math.log((l + s * s) / (l + 25))) / Math.log(5 / s)), { atol: 1e-8 }, `σ = ${s}`),
    );
  });
  it("rejects an unknown sampler and an inverted σ range, naming the option", () => {
    expect(() => pathsReport(two, { sampler: "leapfrog" as never })).toThrow(/sampler/);
    expect(() => pathsReport(two, { sigmaMin: 2, sigmaMax: 1 })).toThrow(/sigmaMax/);
  });
});
