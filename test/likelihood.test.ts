import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { fromRows, type Batch } from "../src/batch.js";
import { exactNll, exactPmi, gaussianLawOf, modelMoments } from "../src/analysis/likelihood/exact.js";
import { gammaGrid, gaussianImmseLikelihood, immseLikelihood } from "../src/analysis/likelihood/immse.js";
import { odeLikelihood } from "../src/analysis/likelihood/ode.js";
import { pointwiseMutualInformation } from "../src/analysis/likelihood/pmi.js";
import { gaussianPointwiseMmse } from "../src/analysis/likelihood/pointwise-mmse.js";
import { modelLikelihoodRange } from "../src/analysis/likelihood/range.js";
import { parseModel } from "../src/models/parse.js";
import type { DataModel } from "../src/models/types.js";
import { expectClose } from "./helpers.js";

interface FixtureModel {
  components: { weight: number; mean: number[]; cov: number[][]; label: string }[];
  points: number[][];
  nll: number[];
  nllSmoothed: { s: number; values: number[] };
  pmi: number[];
  pmiLabel: string;
  immseQuad?: number[];
  immseQuadPoints?: number[][];
}
const fixture = JSON.parse(readFileSync(join(import.meta.dirname, "fixtures", "likelihood.json"), "utf8")) as Record<string, FixtureModel>;
const gmmOf = (f: FixtureModel) => parseModel({ kind: "gmm", components: f.components });
const range = (m: DataModel, method: "immse" | "ode", s = 0) => modelLikelihoodRange(m, method, s);

