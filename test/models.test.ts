import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { type Batch, fromRows } from "../src/batch.js";
import { deltas } from "../src/models/deltas.js";
import { gaussian } from "../src/models/gaussian.js";
import { gmm } from "../src/models/gmm.js";
import { ising } from "../src/models/ising.js";
import { parseModel } from "../src/models/parse.js";
import { sphere } from "../src/models/sphere.js";
import type { DataModel } from "../src/models/types.js";
import { gaussHermite, integrate } from "../src/numeric/quadrature.js";
import { createRng } from "../src/numeric/rng.js";
import { profileAt } from "../src/analysis/info/profile.js";
import { expectClose } from "./helpers.js";

const examples = join(import.meta.dirname, "..", "examples");
const readExample = (name: string) => JSON.parse(readFileSync(join(examples, name), "utf8"));
const exampleModel = (name: string) =>
  parseModel(readExample(name), { source: name, readFile: (p) => new Uint8Array(readFileSync(join(examples, p))) });

const models: [string, DataModel][] = [
  ["deltas (triangle, labelled)", exampleModel("triangle.json")],
  ["deltas (weighted two deltas)", exampleModel("two-deltas-weighted.json")],
  ["gaussian (2-D, correlated)", exampleModel("gaussian.json")],
  ["gaussian (3-D, singular)", gaussian(Float64Array.from([0.5, 0, -1]), fromRows([[1, 1, 0], [1, 1, 0], [0, 0, 0.3]]).data)],
  ["gmm (1-D)", exampleModel("gmm-1d.json")],
  ["gmm (2-D, full covariances)", gmm([
    { weight: 0.6, mean: [1, 0], cov: fromRows([[0.5, 0.2], [0.2, 0.3]]).data },
    { weight: 0.4, mean: [-1, 0.5], variance: 0.2 },
  ])],
  ["sphere (d = 2)", sphere(2, 1)],
  ["sphere (d = 3, r = 2)", sphere(3, 2)],
  ["sphere (d = 5)", sphere(5, 1)],
  ["ising (8-spin ring)", exampleModel("ising.json")],
  ["dataset (blobs.npy)", exampleModel("blobs.json")],
];

function queries(dim: number, seed: number, n = 4): Batch {
  const rng = createRng(seed);
  return { rows: n, dim, data: new Float64Array(n * dim).map(() => 0.8 * rng.normal() + 0.1) };
}

describe("posterior identities (THEORY.md §2) on every model", () => {
  for (const [name, model] of models) {
    it(`${name}: Tweedie score (m − x)/σ² equals the finite-difference gradient of log p_σ`, () => {
      for (const sigma of [0.4, 1, 2.5]) {
        const x = queries(model.dim, 11);
        const m = model.posterior(x, sigma).mean;
        const h = 1e-4 * sigma;
        for (let i = 0; i < x.rows; i++)
          for (let k = 0; k < model.dim; k++) {
            const plus = fromRows([Array.from(x.data.subarray(i * model.dim, (i + 1) * model.dim))]);
            const minus = fromRows([Array.from(plus.data)]);
            plus.data[k] += h;
            minus.data[k] -= h;
            const fd = (model.logDensity(plus, sigma)[0] - model.logDensity(minus, sigma)[0]) / (2 * h);
            const score = (m.data[i * model.dim + k] - x.data[i * model.dim + k]) / sigma ** 2;
            // central difference: truncation ~ h² f''' ≈ 1e-8/σ, rounding ~ 1e-16·|log p|/h
            expectClose(score, fd, { rtol: 1e-6, atol: 1e-7 / sigma }, `σ=${sigma} row ${i} coord ${k}`);
          }
      }
    });
    it(`${name}: ∂m/∂x equals C/σ² (so J = (C/σ² − I)/σ²), and Tr C is the trace of C`, () => {
      for (const sigma of [0.5, 1.5]) {
        const x = queries(model.dim, 12, 2);
        const p = model.posterior(x, sigma, { covariance: true });
        const D = model.dim;
        const h = 1e-5 * sigma;
        for (let i = 0; i < x.rows; i++) {
          let tr = 0;
          for (let b = 0; b < D; b++) {
            tr += p.covariance![i * D * D + b * D + b];
            const plus = fromRows([Array.from(x.data.subarray(i * D, (i + 1) * D))]);
            const minus = fromRows([Array.from(plus.data)]);
            plus.data[b] += h;
            minus.data[b] -= h;
            const mp = model.denoise(plus, sigma).data;
            const mm = model.denoise(minus, sigma).data;
            for (let a = 0; a < D; a++) {
              const fd = (mp[a] - mm[a]) / (2 * h);
              expectClose(p.covariance![i * D * D + a * D + b] / sigma ** 2, fd, { rtol: 1e-6, atol: 1e-8 }, `σ=${sigma} C[${a}][${b}]`);
            }
          }
          expectClose(p.traceCov[i], tr, { rtol: 1e-12, atol: 1e-15 }, "Tr C");
        }
      }
    });
  }
});

