import { describe, expect, it } from "vitest";
import { bracketMaximum, brentMaximize, brentRoot } from "../src/numeric/brent.js";
import { symmetricEigen, symmetricEigenvalues } from "../src/numeric/eigen.js";
import { logSumExp, logSumExpRows } from "../src/numeric/logsumexp.js";
import {
  gaussHermite,
  gaussHermite2,
  gaussianExpectation,
  integrate,
  trapezoidGaussian,
  trapezoidGaussian2,
} from "../src/numeric/quadrature.js";
import { createRng } from "../src/numeric/rng.js";
import { CompensatedSum, neumaierSum } from "../src/numeric/sum.js";
import { WeightedWelford, Welford } from "../src/numeric/welford.js";
import data from "./fixtures/numeric.json" with { type: "json" };
import { expectAllClose, expectClose } from "./helpers.js";

const plainSum = (xs: ArrayLike<number>): number => {
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i];
  return s;
};

describe("compensated summation", () => {
  it("neumaierSum adds [1, 1e100, 1, −1e100] to exactly 2, where plain summation gives 0", () => {
    expect(plainSum([1, 1e100, 1, -1e100])).toBe(0);
    expect(neumaierSum([1, 1e100, 1, -1e100])).toBe(2);
  });

  it("neumaierSum of a million copies of 0.1 is the correctly rounded 100000", () => {
    // The double 0.1 is 0.1000000000000000055…; a million of them make 100000.0000000000055…,
    // which rounds to 100000. Plain summation drifts by ~1e-6.
    const xs = new Float64Array(1_000_000).fill(0.1);
    expect(neumaierSum(xs)).toBe(100000);
    expect(Math.abs(plainSum(xs) - 100000)).toBeGreaterThan(1e-7);
  });

  it("CompensatedSum streams the same total as neumaierSum", () => {
    const rng = createRng(7);
    const xs = Array.from({ length: 1000 }, () => rng.normal() * 10 ** Math.floor(rng.uniform() * 30 - 15));
    const acc = new CompensatedSum();
    for (const x of xs) acc.add(x);
    expect(acc.value).toBe(neumaierSum(xs));
    expect(new CompensatedSum().value).toBe(0);
  });

  it("neumaierSum follows IEEE addition once the sum is not finite", () => {
    expect(neumaierSum([])).toBe(0);
    expect(neumaierSum([Infinity, 1])).toBe(Infinity);
    expect(neumaierSum([Infinity, -Infinity])).toBeNaN();
    expect(neumaierSum([1, NaN])).toBeNaN();
    expect(neumaierSum([1.7e308, 1.7e308])).toBe(Infinity);
  });
});

