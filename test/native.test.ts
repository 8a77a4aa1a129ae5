import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { kernelBackendName, kernelBackends } from "../src/engine/backends.js";
import { jsPosteriorKernel, posteriorKernel, setPosteriorKernel, type DeltaSet, type KernelRequest, type KernelResult } from "../src/engine/kernel.js";
import { NATIVE_ADDON_PATH, installNativeBackend, nativeKernel } from "../src/node/native.js";
import { createRng } from "../src/numeric/rng.js";
import { expectClose } from "./helpers.js";

// The same cases and tolerances as test/backends.test.ts (copied: a test file exports nothing).

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
 * Every output against the reference, with test/backends.test.ts's tolerances: 1e-12 relative (Tr C, Σw²); class
 * probabilities plus 1e-15 absolute (e^{−A} carries the rounding of A); means within 1e-12 of max|y|; entropies
 * and log Z plus 1e-13 absolute (sums of terms of order log N that may cancel).
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
const built = existsSync(NATIVE_ADDON_PATH);

describe("the native OpenBLAS kernel agrees with the reference jsPosteriorKernel", () => {
  it("is built wherever CI runs (CI installs libopenblas-dev; npm ci runs scripts/build-native.mjs)", () => {
    if (process.env.CI) expect(built, `${NATIVE_ADDON_PATH} missing under CI`).toBe(true);
    if (built) expect(nativeKernel(), "the built addon loads").toBeDefined();
  });

  it.runIf(built)("installNativeBackend registers 'native-openblas' and makes it the default", () => {
    const previous = posteriorKernel();
    try {
      expect(installNativeBackend()).toBe(true);
      expect(kernelBackendName()).toBe("native-openblas");
      expect(kernelBackends().some((b) => b.name === "native-openblas")).toBe(true);
    } finally {
      setPosteriorKernel(previous);
    }
  });

  it.runIf(built)("random weighted, labelled data, N ∈ {1, 2, 37, 1500}, D ∈ {1, 3, 64, 300}, σ from 1e-6 to ∞, to 1e-12", () => {
    const kernel = nativeKernel()!;
    let seed = 10;
    for (const [N, D] of [[1, 3], [2, 1], [37, 3], [1500, 1], [1500, 64], [200, 300], [3000, 40]]) {
      for (const offset of [0, 10]) {
        const set = randomSet(N, D, 3, offset, seed++);
        for (const sigma of SIGMAS) {
          const q = { rows: 9, dim: D, data: queriesFor(set, 9, sigma, seed++) };
          const label = `native N=${N} D=${D} offset=${offset} σ=${sigma}`;
          expectSame(kernel(set, q, sigma, ALL), jsPosteriorKernel(set, q, sigma, ALL), set, label);
          expectSame(kernel(set, q, sigma, {}), jsPosteriorKernel(set, q, sigma, {}), set, label + " (no extras)");
        }
      }
    }
  });

  it.runIf(built)("per-row σ with NaN, 0 and ∞ rows, a non-finite query, and the full covariance", () => {
    const kernel = nativeKernel()!;
    const set = randomSet(400, 5, 2, 1, 99);
    const q = { rows: 8, dim: 5, data: queriesFor(set, 8, 1, 100) };
    q.data[3 * 5 + 2] = NaN;
    const sigma = Float64Array.from([0.5, NaN, 0, Infinity, 2, 1e-6, 1e6, 4]);
    expectSame(kernel(set, q, sigma, ALL), jsPosteriorKernel(set, q, sigma, ALL), set, "native per-row σ");
    const cov = { covariance: true, entropy: true };
    expectSame(kernel(set, q, sigma, cov), jsPosteriorKernel(set, q, sigma, cov), set, "native covariance");
  });

  it.runIf(built)("more queries than one 256-row block, split between threads, per-row σ: the same to 1e-12", () => {
    const kernel = nativeKernel()!;
    const set = randomSet(2000, 16, 4, 0, 7);
    const B = 601;
    const rng = createRng(8);
    const q = { rows: B, dim: 16, data: queriesFor(set, B, 2, 9) };
    const sigma = Float64Array.from({ length: B }, () => 0.5 + 4 * rng.uniform());
    expectSame(kernel(set, q, sigma, ALL), jsPosteriorKernel(set, q, sigma, ALL), set, "native 601 rows");
  });
});