describe("Gaussian closed forms", () => {
  it("matches m = μ + Σ(Σ + σ²I)⁻¹(x − μ), Tr C = σ² Tr Σ(Σ+σ²I)⁻¹ and N(μ, Σ + σ²I) by an explicit 2×2 inverse", () => {
    const mu = [1, -0.5];
    const S = [[2, 0.6], [0.6, 0.5]];
    const g = exampleModel("gaussian.json");
    for (const sigma of [0.1, 1, 10]) {
      const s2 = sigma * sigma;
      const a = S[0][0] + s2, b = S[0][1], d = S[1][1] + s2;
      const det = a * d - b * b;
      const inv = [[d / det, -b / det], [-b / det, a / det]];
      const x = [0.3, 0.7];
      const u = [x[0] - mu[0], x[1] - mu[1]];
      const v = [inv[0][0] * u[0] + inv[0][1] * u[1], inv[1][0] * u[0] + inv[1][1] * u[1]];
      const m = [mu[0] + S[0][0] * v[0] + S[0][1] * v[1], mu[1] + S[1][0] * v[0] + S[1][1] * v[1]];
      // Σ(Σ+σ²I)⁻¹ trace
      const trSA = S[0][0] * inv[0][0] + S[0][1] * inv[1][0] + S[1][0] * inv[0][1] + S[1][1] * inv[1][1];
      const p = g.posterior(fromRows([x]), sigma);
      expectClose(p.mean.data[0], m[0], { rtol: 1e-13 });
      expectClose(p.mean.data[1], m[1], { rtol: 1e-13 });
      expectClose(p.traceCov[0], s2 * trSA, { rtol: 1e-13 });
      const logp = -Math.log(2 * Math.PI) - 0.5 * Math.log(det) - 0.5 * (u[0] * v[0] + u[1] * v[1]);
      expectClose(g.logDensity(fromRows([x]), sigma)[0], logp, { rtol: 1e-13 });
    }
  });
  it("a singular covariance keeps the posterior on the data subspace", () => {
    const g = gaussian(Float64Array.from([0, 0]), fromRows([[1, 0], [0, 0]]).data);
    const p = g.posterior(fromRows([[0.7, 5]]), 1);
    expectClose(p.mean.data[1], 0, { atol: 1e-15 });
    expectClose(p.mean.data[0], 0.35, { rtol: 1e-14 });
    expectClose(p.traceCov[0], 0.5, { rtol: 1e-14 });
  });
});

