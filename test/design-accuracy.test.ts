import { describe, expect, it } from "vitest";
import { mixtureDesign } from "../src/analysis/info/design.js";
import { profileAt } from "../src/analysis/info/profile.js";
import { parseModel } from "../src/models/parse.js";
import { expectClose } from "./helpers.js";

// A 7-point labelled 2-D set (issue 18, item 3): its old design spent 650 000 nodes at σ = 1.
const SEVEN = {
  kind: "deltas",
  points: [[0, 0], [1.5, 0.2], [-1.2, 1.1], [0.3, -1.6], [2.4, 1.9], [-2.1, -1.3], [0.9, 2.6]],
  weights: [0.2, 0.15, 0.15, 0.1, 0.15, 0.1, 0.15],
  labels: [0, 1, 1, 0, 2, 2, 1],
};

/**
 * Brute force, sharing nothing with src/: a tensor trapezoid rule in x on a box reaching 9σ beyond every point, step
 * σ/20 (exponentially accurate for the analytic, Gaussian-decaying integrand; halving it changes nothing at 1e-13),
 * of p_σ(x) times mmse, H(y|x), Var h and H(c|x) with the posterior computed by log-sum-exp.
 */
function bruteForce(spec: typeof SEVEN, sigma: number) {
  const P = spec.points;
  const total = spec.weights.reduce((a, b) => a + b, 0);
  const logW = spec.weights.map((w) => Math.log(w / total));
  const C = Math.max(...spec.labels) + 1;
  const lo = [0, 1].map((d) => Math.min(...P.map((p) => p[d])) - 9 * sigma);
  const hi = [0, 1].map((d) => Math.max(...P.map((p) => p[d])) + 9 * sigma);
  const h = sigma / 20;
  const n = [0, 1].map((d) => Math.ceil((hi[d] - lo[d]) / h));
  let mass = 0, mmse = 0, H = 0, H2 = 0, Hc = 0;
  const l = new Float64Array(P.length);
  for (let i = 0; i <= n[0]; i++)
    for (let j = 0; j <= n[1]; j++) {
      const x = [lo[0] + i * h, lo[1] + j * h];
      let M = -Infinity;
      P.forEach((p, k) => {
        l[k] = logW[k] - ((x[0] - p[0]) ** 2 + (x[1] - p[1]) ** 2) / (2 * sigma * sigma);
        M = Math.max(M, l[k]);
      });
      let S = 0;
      for (const v of l) S += Math.exp(v - M);
      const px = (Math.exp(M) * S) / (2 * Math.PI * sigma * sigma);
      const w = Array.from(l, (v) => Math.exp(v - M) / S);
      const m = [0, 1].map((d) => w.reduce((a, wk, k) => a + wk * P[k][d], 0));
      const tr = w.reduce((a, wk, k) => a + wk * ((P[k][0] - m[0]) ** 2 + (P[k][1] - m[1]) ** 2), 0);
      const hx = -w.reduce((a, wk) => a + (wk > 0 ? wk * Math.log(wk) : 0), 0);
      const pc = new Array(C).fill(0);
      w.forEach((wk, k) => (pc[spec.labels[k]] += wk));
      const hc = -pc.reduce((a, q) => a + (q > 0 ? q * Math.log(q) : 0), 0);
      const dw = px * h * h;
      mass += dw;
      mmse += dw * tr;
      H += dw * hx;
      H2 += dw * hx * hx;
      Hc += dw * hc;
    }
  return { mass, mmse, conditionalEntropy: H, pathwiseEntropyVariance: H2 - H * H, classEntropy: Hc };
}

// The brief's target: 1e-9 relative. The refined disk accepts a step once the next finer one agrees to 1e-10 of
// every probe integral, and the brute force is good to ~1e-13 (its mass is 1 to that), so 1e-9 tests the design.
const RTOL = 1e-9;

describe("2-D trapezoid disk sized by its accuracy (refined per component)", () => {
  const model = parseModel(SEVEN);
  for (const sigma of [0.5, 1, 3]) {
    it(`7 labelled points, σ = ${sigma}: mmse, H(y|x), Var h and H(c|x) agree with a brute-force trapezoid in x to ${RTOL}`, () => {
      const want = bruteForce(SEVEN, sigma);
      expectClose(want.mass, 1, { rtol: 1e-12 }, "brute-force mass");
      const got = profileAt(model, sigma);
      expect(got.method).toMatch(/trapezoid-z disk \(2-D, refined/);
      for (const k of ["mmse", "conditionalEntropy", "pathwiseEntropyVariance", "classEntropy"] as const)
        expectClose(got[k]!, want[k], { rtol: RTOL }, `σ=${sigma} ${k}`);
    });
  }
  it("7 labelled points, σ = 1: a few thousand nodes per component where the work-budget design spent 650 000 in all", () => {
    const d = mixtureDesign(model, 1)!;
    // measured 16 695 (steps 0.28–0.4 in z); the old design's h = 0.045 gave 649 775
    expect(d.nodes.rows).toBeLessThan(25_000);
    // weights of a quadrature of a probability law sum to 1 (the disk's tails beyond ‖z‖ = 7.8 carry < 1e-13)
    expectClose(d.weights.reduce((a, b) => a + b, 0), 1, { rtol: 1e-12 }, "Σ w");
  });
  it("a continuous 2-D gmm (full covariance, point mass, isotropic) at σ = 0.3 takes the refined disk, refining on −log p(k|x)", () => {
    // the refined design against itself is not independent; test/design.test.ts checks this gmm against scipy
    // dblquad at 1e-9, here only that the refinement stopped on the continuous probe (−log p(k|x)).
    const gmm = parseModel({
      kind: "gmm",
      components: [
        { weight: 0.5, mean: [-1, 0], cov: [[0.3, 0.1], [0.1, 0.2]] },
        { weight: 0.3, mean: [1, 0.5], variance: 0 },
        { weight: 0.2, mean: [0.5, -1], variance: 0.05 },
      ],
    });
    const p = profileAt(gmm, 0.3);
    expect(p.method).toMatch(/refined/);
    expect(Number.isFinite(p.mutualInformation) && p.mutualInformation > 0).toBe(true);
  });
});
