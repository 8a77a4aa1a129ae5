import { describe, expect, it } from "vitest";
import { twoClassEntropy } from "./helpers.js";
import { fromRows } from "../src/batch.js";
import { classProfileFromRates, denoiserClassProfile, denoiserClassRates } from "../src/analysis/info/class-rate.js";
import { onlineClassifier } from "../src/analysis/info/online-classifier.js";
import { sampleEulerMaruyama } from "../src/analysis/dynamics/sde.js";
import { profileAt } from "../src/analysis/info/profile.js";
import { deltas } from "../src/models/deltas.js";
import { parseModel } from "../src/models/parse.js";
import type { Conditioning, Denoiser } from "../src/models/types.js";
import { ascending, logSigmas } from "../src/noise/grid.js";
import { createRng } from "../src/numeric/rng.js";

// Two classes N(±μ, s² I) in D = 2 with equal weights (THEORY.md §9.3): H(c|x_σ) = E_{v∼N(2q, 4q)} log(1 + e^{−v}),
// q = ‖μ‖²/(s² + σ²) — a closed form that shares nothing with the code (a 1-D integral by a fine trapezoid rule).
const MU = [1.2, 0.5];
const S2 = 0.3;
const twoClasses = () =>
  parseModel({
    kind: "gmm",
    components: [
      { weight: 0.5, mean: MU, variance: S2, label: "a" },
      { weight: 0.5, mean: MU.map((m) => -m), variance: S2, label: "b" },
    ],
  });

const closedClassEntropy = (sigma: number) => twoClassEntropy(MU, S2, sigma);

/** dH(c|x_σ)/dσ of the closed form by a central difference (step 1e-4 σ: truncation ~1e-8 relative). */
const closedClassRate = (sigma: number) => (closedClassEntropy(sigma * (1 + 1e-4)) - closedClassEntropy(sigma * (1 - 1e-4))) / (2e-4 * sigma);

describe("the class-entropy rate from conditional and unconditional denoisers (THEORY.md §9.3)", () => {
  const model = twoClasses();
  const sample = model.sampleLabelled!(4000, createRng(3));

  it("agrees with the closed form of two Gaussian classes at σ = 0.3, 1, 3 (within 4 standard errors)", () => {
    for (const sigma of [0.3, 1, 3]) {
      const r = denoiserClassRates(model, sample.points, sample.labels, sigma, { seed: 5, noiseDraws: 2 });
      const exact = closedClassRate(sigma);
      expect(Math.abs(r.classEntropyRate.value - exact)).toBeLessThan(4 * r.classEntropyRate.standardError);
      // and the standard error is small enough for the check to mean something (a few % of the value)
      expect(r.classEntropyRate.standardError).toBeLessThan(0.1 * exact);
    }
  });

  it("agrees with the exact profile's between-class route on a labelled delta set", () => {
    const pts = fromRows([[-1, 0], [-0.6, 0.4], [0.8, 0.1], [1.1, -0.5], [0.1, 1.2], [0.3, 1.5]]);
    const m = deltas(pts, { labels: [0, 0, 1, 1, 2, 2], weights: [1, 2, 1, 1, 3, 1] });
    const s = m.sampleLabelled!(6000, createRng(9));
    for (const sigma of [0.2, 0.6, 1.5]) {
      const r = denoiserClassRates(m, s.points, s.labels, sigma, { seed: 2 });
      const exact = profileAt(m, sigma).classEntropyRate!;
      expect(Math.abs(r.classEntropyRate.value - exact)).toBeLessThan(4 * r.classEntropyRate.standardError + 1e-3 * exact);
    }
  });

  it("integrates to H(c|x_σ) of the closed form, from H(c) = log 2 at the top down the grid", () => {
    const sigmas = Array.from(ascending(logSigmas(41, 0.1, 30)));
    const p = denoiserClassProfile(model, sample.points, sample.labels, sigmas, { seed: 1 });
    expect(p.labelEntropy).toBeCloseTo(Math.log(2), 2); // the sample's frequencies, not exactly ½
    for (const i of [0, 10, 20, 30]) {
      const exact = closedClassEntropy(sigmas[i]) - (Math.log(2) - p.labelEntropy);
      // the SE bound, plus the trapezoid error of 41 log-levels on a smooth curve (≲ 2e-3 nats)
      expect(Math.abs(p.classEntropy[i].value - exact)).toBeLessThan(4 * p.classEntropy[i].standardError + 2e-3);
    }
    // the rate's peak is where q = O(1): the closed form's grid argmax lies in the bracket
    const closed = sigmas.map(closedClassRate);
    const k = closed.indexOf(Math.max(...closed));
    expect(p.peak!.low).toBeLessThanOrEqual(sigmas[k]);
    expect(p.peak!.high).toBeGreaterThanOrEqual(sigmas[k]);
  });

  it("the tail above σ_max is B/(2σ_max²), B the between-class variance", () => {
    const pts = fromRows([[-2], [2]]);
    const labels = Int32Array.from([0, 1]);
    const p = classProfileFromRates([{ sigma: 100, samples: 2, classEntropyRate: { value: 0, standardError: 0 } }], pts, labels);
    expect(p.betweenClassVariance).toBeCloseTo(4, 12);
    expect(p.classEntropy[0].value).toBeCloseTo(Math.log(2) - 4 / (2 * 100 * 100), 12);
  });

  it("is the same number on any batch size and refuses unlabelled samples", () => {
    const a = denoiserClassRates(model, sample.points, sample.labels, 1, { seed: 4, batchSize: 4096 });
    const b = denoiserClassRates(model, sample.points, sample.labels, 1, { seed: 4, batchSize: 333 });
    expect(b.classEntropyRate.value).toBe(a.classEntropyRate.value);
    const bad = Int32Array.from(sample.labels);
    bad[7] = -1;
    expect(() => denoiserClassRates(model, sample.points, bad, 1)).toThrow(/labels\[7\]/);
  });

  it("runs on an asynchronous denoiser to the same numbers", async () => {
    const net: Denoiser = { dim: 2, denoise: async (x, s, c?: Conditioning) => model.denoise(x, s, c) };
    const a = denoiserClassRates(model, sample.points, sample.labels, 0.7, { seed: 4 });
    const b = await denoiserClassRates(net, sample.points, sample.labels, 0.7, { seed: 4 });
    expect(b.classEntropyRate.value).toBe(a.classEntropyRate.value);
  });
});

