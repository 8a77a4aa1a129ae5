import { describe, expect, it } from "vitest";
import { kernelBackendName, kernelBackends } from "../src/engine/backends.js";
import { jsPosteriorKernel, posteriorKernel, type DeltaSet, type KernelRequest, type KernelResult } from "../src/engine/kernel.js";
import { createRng } from "../src/numeric/rng.js";
import { expectClose } from "./helpers.js";

/** Random weighted, labelled data (one point of weight zero), centred at `offset`. */
function randomSet(N: number, D: number, K: number, offset: number, seed: number): DeltaSet {
  const rng = createRng(seed);
  const points = new Float64Array(N * D).map(() => offset + rng.normal());
  const raw = Array.from({ length: N }, (_, j) => (j === 1 ? 0 : rng.uniform() + 0.05));
  const total = raw.reduce((a, b) => a + b, 0);
  const logWeights = Float64Array.from(raw, (w) => Math.log(w / total));
  const labels = Int32Array.from({ length: N }, (_, j) => j % K);
  return { n: N, dim: D, points, logWeights, labels, numClasses: K };
}

/** Queries near the data (a point + σ·noise, capped so that huge σ stays near), and two far ones. */
function queriesFor(set: DeltaSet, B: number, sigma: number, seed: number): Float64Array {
  const rng = createRng(seed);
  const D = set.dim;
  const spread = Number.isFinite(sigma) ? Math.min(sigma, 3) : 1;
  const q = new Float64Array(B * D);
  for (let b = 0; b < B; b++)
    for (let k = 0; k < D; k++) q[b * D + k] = set.points[((b * 7) % set.n) * D + k] + spread * rng.normal() * (b >= B - 2 ? 30 : 1);
  return q;
}

/**
 * Every output of `got` against the reference. Tolerances: 1e-12 relative for the scale-free outputs (Tr C, Σw²);
 * class probabilities 1e-12 relative plus 1e-15 absolute (a probability e^{−A} carries the rounding of A, ~εA,
 * relative: e^{−200} is only known to ~1e-13 relative by any route); means within 1e-12 of the data's scale max|y| (a mean is a weighted average of points,
 * rounded at their scale); entropies and log Z within 1e-12 relative plus 1e-13 absolute (a sum of terms of order
 * log N, which may cancel to ~0).
 */
function expectSame(got: KernelResult, want: KernelResult, set: DeltaSet, label: string): void {
  let scale = 0;
  for (const v of set.points) scale = Math.max(scale, Math.abs(v));
  const each = (g: Float64Array | undefined, w: Float64Array | undefined, tol: { rtol?: number; atol?: number }, name: string) => {
    expect(g === undefined, `${label} ${name} presence`).toBe(w === undefined);
    if (!g || !w) return;
    expect(g.length).toBe(w.length);
    for (let i = 0; i < w.length; i++) {
      if (Number.isNaN(w[i])) expect(Number.isNaN(g[i]), `${label} ${name}[${i}] NaN`).toBe(true);
      else expectClose(g[i], w[i], tol, `${label} ${name}[${i}]`);
    }
  };
  each(got.mean, want.mean, { atol: 1e-12 * scale }, "mean");
  each(got.traceCov, want.traceCov, { rtol: 1e-12, atol: 1e-300 }, "traceCov");
  each(got.logPartition, want.logPartition, { rtol: 1e-12, atol: 1e-13 }, "logPartition");
  each(got.entropy, want.entropy, { rtol: 1e-12, atol: 1e-13 }, "entropy");
  each(got.participation, want.participation, { rtol: 1e-12 }, "participation");
  each(got.classProbs, want.classProbs, { rtol: 1e-12, atol: 1e-15 }, "classProbs");
  each(got.classEntropy, want.classEntropy, { rtol: 1e-12, atol: 1e-13 }, "classEntropy");
  each(got.classMeans, want.classMeans, { atol: 1e-12 * scale }, "classMeans");
  each(got.covariance, want.covariance, { rtol: 1e-12, atol: 1e-12 * scale * scale }, "covariance");
}

const ALL: KernelRequest = { entropy: true, participation: true, classProbs: true, classMeans: true };
const SIGMAS = [1e-6, 0.05, 0.3, 1, 3, 30, 1e6, Infinity];

describe("every kernel backend agrees with the reference jsPosteriorKernel", () => {
  it("the blocked TypeScript kernel is the default backend", () => {
    expect(kernelBackendName()).toBe("ts-blocked");
    expect(kernelBackendName(posteriorKernel())).toBe("ts-blocked");
  });

  for (const backend of kernelBackends()) {
    it(`${backend.name}: random weighted, labelled data, N ∈ {1, 2, 37, 1500}, D ∈ {1, 3, 64, 300}, σ from 1e-6 to ∞, to 1e-12`, () => {
      let seed = 10;
      for (const [N, D] of [[1, 3], [2, 1], [37, 3], [1500, 1], [1500, 64], [200, 300]]) {
        for (const offset of [0, 10]) {
          const set = randomSet(N, D, 3, offset, seed++);
          for (const sigma of SIGMAS) {
            const q = { rows: 9, dim: D, data: queriesFor(set, 9, sigma, seed++) };
            const label = `${backend.name} N=${N} D=${D} offset=${offset} σ=${sigma}`;
            expectSame(backend.kernel(set, q, sigma, ALL), jsPosteriorKernel(set, q, sigma, ALL), set, label);
            expectSame(backend.kernel(set, q, sigma, {}), jsPosteriorKernel(set, q, sigma, {}), set, label + " (no extras)");
          }
        }
      }
    });

    it(`${backend.name}: per-row σ with NaN, 0 and ∞ rows, a non-finite query, and the full covariance`, () => {
      const set = randomSet(400, 5, 2, 1, 99);
      const q = { rows: 8, dim: 5, data: queriesFor(set, 8, 1, 100) };
      q.data[3 * 5 + 2] = NaN;
      const sigma = Float64Array.from([0.5, NaN, 0, Infinity, 2, 1e-6, 1e6, 4]);
      expectSame(backend.kernel(set, q, sigma, ALL), jsPosteriorKernel(set, q, sigma, ALL), set, `${backend.name} per-row σ`);
      const cov = { covariance: true, entropy: true };
      expectSame(backend.kernel(set, q, sigma, cov), jsPosteriorKernel(set, q, sigma, cov), set, `${backend.name} covariance`);
    });
  }
});
