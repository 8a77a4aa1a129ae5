import { describe, expect, it } from "vitest";
import { fromRows, zeros } from "../src/batch.js";
import { guidedDenoiser, guidedDenoise, sampleGuided } from "../src/analysis/guidance/guided.js";
import { checkSchedule, gammaOf, gridWithEdges, guidanceWeight, stepWeight, weightOfGamma, type GuidanceSchedule } from "../src/analysis/guidance/schedule.js";
import { classMoments, classSample } from "../src/analysis/guidance/class-law.js";
import { gaussianFitKl, jackknife, knnEntropy } from "../src/analysis/guidance/stats.js";
import { sampleHeun } from "../src/analysis/dynamics/ode.js";
import { exactNoisy } from "../src/analysis/dynamics/initial.js";
import { gmm } from "../src/models/gmm.js";
import { deltas } from "../src/models/deltas.js";
import { logSigmas } from "../src/noise/grid.js";
import { gaussHermite } from "../src/numeric/quadrature.js";
import { createRng, type Rng } from "../src/numeric/rng.js";
import { drive } from "../src/score/program.js";
import { InfodynError } from "../src/errors.js";
import { expectClose } from "./helpers.js";

const twoClass = gmm(
  [
    { weight: 0.6, mean: [-1.2], variance: 0.3 },
    { weight: 0.4, mean: [1.0], variance: 0.5 },
  ],
  ["left", "right"],
);

describe("guidance schedules (our w; the papers' γ = w − 1)", () => {
  it("gives w on half-open windows lo < σ ≤ hi and w outside", () => {
    const s: GuidanceSchedule = { type: "windows", w: 1, windows: [{ lo: 0.5, hi: 2, w: 3 }, { lo: 0, hi: 0.1, w: -1 }] };
    expect(guidanceWeight(s, 2)).toBe(3);
    expect(guidanceWeight(s, 0.5)).toBe(1);
    expect(guidanceWeight(s, 0.05)).toBe(-1);
    expect(guidanceWeight(s, 5)).toBe(1);
    expect(gammaOf(3)).toBe(2);
    expect(weightOfGamma(-1)).toBe(0);
  });

  it("the linear schedule is γ(t) = γ₀ + ωt with t = σ² (w = 1 + γ)", () => {
    expect(guidanceWeight({ type: "linear", gamma0: -0.5, omega: 2 }, 3)).toBe(1 - 0.5 + 18);
  });

  it("a step takes the w of the piece holding its interior, whichever stage sits on an edge", () => {
    const s: GuidanceSchedule = { type: "windows", w: 1, windows: [{ lo: 0.5, hi: 2, w: 3 }] };
    expect(stepWeight(s, 2, 1, 2)).toBe(3); // first stage on the upper edge, the step inside
    expect(stepWeight(s, 4, 2, 2)).toBe(1); // second stage on the edge, the step above it
    expect(stepWeight(s, 0.5, 0, 0.5)).toBe(1); // the final step to 0 below the window
  });

  it("inserts window edges into a grid", () => {
    const s: GuidanceSchedule = { type: "windows", w: 1, windows: [{ lo: 0.5, hi: 2, w: 3 }] };
    expect(Array.from(gridWithEdges([4, 1, 0.25, 0], s))).toEqual([4, 2, 1, 0.5, 0.25, 0]);
    expect(Array.from(gridWithEdges([4, 2, 1], s))).toEqual([4, 2, 1]);
  });

  it("refuses overlapping windows and non-finite weights naming the field", () => {
    expect(() => checkSchedule({ type: "windows", w: 1, windows: [{ lo: 0, hi: 2, w: 3 }, { lo: 1, hi: 3, w: 2 }] })).toThrow(/windows\[1\].*overlaps windows\[0\]/);
    expect(() => checkSchedule({ type: "constant", w: NaN })).toThrow(InfodynError);
    expect(() => checkSchedule({ type: "windows", w: 1, windows: [{ lo: 2, hi: 1, w: 3 }] })).toThrow(/windows\[0\]/);
  });
});

