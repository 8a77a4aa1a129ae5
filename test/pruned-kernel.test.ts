import { describe, expect, it } from "vitest";
import { prunedPosteriorKernel, pruneReport } from "../src/engine/pruned.js";
import { jsPosteriorKernel } from "../src/engine/reference.js";
import type { DeltaSet } from "../src/engine/types.js";
import { createRng } from "../src/numeric/rng.js";
import { ALL, expectNaNRows, expectSame, queriesFor, randomSet } from "./backend-cases.js";

// Tolerances: test/backend-cases.ts expectSame (1e-12 relative): the skipped mass is ≤ N e^{−50} ≈ 1e-18 here,
// below the rounding of the reference on a reordered subset (~1e-14).

/** Ten tight clusters far apart in D dimensions (most points prunable at small σ). */
function clustered(N: number, D: number, seed: number): DeltaSet {
  const rng = createRng(seed);
  const centres = new Float64Array(10 * D).map(() => 20 * rng.normal());
  const points = new Float64Array(N * D);
  for (let j = 0; j < N; j++) for (let d = 0; d < D; d++) points[j * D + d] = centres[(j % 10) * D + d] + rng.normal();
  const labels = Int32Array.from({ length: N }, (_, j) => j % 10);
  return { n: N, dim: D, points, logWeights: new Float64Array(N).fill(-Math.log(N)), labels, numClasses: 10 };
}

describe("prunedPosteriorKernel", () => {
  const pruned = prunedPosteriorKernel(jsPosteriorKernel, { minPoints: 0 });
  it("matches the reference on random labelled sets at every σ of the backend cases", () => {
    const set = randomSet(400, 3, 3, 1, 7);
    for (const s of [0.05, 0.3, 1, 3, 30]) {
      const q = { rows: 12, dim: 3, data: queriesFor(set, 12, s, 3) };
      expectSame(pruned(set, q, s, ALL), jsPosteriorKernel(set, q, s, ALL), set, `σ=${s}`);
    }
  });
  it("matches the reference on clustered data where most points are pruned, and reports it", () => {
    const set = clustered(2000, 20, 11);
    const s = 0.3;
    const q = { rows: 16, dim: 20, data: queriesFor(set, 16, s, 5) };
    for (const want of [{ entropy: true, participation: true }, ALL]) {
      const r = pruned(set, q, s, want);
      expectSame(r, jsPosteriorKernel(set, q, s, want), set, "clustered");
      const rep = pruneReport(r)!;
      expect(rep.survivors[0]).toBeLessThan(0.3 * set.n);
      for (const m of rep.skippedMass) expect(m).toBeLessThanOrEqual(1e-300);
    }
  });
  it("per-row σ arrays and invalid rows (NaN)", () => {
    expectNaNRows(pruned, "pruned");
  });
  it("the skipped-mass bound bounds log Z_dense − log Z (margin 3 nats, so the skipped mass is visible)", () => {
    const loose = prunedPosteriorKernel(jsPosteriorKernel, { minPoints: 0, margin: 3 });
    const set = clustered(600, 2, 3);
    const s = 4;
    const q = { rows: 8, dim: 2, data: queriesFor(set, 8, s, 9) };
    const r = loose(set, q, s, {});
    const ref = jsPosteriorKernel(set, q, s, {});
    const rep = pruneReport(r)!;
    for (let b = 0; b < 8; b++) {
      const gap = ref.logPartition[b] - r.logPartition[b];
      expect(gap).toBeGreaterThanOrEqual(-1e-13);
      expect(gap).toBeLessThanOrEqual(Math.log1p(rep.skippedMass[b]) + 1e-13);
    }
  });
});