describe("Welford", () => {
  it("Welford keeps the variance of 1e9 + N(0, 1) data, where Σx²/n − m² loses it", () => {
    const rng = createRng(2024);
    const n = 10_000;
    const xs = Array.from({ length: n }, () => 1e9 + rng.normal());
    // Reference: x − 1e9 is exact (Sterbenz), so a two-pass on the residuals is accurate to ~1e-15.
    const r = xs.map((x) => x - 1e9);
    const rMean = neumaierSum(r) / n;
    const want = neumaierSum(r.map((v) => (v - rMean) ** 2)) / (n - 1);
    const w = new Welford();
    for (const x of xs) w.push(x);
    expect(w.count).toBe(n);
    expectClose(w.mean, 1e9 + rMean, { rtol: 1e-15 }, "mean");
    // Welford runs on x − x₀ (exact here), so only the O(n·ε) rounding of M₂ remains.
    expectClose(w.variance, want, { rtol: 1e-13 }, "variance");
    expectClose(w.populationVariance, (want * (n - 1)) / n, { rtol: 1e-13 }, "population variance");
    expectClose(w.standardError, Math.sqrt(want / n), { rtol: 1e-13 }, "standard error");
    const naive = neumaierSum(xs.map((x) => x * x)) / n - (neumaierSum(xs) / n) ** 2;
    expect(Math.abs(naive / ((want * (n - 1)) / n) - 1)).toBeGreaterThan(0.01);
  });

  it("Welford agrees with the two-pass mean and variance on ordinary data", () => {
    const rng = createRng(11);
    const xs = Array.from({ length: 5000 }, () => 3 + 2 * rng.normal());
    const m = neumaierSum(xs) / xs.length;
    const v = neumaierSum(xs.map((x) => (x - m) ** 2)) / (xs.length - 1);
    const w = new Welford();
    for (const x of xs) w.push(x);
    expectClose(w.mean, m, { rtol: 1e-14 }, "mean");
    expectClose(w.variance, v, { rtol: 1e-13 }, "variance");
  });

  it("Welford.merge of two halves equals a single pass", () => {
    const rng = createRng(3);
    const xs = Array.from({ length: 999 }, () => rng.normal() * 5 - 1);
    const all = new Welford();
    const left = new Welford();
    const right = new Welford();
    xs.forEach((x, i) => {
      all.push(x);
      (i < 400 ? left : right).push(x);
    });
    left.merge(right);
    left.merge(new Welford());
    expect(left.count).toBe(999);
    expectClose(left.mean, all.mean, { rtol: 1e-14 }, "mean");
    expectClose(left.variance, all.variance, { rtol: 1e-13 }, "variance");
  });

  it("Welford gives NaN mean when empty and NaN variance below two values", () => {
    const w = new Welford();
    expect(w.mean).toBeNaN();
    expect(w.variance).toBeNaN();
    w.push(4);
    expect(w.mean).toBe(4);
    expect(w.variance).toBeNaN();
    expect(w.populationVariance).toBe(0);
    expect(w.standardError).toBeNaN();
  });

  it("WeightedWelford with integer weights matches Welford on repeated values", () => {
    const values = [1.5, -2, 3.25, 0, 7];
    const weights = [3, 1, 4, 2, 5];
    const ww = new WeightedWelford();
    const w = new Welford();
    values.forEach((x, i) => {
      ww.push(x, weights[i]);
      for (let k = 0; k < weights[i]; k++) w.push(x);
    });
    ww.push(100, 0); // zero weight is skipped
    expect(ww.totalWeight).toBe(15);
    expectClose(ww.mean, w.mean, { rtol: 1e-15 }, "mean");
    expectClose(ww.populationVariance, w.populationVariance, { rtol: 1e-14 }, "population variance");
    expectClose(ww.effectiveSampleSize, 225 / 55, { rtol: 1e-15 }, "Kish n_eff");
  });

  it("WeightedWelford with equal weights reduces to Welford's unbiased variance", () => {
    const ww = new WeightedWelford();
    const w = new Welford();
    for (const x of [2, 4, 4, 4, 5, 5, 7, 9]) {
      ww.push(x, 0.25);
      w.push(x);
    }
    expectClose(ww.variance, w.variance, { rtol: 1e-14 }, "variance");
    expectClose(ww.standardError, w.standardError, { rtol: 1e-14 }, "standard error");
    const one = new WeightedWelford();
    one.push(3, 2);
    expect(one.variance).toBeNaN();
    one.push(1, -1);
    expect(one.mean).toBeNaN();
  });
});

