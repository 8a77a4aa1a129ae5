import { describe, expect, it } from "vitest";
import { fromRows } from "../src/batch.js";
import { fixedPoints1d, varianceBounds } from "../src/analysis/bifurcation/bracket-1d.js";
import { sampleVarianceStandardError } from "../src/analysis/dynamics/pathwise.js";
import { criticalPoints } from "../src/analysis/bifurcation/critical-points.js";
import { thermoAnalysis } from "../src/cli/thermo.js";
import { findFixedPoints } from "../src/analysis/thermo/fixed-points.js";
import { deltas } from "../src/models/deltas.js";
import { gaussian } from "../src/models/gaussian.js";
import { createRng } from "../src/numeric/rng.js";
import { expectClose } from "./helpers.js";

/** m(x) of 1-D point masses written out here (log-sum-exp over the points), independent of the kernel. */
function meanOf(ys: number[], w: number[], x: number, sigma: number): number {
  const l = ys.map((y, j) => Math.log(w[j]) - (x - y) ** 2 / (2 * sigma * sigma));
  const M = Math.max(...l);
  let s = 0;
  let sy = 0;
  l.forEach((v, j) => {
    const e = Math.exp(v - M);
    s += e;
    sy += e * ys[j];
  });
  return sy / s;
}

/** Sign changes of m(x) − x on a uniform grid of n + 1 nodes over the hull: a brute-force count of the fixed points. */
function bruteForceRoots(ys: number[], w: number[], sigma: number, n: number): number[] {
  const lo = Math.min(...ys);
  const hi = Math.max(...ys);
  const out: number[] = [];
  let prev = meanOf(ys, w, lo, sigma) - lo;
  for (let i = 1; i <= n; i++) {
    const x = lo + ((hi - lo) * i) / n;
    const f = meanOf(ys, w, x, sigma) - x;
    if (f === 0 || (prev !== 0 && Math.sign(f) !== Math.sign(prev))) out.push(x);
    prev = f;
  }
  return out;
}

describe("one fixed-point search for modes and thermo, and how complete it is", () => {
  it("600 points in D = 4, the last 10 isolated: modes and thermo find the same 11 fixed points (the old thermo started from the first 500 only)", () => {
    const rng = createRng(14);
    const rows: number[][] = [];
    for (let i = 0; i < 590; i++) rows.push([0, 0, 0, 0].map(() => 0.05 * rng.normal()));
    for (let i = 0; i < 10; i++) rows.push([0, 0, 0, 0].map((_, k) => (k === i % 4 ? 10 * (1 + Math.floor(i / 4)) : 0) * (i % 2 ? -1 : 1)));
    const model = deltas(fromRows(rows));
    const sigma = 0.5;
    const modes = criticalPoints(model, sigma);
    const thermo = thermoAnalysis(model, sigma);
    // the cluster (spread 0.05 ≪ σ) has one mode; each isolated point (≥ 10 away, e^{−100/(2σ²)} ≈ 0) its own
    expect(modes.points).toHaveLength(11);
    expect(thermo.fixedPoints.map((f) => Array.from(f.x))).toEqual(modes.points.map((p) => Array.from(p.x)));
    expect(thermo.fixedPoints.every((f) => f.stable)).toBe(true);
    expect(thermo.search).toEqual(modes.search);
    // the old thermo's starts (the first 500 points and their mean) reach the cluster's mode only
    expect(findFixedPoints(model, rows.slice(0, 500), sigma)).toHaveLength(1);
    // each is a fixed point of m, checked by a direct log-sum-exp over the 600 points
    for (const p of modes.points) {
      const l = rows.map((y) => -y.reduce((a, v, k) => a + (p.x[k] - v) ** 2, 0) / (2 * sigma * sigma));
      const M = Math.max(...l);
      const e = l.map((v) => Math.exp(v - M));
      const S = e.reduce((a, b) => a + b, 0);
      for (let k = 0; k < 4; k++) expectClose(rows.reduce((a, y, j) => a + e[j] * y[k], 0) / S, p.x[k], { atol: 1e-9 }, "m(x*) = x*");
    }
    for (let i = 590; i < 600; i++) expect(modes.points.some((p) => p.x.every((v, k) => Math.abs(v - rows[i][k]) < 1e-6))).toBe(true);
    // high D: not proven, with the starts counted
    expect(modes.complete).toBe(false);
    expect(modes.search.complete).toBe(false);
    expect(modes.search.starts).toBe(600);
    expect(modes.search.why).toMatch(/not proven/);
  });

  it("1-D point masses: every fixed point bracketed (complete), the same roots as a brute-force sign count on 200 000 nodes", () => {
    const ys = [0, 0.3, 1, 1.1, 2.5, 4];
    const w = [1, 2, 1, 3, 1, 1];
    const model = deltas(fromRows(ys.map((y) => [y])), { weights: w });
    for (const sigma of [0.05, 0.2, 0.45, 1, 2]) {
      const set = criticalPoints(model, sigma);
      expect(set.complete, `σ = ${sigma}: ${set.search.why}`).toBe(true);
      expect(set.search.complete).toBe(true);
      const xs = set.points.map((p) => p.x[0]).sort((a, b) => a - b);
      const brute = bruteForceRoots(ys, w, sigma, 200_000);
      expect(xs.length, `σ = ${sigma}`).toBe(brute.length);
      // grid spacing 2e-5: each brute-force crossing within one spacing of a bracketed root
      xs.forEach((x, i) => expect(Math.abs(x - brute[i])).toBeLessThanOrEqual(2.1e-5));
      for (const x of xs) expectClose(meanOf(ys, w, x, sigma), x, { atol: 1e-12 }, `m(x*) = x* at σ = ${sigma}`);
      // alternation in 1-D: max, min, max, …; the Morse sum is 1
      expect(set.morseSum).toBe(1);
    }
  });

  it("1-D at a branching (two deltas ±1, σ = 1: a degenerate root at 0) is reported not complete, the root still found", () => {
    const b = fixedPoints1d(deltas(fromRows([[-1], [1]])), 1);
    expect(b.complete).toBe(false);
    expect(b.why).toMatch(/degenerate/);
    expect(b.roots.map((r) => r.x)).toEqual([0]);
    expect(fixedPoints1d(deltas(fromRows([[-1], [1]])), 0.999).complete).toBe(true);
  });

  it("2-D: the Morse count holds but is not a proof (complete false, morseConsistent true); a Gaussian is complete", () => {
    const tri = deltas(fromRows([[1, 0], [-0.5, Math.sqrt(3) / 2], [-0.5, -Math.sqrt(3) / 2]]));
    const set = criticalPoints(tri, 0.72);
    expect(set.morseSum).toBe(1);
    expect(set.morseConsistent).toBe(true);
    expect(set.complete).toBe(false);
    expect(set.search.starts).toBeGreaterThan(400);
    expect(set.search.kinds.join("; ")).toMatch(/grid nodes/);
    const g = criticalPoints(gaussian(new Float64Array([1, 2]), new Float64Array([1, 0, 0, 2])), 0.5);
    expect(g.points).toHaveLength(1);
    expect(g.complete).toBe(true);
  });
});

