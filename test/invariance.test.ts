import { describe, expect, it } from "vitest";
import { profileAt } from "../src/analysis/info/profile.js";
import { type Batch, fromRows } from "../src/batch.js";
import { deltas } from "../src/models/deltas.js";
import { gmm, type GmmComponent } from "../src/models/gmm.js";
import { parseModel } from "../src/models/parse.js";
import type { DataModel, PosteriorStats } from "../src/models/types.js";
import { createRng } from "../src/numeric/rng.js";
import { expectAllClose, expectClose } from "./helpers.js";

// A mixture's law depends on its weights only through π_k = w_k / Σ w: multiplying every weight by a constant
// must leave every output unchanged. Outputs are compared to rtol 1e-12: the two models' normalised log-weights
// differ by rounding only (~1e-16 of |log w|), which moves no output by more than ~1e-14 relative; a model that
// forgets to normalise is off by log(scale) (≈ 2 or 11.5 nats) in log p_σ and by the factor `scale` in every
// expectation over its structure.
const TOL = { rtol: 1e-12, atol: 1e-14 };
const SCALES = [7.3, 1e-5];

function queries(dim: number, n: number, seed: number): Batch {
  const rng = createRng(seed);
  return fromRows(Array.from({ length: n }, () => Array.from({ length: dim }, () => 1.1 * rng.normal() + 0.2)));
}

const FIELDS = ["traceCov", "covariance", "entropy", "classProbs", "classEntropy", "classMeans", "participation", "logDensity"] as const;

/** Every posterior output, log p_σ, the conditional denoiser and the structure's weights of a and b agree. */
function expectSamePosterior(a: DataModel, b: DataModel, label: string): void {
  expect(b.numClasses, label).toBe(a.numClasses);
  const D = a.dim;
  const x = queries(D, 6, 5);
  const perRow = Float64Array.from({ length: x.rows }, (_, i) => 0.2 * 1.7 ** i);
  for (const sigma of [0.3, 1, 3, perRow]) {
    const at = `${label} σ=${typeof sigma === "number" ? sigma : "per-row"}`;
    const want = { covariance: true, entropy: true, classProbs: true, classMeans: true, participation: true, logDensity: true };
    const pa = a.posterior(x, sigma, want);
    const pb = b.posterior(x, sigma, want);
    expectAllClose(pb.mean.data, pa.mean.data, TOL, `${at} mean`);
    for (const f of FIELDS) {
      const va = pa[f as keyof PosteriorStats] as Float64Array | undefined;
      const vb = pb[f as keyof PosteriorStats] as Float64Array | undefined;
      expect(vb === undefined, `${at} ${f} presence`).toBe(va === undefined);
      if (va && vb) expectAllClose(vb, va, { ...TOL, atol: f === "classProbs" ? 1e-300 : TOL.atol }, `${at} ${f}`);
    }
    expectAllClose(b.logDensity(x, sigma), a.logDensity(x, sigma), TOL, `${at} logDensity()`);
    if (a.numClasses > 0) {
      const labels = Int32Array.from({ length: x.rows }, (_, i) => (i % (a.numClasses + 1)) - 1);
      expectAllClose(b.denoise(x, sigma, { labels }).data, a.denoise(x, sigma, { labels }).data, TOL, `${at} conditional denoise`);
    }
  }
  const sa = a.structure!;
  const sb = b.structure!;
  if (sa.type === "mixture" && sb.type === "mixture") {
    expectAllClose(sb.weights, sa.weights, TOL, `${label} structure.weights`);
    expectClose(sb.weights.reduce((s, w) => s + w, 0), 1, TOL, `${label} Σ structure.weights`);
  }
}

const PROFILE_KEYS = ["mmse", "mutualInformation", "conditionalEntropy", "scoreNormSq", "pathwiseEntropyVariance", "classEntropy", "classEntropyRate"] as const;

/** The information profile (expectations over x ~ p_σ built from structure.weights) agrees. */
function expectSameProfile(a: DataModel, b: DataModel, sigmas: number[], label: string): void {
  for (const s of sigmas) {
    const pa = profileAt(a, s);
    const pb = profileAt(b, s);
    expect(pb.method).toBe(pa.method);
    for (const k of PROFILE_KEYS) {
      expect(pb[k] === undefined, `${label} ${k} presence`).toBe(pa[k] === undefined);
      if (pa[k] !== undefined) expectClose(pb[k]!, pa[k]!, { rtol: 1e-11, atol: 1e-14 }, `${label} σ=${s} ${k}`);
    }
  }
}