describe("Gaussian mixture vs a deltas approximation", () => {
  it("equals deltas at Gauss–Hermite nodes of each component (n = 80) to 1e-9 for σ ≥ 0.5·component sd", () => {
    const comps = [
      { weight: 0.5, mean: [-2], variance: 0.25 },
      { weight: 0.3, mean: [0.5], variance: 0.1 },
      { weight: 0.2, mean: [2.5], variance: 0.5 },
    ];
    const model = gmm(comps);
    const { nodes, weights } = gaussHermite(80);
    const pts: number[][] = [];
    const w: number[] = [];
    const labels: number[] = [];
    comps.forEach((c, k) =>
      nodes.forEach((z, i) => {
        pts.push([c.mean[0] + Math.sqrt(c.variance) * z]);
        w.push(c.weight * weights[i]);
        labels.push(k);
      }),
    );
    const approx = deltas(fromRows(pts), { weights: w, labels });
    for (const sigma of [0.4, 1, 3]) {
      const x = fromRows([[-2.2], [0], [0.4], [3]]);
      const a = model.posterior(x, sigma, { classProbs: true });
      const b = approx.posterior(x, sigma, { classProbs: true });
      const la = model.logDensity(x, sigma);
      const lb = approx.logDensity(x, sigma);
      for (let i = 0; i < x.rows; i++) {
        expectClose(a.mean.data[i], b.mean.data[i], { rtol: 1e-9, atol: 1e-12 }, `m σ=${sigma}`);
        expectClose(a.traceCov[i], b.traceCov[i], { rtol: 1e-9 }, `TrC σ=${sigma}`);
        expectClose(la[i], lb[i], { rtol: 1e-10 }, `log p σ=${sigma}`);
        for (let k = 0; k < 3; k++) expectClose(a.classProbs![i * 3 + k], b.classProbs![i * 3 + k], { rtol: 1e-9, atol: 1e-14 }, `p(k) σ=${sigma}`);
      }
    }
  });
});

describe("sphere vs direct integration over the sphere", () => {
  it("d = 2: m, Tr C and log p_σ match trapezoid quadrature over the angle (periodic, exponentially accurate)", () => {
    const r = 1.3;
    const model = sphere(2, r);
    for (const sigma of [0.3, 1, 4]) {
      const x = [0.9, -0.4];
      const n = 4000;
      const logs: number[] = [];
      for (let i = 0; i < n; i++) {
        const t = (2 * Math.PI * i) / n;
        const y = [r * Math.cos(t), r * Math.sin(t)];
        logs.push(-((x[0] - y[0]) ** 2 + (x[1] - y[1]) ** 2) / (2 * sigma * sigma));
      }
      const M = Math.max(...logs);
      let S = 0, m0 = 0, m1 = 0, s2 = 0;
      logs.forEach((l, i) => {
        const t = (2 * Math.PI * i) / n;
        const e = Math.exp(l - M);
        S += e;
        m0 += e * r * Math.cos(t);
        m1 += e * r * Math.sin(t);
      });
      m0 /= S;
      m1 /= S;
      logs.forEach((l, i) => {
        const t = (2 * Math.PI * i) / n;
        s2 += (Math.exp(l - M) / S) * ((r * Math.cos(t) - m0) ** 2 + (r * Math.sin(t) - m1) ** 2);
      });
      const logp = M + Math.log(S / n) - Math.log(2 * Math.PI * sigma * sigma);
      const p = model.posterior(fromRows([x]), sigma);
      expectClose(p.mean.data[0], m0, { rtol: 1e-12 }, `m0 σ=${sigma}`);
      expectClose(p.mean.data[1], m1, { rtol: 1e-12 }, `m1 σ=${sigma}`);
      expectClose(p.traceCov[0], s2, { rtol: 1e-11 }, `TrC σ=${sigma}`);
      expectClose(model.logDensity(fromRows([x]), sigma)[0], logp, { rtol: 1e-12 }, `log p σ=${sigma}`);
    }
  });
  it("d = 3: m, Tr C and log p_σ match adaptive Gauss–Kronrod over cos θ (uniform on [−1, 1] by Archimedes)", () => {
    const r = 2;
    const model = sphere(3, r);
    for (const sigma of [0.5, 1.5]) {
      const x = [0.4, 1.1, -0.6];
      const nx = Math.hypot(...x);
      const logw = (c: number) => -(nx * nx + r * r - 2 * r * nx * c) / (2 * sigma * sigma);
      const shift = logw(1);
      const Z = integrate((c) => 0.5 * Math.exp(logw(c) - shift), -1, 1).value;
      const E1 = integrate((c) => 0.5 * c * Math.exp(logw(c) - shift), -1, 1).value / Z;
      const E2 = integrate((c) => 0.5 * c * c * Math.exp(logw(c) - shift), -1, 1).value / Z;
      // mean along x̂ is r E[c]; Tr C = r² − ‖m‖² (|y| = r on the sphere), computed from the integrals
      const p = model.posterior(fromRows([x]), sigma);
      const mAlong = (p.mean.data[0] * x[0] + p.mean.data[1] * x[1] + p.mean.data[2] * x[2]) / nx;
      expectClose(mAlong, r * E1, { rtol: 1e-11 }, `m σ=${sigma}`);
      expectClose(p.traceCov[0], r * r * (1 - E1 * E1), { rtol: 1e-10 }, `TrC σ=${sigma}`);
      expect(E2).toBeGreaterThan(E1 * E1);
      const logp = -1.5 * Math.log(2 * Math.PI * sigma * sigma) + shift + Math.log(Z);
      expectClose(model.logDensity(fromRows([x]), sigma)[0], logp, { rtol: 1e-12 }, `log p σ=${sigma}`);
    }
  });
});

