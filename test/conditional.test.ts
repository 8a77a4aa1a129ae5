import { describe, expect, it } from "vitest";
import { type Batch, fromRows } from "../src/batch.js";
import { InfodynError } from "../src/errors.js";
import { deltas } from "../src/models/deltas.js";
import { gaussian } from "../src/models/gaussian.js";
import { gmm, type GmmComponent } from "../src/models/gmm.js";
import { ising } from "../src/models/ising.js";
import { parseModel } from "../src/models/parse.js";
import { sphere } from "../src/models/sphere.js";
import type { DataModel } from "../src/models/types.js";
import { createRng } from "../src/numeric/rng.js";
import { expectClose } from "./helpers.js";

// Independent naive computations (arrays of arrays, THEORY.md §9.3), sharing nothing with src/.

/** log Σ exp(v), shifted by the largest entry. */
function naiveLse(v: number[]): number {
  const M = Math.max(...v);
  return M + Math.log(v.reduce((a, u) => a + Math.exp(u - M), 0));
}

/** E[y | x, c] over the points of class c (c = −1: all points), softmax relative to the subset's heaviest point. */
function naiveDeltaMean(points: number[][], weights: number[], labels: number[], x: number[], s: number, c: number): number[] {
  const idx = points.map((_, j) => j).filter((j) => c < 0 || labels[j] === c);
  const logits = idx.map((j) => Math.log(weights[j]) - points[j].reduce((a, y, k) => a + (x[k] - y) ** 2, 0) / (2 * s * s));
  const L = naiveLse(logits);
  return x.map((_, k) => idx.reduce((a, j, i) => a + Math.exp(logits[i] - L) * points[j][k], 0));
}

/** p(c|x) for deltas, in log space. */
function naiveDeltaClassProbs(points: number[][], weights: number[], labels: number[], x: number[], s: number, C: number): number[] {
  const logits = points.map((y, j) => Math.log(weights[j]) - y.reduce((a, v, k) => a + (x[k] - v) ** 2, 0) / (2 * s * s));
  const L = naiveLse(logits);
  return Array.from({ length: C }, (_, c) => logits.reduce((a, l, j) => a + (labels[j] === c ? Math.exp(l - L) : 0), 0));
}

/** A 2-D Gaussian component's log N(x; μ, Σ + σ²I) and posterior mean μ + Σ(Σ + σ²I)⁻¹(x − μ), by an explicit 2×2 inverse. */
function naiveComponent(mu: number[], S: number[][], x: number[], s: number): { logN: number; mean: number[] } {
  const a = S[0][0] + s * s, b = S[0][1], d = S[1][1] + s * s;
  const det = a * d - b * b;
  const u = [x[0] - mu[0], x[1] - mu[1]];
  const v = [(d * u[0] - b * u[1]) / det, (-b * u[0] + a * u[1]) / det];
  return {
    logN: -Math.log(2 * Math.PI) - 0.5 * Math.log(det) - 0.5 * (u[0] * v[0] + u[1] * v[1]),
    mean: [mu[0] + S[0][0] * v[0] + S[0][1] * v[1], mu[1] + S[1][0] * v[0] + S[1][1] * v[1]],
  };
}

/** E[y | x, c] of a 2-D Gaussian mixture: Σ_{k∈c} p(k|x) m_k / p(c|x) (c = −1: every component). */
function naiveGmmMean(comps: { w: number; mu: number[]; S: number[][] }[], classOf: number[], x: number[], s: number, c: number): number[] {
  const ks = comps.map((_, k) => k).filter((k) => c < 0 || classOf[k] === c);
  const parts = ks.map((k) => naiveComponent(comps[k].mu, comps[k].S, x, s));
  const logits = ks.map((k, i) => Math.log(comps[k].w) + parts[i].logN);
  const L = naiveLse(logits);
  return [0, 1].map((d) => parts.reduce((a, p, i) => a + Math.exp(logits[i] - L) * p.mean[d], 0));
}

function rowOf(b: Batch, i: number): number[] {
  return Array.from(b.data.subarray(i * b.dim, (i + 1) * b.dim));
}