describe("logSumExp", () => {
  it("logSumExp agrees with log Σ exp for moderate values", () => {
    const rng = createRng(5);
    for (let trial = 0; trial < 50; trial++) {
      const xs = Array.from({ length: 1 + (trial % 9) }, () => 40 * rng.uniform() - 20);
      const naive = Math.log(neumaierSum(xs.map(Math.exp)));
      expectClose(logSumExp(xs), naive, { rtol: 1e-14, atol: 1e-15 }, `trial ${trial}`);
    }
  });

  it("logSumExp survives rows whose entries are all −1e308", () => {
    // −1e308 + log 3 rounds back to −1e308 (ulp(1e308) ≈ 2e292).
    expect(logSumExp([-1e308, -1e308, -1e308])).toBe(-1e308);
    expect(logSumExp([1e308, 1e308])).toBe(1e308);
    expect(logSumExp([1e308, -1e308])).toBe(1e308);
  });

  it("logSumExp gives −∞ for an all −∞ row, +∞ when any entry is +∞, NaN when any is NaN", () => {
    expect(logSumExp([-Infinity, -Infinity])).toBe(-Infinity);
    expect(logSumExp([])).toBe(-Infinity);
    expect(logSumExp([-Infinity, 3])).toBe(3);
    expect(logSumExp([1, Infinity, -Infinity])).toBe(Infinity);
    expect(logSumExp([1, NaN, 2])).toBeNaN();
    expect(logSumExp([Infinity, NaN])).toBeNaN();
  });

  it("logSumExp keeps a tiny correction: logSumExp([0, −40]) = log1p(e^−40) ≈ 4.2e−18", () => {
    expectClose(logSumExp([0, -40]), Math.log1p(Math.exp(-40)), { rtol: 1e-15 }, "lse");
    expectClose(logSumExp([1000, 1000]), 1000 + Math.LN2, { rtol: 1e-16 }, "lse");
  });

  it("logSumExp respects offset and length", () => {
    const x = new Float64Array([100, 0, 1, 2, 3, -50]);
    expectClose(logSumExp(x, 2, 2), Math.log(Math.exp(1) + Math.exp(2)), { rtol: 1e-15 }, "slice");
    expect(logSumExp(x, 3, 0)).toBe(-Infinity);
    expectClose(logSumExp(x, 1), logSumExp([0, 1, 2, 3, -50]), { rtol: 0 }, "tail");
  });

  it("logSumExpRows applies logSumExp to each row and writes into out", () => {
    const x = new Float64Array([0, 0, -Infinity, -Infinity, -1e308, -1e308, 5, Infinity]);
    const out = new Float64Array(5).fill(7);
    const got = logSumExpRows(x, 4, 2, out);
    expect(got).toBe(out);
    expectClose(got[0], Math.LN2, { rtol: 1e-16 }, "row 0");
    expect(Array.from(got.subarray(1))).toEqual([-Infinity, -1e308, Infinity, 7]);
    expect(logSumExpRows(x, 2, 0)).toEqual(new Float64Array([-Infinity, -Infinity]));
  });
});

describe("Brent", () => {
  it("brentRoot finds the root of cos x − x to 1e−14", () => {
    // Dottie number 0.739085133215160641655…, mpmath.findroot at 30 digits, rounded to double.
    const x = brentRoot((t) => Math.cos(t) - t, 0, 1, { xtol: 1e-15 });
    expectClose(x, 0.7390851332151607, { rtol: 1e-14 }, "x");
    expectClose(brentRoot((t) => t ** 3 - 2, 0, 3, { xtol: 1e-15 }), Math.cbrt(2), { rtol: 1e-14 }, "∛2");
  });

  it("brentRoot returns NaN without a sign change and an endpoint where f vanishes", () => {
    expect(brentRoot((t) => t * t + 1, -1, 1)).toBeNaN();
    expect(brentRoot(() => NaN, -1, 1)).toBeNaN();
    expect(brentRoot((t) => t - 2, 2, 5)).toBe(2);
    expect(brentRoot((t) => t - 5, 2, 5)).toBe(5);
  });

  it("brentMaximize finds π/2 as the maximum of sin on [0, 3] to 1e−10 relative", () => {
    const r = brentMaximize(Math.sin, 0, 3);
    expectClose(r.x, Math.PI / 2, { rtol: 1e-10 }, "x");
    expect(r.value).toBe(Math.sin(r.x));
    expectClose(r.value, 1, { rtol: 1e-16 }, "value");
  });

  it("brentMaximize without polish finds sin's maximum only to ≈ √ε (values are flat to O(Δx²))", () => {
    const r = brentMaximize(Math.sin, 0, 3, { polish: false });
    expectClose(r.x, Math.PI / 2, { rtol: 1e-7 }, "x");
  });

  it("brentMaximize finds a Lorentzian peak of width 1e−4 inside [0, 1]", () => {
    const c = 0.6180339887;
    const r = brentMaximize((x) => 1 / (1 + ((x - c) / 1e-4) ** 2), 0, 1);
    expectClose(r.x, c, { rtol: 1e-10 }, "x");
    expectClose(r.value, 1, { rtol: 1e-15 }, "value");
  });

  it("brentMaximize finds the maximum of x·e^−x (asymmetric peak) at x = 1", () => {
    // The polish step is biased by f'''h²/(6f''): observed 5e-11 here.
    const r = brentMaximize((x) => x * Math.exp(-x), 0, 5);
    expectClose(r.x, 1, { rtol: 2e-10 }, "x");
  });

  it("bracketMaximum and brentMaximize refine a grid maximum of a narrow peak beside a broad one", () => {
    const c = 0.7123456789;
    // The broad bump's slope at c is ~1e-23, so the argmax is c to double precision.
    const f = (x: number) =>
      0.5 * Math.exp(-((x - 0.2) ** 2) / (2 * 0.05 ** 2)) + Math.exp(-((x - c) ** 2) / (2 * 0.002 ** 2));
    const xs = Array.from({ length: 1001 }, (_, i) => i / 1000);
    const [lo, k, hi] = bracketMaximum(xs, xs.map(f));
    expect([lo, k, hi]).toEqual([711, 712, 713]);
    const r = brentMaximize(f, xs[lo], xs[hi]);
    expectClose(r.x, c, { rtol: 1e-10 }, "x");
  });

  it("bracketMaximum handles grid ends, ties and NaN", () => {
    expect(bracketMaximum([0, 1, 2], [5, 1, 0])).toEqual([0, 0, 1]);
    expect(bracketMaximum([0, 1, 2], [0, 1, 5])).toEqual([1, 2, 2]);
    expect(bracketMaximum([0, 1, 2, 3], [1, 4, 4, 0])).toEqual([0, 1, 2]);
    expect(bracketMaximum([0, 1, 2], [NaN, 2, NaN])).toEqual([0, 1, 2]);
    expect(bracketMaximum([0], [3])).toEqual([0, 0, 0]);
    expect(bracketMaximum([0, 1], [NaN, NaN])).toEqual([-1, -1, -1]);
    expect(bracketMaximum([0, 1], [-Infinity, -Infinity])).toEqual([0, 0, 1]);
  });

  it("brentMaximize returns NaN for a non-finite or reversed interval", () => {
    expect(brentMaximize(Math.sin, 0, Infinity).x).toBeNaN();
    expect(brentMaximize(Math.sin, 3, 0).value).toBeNaN();
  });
});

