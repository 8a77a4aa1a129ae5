import { describe, expect, it } from "vitest";
import { besselRatio, besselRatioComplement, logBesselMgf } from "../src/numeric/bessel.js";
import data from "./fixtures/bessel.json" with { type: "json" };
import { expectClose } from "./helpers.js";

// Fixture: test/fixtures/make_bessel.py (mpmath besseli at 40 digits, cross-checked at 60 digits,
// against Perron's CF and by quadrature); d ∈ {2 … 4096} × κ ∈ [1e-10, 1e8] plus κ ≈ d/2 and non-integer d.
const points = data.points;

/** κ from 1e-10 to 1e8, 50 per decade. */
const kappaGrid = Array.from({ length: 901 }, (_, i) => 10 ** (-10 + i / 50));

describe("besselRatio", () => {
  it("besselRatio(d, κ) reaches 1e-13 relative against mpmath for d ∈ [2, 4096], κ ∈ [1e-10, 1e8]", () => {
    // Perron's CF takes ≤ 55 Lentz steps, each adding at most a few ulps of relative error
    // (measured ≤ 4e-15); 1e-13 is the accuracy the callers rely on, with headroom.
    for (const p of points) expectClose(besselRatio(p.d, p.kappa), p.A, { rtol: 1e-13 }, `A(${p.d}, ${p.kappa})`);
  });

  it("besselRatio(2, κ) matches scipy's ive(1, κ)/ive(0, κ)", () => {
    // scipy (AMOS) is itself good to ~1e-15 here (checked against mpmath by the fixture script).
    for (const p of data.scipyD2) expectClose(besselRatio(2, p.kappa), p.A, { rtol: 1e-13 }, `κ = ${p.kappa}`);
  });

  it("besselRatio(3, κ) equals the closed form coth κ − 1/κ", () => {
    for (const k of [1e-8, 1e-4, 1e-2]) {
      // Taylor series of coth κ − 1/κ; the first omitted term is below 1e-20 relative here.
      const k2 = k * k;
      const want = (k / 3) * (1 - (k2 / 15) * (1 - (2 * k2) / 21 * (1 - k2 / 10)));
      expectClose(besselRatio(3, k), want, { rtol: 1e-14 }, `κ = ${k}`);
    }
    // coth κ − 1/κ loses at most a factor ~13 to cancellation for κ ≥ 0.5.
    for (const k of [0.5, 1, 2, 7.5, 30, 100, 1e3, 1e5, 1e8]) {
      expectClose(besselRatio(3, k), 1 / Math.tanh(k) - 1 / k, { rtol: 5e-15 }, `κ = ${k}`);
      expectClose(besselRatioComplement(3, k), 1 / k - 2 / Math.expm1(2 * k), { rtol: 5e-15 }, `1 − A, κ = ${k}`);
    }
  });

  it("besselRatio(1, κ) is tanh κ, the mean of the two-point sphere S⁰", () => {
    for (const k of [1e-10, 1e-3, 0.5, 3, 20, 400]) {
      expectClose(besselRatio(1, k), Math.tanh(k), { rtol: 1e-14 }, `κ = ${k}`);
      expectClose(besselRatioComplement(1, k), 2 / (Math.exp(2 * k) + 1), { rtol: 1e-14 }, `1 − A, κ = ${k}`);
    }
  });

  it("besselRatio increases and besselRatioComplement decreases in κ, and they sum to 1", () => {
    for (const d of [1, 2, 3, 7.3, 10, 100, 784, 4096]) {
      let prevA = 0;
      let prevC = 1;
      for (const k of kappaGrid) {
        const a = besselRatio(d, k);
        const c = besselRatioComplement(d, k);
        // Strictly, until A is within 1e-13 of 1 and steps fall below an ulp (or 1 − A underflows, d = 1).
        if (prevA < 1 - 1e-13) expect(a, `A(${d}, ${k})`).toBeGreaterThan(prevA);
        else expect(a, `A(${d}, ${k})`).toBeGreaterThanOrEqual(prevA);
        if (prevC > 0) expect(c, `1 − A(${d}, ${k})`).toBeLessThan(prevC);
        else expect(c, `1 − A(${d}, ${k})`).toBe(0);
        expectClose(a + c, 1, { atol: 4 * Number.EPSILON }, `A + (1 − A) at d = ${d}, κ = ${k}`);
        prevA = a;
        prevC = c;
      }
    }
  });

  it("besselRatio and its complement follow κ/d for small κ and 1 − (d − 1)/(2κ) for huge κ, continuously", () => {
    for (const d of [2, 5, 4096]) {
      expectClose(besselRatio(d, 1e-150), 1e-150 / d, { rtol: 1e-15 }, `small κ, d = ${d}`);
      const edge = 1e16 * (d / 2 + 1);
      for (const k of [edge * (1 - 1e-9), edge * (1 + 1e-9), 1e30, 1e300]) {
        expectClose(besselRatioComplement(d, k), (d - 1) / (2 * k), { rtol: 1e-14 }, `1 − A, d = ${d}, κ = ${k}`);
        expectClose(besselRatio(d, k), 1 - (d - 1) / (2 * k), { rtol: Number.EPSILON }, `A, d = ${d}, κ = ${k}`);
      }
    }
  });
});