/** A random labelled deltas set: n points in D dimensions, C classes with shifted centres, random weights. */
function randomDeltas(n: number, D: number, C: number, seed: number) {
  const rng = createRng(seed);
  const labels = Array.from({ length: n }, (_, j) => j % C);
  const points = labels.map((c) => Array.from({ length: D }, (_, k) => (k === 0 ? 1.5 * c : 0) + 0.7 * rng.normal()));
  const weights = labels.map(() => 0.1 + rng.uniform());
  return { points, weights, labels };
}

describe("conditional denoising of labelled deltas (THEORY.md §9.3: m_c = Σ_{j∈c} w_j y_j / p(c|x))", () => {
  for (const [n, D, C] of [[7, 2, 3], [40, 3, 2], [5000, 2, 2]] as const) {
    it(`matches the naive per-class posterior mean on rows mixing labels −1/0/1 with per-row σ (N = ${n}, D = ${D}, C = ${C})`, () => {
      const { points, weights, labels } = randomDeltas(n, D, C, 100 + n);
      const model = deltas(fromRows(points), { weights, labels });
      const rng = createRng(7);
      const B = 12;
      const x = fromRows(Array.from({ length: B }, () => Array.from({ length: D }, () => 1.2 * rng.normal() + 0.5)));
      const lab = Int32Array.from({ length: B }, (_, i) => (i % (C + 1)) - 1);
      const sigma = Float64Array.from({ length: B }, (_, i) => 0.15 * 1.6 ** (i % 7));
      const got = model.denoise(x, sigma, { labels: lab });
      // N = 5000: the blocked kernel's mean is formed about the data mean (~1e-14 of max|y|, kernel.ts)
      const tol = { rtol: 1e-12, atol: 1e-13 };
      for (let i = 0; i < B; i++) {
        const want = naiveDeltaMean(points, weights, labels, rowOf(x, i), sigma[i], lab[i]);
        for (let k = 0; k < D; k++) expectClose(got.data[i * D + k], want[k], tol, `row ${i} label ${lab[i]} σ=${sigma[i].toFixed(3)} coord ${k}`);
      }
      // rows labelled −1 equal the unconditional denoiser; one label for the whole batch gives the same rows
      const unconditional = model.denoise(x, sigma);
      for (let i = 0; i < B; i++) if (lab[i] < 0) for (let k = 0; k < D; k++) expect(got.data[i * D + k]).toBe(unconditional.data[i * D + k]);
      for (let c = -1; c < C; c++) {
        const all = model.denoise(x, sigma, { labels: new Int32Array(B).fill(c) });
        for (let i = 0; i < B; i++) if (lab[i] === c) for (let k = 0; k < D; k++) expectClose(all.data[i * D + k], got.data[i * D + k], { rtol: 1e-14, atol: 1e-15 });
      }
    });
  }

  it("the identity m = Σ_c p(c|x) m_c holds row by row (p(c|x) from the posterior, m_c from the denoiser)", () => {
    const { points, weights, labels } = randomDeltas(30, 2, 3, 3);
    const model = deltas(fromRows(points), { weights, labels });
    const x = fromRows([[0.1, 0.2], [1.5, -0.3], [3, 0.4], [-1, 1]]);
    for (const s of [0.2, 0.7, 2]) {
      const post = model.posterior(x, s, { classProbs: true });
      const mc = [0, 1, 2].map((c) => model.denoise(x, s, { labels: new Int32Array(4).fill(c) }));
      for (let i = 0; i < 4; i++) {
        const want = naiveDeltaClassProbs(points, weights, labels, rowOf(x, i), s, 3);
        for (let c = 0; c < 3; c++) expectClose(post.classProbs![i * 3 + c], want[c], { rtol: 1e-12, atol: 1e-300 }, `p(c|x) σ=${s}`);
        for (let k = 0; k < 2; k++) {
          const sum = [0, 1, 2].reduce((a, c) => a + post.classProbs![i * 3 + c] * mc[c].data[i * 2 + k], 0);
          expectClose(sum, post.mean.data[i * 2 + k], { rtol: 1e-13, atol: 1e-14 }, `Σ p_c m_c, row ${i} σ=${s}`);
        }
      }
    }
  });

  it("a class of relative posterior mass ~1e-300 (and one that underflows to 0) still gets its exact, finite m_c", () => {
    // class 0 near the origin, class 1 far along the first axis: at x = 0, σ = 1, log p(1|x) ≈ −a²/2
    for (const a of [37.2, 60]) {
      const points = [[0, 0], [0.3, -0.2], [a, 0.5], [a + 0.4, -0.5], [a - 0.2, 1]];
      const weights = [1, 2, 1, 3, 2];
      const labels = [0, 0, 1, 1, 1];
      const model = deltas(fromRows(points), { weights, labels });
      const x = fromRows([[0.05, 0.1], [0.05, 0.1]]);
      const p1 = model.posterior(x, 1, { classProbs: true }).classProbs![1];
      if (a < 40) {
        expect(p1).toBeGreaterThan(1e-310);
        expect(p1).toBeLessThan(1e-290);
      } else expect(p1).toBe(0);
      const got = model.denoise(x, 1, { labels: Int32Array.from([1, 0]) });
      const want1 = naiveDeltaMean(points, weights, labels, [0.05, 0.1], 1, 1);
      const want0 = naiveDeltaMean(points, weights, labels, [0.05, 0.1], 1, 0);
      for (let k = 0; k < 2; k++) {
        expectClose(got.data[k], want1[k], { rtol: 1e-13, atol: 1e-13 }, `m_1 a=${a}`);
        expectClose(got.data[2 + k], want0[k], { rtol: 1e-13, atol: 1e-15 }, `m_0 a=${a}`);
      }
      // m_1 sits among class 1's points (dominated by the nearest, (a − 0.2, 1)), not at 0
      expect(got.data[0]).toBeGreaterThan(a - 0.3);
    }
  });

  it("through parseModel: string labels index the classes in sorted order", () => {
    const points = [[-1], [1], [2.5]];
    const model = parseModel({ kind: "deltas", points, labels: ["plus", "minus", "plus"] });
    expect(model.classNames).toEqual(["minus", "plus"]);
    const x = fromRows([[0.3], [0.3], [0.3]]);
    const got = model.denoise(x, 0.8, { labels: Int32Array.from([0, 1, -1]) });
    expectClose(got.data[0], 1, { rtol: 1e-15 }); // "minus" is the single point at 1
    expectClose(got.data[1], naiveDeltaMean(points, [1, 1, 1], [1, 0, 1], [0.3], 0.8, 1)[0], { rtol: 1e-13 });
    expectClose(got.data[2], naiveDeltaMean(points, [1, 1, 1], [1, 0, 1], [0.3], 0.8, -1)[0], { rtol: 1e-13 });
  });
});