describe("the proofs' ingredients", () => {
  it("varianceBounds brackets the posterior variance C(x) at every x of the interval (random 1-D sets, 2000 intervals)", () => {
    const rng = createRng(5);
    for (let t = 0; t < 200; t++) {
      const N = 2 + Math.floor(rng.uniform() * 6);
      const ys = Array.from({ length: N }, () => 4 * rng.uniform() - 2);
      const w = Array.from({ length: N }, () => 0.1 + rng.uniform());
      const logw = w.map(Math.log);
      const sigma = 0.05 + rng.uniform();
      for (let q = 0; q < 10; q++) {
        const a = 4 * rng.uniform() - 2;
        const b = a + (rng.uniform() < 0.5 ? 0.01 : 0.5) * rng.uniform();
        const { sup, inf } = varianceBounds(ys, logw, a, b, sigma);
        for (let i = 0; i <= 20; i++) {
          const x = a + ((b - a) * i) / 20;
          const m = meanOf(ys, w, x, sigma);
          // C(x) = Σ w_j (y_j − m)², written out (log-sum-exp weights)
          const l = ys.map((y, j) => logw[j] - (x - y) ** 2 / (2 * sigma * sigma));
          const M = Math.max(...l);
          const e = l.map((v) => Math.exp(v - M));
          const S = e.reduce((p, v) => p + v, 0);
          // relative to the heaviest point, so that a concentrated posterior's spread is not rounding
          const top = e.indexOf(Math.max(...e));
          const d = ys.reduce((p, y, j) => p + (e[j] / S) * (y - ys[top]), 0);
          const C = ys.reduce((p, y, j) => p + (e[j] / S) * (y - ys[top] - d) ** 2, 0);
          // rounding: relative 1e-12, and an absolute (1e-16·extent)² for the centring
          expect(C, `C(${x}) ≥ inf`).toBeGreaterThanOrEqual(inf * (1 - 1e-12) - 1e-31);
          expect(C, `C(${x}) ≤ sup`).toBeLessThanOrEqual(sup * (1 + 1e-12) + 1e-31);
        }
      }
    }
  });

  it("sampleVarianceStandardError: a normal sample's moments (m₄ = 3s⁴) give the normal-theory Var s² = 2s⁴/(n − 1) exactly", () => {
    for (const n of [4, 5, 10, 200]) expectClose(sampleVarianceStandardError(3 * 1.7 ** 2, 1.7, n), Math.sqrt((2 * 1.7 ** 2) / (n - 1)), { rtol: 1e-14 }, `n = ${n}`);
    expect(sampleVarianceStandardError(1, 1, 3)).toBe(0);
  });
});