describe("besselRatioComplement", () => {
  it("besselRatioComplement(d, κ) reaches 1e-12 relative against mpmath, including κ = 1e8 where A rounds toward 1", () => {
    for (const p of points) {
      expectClose(besselRatioComplement(p.d, p.kappa), p.oneMinusA, { rtol: 1e-12 }, `1 − A(${p.d}, ${p.kappa})`);
    }
  });
});

describe("logBesselMgf", () => {
  it("logBesselMgf(d, κ) reaches 1e-12 relative against mpmath for d ∈ [2, 4096], κ ∈ [1e-10, 1e8]", () => {
    // Relative, not absolute, even at κ = 1e-10 where the value is κ²/(2d) ≈ 1e-21: the small-κ
    // series goes through log1p.
    for (const p of points) {
      expectClose(logBesselMgf(p.d, p.kappa), p.logMgf, { rtol: 1e-12 }, `logMgf(${p.d}, ${p.kappa})`);
    }
  });

  it("logBesselMgf equals log(sinh κ / κ) for d = 3 and log cosh κ for d = 1", () => {
    for (const k of [1, 2, 10, 99, 101, 1e3, 1e5, 1e8]) {
      const logSinhc = k - Math.LN2 - Math.log(k) + Math.log1p(-Math.exp(-2 * k));
      expectClose(logBesselMgf(3, k), logSinhc, { rtol: 1e-14 }, `d = 3, κ = ${k}`);
      const logCosh = k - Math.LN2 + Math.log1p(Math.exp(-2 * k));
      expectClose(logBesselMgf(1, k), logCosh, { rtol: 1e-14 }, `d = 1, κ = ${k}`);
    }
  });

  it("the derivative of logBesselMgf in κ (finite difference) is besselRatio, across every method boundary", () => {
    // Five-point stencil with h = 1e-3 κ: truncation O(h⁴) and rounding ~1e-13 relative, so 1e-9
    // catches any inconsistency between the series, Hankel and Debye branches (κ = 100, d = 38).
    for (const d of [2, 3, 10, 33, 37, 38, 39, 100, 784, 4096]) {
      for (const k of [1e-3, 0.5, 5, 50, 99.99, 100.05, 150, 1e3, 1e5, 1e8]) {
        const h = 1e-3 * k;
        const f = (x: number) => logBesselMgf(d, x);
        const fd = (f(k - 2 * h) - 8 * f(k - h) + 8 * f(k + h) - f(k + 2 * h)) / (12 * h);
        expectClose(fd, besselRatio(d, k), { rtol: 1e-9 }, `d = ${d}, κ = ${k}`);
      }
    }
  });

  it("logBesselMgf increases in κ and is continuous where the method changes", () => {
    for (const d of [2, 10, 37, 38, 784]) {
      let prev = 0;
      for (const k of kappaGrid) {
        const v = logBesselMgf(d, k);
        expect(v, `d = ${d}, κ = ${k}`).toBeGreaterThan(prev);
        prev = v;
      }
      const below = logBesselMgf(d, 100);
      const above = logBesselMgf(d, 100 * (1 + 1e-12));
      expectClose(above - below, 100e-12 * besselRatio(d, 100), { rtol: 1e-2 }, `jump at κ = 100, d = ${d}`);
    }
  });
});

describe("special cases", () => {
  it("κ = 0 gives A = 0, 1 − A = 1, logMgf = 0 and κ = ∞ gives 1, 0, ∞", () => {
    for (const d of [1, 2, 3, 4096]) {
      expect(besselRatio(d, 0)).toBe(0);
      expect(besselRatioComplement(d, 0)).toBe(1);
      expect(logBesselMgf(d, 0)).toBe(0);
      expect(besselRatio(d, Infinity)).toBe(1);
      expect(besselRatioComplement(d, Infinity)).toBe(0);
      expect(logBesselMgf(d, Infinity)).toBe(Infinity);
    }
  });

  it("NaN, negative κ, d < 1 and infinite d give NaN without throwing", () => {
    const bad: Array<[number, number]> = [
      [NaN, 1], [2, NaN], [2, -1], [2, -Infinity], [0.5, 1], [0, 1], [-3, 1], [Infinity, 1],
    ];
    for (const [d, k] of bad) {
      expect(besselRatio(d, k), `A(${d}, ${k})`).toBeNaN();
      expect(besselRatioComplement(d, k), `1 − A(${d}, ${k})`).toBeNaN();
      expect(logBesselMgf(d, k), `logMgf(${d}, ${k})`).toBeNaN();
    }
  });
});