describe("the guided denoiser D_w = D + w(D_c − D) (THEORY.md §9.2)", () => {
  const x = fromRows([[-0.3], [0.4], [1.5]]);
  const cond = (c: number) => twoClass.denoise(x, 0.7, { labels: new Int32Array(3).fill(c) }).data;
  it("is the unconditional denoiser at w = 0, the conditional at w = 1, and linear in w", () => {
    const u = twoClass.denoise(x, 0.7).data;
    const c = cond(1);
    for (const w of [0, 1, 2.5, -0.5]) {
      const got = guidedDenoiser(twoClass, 1, { type: "constant", w }).denoise(x, 0.7).data;
      for (let i = 0; i < 3; i++) expectClose(got[i], u[i] + w * (c[i] - u[i]), { rtol: 1e-14, atol: 1e-15 }, `w = ${w}, row ${i}`);
    }
  });

  it("equals s_c + γ ∇log p(c|x) in score form, ∇log p(c|x) = (m_c − m)/σ² by finite differences of log p(c|x)", () => {
    const sigma = 0.7;
    const gamma = 1.7;
    const got = guidedDenoiser(twoClass, 1, { type: "constant", w: 1 + gamma }).denoise(x, sigma).data;
    const c = cond(1);
    const h = 1e-5;
    for (let i = 0; i < 3; i++) {
      const lp = (v: number) => Math.log(twoClass.posterior(fromRows([[v]]), sigma, { classProbs: true }).classProbs![1]);
      const grad = (lp(x.data[i] + h) - lp(x.data[i] - h)) / (2 * h);
      const scoreW = (got[i] - x.data[i]) / sigma ** 2;
      const scoreC = (c[i] - x.data[i]) / sigma ** 2;
      expectClose(scoreW, scoreC + gamma * grad, { rtol: 1e-7 }, `row ${i}`);
    }
  });

  it("takes a per-row σ and a per-row w, and asks one batch of 2n rows", () => {
    const sig = Float64Array.of(0.3, 0.7, 2);
    let calls = 0;
    const counting = { dim: 1, numClasses: 2, denoise: (b: typeof x, s: number | Float64Array, cond?: { labels?: Int32Array }) => (calls++, expect(b.rows).toBe(6), twoClass.denoise(b, s, cond)) };
    const got = drive(guidedDenoise(x, sig, 0, Float64Array.of(0, 1, 3)), counting).data;
    expect(calls).toBe(1);
    for (let i = 0; i < 3; i++) {
      const xi = fromRows([[x.data[i]]]);
      const u = twoClass.denoise(xi, sig[i]).data[0];
      const c = twoClass.denoise(xi, sig[i], { labels: Int32Array.of(0) }).data[0];
      expectClose(got[i], u + [0, 1, 3][i] * (c - u), { rtol: 1e-14 });
    }
  });

  it("runs on an asynchronous denoiser (a network) and gives the same samples", async () => {
    const asyncModel = { dim: 1, numClasses: 2, denoise: (b: typeof x, s: number | Float64Array, cond?: { labels?: Int32Array }) => Promise.resolve(twoClass.denoise(b, s, cond)) };
    const grid = logSigmas(30, 0.01, 10, { zero: true });
    const x0 = exactNoisy(twoClass, 16, 10, 3);
    const schedule: GuidanceSchedule = { type: "windows", w: 1, windows: [{ lo: 0.3, hi: 1.5, w: 4 }] };
    const sync = sampleGuided(twoClass, x0, grid, { label: 0, schedule, sampler: "em", rng: createRng(2) });
    const asyn = await sampleGuided(asyncModel, x0, grid, { label: 0, schedule, sampler: "em", rng: createRng(2) });
    expect(Array.from(asyn.data)).toEqual(Array.from(sync.data));
  });

  it("as a Denoiser, under the registry's Heun sampler, matches the guided Heun sampler for constant w", () => {
    const grid = logSigmas(40, 0.01, 10, { zero: true });
    const x0 = exactNoisy(twoClass, 8, 10, 1);
    const a = sampleHeun(guidedDenoiser(twoClass, 1, { type: "constant", w: 2 }), x0, grid);
    const b = sampleGuided(twoClass, x0, grid, { label: 1, schedule: { type: "constant", w: 2 }, sampler: "heun" });
    for (let i = 0; i < 8; i++) expectClose(a.data[i], b.data[i], { rtol: 1e-12, atol: 1e-12 });
  });
});