describe("Ising model vs brute force", () => {
  it("matches an independent enumeration of 2^d states (d = 5, random couplings, T = 0.7)", () => {
    const d = 5;
    const rng = createRng(5);
    const J = new Float64Array(d * d);
    for (let a = 0; a < d; a++) for (let b = a + 1; b < d; b++) J[a * d + b] = J[b * d + a] = rng.normal();
    const T = 0.7;
    const model = ising(J, d, T);
    const states: number[][] = [];
    const logw: number[] = [];
    for (let s = 0; s < 2 ** d; s++) {
      const y = Array.from({ length: d }, (_, k) => ((s >> k) & 1 ? 1 : -1));
      let e = 0;
      for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) if (a !== b) e += 0.5 * J[a * d + b] * y[a] * y[b];
      states.push(y);
      logw.push(e / T);
    }
    const M = Math.max(...logw);
    const Zprior = logw.reduce((acc, l) => acc + Math.exp(l - M), 0);
    const x = [0.3, -0.2, 0.5, 0.1, -0.9];
    const sigma = 0.8;
    const l = states.map((y, j) => logw[j] - y.reduce((acc, yk, k) => acc + (x[k] - yk) ** 2, 0) / (2 * sigma * sigma));
    const L = Math.max(...l);
    const e = l.map((v) => Math.exp(v - L));
    const S = e.reduce((a, b) => a + b, 0);
    const m = x.map((_, k) => states.reduce((acc, y, j) => acc + (e[j] / S) * y[k], 0));
    const tr = states.reduce((acc, y, j) => acc + (e[j] / S) * y.reduce((b, yk, k) => b + (yk - m[k]) ** 2, 0), 0);
    const logp = L + Math.log(S) - M - Math.log(Zprior) - (d / 2) * Math.log(2 * Math.PI * sigma * sigma);
    const p = model.posterior(fromRows([x]), sigma);
    for (let k = 0; k < d; k++) expectClose(p.mean.data[k], m[k], { rtol: 1e-12, atol: 1e-15 });
    expectClose(p.traceCov[0], tr, { rtol: 1e-12 });
    expectClose(model.logDensity(fromRows([x]), sigma)[0], logp, { rtol: 1e-12 });
  });
});