describe("Gauss–Hermite", () => {
  it("gaussHermite matches the fixture rule (scipy, polished in mpmath) to 1e−13 relative for n ≤ 200", () => {
    for (const rule of data.gaussHermite) {
      const { nodes, weights } = gaussHermite(rule.n);
      expectAllClose(nodes, rule.nodes, { rtol: 1e-13 }, `n=${rule.n} nodes`);
      expectAllClose(weights, rule.weights, { rtol: 1e-13 }, `n=${rule.n} weights`);
    }
  });

  it("gaussHermite gives E[Z^2k] = (2k − 1)!! to 1e−13 for k ≤ n − 1", () => {
    for (const n of [1, 2, 3, 5, 10, 20, 40, 64]) {
      const { nodes, weights } = gaussHermite(n);
      let dfact = 1; // (2k − 1)!!, exact in doubles up to k = 17, then rounded (≤ 7e-15 relative at k = 63)
      for (let k = 0; k < n; k++) {
        if (k > 0) dfact *= 2 * k - 1;
        const m = neumaierSum(Array.from(nodes, (x, i) => weights[i] * x ** (2 * k)));
        expectClose(m, dfact, { rtol: 1e-13 }, `n=${n} k=${k}`);
      }
    }
  });

  it("gaussHermite rules are symmetric, increasing, sum to 1, and go well past n = 200", () => {
    for (const n of [7, 200, 500, 1000]) {
      const { nodes, weights } = gaussHermite(n);
      expectClose(neumaierSum(weights), 1, { rtol: 1e-14 }, `n=${n} Σw`);
      for (let i = 0; i < n; i++) {
        expect(nodes[i] + nodes[n - 1 - i], `n=${n} node ${i}`).toBe(0);
        if (i > 0) expect(nodes[i] > nodes[i - 1], `n=${n} node ${i} increasing`).toBe(true);
      }
    }
    expect(gaussHermite(0).nodes.length).toBe(0);
    expect(gaussHermite(2.5).weights.length).toBe(0);
  });

  it("gaussHermite returns copies: mutating one does not touch the cache", () => {
    gaussHermite(3).nodes[0] = 99;
    expectClose(gaussHermite(3).nodes[0], -Math.sqrt(3), { rtol: 1e-15 }, "node");
  });

  it("gaussianExpectation gives E[cos Z] = e^−1/2 and E[e^Z] = e^1/2", () => {
    expectClose(gaussianExpectation(Math.cos), Math.exp(-0.5), { rtol: 1e-15 }, "E cos Z");
    expectClose(gaussianExpectation(Math.exp, { n: 40 }), Math.exp(0.5), { rtol: 1e-15 }, "E e^Z");
    expect(gaussianExpectation(Math.cos, { n: 0 })).toBeNaN();
  });

  it("gaussHermite2 gives E[Z1² Z2²] = 1 and E[(Z1 + Z2)⁴] = 12", () => {
    const { z1, z2, weights } = gaussHermite2(5);
    expect(weights.length).toBe(25);
    const e = (f: (a: number, b: number) => number) => neumaierSum(Array.from(weights, (w, i) => w * f(z1[i], z2[i])));
    expectClose(e((a, b) => a * a * b * b), 1, { rtol: 1e-15 }, "E Z1²Z2²");
    expectClose(e((a, b) => (a + b) ** 4), 12, { rtol: 1e-15 }, "E (Z1+Z2)⁴");
    expectClose(e((a, b) => a * b), 0, { atol: 1e-16 }, "E Z1Z2");
  });
});

