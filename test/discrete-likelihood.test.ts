import { readFileSync } from "node:fs";
import { join } from "node:path";
import { erf } from "./helpers.js";
import { describe, expect, it } from "vitest";
import { fromRows } from "../src/batch.js";
import { exactDiscreteNll, logNormalInterval } from "../src/analysis/likelihood/discrete.js";
import { parseModel } from "../src/models/parse.js";
import type { DataModel } from "../src/models/types.js";

/*
 * The exact discretised likelihood −log P(bin), P(bin) = ∫_bin p (issue 16 item 1), against
 * test/fixtures/make_discrete_likelihood.py: scipy.integrate.quad of each bin, checked there against norm.cdf /
 * log_ndtr differences to 1e-11. Tolerance 1e-10 relative: the fixture's own agreement between its two routes is
 * 1e-11, and our log-space bin sums lose a few ulps per coordinate.
 */
interface Case { name: string; model: unknown; levels: number; range: [number, number]; smoothing: number; points: number[][]; nll: number[] }
const fixture = JSON.parse(readFileSync(join(import.meta.dirname, "fixtures", "discrete_likelihood.json"), "utf8")) as { cases: Case[] };

describe("the exact discretised likelihood (closed-form bin probabilities)", () => {
  for (const c of fixture.cases)
    it(`matches scipy's quadrature of each bin: ${c.name}`, () => {
      const model = parseModel(c.model) as DataModel;
      const got = exactDiscreteNll(model, fromRows(c.points), { levels: c.levels, range: c.range }, c.smoothing);
      c.nll.forEach((want, i) => expect(Math.abs(got[i] - want), `${c.name} point ${i}: got ${got[i]}, want ${want}`).toBeLessThanOrEqual(1e-10 * Math.max(1, Math.abs(want))));
    });

  it("log(Φ(b) − Φ(a)) by its three routes meets the direct difference where that is accurate", () => {
    const Phi = (x: number) => 0.5 * (1 + erf(x / Math.SQRT2));
    for (const [a, b] of [[-0.3, 0.4], [0.1, 0.2], [1, 1.0005], [-2, -1.5]]) expect(logNormalInterval(a, b)).toBeCloseTo(Math.log(Phi(b) - Phi(a)), 6);
    // far tail: log Q(x) ≈ −x²/2 − log(x√(2π)) − 1/x² … (Mills ratio), for a bin [30, 31): Φ(31) − Φ(30) ≈ Q(30)
    expect(logNormalInterval(30, 31)).toBeCloseTo(-450 - Math.log(30 * Math.sqrt(2 * Math.PI)) + Math.log(1 - 1 / 900 + 3 / 810000), 6);
  });

  it("refuses a full-covariance Gaussian and unsmoothed point masses, naming the reason", () => {
    const full = parseModel({ kind: "gaussian", mean: [0, 0], cov: [[1, 0.5], [0.5, 1]] }) as DataModel;
    expect(() => exactDiscreteNll(full, fromRows([[0, 0]]), { levels: 11, range: [-5, 5] })).toThrow(/gaussian/);
    const pts = parseModel({ kind: "deltas", points: [[0], [1]] }) as DataModel;
    expect(() => exactDiscreteNll(pts, fromRows([[0]]), { levels: 11, range: [-5, 5] })).toThrow();
  });
});

