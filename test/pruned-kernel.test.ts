import { describe, expect, it } from "vitest";
import { prunedPosteriorKernel, pruneReport } from "../src/engine/pruned.js";
import { jsPosteriorKernel } from "../src/engine/reference.js";
import type { DeltaSet } from "../src/engine/types.js";
import { createRng } from "../src/numeric/rng.js";
import { ALL, expectNaNRows, expectSame, queriesFor, randomSet } from "./backend-cases.js";

// Tolerances: test/backend-cases.ts expectSame (1e-12 relative), the backends' agreement: the first margin's rows
// stand only where their skipped mass provably moves no output by more than a tenth of it.

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
  const pruned = prunedPosteriorKernel(jsPosteriorKernel, { minPoints: 0, maxFraction: 0.3 });
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
      // The first margin, 40 + ln N nats: each skipped point's bound is below e^{−40}/N of the heaviest weight.
      for (const m of rep.skippedMass) expect(m).toBeLessThanOrEqual(Math.exp(-40));
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
  it("the narrow first margin settles concentrated rows on a handful of points; a Tr C of e^{−gap} beyond it is redone at twice the margin, still to 1e-12", () => {
    // Two tight groups along the first axis: queries at the first group's centre, σ = 1. Within a group points sit
    // 0.01 apart (logit gaps ~1e-4 nats): the posterior is spread over the group, Tr C is the group's own spread and
    // the other group (gap ≈ 100² / 2 = 5000 nats) is skipped with a bound of e^{−5000} = 0: the first margin stands.
    const D = 4;
    const N = 1000;
    const points = new Float64Array(N * D);
    const rng = createRng(17);
    for (let j = 0; j < N; j++) for (let d = 0; d < D; d++) points[j * D + d] = (d === 0 && j >= N / 2 ? 100 : 0) + 0.01 * rng.normal();
    const set: DeltaSet = { n: N, dim: D, points, logWeights: new Float64Array(N).fill(-Math.log(N)), numClasses: 0 };
    const kernel = prunedPosteriorKernel(jsPosteriorKernel, { minPoints: 0, maxFraction: 0.6 });
    const q = { rows: 3, dim: D, data: new Float64Array(3 * D) };
    const want = { entropy: true, participation: true };
    const r = kernel(set, q, 1, want);
    expectSame(r, jsPosteriorKernel(set, q, 1, want), set, "two groups");
    const rep = pruneReport(r)!;
    expect(rep.retries).toBe(0);
    expect(Array.from(rep.survivors)).toEqual([500, 500, 500]);
    // One point alone and its nearest neighbour 60 nats below it in logit (beyond the first margin, 40 + ln N ≈ 47):
    // Tr C ≈ e^{−60}·d² comes from the neighbour alone, so the narrow margin's Tr C (0) fails the test and the row
    // is redone at twice the margin.
    const lone = new Float64Array(N * D);
    for (let j = 0; j < N; j++) lone[j * D] = j === 0 ? 0 : j === 1 ? Math.sqrt(120) : 1000 + j;
    const set2: DeltaSet = { n: N, dim: D, points: lone, logWeights: new Float64Array(N).fill(-Math.log(N)), numClasses: 0 };
    const r2 = kernel(set2, { rows: 1, dim: D, data: new Float64Array(D) }, 1, want);
    const ref2 = jsPosteriorKernel(set2, { rows: 1, dim: D, data: new Float64Array(D) }, 1, want);
    expect(ref2.traceCov[0]).toBeGreaterThan(0);
    expect(ref2.traceCov[0]).toBeLessThan(1e-20);
    expectSame(r2, ref2, set2, "lone point");
    expect(pruneReport(r2)!.retries).toBe(1); // 2 × 47 nats reaches the neighbour
    expect(pruneReport(r2)!.survivors[0]).toBe(2);
  });
});
