import { describe, expect, it } from "vitest";
import { jsPosteriorKernel, type DeltaSet, type KernelRequest, type KernelResult } from "../src/engine/kernel.js";
import { emptyPartial, mergePartials } from "../src/engine/partial.js";
import { finishPartial, shardPartial, shardedPosteriorKernel } from "../src/engine/shard.js";
import { createRng } from "../src/numeric/rng.js";
import { expectClose } from "./helpers.js";

function data(N: number, D: number, K: number, seed: number): DeltaSet {
  const rng = createRng(seed);
  const points = new Float64Array(N * D).map(() => rng.normal());
  const raw = Array.from({ length: N }, () => rng.uniform() + 0.1);
  const tot = raw.reduce((a, b) => a + b, 0);
  return { n: N, dim: D, points, logWeights: Float64Array.from(raw, (w) => Math.log(w / tot)), labels: Int32Array.from({ length: N }, (_, j) => (j * 5) % K), numClasses: K };
}

/** Outputs agree to 1e-12 relative (means and class means to 1e-12 of the data scale, log Z and entropies +1e-13, probabilities +1e-15). */
function same(a: KernelResult, b: KernelResult, scale: number, label: string): void {
  const keys: [keyof KernelResult, number, number][] = [
    ["mean", 0, 1e-12 * scale], ["traceCov", 1e-12, 1e-300], ["logPartition", 1e-12, 1e-13], ["entropy", 1e-12, 1e-13],
    ["participation", 1e-12, 0], ["classProbs", 1e-12, 1e-15], ["classEntropy", 1e-12, 1e-13], ["classMeans", 0, 1e-12 * scale],
  ];
  for (const [k, rtol, atol] of keys) {
    const x = a[k];
    const y = b[k];
    expect(x === undefined).toBe(y === undefined);
    if (x && y) for (let i = 0; i < y.length; i++) expectClose(x[i], y[i], { rtol, atol }, `${label} ${k}[${i}]`);
  }
}

describe("sharded posterior sums", () => {
  const want: KernelRequest = { entropy: true, participation: true, classProbs: true, classMeans: true };

  it("1, 2, 3 and 7 shards give the unsharded posterior to 1e-12 at σ from 1e-3 to 1e3", () => {
    const set = data(700, 6, 3, 5);
    const rng = createRng(6);
    const q = { rows: 10, dim: 6, data: new Float64Array(60).map((_, i) => set.points[i] + rng.normal()) };
    for (const sigma of [1e-3, 0.1, 0.7, 2, 1e3])
      for (const shards of [1, 2, 3, 7])
        same(shardedPosteriorKernel(shards)(set, q, sigma, want), jsPosteriorKernel(set, q, sigma, want), 5, `shards=${shards} σ=${sigma}`);
  });

  it("merging partials in any order gives the same posterior (uneven shards, the heaviest point in the last one)", () => {
    const set = data(300, 4, 2, 8);
    const x = Float64Array.from(set.points.subarray(299 * 4, 300 * 4)); // sits on the last point
    const q = { rows: 1, dim: 4, data: x };
    const sigma = 0.3;
    const cuts = [0, 13, 150, 151, 300];
    const parts = () => cuts.slice(1).map((end, s) => shardPartial(set, cuts[s], end, q, sigma, want));
    const forward = emptyPartial(set, 1, want);
    for (const p of parts()) mergePartials(set, q, sigma, forward, p);
    const backward = emptyPartial(set, 1, want);
    for (const p of parts().reverse()) mergePartials(set, q, sigma, backward, p);
    const ref = jsPosteriorKernel(set, q, sigma, want);
    same(finishPartial(set, q, sigma, forward, want), ref, 5, "forward");
    same(finishPartial(set, q, sigma, backward, want), ref, 5, "backward");
  });
});
