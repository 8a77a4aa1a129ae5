import { describe, expect, it } from "vitest";
import { fromRows, type Batch } from "../src/batch.js";
import { jsPosteriorKernel, type DeltaSet } from "../src/engine/kernel.js";
import { deltas } from "../src/models/deltas.js";
import { createRng } from "../src/numeric/rng.js";
import { expectClose } from "./helpers.js";

/** Independent naive posterior: arrays of arrays, full softmax with a max shift, two-pass moments. */
function naive(points: number[][], logw: number[], x: number[], sigma: number, labels?: number[], K = 0) {
  const l = points.map((y, j) => logw[j] - y.reduce((a, yk, k) => a + (x[k] - yk) ** 2, 0) / (2 * sigma * sigma));
  const M = Math.max(...l);
  const e = l.map((v) => Math.exp(v - M));
  const S = e.reduce((a, b) => a + b, 0);
  const w = e.map((v) => v / S);
  const D = x.length;
  const m = Array.from({ length: D }, (_, k) => points.reduce((a, y, j) => a + w[j] * y[k], 0));
  const tr = points.reduce((a, y, j) => a + w[j] * y.reduce((b, yk, k) => b + (yk - m[k]) ** 2, 0), 0);
  const h = -w.reduce((a, v) => a + (v > 0 ? v * Math.log(v) : 0), 0);
  const Y = w.reduce((a, v) => a + v * v, 0);
  const cls = new Array(K).fill(0);
  if (labels) w.forEach((v, j) => (cls[labels[j]] += v));
  return { m, tr, h, Y, cls, logZ: M + Math.log(S) };
}

function set(points: number[][], logw: number[], labels?: number[], K = 0): DeltaSet {
  const b = fromRows(points);
  return { n: b.rows, dim: b.dim, points: b.data, logWeights: Float64Array.from(logw), labels: labels ? Int32Array.from(labels) : undefined, numClasses: K };
}

