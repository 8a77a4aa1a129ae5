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