describe("sampling", () => {
  it("deltas draw points with frequencies equal to the weights (chi-square, 2 dof, p > 0.001)", () => {
    const model = deltas(fromRows([[0], [1], [2]]), { weights: [0.2, 0.5, 0.3] });
    const n = 20000;
    const s = model.sample(n, createRng(9));
    const counts = [0, 0, 0];
    for (const v of s.data) counts[v]++;
    const chi2 = [0.2, 0.5, 0.3].reduce((acc, p, k) => acc + (counts[k] - n * p) ** 2 / (n * p), 0);
    expect(chi2).toBeLessThan(13.8); // 99.9 % quantile of χ²(2)
  });
  it("gaussian samples have mean μ and covariance Σ within 4 standard errors", () => {
    const g = exampleModel("gaussian.json");
    const n = 40000;
    const s = g.sample(n, createRng(10));
    let m0 = 0, m1 = 0;
    for (let i = 0; i < n; i++) { m0 += s.data[2 * i]; m1 += s.data[2 * i + 1]; }
    m0 /= n; m1 /= n;
    let c01 = 0, c00 = 0;
    for (let i = 0; i < n; i++) { c00 += (s.data[2 * i] - m0) ** 2; c01 += (s.data[2 * i] - m0) * (s.data[2 * i + 1] - m1); }
    c00 /= n; c01 /= n;
    expectClose(m0, 1, { atol: 4 * Math.sqrt(2 / n) });
    expectClose(m1, -0.5, { atol: 4 * Math.sqrt(0.5 / n) });
    expectClose(c00, 2, { atol: 4 * 2 * Math.sqrt(2 / n) }); // sd of a sample variance ≈ Σ₀₀ √(2/n)
    expectClose(c01, 0.6, { atol: 4 * Math.sqrt((2 * 0.5 + 0.36) / n) });
  });
  it("sphere samples lie on the sphere and are centred", () => {
    const s = sphere(4, 2).sample(5000, createRng(11));
    let c = 0;
    for (let i = 0; i < 5000; i++) {
      expectClose(Math.hypot(...s.data.subarray(4 * i, 4 * i + 4)), 2, { rtol: 1e-14 });
      c += s.data[4 * i];
    }
    expectClose(c / 5000, 0, { atol: 4 * Math.sqrt(1 / 5000) }); // Var y₁ = r²/d = 1
  });
  it("the same seed gives the same samples", () => {
    const g = exampleModel("gmm-1d.json");
    expect(Array.from(g.sample(10, createRng(3)).data)).toEqual(Array.from(g.sample(10, createRng(3)).data));
  });
});

describe("mixture structure carries the labels (ModelStructure.labels)", () => {
  it("labelled deltas put the class index of each point into structure.labels; unlabelled ones leave it out", () => {
    const labelled = parseModel({ kind: "deltas", points: [[0], [1], [2], [3]], labels: ["b", "a", "b", "c"] });
    const st = labelled.structure!;
    expect(st.type).toBe("mixture");
    if (st.type !== "mixture") return;
    expect(st.labels).toBeInstanceOf(Int32Array);
    expect(Array.from(st.labels!)).toEqual([1, 0, 1, 2]); // sorted names a, b, c
    expect(labelled.classNames).toEqual(["a", "b", "c"]);
    const plain = deltas(fromRows([[0], [1]])).structure!;
    expect(plain.type === "mixture" && plain.labels).toBe(undefined);
    const isingSt = exampleModel("ising.json").structure!;
    expect(isingSt.type === "mixture" && isingSt.labels).toBe(undefined);
  });
  it("a gmm's structure.labels is the class of each component: the identity, or the labels it was given", () => {
    const one = exampleModel("gmm-1d.json").structure!;
    expect(one.type === "mixture" && Array.from(one.labels!)).toEqual([0, 1, 2]);
    const grouped = gmm([
      { weight: 1, mean: [0], variance: 1 },
      { weight: 1, mean: [3], variance: 1 },
      { weight: 2, mean: [-3], variance: 0.5 },
    ], ["outer", "centre"], [0, 1, 0]);
    const st = grouped.structure!;
    expect(st.type === "mixture" && Array.from(st.labels!)).toEqual([0, 1, 0]);
    expect(grouped.numClasses).toBe(2);
    // p(c|x) = Σ_{k: labels[k] = c} p(k|x), the ModelStructure contract
    const ungrouped = gmm([
      { weight: 1, mean: [0], variance: 1 },
      { weight: 1, mean: [3], variance: 1 },
      { weight: 2, mean: [-3], variance: 0.5 },
    ]);
    const x = fromRows([[0.4], [-2], [2.9]]);
    const a = grouped.posterior(x, 0.7, { classProbs: true }).classProbs!;
    const b = ungrouped.posterior(x, 0.7, { classProbs: true }).classProbs!;
    for (let i = 0; i < 3; i++) {
      expectClose(a[i * 2], b[i * 3] + b[i * 3 + 2], { rtol: 1e-14 }, `p(outer) row ${i}`);
      expectClose(a[i * 2 + 1], b[i * 3 + 1], { rtol: 1e-14 }, `p(centre) row ${i}`);
    }
  });
  it("the default dataset and the digits carry their labels", async () => {
    const { defaultModel } = await import("../src/models/default.js");
    const { digitsModel } = await import("../src/models/digits.js");
    for (const m of [defaultModel(), digitsModel({ perDigit: 2, size: 6 })]) {
      const st = m.structure!;
      expect(st.type).toBe("mixture");
      if (st.type !== "mixture") continue;
      expect(st.labels!.length).toBe(st.means.rows);
      expect(Math.max(...st.labels!) + 1).toBe(m.numClasses);
    }
  });
});