describe("trapezoid rule for Gaussian expectations", () => {
  it("trapezoidGaussian gives E[Z⁴] = 3 and E[cos Z] = e^−1/2 to 1e−15", () => {
    // Entire integrands: the aliasing error is ~e^{−2π²/h²} ≈ 0 at h = 0.1.
    expectClose(trapezoidGaussian((z) => z ** 4), 3, { rtol: 1e-15 }, "E Z⁴");
    expectClose(trapezoidGaussian(Math.cos), Math.exp(-0.5), { rtol: 1e-15 }, "E cos Z");
    expectClose(trapezoidGaussian((z) => z ** 4, { h: 0.5, zmax: 12 }), 3, { rtol: 1e-14 }, "coarse");
  });

  it("trapezoidGaussian gives E|Z| = √(2/π) with the h²·φ(0)/6 kink error Euler–Maclaurin predicts", () => {
    const want = Math.sqrt(2 / Math.PI);
    const phi0 = 1 / Math.sqrt(2 * Math.PI);
    const h = 0.1;
    const err = trapezoidGaussian(Math.abs, { h }) - want;
    // Euler–Maclaurin on each half-line: −h²·g′(0)/12 with g = zφ(z), g′(0) = φ(0); the next
    // term, h⁴·φ(0)/240 per half, is 2.5e-4 of the leading one.
    expectClose(err, -(h * h * phi0) / 6, { rtol: 1e-3 }, "error at h = 0.1");
    expectClose(trapezoidGaussian(Math.abs, { h: 1e-3 }), want, { rtol: 1e-7 }, "h = 1e-3");
  });

  it("trapezoidGaussian handles a step: P(Z > 0.0505), the step midway between nodes", () => {
    // With the jump midway between nodes the O(h) terms cancel; the O(h²) error is 1.7e-9
    // relative at h = 0.001 (mpmath sum of the same nodes). Reference: erfc(0.0505/√2)/2, mpmath.
    const got = trapezoidGaussian((z) => (z > 0.0505 ? 1 : 0), { h: 1e-3 });
    expectClose(got, 0.47986197470313463, { rtol: 3e-9 }, "P(Z > 0.0505)");
  });

  it("trapezoidGaussian2 gives E[Z1² Z2²] = 1 and E[(Z1 + Z2)⁴] = 12", () => {
    expectClose(trapezoidGaussian2((a, b) => a * a * b * b), 1, { rtol: 1e-14 }, "defaults");
    expectClose(trapezoidGaussian2((a, b) => (a + b) ** 4, { h: 0.25, zmax: 12 }), 12, { rtol: 1e-14 }, "E (Z1+Z2)⁴");
  });

  it("trapezoidGaussian returns NaN for a non-positive step", () => {
    expect(trapezoidGaussian(Math.cos, { h: 0 })).toBeNaN();
    expect(trapezoidGaussian2(Math.max, { h: -1 })).toBeNaN();
    expect(trapezoidGaussian(Math.cos, { zmax: NaN })).toBeNaN();
  });
});

