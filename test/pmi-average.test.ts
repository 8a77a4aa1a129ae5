import { describe, expect, it } from "vitest";
import { profileAt } from "../src/analysis/info/profile.js";
import { pointwiseMutualInformation } from "../src/analysis/likelihood/pmi.js";
import { parseModel } from "../src/models/parse.js";
import { createRng } from "../src/numeric/rng.js";

describe("pointwise mutual information averages to I(y; c)", () => {
  it("mean pmi over labelled draws equals H(c) − H(c|x_σ→0) of the class-entropy profile (two overlapping 1-D classes)", () => {
    // unequal weights and overlap, so that I(y; c) is neither 0 nor H(c)
    const model = parseModel({
      kind: "gmm",
      components: [
        { weight: 0.7, mean: [-0.6], variance: 0.5, label: "a" },
        { weight: 0.3, mean: [0.9], variance: 0.3, label: "b" },
      ],
    });
    const { points, labels } = model.sampleLabelled!(400, createRng(5));
    const r = pointwiseMutualInformation(model, points, labels, { sigmaMin: 1e-4, sigmaMax: 1e4 });
    let mean = 0;
    for (const v of r.pmi) mean += v / r.pmi.length;
    let s2 = 0;
    for (const v of r.pmi) s2 += (v - mean) ** 2 / (r.pmi.length - 1);
    const se = Math.sqrt(s2 / r.pmi.length);
    // the profile's H(c|x_σ) by 1-D quadrature at σ = 1e-4 is H(c|y) to ~1e-8; H(c) of the weights
    const hc = -(0.7 * Math.log(0.7) + 0.3 * Math.log(0.3));
    const info = hc - profileAt(model, 1e-4).classEntropy!;
    expect(info).toBeGreaterThan(0.2);
    expect(info).toBeLessThan(hc - 0.05);
    // the pmi of each point is exact to 1e-6 (test/likelihood.test.ts): the spread is that of the 400 draws
    expect(Math.abs(mean - info)).toBeLessThan(4 * se);
    expect(se).toBeLessThan(0.1 * info);
  });
});

describe("per-dimension maps of the pointwise mutual information", () => {
  // two isotropic classes that differ only along x: along y every class mean equals the unconditional one
  const model = parseModel({
    kind: "gmm",
    components: [
      { weight: 0.5, mean: [-0.8, 0.3], variance: 0.4, label: "a" },
      { weight: 0.5, mean: [0.8, 0.3], variance: 0.4, label: "b" },
    ],
  });
  const { points, labels } = model.sampleLabelled!(6, createRng(2));
  const r = pointwiseMutualInformation(model, points, labels, { sigmaMin: 1e-3, sigmaMax: 1e3, map: true });

  it("each point's map sums to its pmi", () => {
    for (let i = 0; i < 6; i++) expect(Math.abs(r.map![2 * i] + r.map![2 * i + 1] - r.pmi[i])).toBeLessThan(1e-12 * (1 + Math.abs(r.pmi[i])));
  });

  it("carries the label only in the coordinate the classes differ in", () => {
    for (let i = 0; i < 6; i++) {
      expect(Math.abs(r.map![2 * i + 1])).toBeLessThan(1e-12);
      expect(Math.abs(r.map![2 * i])).toBeGreaterThan(1e-3);
    }
  });
});

describe("per-dimension maps by Monte Carlo (D = 4)", () => {
  it("sum to pmi draw for draw and vanish in the coordinates the classes share", () => {
    const model = parseModel({
      kind: "gmm",
      components: [
        { weight: 0.5, mean: [-0.8, 0.3, 0, 1], variance: 0.4, label: "a" },
        { weight: 0.5, mean: [0.8, 0.3, 0, 1], variance: 0.4, label: "b" },
      ],
    });
    const { points, labels } = model.sampleLabelled!(4, createRng(3));
    const r = pointwiseMutualInformation(model, points, labels, { sigmaMin: 1e-3, sigmaMax: 1e3, map: true, samples: 8, seed: 1 });
    expect(r.mmseMethod).toBe("monte-carlo");
    for (let i = 0; i < 4; i++) {
      const row = Array.from(r.map!.subarray(4 * i, 4 * i + 4));
      expect(Math.abs(row.reduce((a, b) => a + b, 0) - r.pmi[i])).toBeLessThan(1e-12 * (1 + Math.abs(r.pmi[i])));
      for (const k of [1, 2, 3]) expect(Math.abs(row[k])).toBeLessThan(1e-12);
    }
  });
});

describe("infodyn pmi --map", () => {
  it("writes one row per point whose entries sum to its pmi", async () => {
    const { runCli } = await import("./cli-run.js");
    const r = await runCli(["pmi", "examples/gmm-2d.json", "--points", "[[-1.5,0],[1.5,0.5],[0,2]]", "--labels", "[0,1,2]", "--map", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.map).toHaveLength(3);
    j.map.forEach((row: number[], i: number) => {
      expect(row).toHaveLength(2);
      expect(Math.abs(row[0] + row[1] - j.pmi[i])).toBeLessThan(1e-12 * (1 + Math.abs(j.pmi[i])));
    });
  });
});