describe("conditional denoising of Gaussian mixtures", () => {
  const comps = [
    { w: 0.5, mu: [-1, 0], S: [[0.3, 0.1], [0.1, 0.2]] },
    { w: 0.3, mu: [1, 0.5], S: [[0, 0], [0, 0]] },
    { w: 0.2, mu: [0.5, -1], S: [[0.05, 0], [0, 0.05]] },
  ];
  const spec = (c: (typeof comps)[number]): GmmComponent => ({ weight: c.w, mean: c.mu, cov: fromRows(c.S).data });
  const rng = createRng(21);
  const B = 9;
  const x = fromRows(Array.from({ length: B }, () => [1.3 * rng.normal(), 1.3 * rng.normal()]));
  const sigma = Float64Array.from({ length: B }, (_, i) => 0.1 * 2 ** (i % 5));

  for (const classOf of [[0, 1, 2], [0, 1, 0]]) {
    const grouped = classOf[2] === 0;
    it(`${grouped ? "labels [0, 1, 0] (class 0 = two components)" : "each component its class"}: m_c matches the naive Σ_{k∈c} p(k|x) m_k / p(c|x), rows −1/0/1, per-row σ`, () => {
      const model = gmm(comps.map(spec), undefined, grouped ? classOf : undefined);
      const C = grouped ? 2 : 3;
      expect(model.numClasses).toBe(C);
      const lab = Int32Array.from({ length: B }, (_, i) => (i % (C + 1)) - 1);
      const got = model.denoise(x, sigma, { labels: lab });
      const post = model.posterior(x, sigma, { classProbs: true, classMeans: true });
      for (let i = 0; i < B; i++) {
        const want = naiveGmmMean(comps, classOf, rowOf(x, i), sigma[i], lab[i]);
        for (let k = 0; k < 2; k++) expectClose(got.data[i * 2 + k], want[k], { rtol: 1e-13, atol: 1e-14 }, `row ${i} label ${lab[i]} coord ${k}`);
        // posterior's classMeans are the same m_c, and m = Σ_c p(c|x) m_c
        for (let c = 0; c < C; c++) {
          const mc = naiveGmmMean(comps, classOf, rowOf(x, i), sigma[i], c);
          for (let k = 0; k < 2; k++) expectClose(post.classMeans![(i * C + c) * 2 + k], mc[k], { rtol: 1e-13, atol: 1e-14 }, `classMeans row ${i} c ${c}`);
        }
        for (let k = 0; k < 2; k++) {
          const sum = Array.from({ length: C }, (_, c) => post.classProbs![i * C + c] * post.classMeans![(i * C + c) * 2 + k]).reduce((a, b) => a + b, 0);
          expectClose(sum, post.mean.data[i * 2 + k], { rtol: 1e-13, atol: 1e-14 }, `Σ p_c m_c row ${i}`);
        }
      }
    });
  }

  it("labels [0, 1, 0]: p(c|x) sums the components' responsibilities and H(c|x) = −Σ p log p", () => {
    const model = gmm(comps.map(spec), ["A", "B"], [0, 1, 0]);
    expect(model.classNames).toEqual(["A", "B"]);
    const post = model.posterior(x, sigma, { classProbs: true });
    for (let i = 0; i < B; i++) {
      const logits = comps.map((c) => Math.log(c.w) + naiveComponent(c.mu, c.S, rowOf(x, i), sigma[i]).logN);
      const L = naiveLse(logits);
      const lp = [naiveLse([logits[0], logits[2]]) - L, logits[1] - L];
      for (let c = 0; c < 2; c++) expectClose(post.classProbs![i * 2 + c], Math.exp(lp[c]), { rtol: 1e-13, atol: 1e-300 }, `p(c|x) row ${i}`);
      expectClose(post.classEntropy![i], -lp.reduce((a, l) => a + Math.exp(l) * l, 0), { rtol: 1e-11, atol: 1e-15 }, `H(c|x) row ${i}`);
    }
    const draws = model.sampleLabelled!(2000, createRng(4));
    const share = draws.labels.reduce((a, l) => a + (l === 0 ? 1 : 0), 0) / 2000;
    expectClose(share, 0.7, { atol: 4 * Math.sqrt(0.21 / 2000) }); // class A = components 0 and 2 (0.5 + 0.2)
  });

  it("a far-away class (relative mass ≪ 1e-300) gets its exact m_c, grouped or not", () => {
    const far = [
      { w: 0.5, mu: [0, 0], S: [[0.2, 0], [0, 0.2]] },
      { w: 0.3, mu: [80, 1], S: [[0.5, 0.2], [0.2, 0.4]] },
      { w: 0.2, mu: [81, -1], S: [[0.1, 0], [0, 0.3]] },
    ];
    for (const classOf of [[0, 1, 1], [0, 1, 2]]) {
      const model = gmm(far.map(spec), undefined, classOf);
      const pt = [0.1, -0.2];
      const probs = model.posterior(fromRows([pt]), 0.5, { classProbs: true }).classProbs!;
      expect(probs[1]).toBe(0);
      const got = model.denoise(fromRows([pt, pt]), 0.5, { labels: Int32Array.from([1, 0]) });
      const want = naiveGmmMean(far, classOf, pt, 0.5, 1);
      // the Gaussian posterior of a far class: shrunk from its means towards x, finite, not 0
      for (let k = 0; k < 2; k++) expectClose(got.data[k], want[k], { rtol: 1e-13 }, `m_1 coord ${k} labels ${classOf}`);
      expect(got.data[0]).toBeGreaterThan(20);
    }
  });

  it("through parseModel (gmm-1d style: one class per component): m_c is the component's Gaussian posterior mean", () => {
    const model = parseModel({ kind: "gmm", components: [
      { weight: 0.5, mean: [-2], variance: 0.25, label: "left" },
      { weight: 0.5, mean: [2], variance: 0.5, label: "right" },
    ] });
    const got = model.denoise(fromRows([[0.4], [0.4], [0.4]]), Float64Array.from([1, 2, 1]), { labels: Int32Array.from([0, 1, -1]) });
    expectClose(got.data[0], -2 + (0.25 / 1.25) * 2.4, { rtol: 1e-14 });
    expectClose(got.data[1], 2 + (0.5 / 4.5) * -1.6, { rtol: 1e-14 });
    const naive = naiveGmmMean([
      { w: 0.5, mu: [-2, 0], S: [[0.25, 0], [0, 0]] },
      { w: 0.5, mu: [2, 0], S: [[0.5, 0], [0, 0]] },
    ], [0, 1], [0.4, 0], 1, -1);
    // the 2-D embedding adds the same log N factor of the zero-variance second coordinate to both components
    expectClose(got.data[2], naive[0], { rtol: 1e-14 });
  });
});

