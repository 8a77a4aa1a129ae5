import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { informationProfile } from "../src/analysis/info/grid.js";
import { defaultSigmaRange, nearestNeighbourDistances, pointsSigmaRange } from "../src/analysis/scale.js";
import { parseNpy } from "../src/io/npy.js";
import { parseModel } from "../src/models/parse.js";
import { expectClose } from "./helpers.js";

/*
 * The default σ range of every command (README "Default noise levels"). Oracles: the values numpy gives for the
 * digits (nearest neighbours by brute force, np.percentile(…, method="lower"), np.cov(bias=True), computed once by
 * the snippet below and pasted), the Gaussian's eigenvalues, and the information left at the ends of the range.
 *
 *   X = np.load(f).astype(float); G = ((X[:,None]-X[None])**2).sum(-1); G[G == 0] = inf (diagonal too)
 *   np.percentile(np.sqrt(G.min(1)), 10, method="lower")/10, 10*np.sqrt(np.trace(np.cov(X.T, bias=True)))
 */
function digits(file: string): Float64Array {
  const a = parseNpy(new Uint8Array(readFileSync(new URL(`../examples/${file}`, import.meta.url))));
  return Float64Array.from(a.data as ArrayLike<number>);
}

describe("the default σ range, from the data's scales", () => {
  it("the digits and their 0-vs-1 subset match numpy (to rounding: sums of 1797 squares, relative 1e-12)", () => {
    for (const [file, lo, hi] of [
      ["digits.npy", 1.2041594578792296, 346.6235331541436],
      ["digits01.npy", 1.063014581273465, 333.617920182155],
    ] as const) {
      const r = pointsSigmaRange(digits(file), 64);
      expectClose(r.min, lo, { rtol: 1e-12 }, `${file} σ_min`);
      expectClose(r.max, hi, { rtol: 1e-12 }, `${file} σ_max`);
    }
  });
  it("a model file and its points give the same range (deltas take their own points)", () => {
    const points = [[-1], [1], [3]];
    expect(defaultSigmaRange(parseModel({ kind: "deltas", points }))).toEqual(pointsSigmaRange(Float64Array.from(points.flat()), 1));
  });
  it("weighted points: σ_max from the weighted covariance (0.7/0.3 at ±1: Var = 1 − 0.4² = 0.84)", () => {
    const r = defaultSigmaRange(parseModel({ kind: "deltas", points: [[-1], [1]], weights: [0.7, 0.3] }));
    expectClose(r.max, 10 * Math.sqrt(0.84), { rtol: 1e-14 }, "σ_max");
    expectClose(r.min, 0.2, { rtol: 1e-15 }, "σ_min (spacing, unweighted)");
  });
  it("two deltas at ±1: σ_min = 2/10, σ_max = 10; about 0.005 nats of I above σ_max, H(y|x) ≈ 0 at σ_min", () => {
    const two = parseModel({ kind: "deltas", points: [[-1], [1]] });
    const r = defaultSigmaRange(two);
    expectClose(r.min, 0.2, { rtol: 1e-15 }, "σ_min");
    expectClose(r.max, 10, { rtol: 1e-15 }, "σ_max");
    const p = informationProfile(two, [r.max, r.min], { refinePeaks: false });
    // I(σ) ≈ Tr Cov/(2σ²) = 0.005 for σ² ≫ Tr Cov (the next term is O(σ⁻⁴): 1e-4 relative here)
    expectClose(p.points[1].mutualInformation, 0.005, { rtol: 0.02 }, "I at σ_max");
    expect(p.points[0].conditionalEntropy!).toBeLessThan(1e-4);
  });
  it("a Gaussian: σ_min = √λ_min/10, σ_max = 10√Σλ, and I(σ_max) = ½Σ log(1 + λ/σ²) ≤ 1/200", () => {
    const g = parseModel({ kind: "gaussian", mean: [1, 2], cov: [[4, 0], [0, 0.25]] });
    const r = defaultSigmaRange(g);
    expectClose(r.min, 0.05, { rtol: 1e-15 }, "σ_min");
    expectClose(r.max, 10 * Math.sqrt(4.25), { rtol: 1e-15 }, "σ_max");
    const I = 0.5 * (Math.log1p(4 / r.max ** 2) + Math.log1p(0.25 / r.max ** 2));
    expect(I).toBeLessThanOrEqual(1 / 200);
    expect(I).toBeGreaterThan(0.99 / 200);
  });
  it("a sphere of radius R in D dimensions: σ_min = R/(10√D), σ_max = 10R", () => {
    const r = defaultSigmaRange(parseModel({ kind: "sphere", dim: 16, radius: 2 }));
    expectClose(r.min, 2 / 40, { rtol: 1e-15 }, "σ_min");
    expectClose(r.max, 20, { rtol: 1e-15 }, "σ_max");
  });
  it("a Gaussian mixture takes the smaller of its narrowest component and its means' spacing", () => {
    const narrow = parseModel({ kind: "gmm", components: [{ weight: 0.5, mean: [-5], variance: 0.01 }, { weight: 0.5, mean: [5], variance: 1 }] });
    expectClose(defaultSigmaRange(narrow).min, 0.01, { rtol: 1e-15 }, "narrow component: √0.01/10");
    const close = parseModel({ kind: "gmm", components: [{ weight: 0.5, mean: [-0.05], variance: 1 }, { weight: 0.5, mean: [0.05], variance: 1 }] });
    expectClose(defaultSigmaRange(close).min, 0.01, { rtol: 1e-12 }, "close means: spacing 0.1/10");
  });
  it("the 10th percentile is numpy's method='lower' order statistic: index ⌊0.1 (n − 1)⌋ of the sorted distances", () => {
    // 20 points with gaps 20, 19, …, 2: nearest-neighbour distances 2, 2, 3, …, 20; ⌊1.9⌋ = 1 → 2 (not 3)
    const x: number[] = [0];
    for (let g = 20; g >= 2; g--) x.push(x[x.length - 1] + g);
    expect(pointsSigmaRange(Float64Array.from(x), 1).resolution).toBe(2);
  });
  it("coincident points are skipped in the spacing; a single point gets a range from its magnitude", () => {
    expect(Array.from(nearestNeighbourDistances(Float64Array.from([0, 0, 1]), 1))).toEqual([1, 1, 1]);
    const one = defaultSigmaRange(parseModel({ kind: "deltas", points: [[3, 4]] }));
    expect(one.min).toBeGreaterThan(0);
    expect(one.max).toBeGreaterThan(one.min);
    expect(one.rule).toMatch(/degenerate/);
  });
});