describe("the online Bayes classifier along reverse paths (THEORY.md §9.3)", () => {
  it("its path-average entropy is H(c|x_σ) of the closed form at every level (two Gaussian classes)", () => {
    const model = twoClasses();
    const sigmaMax = 30;
    const n = 3000;
    const rng = createRng(11);
    // x_σmax ∼ p_σmax: a data draw plus σ_max noise
    const y = model.sample(n, rng.fork());
    const noise = rng.fork();
    for (let k = 0; k < y.data.length; k++) y.data[k] += sigmaMax * noise.normal();
    const grid = logSigmas(401, 0.05, sigmaMax);
    const r = onlineClassifier(model, y, grid, 2, { rng: rng.fork(), prior: [0.5, 0.5] });
    for (const i of [100, 200, 300, 400]) {
      const exact = closedClassEntropy(grid[i]);
      // path spread, plus the Euler–Maruyama kernels' bias at 400 steps over 6.4 e-folds of σ (measured ≲ 0.01 nats)
      expect(Math.abs(r.classEntropy[i].value - exact)).toBeLessThan(4 * r.classEntropy[i].standardError + 0.01);
    }
    expect(r.classEntropy[0].value).toBeCloseTo(Math.log(2), 12);
  });

  it("each path's p(c|x) at the end converges to the exact class posterior of its state (labelled deltas) as the steps shrink", () => {
    const pts = fromRows([[-1, 0], [-0.2, 0.4], [0.8, 0.1], [1.1, -0.5]]);
    const m = deltas(pts, { labels: [0, 1, 0, 1] });
    const sigmaEnd = 0.4;
    const error = (steps: number) => {
      const rng = createRng(5);
      const x0 = m.sample(200, rng.fork());
      const nz = rng.fork();
      for (let k = 0; k < x0.data.length; k++) x0.data[k] += 20 * nz.normal();
      const r = onlineClassifier(m, x0, logSigmas(steps + 1, sigmaEnd, 20), 2, { rng: rng.fork(), prior: [0.5, 0.5] });
      // exact p(c|x) at σ_end from the model's own posterior weights over the points of each class, by brute force
      let total = 0;
      for (let i = 0; i < r.paths; i++) {
        const x = r.x.data.subarray(2 * i, 2 * i + 2);
        const w = [0, 1, 2, 3].map((j) => Math.exp(-((x[0] - pts.data[2 * j]) ** 2 + (x[1] - pts.data[2 * j + 1]) ** 2) / (2 * sigmaEnd ** 2)));
        const p0 = (w[0] + w[2]) / (w[0] + w[1] + w[2] + w[3]);
        total += Math.abs(r.probabilities[2 * i] - p0);
      }
      return total / r.paths;
    };
    // mean |p − p_exact| over the paths: strong order ½ in the step (measured 0.031, 0.019, 0.014, 0.011, 0.0106 at
    // 100, 200, 400, 800, 1600 steps), so 16× the steps must at least halve it
    const coarse = error(100);
    const fine = error(1600);
    expect(fine).toBeLessThan(0.02);
    expect(fine).toBeLessThan(coarse / 2);
  });

  it("its Euler–Maruyama steps are sampleEulerMaruyama's on the same streams (the paths command runs it along the sampler's paths)", () => {
    const m = twoClasses();
    const x0 = fromRows([[3, -1], [0.2, 0.1], [-2, 4]]);
    const grid = logSigmas(41, 0.1, 5);
    const a = onlineClassifier(m, x0, grid, 2, { rng: createRng(8) });
    const b = sampleEulerMaruyama(m, x0, grid, { rng: createRng(8) });
    for (let k = 0; k < b.data.length; k++) expect(Math.abs(a.x.data[k] - b.data[k])).toBeLessThan(1e-12 * (1 + Math.abs(b.data[k])));
  });

  it("refuses a grid ending at 0 and a prior of the wrong length", () => {
    const m = twoClasses();
    const x = fromRows([[0, 0]]);
    expect(() => onlineClassifier(m, x, [2, 1, 0], 2, { rng: createRng(1) })).toThrow(/positive last level/);
    expect(() => onlineClassifier(m, x, [2, 1], 2, { rng: createRng(1), prior: [1, 1, 1] })).toThrow(/prior/);
  });
});