describe("guided sampling on a labelled mixture", () => {
  const grid = logSigmas(200, 0.01, 20, { zero: true });
  const n = 4000;
  const x0 = exactNoisy(twoClass, n, 20, 11);
  const moments = (b: { data: Float64Array }) => {
    let m = 0;
    for (const v of b.data) m += v / b.data.length;
    let v2 = 0;
    for (const v of b.data) v2 += (v - m) ** 2 / (b.data.length - 1);
    return { m, v: v2 };
  };

  it("w = 1 samples the class law and w = 0 the unconditional law (ODE, within Monte Carlo error)", () => {
    const law = classMoments(twoClass, 1);
    const c = moments(sampleGuided(twoClass, x0, grid, { label: 1, schedule: { type: "constant", w: 1 } }));
    // the start p_σmax carries I(c; x_20) ≈ 0.004 nats of class information, ignored at w = 1: a bias far below MC error
    expectClose(c.m, law.mean[0], { atol: 4 * Math.sqrt(law.cov[0] / n) }, "class mean");
    expectClose(c.v, law.cov[0], { atol: 4 * law.cov[0] * Math.sqrt(2 / n) }, "class variance");
    const u = moments(sampleGuided(twoClass, x0, grid, { label: 1, schedule: { type: "constant", w: 0 } }));
    const mu = 0.6 * -1.2 + 0.4 * 1.0;
    const vu = 0.6 * (0.3 + 1.44) + 0.4 * (0.5 + 1) - mu * mu;
    expectClose(u.m, mu, { atol: 4 * Math.sqrt(vu / n) }, "unconditional mean");
    expectClose(u.v, vu, { atol: 5 * vu * Math.sqrt(3 / n) }, "unconditional variance");
  });

  it("w > 1 moves the mean away from the other class and shrinks the variance (THEORY.md §9.2)", () => {
    const law = classMoments(twoClass, 1);
    const g = moments(sampleGuided(twoClass, x0, grid, { label: 1, schedule: { type: "constant", w: 3 } }));
    expect(g.m).toBeGreaterThan(law.mean[0] + 0.1);
    expect(g.v).toBeLessThan(0.8 * law.cov[0]);
  });

  it("rejects a label the model does not have", () => {
    expect(() => sampleGuided(twoClass, x0, grid, { label: 2, schedule: { type: "constant", w: 2 } })).toThrow(/class: 2/);
  });
});