describe("adaptive Gauss–Kronrod integrate", () => {
  // Default goals are epsrel = 1e-11, epsabs = 1e-13; QUADPACK's error estimate
  // (200·|K15 − G7|)^{3/2} is pessimistic, so the actual error is smaller and 1e-12 relative
  // holds: measured ≤ 1.3e-14 for all but the t^{−1/2} endpoint singularity that x^{−1.5} on
  // [1, ∞) becomes under x = 1/t (4.7e-13, the slowest case). The reported error must bound
  // the actual one.
  const cases: [string, (x: number) => number, number, number, number][] = [
    ["∫₀^∞ e^−x dx = 1", (x) => Math.exp(-x), 0, Infinity, 1],
    ["∫₀¹ √x dx = 2/3", Math.sqrt, 0, 1, 2 / 3],
    ["∫_−∞^∞ e^−x² dx = √π", (x) => Math.exp(-x * x), -Infinity, Infinity, Math.sqrt(Math.PI)],
    ["∫₀¹ log x dx = −1 (singular endpoint)", Math.log, 0, 1, -1],
    ["∫₁^∞ dx/x² = 1", (x) => 1 / (x * x), 1, Infinity, 1],
    ["∫_−∞^0 eˣ dx = 1", Math.exp, -Infinity, 0, 1],
    ["∫₁^∞ x^−1.5 dx = 2 (algebraic decay)", (x) => x ** -1.5, 1, Infinity, 2],
    ["∫_−∞^∞ dx/(1 + x²) = π", (x) => 1 / (1 + x * x), -Infinity, Infinity, Math.PI],
  ];
  for (const [name, f, a, b, want] of cases) {
    it(`integrate: ${name} to 1e−12 relative`, () => {
      const r = integrate(f, a, b);
      expectClose(r.value, want, { rtol: 1e-12 }, name);
      expect(r.error).toBeGreaterThanOrEqual(Math.abs(r.value - want));
      expect(r.error).toBeLessThanOrEqual(1e-11 * Math.abs(want));
      expect(r.evaluations % 15).toBe(0);
    });
  }

  it("integrate: ∫₀¹ dx/√x = 2 (integrable singularity) to 1e−11", () => {
    expectClose(integrate((x) => 1 / Math.sqrt(x), 0, 1).value, 2, { rtol: 1e-11 }, "∫ x^−½");
  });

  it("integrate handles reversed limits, empty ranges and NaN", () => {
    expectClose(integrate(Math.sin, Math.PI, 0).value, -2, { rtol: 1e-14 }, "reversed");
    expectClose(integrate((x) => 1 / (x * x), Infinity, 1).value, -1, { rtol: 1e-14 }, "reversed ∞");
    expect(integrate(Math.sin, 2, 2)).toEqual({ value: 0, error: 0, evaluations: 0 });
    expect(integrate(Math.sin, NaN, 1).value).toBeNaN();
    expect(integrate(() => NaN, 0, 1).value).toBeNaN();
  });

  it("integrate reports a large error instead of throwing for the divergent ∫₀¹ dx/x", () => {
    const r = integrate((x) => 1 / x, 0, 1, { maxIntervals: 200 });
    expect(Number.isFinite(r.value)).toBe(true);
    expect(r.error).toBeGreaterThan(1e-3);
    expect(r.evaluations).toBeLessThanOrEqual(200 * 2 * 15);
  });
});