describe("posterior kernel (deltas)", () => {
  it("matches an independent naive softmax on random weighted, labelled data (N = 60, D = 5) to 1e-13", () => {
    const rng = createRng(1);
    const N = 60;
    const D = 5;
    const K = 3;
    const points = Array.from({ length: N }, () => Array.from({ length: D }, () => rng.normal()));
    const raw = Array.from({ length: N }, () => rng.uniform() + 0.01);
    const tot = raw.reduce((a, b) => a + b, 0);
    const logw = raw.map((v) => Math.log(v / tot));
    const labels = Array.from({ length: N }, (_, j) => j % K);
    const xs = Array.from({ length: 8 }, () => Array.from({ length: D }, () => 2 * rng.normal()));
    for (const sigma of [0.1, 0.5, 1, 3]) {
      const r = jsPosteriorKernel(set(points, logw, labels, K), fromRows(xs), sigma, { entropy: true, participation: true, classProbs: true });
      xs.forEach((x, b) => {
        const want = naive(points, logw, x, sigma, labels, K);
        for (let k = 0; k < D; k++) expectClose(r.mean[b * D + k], want.m[k], { rtol: 1e-12, atol: 1e-14 }, `m σ=${sigma}`);
        expectClose(r.traceCov[b], want.tr, { rtol: 1e-11, atol: 1e-300 }, `TrC σ=${sigma}`);
        expectClose(r.entropy![b], want.h, { rtol: 1e-11, atol: 1e-14 }, `h σ=${sigma}`);
        expectClose(r.participation![b], want.Y, { rtol: 1e-12 }, `Y σ=${sigma}`);
        expectClose(r.logPartition[b], want.logZ, { rtol: 1e-13 }, `logZ σ=${sigma}`);
        for (let c = 0; c < K; c++) expectClose(r.classProbs![b * K + c], want.cls[c], { rtol: 1e-12, atol: 1e-15 }, `p(c) σ=${sigma}`);
      });
    }
  });

  it("two deltas ±1: m = tanh(x/σ²), Tr C = sech²(x/σ²), h = binary entropy, at σ from 1e-6 to 1e6", () => {
    const model = deltas(fromRows([[-1], [1]]));
    for (const sigma of [1e-6, 1e-3, 0.3, 1, 10, 1e3, 1e6]) {
      for (const a of [0, 0.01, 0.3, 2, 30]) {
        const x = a * sigma * sigma; // keep the logit x/σ² = a in a testable range
        const p = model.posterior(fromRows([[x]]), sigma, { entropy: true, participation: true });
        const t = Math.tanh(a);
        expectClose(p.mean.data[0], t, { rtol: 1e-14, atol: 1e-300 }, `m σ=${sigma} a=${a}`);
        // sech² = 1 − tanh², computed without cancellation as 4/(e^a + e^−a)²
        const sech2 = 4 / (Math.exp(a) + Math.exp(-a)) ** 2;
        expectClose(p.traceCov[0], sech2, { rtol: 1e-12, atol: 1e-300 }, `TrC σ=${sigma} a=${a}`);
        // binary entropy of w± = 1/(1+e^{∓2a}) via softplus: h = w₊·softplus(−2a) + w₋·softplus(2a)
        const sp = (u: number) => Math.max(u, 0) + Math.log1p(Math.exp(-Math.abs(u)));
        const wp = 1 / (1 + Math.exp(-2 * a));
        const wm = 1 / (1 + Math.exp(2 * a));
        const h = wp * sp(-2 * a) + wm * sp(2 * a);
        expectClose(p.entropy![0], h, { rtol: 1e-12, atol: 1e-300 }, `h σ=${sigma} a=${a}`);
        expectClose(p.participation![0], wp * wp + wm * wm, { rtol: 1e-14 }, `Y σ=${sigma} a=${a}`);
      }
    }
  });

  it("never returns NaN or 0/0 for far queries at σ = 1e-6 and σ = 1e6 (D = 4096)", () => {
    const rng = createRng(2);
    const N = 50;
    const D = 4096;
    const pts: Batch = { rows: N, dim: D, data: new Float64Array(N * D).map(() => rng.normal()) };
    const model = deltas(pts);
    const x: Batch = { rows: 2, dim: D, data: new Float64Array(2 * D).map(() => 100 * rng.normal()) };
    for (const sigma of [1e-6, 1, 1e6]) {
      const p = model.posterior(x, sigma, { entropy: true, participation: true });
      for (const v of [...p.mean.data, ...p.traceCov, ...p.entropy!, ...p.participation!]) expect(Number.isFinite(v)).toBe(true);
      const lp = model.logDensity(x, sigma);
      for (const v of lp) expect(Number.isFinite(v)).toBe(true);
    }
    // At σ = 1e-6 the posterior sits on the nearest point: Tr C = 0, h = 0, Y = 1.
    const p = model.posterior(x, 1e-6, { entropy: true, participation: true });
    expect(p.traceCov[0]).toBe(0);
    expect(p.participation![0]).toBe(1);
  });

  it("matches the naive route at D = 4096 and σ = 30 where the weights are spread", () => {
    const rng = createRng(3);
    const N = 20;
    const D = 4096;
    const points = Array.from({ length: N }, () => Array.from({ length: D }, () => rng.normal()));
    const x = Array.from({ length: D }, () => rng.normal());
    const logw = new Array(N).fill(-Math.log(N));
    const want = naive(points, logw, x, 30);
    const r = jsPosteriorKernel(set(points, logw), fromRows([x]), 30, { entropy: true });
    expectClose(r.traceCov[0], want.tr, { rtol: 1e-11 }, "TrC");
    expectClose(r.entropy![0], want.h, { rtol: 1e-11 }, "h");
    for (let k = 0; k < 5; k++) expectClose(r.mean[k], want.m[k], { rtol: 1e-11, atol: 1e-15 });
  });

  it("handles N = 10⁶ points: a fine uniform grid gives the Gaussian posterior variance σ² exactly", () => {
    const N = 1_000_000;
    const pts: Batch = { rows: N, dim: 1, data: new Float64Array(N).map((_, j) => (j + 0.5) / N) };
    const model = deltas(pts);
    const sigma = 1e-3;
    const p = model.posterior(fromRows([[0.5], [0.25]]), sigma, { entropy: true });
    // Grid spacing 1e-6 ≪ σ: the discrete Gaussian's variance equals σ² up to e^{−2π²σ²/h²} ≈ 0 and rounding.
    expectClose(p.traceCov[0], sigma * sigma, { rtol: 1e-9 }, "TrC");
    expectClose(p.mean.data[0], 0.5, { rtol: 1e-12 }, "m");
    expectClose(p.mean.data[1], 0.25, { rtol: 1e-12 }, "m");
    // h = log(σ/h) + ½ log(2πe): the discrete entropy of a finely sampled Gaussian.
    expectClose(p.entropy![0], Math.log(sigma * N) + 0.5 * Math.log(2 * Math.PI * Math.E), { rtol: 1e-9 }, "h");
  });

  it("gives the prior at σ = ∞ and NaN rows for σ ≤ 0 or non-finite queries", () => {
    const s = set([[0], [3]], [Math.log(0.25), Math.log(0.75)]);
    const r = jsPosteriorKernel(s, fromRows([[1], [1], [NaN]]), Float64Array.from([Infinity, 0, 1]), {});
    expectClose(r.mean[0], 2.25, { rtol: 1e-15 });
    expectClose(r.traceCov[0], 0.25 * 0.75 * 9, { rtol: 1e-14 });
    expect(Number.isNaN(r.mean[1])).toBe(true);
    expect(Number.isNaN(r.traceCov[2])).toBe(true);
  });

  it("computes the full covariance whose trace is Tr C", () => {
    const rng = createRng(4);
    const points = Array.from({ length: 30 }, () => [rng.normal(), rng.normal(), rng.normal()]);
    const model = deltas(fromRows(points));
    const p = model.posterior(fromRows([[0.1, 0.2, -0.3]]), 0.8, { covariance: true });
    const C = p.covariance!;
    expectClose(C[0] + C[4] + C[8], p.traceCov[0], { rtol: 1e-13 });
    expectClose(C[1], C[3], { rtol: 1e-15 });
  });
});