describe("the I-MMSE route (quadrature in z, trapezoid in log γ)", () => {
  it("equals −log p of a full Gaussian in 1 and 2 D to 1e-9 by Gauss–Hermite, and in 5 D in closed form", () => {
    for (const spec of [
      { kind: "gaussian", mean: [0.3], cov: [[2]] },
      { kind: "gaussian", mean: [1, -0.5], cov: [[2, 0.6], [0.6, 0.5]] },
    ]) {
      const g = parseModel(spec);
      const y = fromRows(spec.mean.length === 1 ? [[0.3], [-2], [4]] : [[1, -0.5], [0, 0], [3, 1]]);
      const got = immseLikelihood(g, y, range(g, "immse"));
      const want = exactNll(g, y);
      for (let i = 0; i < y.rows; i++) expectClose(got.nll[i], want[i], { rtol: 1e-9 }, `${spec.mean.length}-D point ${i}`);
      expect(got.standardError.every((v) => v === 0)).toBe(true);
    }
    const cov = [[2, 0.3, 0, 0, 0.1], [0.3, 1, 0.2, 0, 0], [0, 0.2, 0.5, 0, 0], [0, 0, 0, 3, 0.4], [0.1, 0, 0, 0.4, 0.8]];
    const g5 = parseModel({ kind: "gaussian", mean: [0, 1, 0, -1, 0.5], cov });
    const y5 = fromRows([[0, 1, 0, -1, 0.5], [1, 1, 1, 1, 1]]);
    const got5 = gaussianImmseLikelihood(gaussianLawOf(g5)!, y5, range(g5, "immse"));
    const want5 = exactNll(g5, y5);
    for (let i = 0; i < 2; i++) expectClose(got5.nll[i], want5[i], { rtol: 1e-9 }, `5-D point ${i}`);
  });

  it("equals scipy's −log p of Gaussian mixtures in 1, 2 and 3 D to 1e-6 relative", () => {
    for (const name of ["gmm1", "gmm2", "gmm3"]) {
      const f = fixture[name];
      const m = gmmOf(f);
      const y = fromRows(f.points);
      const got = immseLikelihood(m, y, range(m, "immse"));
      for (let i = 0; i < y.rows; i++) expectClose(got.nll[i], f.nll[i], { rtol: 1e-6 }, `${name} point ${i}`);
    }
  });

  it("reproduces scipy's nested-quadrature I-MMSE integral of a 1-D mixture to 1e-8", () => {
    const f = fixture.gmm1;
    const got = immseLikelihood(gmmOf(f), fromRows(f.immseQuadPoints!), range(gmmOf(f), "immse"));
    for (let i = 0; i < 2; i++) expectClose(got.nll[i], f.immseQuad![i], { rtol: 1e-8 }, `point ${i}`);
  });

  it("has the stated tails: γ mmse(y, γ) → D at large γ with D/γ − mmse = −(2Δlog p + ‖∇log p‖²)/γ², and mmse → ‖y − μ‖² at small γ", () => {
    // N(0, λ) in 1-D: Δlog p = −1/λ, ∇log p = −y/λ.
    const lambda = [2];
    for (const y of [0, 0.7, 3]) {
      const a = -2 / lambda[0] + (y * y) / (lambda[0] * lambda[0]);
      const sigma = 1e-3;
      const mmse = gaussianPointwiseMmse(lambda, [y], sigma);
      expectClose((sigma ** 2 - mmse) / sigma ** 4, -a, { rtol: 1e-5, atol: 1e-5 }, `γ² (D/γ − mmse) at y = ${y}`);
      expectClose(gaussianPointwiseMmse(lambda, [y], 1e4), y * y, { rtol: 1e-6, atol: 1e-7 }, `small-γ limit at y = ${y}`);
    }
  });

  it("keeps −log p to 1e-4 on a truncated grid σ ∈ [0.03, 30]: the two tails carry what lies beyond it", () => {
    const f = fixture.gmm1;
    const m = gmmOf(f);
    const got = immseLikelihood(m, fromRows(f.points), { sigmaMin: 0.03, sigmaMax: 30 });
    for (let i = 0; i < f.points.length; i++) expectClose(got.nll[i], f.nll[i], { rtol: 1e-4 }, `point ${i}`);
  });

  it("by Monte Carlo lies within 4 standard errors of the exact value, and its standard error shrinks as 1/√samples", () => {
    const f = fixture.gmm2;
    const m = gmmOf(f);
    const y = fromRows(f.points);
    const se: number[] = [];
    for (const samples of [16, 256]) {
      const got = immseLikelihood(m, y, { ...range(m, "immse"), method: "monte-carlo", samples, seed: 3 });
      for (let i = 0; i < y.rows; i++) expect(Math.abs(got.nll[i] - f.nll[i]), `point ${i}, ${samples} samples`).toBeLessThan(4 * got.standardError[i]);
      se.push(got.standardError.reduce((a, b) => a + b, 0));
    }
    expectClose(se[0] / se[1], 4, { rtol: 0.15 }, "SE(16)/SE(256)");
  });

  it("gives the likelihood of y + s z for smoothed deltas and a singular Gaussian, which have no density themselves", () => {
    const d = parseModel({ kind: "deltas", points: [[-1, 0], [1, 0], [0, 1.5]] });
    const y = fromRows([[-1, 0], [0.2, 0.3]]);
    for (const model of [d, parseModel({ kind: "gaussian", mean: [0, 0], cov: [[1, 1], [1, 1]] })]) {
      const s = 0.3;
      const want = exactNll(model, y, s);
      const got = immseLikelihood(model, y, { ...range(model, "immse", s), smoothing: s });
      const ode = odeLikelihood(model, y, { ...range(model, "ode", s), smoothing: s, prior: modelMoments(model)!, rtol: 1e-8, atol: 1e-11 });
      for (let i = 0; i < y.rows; i++) {
        expectClose(got.nll[i], want[i], { rtol: 1e-6 }, `${model.kind} immse point ${i}`);
        expectClose(ode.nll[i], want[i], { rtol: 1e-6 }, `${model.kind} ode point ${i}`);
      }
      expect(() => exactNll(model, y)).toThrow(model.kind === "deltas" ? /a finite set of points has no density in R\^2/ : /covariance is singular \(rank 1 < D = 2\)/);
    }
    expect(() => exactNll(parseModel({ kind: "sphere", dim: 3, radius: 1 }), fromRows([[1, 0, 0]]))).toThrow(/2-dimensional surface/);
  });
});