describe("the class-information rate under guidance: E[d log p(c|x)] = (1 + 2γ) σ‖∇log p(c|x)‖² |dσ| (THEORY.md §9.3)", () => {
  // One Euler–Maruyama step of the guided SDE from σ to σ', averaged over ξ by 60-point Gauss–Hermite: each row
  // of the batch is one node, its Rng returning the node.
  const gh = gaussHermite(60);
  const fixedRng = (z: number): Rng => ({ normal: () => z }) as unknown as Rng;
  const logp = (x: Float64Array, s: number, c: number) => {
    const p = twoClass.posterior({ rows: x.length, dim: 1, data: x }, s, { classProbs: true }).classProbs!;
    return Float64Array.from({ length: x.length }, (_, i) => Math.log(p[i * 2 + c]));
  };
  for (const gamma of [0, 1, -1, 2.5])
    it(`holds for γ = ${gamma} as the step shrinks (error O(Δσ²))`, () => {
      const x = 0.1;
      const sigma = 0.9;
      const c = 1;
      const gradLog = (() => {
        const m = twoClass.denoise(fromRows([[x]]), sigma).data[0];
        const mc = twoClass.denoise(fromRows([[x]]), sigma, { labels: Int32Array.of(c) }).data[0];
        return (mc - m) / sigma ** 2;
      })();
      const ratio = (dsigma: number) => {
        const x0 = zeros(gh.nodes.length, 1).data.fill(x);
        const out = sampleGuided(twoClass, { rows: gh.nodes.length, dim: 1, data: x0 }, [sigma, sigma - dsigma], {
          label: c,
          schedule: { type: "constant", w: 1 + gamma },
          sampler: "em",
          rng: Array.from(gh.nodes, (z) => fixedRng(z)),
        });
        const after = logp(out.data, sigma - dsigma, c);
        const before = logp(Float64Array.of(x), sigma, c)[0];
        let e = 0;
        for (let i = 0; i < gh.nodes.length; i++) e += gh.weights[i] * (after[i] - before);
        return e / ((1 + 2 * gamma) * sigma * gradLog ** 2 * dsigma);
      };
      const r1 = ratio(2e-3);
      const r2 = ratio(1e-3);
      expectClose(2 * r2 - r1, 1, { atol: 2e-3 }, "Richardson-extrapolated ratio");
      expectClose(r2, 1, { atol: 0.05 }, "ratio at Δσ = 1e-3");
    });
});

describe("statistics of the guided law", () => {
  it("the Kozachenko–Leonenko entropy of N(0, I₂) draws is log(2πe) within its error", () => {
    const rng = createRng(4);
    const n = 3000;
    const data = Float64Array.from({ length: 2 * n }, () => rng.normal());
    const all = Int32Array.from({ length: n }, (_, i) => i);
    expectClose(knnEntropy(data, 2, all), Math.log(2 * Math.PI * Math.E), { atol: 0.05 });
  });

  it("the Gaussian-fit KL is zero at the class law and matches the 1-D formula", () => {
    expectClose(gaussianFitKl(Float64Array.of(0, 1), Float64Array.of(2, 0.5, 0.5, 1), Float64Array.of(0, 1), Float64Array.of(2, 0.5, 0.5, 1), 2), 0, { atol: 1e-14 });
    expectClose(gaussianFitKl(Float64Array.of(1.5), Float64Array.of(0.25), Float64Array.of(1), Float64Array.of(1), 1), 0.5 * (0.25 - 1 - Math.log(0.25) + 0.25), { rtol: 1e-14 });
  });

  it("the jackknife standard error of a mean is sd/√n", () => {
    const rng = createRng(6);
    const v = Float64Array.from({ length: 2000 }, () => rng.normal());
    const e = jackknife(2000, 2000, (idx) => idx.reduce((a, i) => a + v[i], 0) / idx.length);
    const mean = v.reduce((a, b) => a + b, 0) / 2000;
    const sd = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / 1999);
    expectClose(e.standardError, sd / Math.sqrt(2000), { rtol: 1e-9 });
  });

  it("class draws and moments agree for a labelled deltas model", () => {
    const model = deltas(fromRows([[-1], [0], [2], [3]]), { labels: [0, 0, 1, 1], weights: [1, 3, 1, 1] });
    const m = classMoments(model, 0);
    expectClose(m.mean[0], -0.25, { rtol: 1e-15 });
    expectClose(m.cov[0], 0.25 * 0.75 ** 2 + 0.75 * 0.25 ** 2, { rtol: 1e-14 });
    const draws = classSample(model, 0, 4000, createRng(1)).data;
    expect(draws.every((v) => v === -1 || v === 0)).toBe(true);
  });
});