describe("symmetricEigen", () => {
  /** max |A − V Λ Vᵀ| and max |VᵀV − I|. */
  function residuals(a: ArrayLike<number>, n: number): { recon: number; ortho: number } {
    const { values, vectors: v } = symmetricEigen(a, n);
    let recon = 0;
    let ortho = 0;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        let g = 0;
        for (let k = 0; k < n; k++) {
          s += v[i * n + k] * values[k] * v[j * n + k];
          g += v[k * n + i] * v[k * n + j];
        }
        recon = Math.max(recon, Math.abs(s - 0.5 * (a[i * n + j] + a[j * n + i])));
        ortho = Math.max(ortho, Math.abs(g - (i === j ? 1 : 0)));
      }
    }
    return { recon, ortho };
  }
  const norm = (a: ArrayLike<number>) => Math.max(...Array.from(a, Math.abs));

  for (const c of data.eigen) {
    it(`symmetricEigen matches numpy eigvalsh and reconstructs A = VΛVᵀ (${c.name}, ${c.n}×${c.n})`, () => {
      const values = symmetricEigenvalues(c.a, c.n);
      // Backward-stable solvers are accurate to ~ε·‖A‖ absolutely (zero eigenvalues included).
      expectAllClose(values, c.eigvalsh, { atol: 1e-13 * norm(c.a) }, "vs numpy");
      expectAllClose(values, c.exact, { atol: 1e-14 * norm(c.a) }, "vs mpmath");
      const { recon, ortho } = residuals(c.a, c.n);
      expect(recon).toBeLessThanOrEqual(1e-12 * norm(c.a));
      expect(ortho).toBeLessThanOrEqual(1e-12);
    });
  }

  it("symmetricEigen's 2×2 closed form keeps the 1e−16 eigenvalue of a nearly singular matrix", () => {
    const c = data.eigen.find((e) => e.name === "cancel2")!;
    // The naive (a + c)/2 − hypot((a − c)/2, b) gives 0 here; dlaev2's det/λ₁ form keeps ~8 digits.
    expectClose(symmetricEigenvalues(c.a, 2)[0], c.exact[0], { rtol: 1e-7 }, "small eigenvalue");
  });

  it("symmetricEigen reconstructs random 2×2 and 6×6 matrices, every dlaev2 branch included", () => {
    const rng = createRng(99);
    const twos: number[][] = [
      [1, 0, 0, 1],
      [2, 0, 0, -3],
      [0, 1, 1, 0],
      [-1, 2, 2, -1],
      [1, 1, 1, 1],
      [-5, 0.5, 0.5, 1],
      [0, 0, 0, 0],
    ];
    for (let t = 0; t < 200; t++) {
      const b = rng.normal();
      twos.push([rng.normal() * 3, b, b, rng.normal() * 3]);
    }
    for (const a of twos) {
      const { recon, ortho } = residuals(a, 2);
      expect(recon, `A = ${a}`).toBeLessThanOrEqual(4e-16 * Math.max(norm(a), 1e-300) * 4);
      expect(ortho, `A = ${a}`).toBeLessThanOrEqual(1e-15);
      const [l0, l1] = symmetricEigenvalues(a, 2);
      expect(l0).toBeLessThanOrEqual(l1);
    }
    for (let t = 0; t < 20; t++) {
      const n = 6;
      const a = new Float64Array(n * n);
      for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) a[i * n + j] = a[j * n + i] = rng.normal();
      const { recon, ortho } = residuals(a, n);
      expect(recon).toBeLessThanOrEqual(1e-12 * norm(a));
      expect(ortho).toBeLessThanOrEqual(1e-12);
      const v = symmetricEigenvalues(a, n);
      for (let j = 1; j < n; j++) expect(v[j]).toBeGreaterThanOrEqual(v[j - 1]);
    }
  });

  it("symmetricEigen handles n = 1, the identity and bad input", () => {
    expect(symmetricEigen([4], 1)).toEqual({ values: Float64Array.of(4), vectors: Float64Array.of(1) });
    const id = new Float64Array(16);
    for (let i = 0; i < 4; i++) id[i * 5] = 1;
    expect(Array.from(symmetricEigenvalues(id, 4))).toEqual([1, 1, 1, 1]);
    expect(residuals(id, 4).ortho).toBeLessThanOrEqual(1e-15);
    expect(Array.from(symmetricEigenvalues([1, NaN, NaN, 1], 2)).every(Number.isNaN)).toBe(true);
    expect(Array.from(symmetricEigen([1, 2, 3], 2).vectors).every(Number.isNaN)).toBe(true);
    expect(symmetricEigen([], 0).values.length).toBe(0);
  });
});