describe("conditioning errors name cond.labels", () => {
  const unlabelled: [string, DataModel][] = [
    ["gaussian", gaussian(Float64Array.from([0, 0]), Float64Array.from([1, 0, 0, 1]))],
    ["sphere", sphere(2, 1)],
    ["ising", ising(Float64Array.from([0, 1, 1, 0]), 2, 1)],
    ["unlabelled deltas", deltas(fromRows([[0, 0], [1, 1]]))],
  ];
  const x = fromRows([[0.1, 0.2], [0.3, -0.1]]);
  for (const [name, model] of unlabelled) {
    it(`${name}: a label ≥ 0 throws; all −1 equals the unconditional denoiser`, () => {
      expect(() => model.denoise(x, 0.5, { labels: Int32Array.from([-1, 0]) })).toThrow(InfodynError);
      expect(() => model.denoise(x, 0.5, { labels: Int32Array.from([-1, 0]) })).toThrow(/cond\.labels\[1\] = 0: the model is unlabelled/);
      expect(Array.from(model.denoise(x, 0.5, { labels: Int32Array.from([-1, -1]) }).data)).toEqual(Array.from(model.denoise(x, 0.5).data));
      expect(Array.from(model.denoise(x, 0.5, {}).data)).toEqual(Array.from(model.denoise(x, 0.5).data));
    });
  }
  const labelled: [string, DataModel][] = [
    ["labelled deltas", deltas(fromRows([[0, 0], [1, 1], [2, 0]]), { labels: [0, 1, 1] })],
    ["gmm", gmm([{ weight: 1, mean: [0, 0], variance: 1 }, { weight: 1, mean: [2, 0], variance: 0.5 }])],
  ];
  for (const [name, model] of labelled) {
    it(`${name}: a label ≥ numClasses, below −1, or a wrong length throws, naming the row`, () => {
      expect(() => model.denoise(x, 0.5, { labels: Int32Array.from([0, 2]) })).toThrow(/cond\.labels\[1\] = 2: not a class \(expected −1 for unconditional or 0 … 1\)/);
      expect(() => model.denoise(x, 0.5, { labels: Int32Array.from([-2, 0]) })).toThrow(/cond\.labels\[0\] = -2: not a class/);
      expect(() => model.denoise(x, 0.5, { labels: Int32Array.from([0]) })).toThrow(/cond\.labels: has 1 entries, expected 2/);
      expect(() => model.denoise(x, 0.5, { labels: Int32Array.from([0, 2]) })).toThrow(InfodynError);
    });
  }
  it("a class with no points of positive weight throws, naming the row and the class", () => {
    const model = deltas(fromRows([[0], [1], [2]]), { weights: [1, 0, 1], labels: [0, 1, 0], classNames: ["a", "b", "c"] });
    expect(model.numClasses).toBe(3);
    expect(() => model.denoise(fromRows([[0.5], [0.5]]), 1, { labels: Int32Array.from([0, 1]) })).toThrow(/cond\.labels\[1\] = 1: class "b" has no points of positive weight/);
    expect(() => model.denoise(fromRows([[0.5], [0.5]]), 1, { labels: Int32Array.from([2, 0]) })).toThrow(/cond\.labels\[0\] = 2: class "c"/);
    const m0 = naiveDeltaMean([[0], [2]], [1, 1], [0, 0], [0.5], 1, 0)[0];
    expectClose(model.denoise(fromRows([[0.5]]), 1, { labels: Int32Array.from([0]) }).data[0], m0, { rtol: 1e-14 });
  });
});