describe("the probability-flow ODE route (Dormand–Prince in log σ)", () => {
  it("matches −log p(y + σ_min z) of mixtures in 1, 2 and 3 D within its tolerance, and its σ_min bias estimate the exact one", () => {
    for (const name of ["gmm1", "gmm2", "gmm3"]) {
      const f = fixture[name];
      const m = gmmOf(f);
      const y = fromRows(f.points);
      const r = range(m, "ode");
      const sMin = 0.05 * r.width; // large enough that the bias is visible
      for (const rtol of [1e-6, 1e-9]) {
        const got = odeLikelihood(m, y, { ...r, sigmaMin: sMin, prior: modelMoments(m)!, rtol, atol: rtol * 1e-3 });
        const want = exactNll(m, y, sMin);
        for (let i = 0; i < y.rows; i++) expectClose(got.nll[i], want[i], { rtol: 30 * rtol, atol: 1e-8 }, `${name} point ${i}, rtol ${rtol}`);
        if (rtol === 1e-9) {
          for (let i = 0; i < y.rows; i++) {
            const bias = want[i] - f.nll[i];
            expectClose(got.sigmaMinBias[i], bias, { rtol: 0.05, atol: 1e-6 }, `${name} bias at point ${i}`);
          }
        }
        expect(got.denoiserCalls).toBeGreaterThan(6 * got.steps.accepted);
      }
    }
  });

  it("agrees with scipy's −log p to 1e-5 relative at the default range", () => {
    for (const name of ["gmm1", "gmm2", "gmm3"]) {
      const f = fixture[name];
      const m = gmmOf(f);
      const got = odeLikelihood(m, fromRows(f.points), { ...range(m, "ode"), prior: modelMoments(m)! });
      for (let i = 0; i < f.points.length; i++) expectClose(got.nll[i], f.nll[i], { rtol: 1e-5 }, `${name} point ${i}`);
    }
  });

  it("with Hutchinson's divergence is unbiased, and its spread over seeds shrinks as 1/√probes", () => {
    const D = 12;
    const cov: number[][] = Array.from({ length: D }, (_, a) => Array.from({ length: D }, (_, b) => (a === b ? 0.5 + 0.1 * a : a === b + 1 || b === a + 1 ? 0.1 : 0)));
    const g = parseModel({ kind: "gaussian", mean: new Array(D).fill(0), cov });
    const y: Batch = fromRows([Array.from({ length: D }, (_, k) => Math.sin(k))]);
    const want = exactNll(g, y, 1e-3)[0];
    const spread: number[] = [];
    for (const probes of [2, 32]) {
      const values: number[] = [];
      for (let seed = 0; seed < 12; seed++)
        values.push(odeLikelihood(g, y, { sigmaMin: 1e-3, sigmaMax: 1e3, prior: modelMoments(g)!, divergence: "hutchinson", probes, seed, rtol: 1e-6 }).nll[0]);
      const mean = values.reduce((a, b) => a + b, 0) / values.length;
      const sd = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / (values.length - 1));
      expect(Math.abs(mean - want), `mean of 12 seeds at ${probes} probes`).toBeLessThan((4 * sd) / Math.sqrt(12));
      spread.push(sd);
    }
    // √(32/2) = 4; with 12 seeds the ratio of sample sds is within a factor ~1.6 of it
    expect(spread[0] / spread[1]).toBeGreaterThan(2.5);
    expect(spread[0] / spread[1]).toBeLessThan(6.5);
  });
});

describe("the pointwise mutual information", () => {
  it("equals scipy's log p(c|y) − log π_c in 1 and 2 D to 1e-6, and the exact kernel agrees", () => {
    for (const name of ["gmm1", "gmm2"]) {
      const f = fixture[name];
      const m = gmmOf(f);
      const y = fromRows(f.points);
      const c = m.classNames!.indexOf(f.pmiLabel);
      const labels = new Int32Array(y.rows).fill(c);
      // 96² nodes in 2-D: the default 64² leaves 7e-7 nats between two components (docs/theory.md §8)
      const got = pointwiseMutualInformation(m, y, labels, { ...range(m, "immse"), nodes: name === "gmm2" ? 96 : undefined });
      const exact = exactPmi(m, y, labels);
      for (let i = 0; i < y.rows; i++) {
        expectClose(exact[i], f.pmi[i], { rtol: 1e-12, atol: 1e-12 }, `${name} exact point ${i}`);
        expectClose(got.pmi[i], f.pmi[i], { rtol: 1e-6, atol: 1e-7 }, `${name} point ${i}`);
      }
    }
  });
});

it("gammaGrid has both ends on the grid and a step of at most the one asked", () => {
  const g = gammaGrid(0.01, 100, 0.2);
  expect(g.sigma[0]).toBe(100);
  expect(g.sigma[g.sigma.length - 1]).toBe(0.01);
  expect(g.step).toBeLessThanOrEqual(0.2);
  expectClose(Math.log(g.gamma[1] / g.gamma[0]), g.step, { rtol: 1e-12 });
});