describe("deltas: every output is invariant under scaling all weights", () => {
  const points1 = [[-2], [-0.5], [0], [1.2], [3]];
  const points2 = [[1, 0], [-0.5, 0.9], [-0.6, -0.7], [0.2, 0.1]];
  const w1 = [0.1, 0.3, 0.2, 0.25, 0.15];
  const w2 = [0.5, 0.3, 0.2, 1.4];
  for (const scale of SCALES) {
    it(`through parseModel, weights × ${scale} (1-D and 2-D, labelled)`, () => {
      for (const [points, w, labels, sigmas] of [[points1, w1, [0, 0, 1, 1, 2], [0.3, 1]], [points2, w2, ["a", "b", "b", "a"], [2]]] as const) {
        const a = parseModel({ kind: "deltas", points, weights: w, labels });
        const b = parseModel({ kind: "deltas", points, weights: w.map((v) => v * scale), labels });
        expectSamePosterior(a, b, `D=${points[0].length} ×${scale}`);
        expectSameProfile(a, b, [...sigmas], `D=${points[0].length} ×${scale}`);
      }
    });
    it(`through the constructor, weights × ${scale}, and log-weights shifted by log ${scale}`, () => {
      const a = deltas(fromRows(points1), { weights: w1, labels: [0, 0, 1, 1, 2] });
      const b = deltas(fromRows(points1), { weights: w1.map((v) => v * scale), labels: [0, 0, 1, 1, 2] });
      const c = deltas(fromRows(points1), { logWeights: w1.map((v) => Math.log(v) + Math.log(scale)), labels: [0, 0, 1, 1, 2] });
      expectSamePosterior(a, b, `weights ×${scale}`);
      expectSamePosterior(a, c, `logWeights +log ${scale}`);
      expectSameProfile(a, c, [0.5], `logWeights +log ${scale}`);
    });
  }
  it("log-weights shifted by ±800 (weights beyond the double range) and equal weights of 1e-5 vs the uniform default", () => {
    const a = deltas(fromRows(points2), { weights: w2 });
    for (const shift of [800, -800]) expectSamePosterior(a, deltas(fromRows(points2), { logWeights: w2.map((v) => Math.log(v) + shift) }), `shift ${shift}`);
    const u = deltas(fromRows(points2));
    const tiny = deltas(fromRows(points2), { weights: [1e-5, 1e-5, 1e-5, 1e-5] });
    expectSamePosterior(u, tiny, "uniform");
    expectSameProfile(u, tiny, [2], "uniform");
  });
});

describe("Gaussian mixtures: every output is invariant under scaling all weights", () => {
  const comps1 = [
    { weight: 0.5, mean: [-2], variance: 0.25, label: "left" },
    { weight: 0.3, mean: [0.5], variance: 0.1, label: "middle" },
    { weight: 0.2, mean: [2.5], cov: [[0.5]], label: "right" },
  ];
  const comps2: GmmComponent[] = [
    { weight: 0.5, mean: [-1, 0], cov: Float64Array.from([0.3, 0.1, 0.1, 0.2]) },
    { weight: 0.3, mean: [1, 0.5], variance: 0 },
    { weight: 0.2, mean: [0.5, -1], variance: 0.05 },
  ];
  for (const scale of SCALES) {
    it(`through parseModel, weights × ${scale} (1-D)`, () => {
      const a = parseModel({ kind: "gmm", components: comps1 });
      const b = parseModel({ kind: "gmm", components: comps1.map((c) => ({ ...c, weight: c.weight * scale })) });
      expectSamePosterior(a, b, `gmm-1d ×${scale}`);
      expectSameProfile(a, b, [0.3, 1], `gmm-1d ×${scale}`);
    });
    it(`through the constructor, weights × ${scale} (2-D, with a point mass; components as classes and grouped)`, () => {
      for (const labels of [undefined, [0, 1, 0]]) {
        const a = gmm(comps2, undefined, labels);
        const b = gmm(comps2.map((c) => ({ ...c, weight: c.weight * scale })), undefined, labels);
        expectSamePosterior(a, b, `gmm-2d ×${scale} labels ${labels}`);
        expectSameProfile(a, b, [2], `gmm-2d ×${scale} labels ${labels}`);
      }
    });
  }
});