describe("sphere: H(y|x_σ) against an mpmath oracle (test/fixtures/make_models.py)", () => {
  // Reference measure: the surface measure of the sphere of radius r, so H(y) = log |S_r| (profile.ts); the fixture
  // integrates h(ρ) = (d−1) log r + log Z_d(κ) − κ A_d(κ) against the density of ρ = ‖x‖ (vMF posterior, 40 digits).
  const fixture = JSON.parse(readFileSync(join(import.meta.dirname, "fixtures", "models.json"), "utf8")).sphere as {
    d: number; r: number; sigma: number; conditionalEntropy: number; mmse: number; logArea: number;
  }[];
  it("H(y|x_σ) and mmse agree to 1e-12 at d = 2, 3, 5, 10, σ from 0.02 to 30", () => {
    for (const row of fixture) {
      const p = profileAt(sphere(row.d, row.r), row.sigma);
      expect(p.method).toBe("radial gauss-kronrod");
      const at = `d=${row.d} r=${row.r} σ=${row.sigma}`;
      // the code's route is I = −E log p_σ − (d/2) log(2πeσ²), H = log|S_r| − I: Gauss–Kronrod at epsrel 1e-12
      expectClose(p.conditionalEntropy!, row.conditionalEntropy, { rtol: 1e-12, atol: 1e-12 }, `H ${at}`);
      expectClose(p.mmse, row.mmse, { rtol: 1e-12 }, `mmse ${at}`);
      expectClose(p.conditionalEntropy! + p.mutualInformation, row.logArea, { rtol: 1e-14 }, `H + I = log|S_r| ${at}`);
    }
  });
  it("σ → ∞: H → log|S_r| with H = log|S_r| − r²/(2σ²) + O(σ⁻⁴)", () => {
    for (const [d, r] of [[2, 1], [3, 2], [10, 1.5]]) {
      const logArea = fixture.find((f) => f.d === d && f.r === r)!.logArea;
      const s = 1e3 * r;
      const H = profileAt(sphere(d, r), s).conditionalEntropy!;
      expectClose(((logArea - H) * 2 * s * s) / (r * r), 1, { rtol: 1e-4 }, `d=${d} r=${r}`); // relative O((r/σ)²) + rounding of I ≈ 5e-7
      expectClose(profileAt(sphere(d, r), 1e5 * r).conditionalEntropy!, logArea, { atol: 1e-10 }, `σ = 1e5 r, d=${d}`);
    }
  });
  it("σ → 0: H = (d−1)/2 · log(2πeσ²) − (d−1)(2d−5)σ²/(4r²) + O(σ⁴) (Gaussian in the d − 1 tangent directions)", () => {
    for (const [d, r] of [[2, 1], [3, 2], [5, 1], [10, 1.5]]) {
      const remainder = (s: number) =>
        profileAt(sphere(d, r), s).conditionalEntropy! - ((d - 1) / 2) * Math.log(2 * Math.PI * Math.E * s * s) + ((d - 1) * (2 * d - 5) * s * s) / (4 * r * r);
      const a = remainder(0.04 * r);
      const b = remainder(0.02 * r);
      // O(σ⁴): halving σ divides the remainder by 16 (a wrong σ² coefficient would leave a ratio of 4)
      expectClose(a / b, 16, { rtol: 0.05 }, `d=${d} r=${r} ratio`);
      expect(Math.abs(b), `d=${d} remainder`).toBeLessThan(100 * 0.02 ** 4);
    }
  });
});
