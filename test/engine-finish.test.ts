import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { kernelBackends } from "../src/engine/backends.js";
import { finishRow, TRACE_CANCELLED_RATIO } from "../src/engine/finish.js";
import { emptyPartial } from "../src/engine/partial.js";
import { allocateResult } from "../src/engine/result.js";
import type { DeltaSet, PosteriorKernel } from "../src/engine/types.js";
import { nativeKernel } from "../src/node/native.js";
import { createRng } from "../src/numeric/rng.js";
import { expectClose } from "./helpers.js";

/** Every registered backend, and the native one where it is built (test/native.test.ts fails CI without it). */
function backends(): [string, PosteriorKernel][] {
  nativeKernel();
  return kernelBackends().map((b) => [b.name, b.kernel]);
}

/** Independent Tr C: full softmax with a max shift, the mean in two passes, then Σ w ‖y − m‖² (no cancellation). */
function twoPassTrace(set: DeltaSet, x: Float64Array, sigma: number): number {
  const { n, dim: D, points, logWeights } = set;
  const l = Array.from({ length: n }, (_, j) => {
    let d2 = 0;
    for (let k = 0; k < D; k++) d2 += (x[k] - points[j * D + k]) ** 2;
    return Number.isFinite(sigma) ? logWeights[j] - d2 / (2 * sigma * sigma) : logWeights[j];
  });
  const M = Math.max(...l);
  const e = l.map((v) => Math.exp(v - M));
  const S = e.reduce((a, b) => a + b, 0);
  const w = e.map((v) => v / S);
  const m = Array.from({ length: D }, (_, k) => w.reduce((a, wj, j) => a + wj * points[j * D + k], 0));
  const dm = Array.from({ length: D }, (_, k) => w.reduce((a, wj, j) => a + wj * (points[j * D + k] - m[k]), 0));
  for (let k = 0; k < D; k++) m[k] += dm[k];
  return w.reduce((a, wj, j) => a + wj * Array.from({ length: D }, (_, k) => (points[j * D + k] - m[k]) ** 2).reduce((s, v) => s + v, 0), 0);
}

const uniform = (n: number, D: number, points: Float64Array): DeltaSet => ({ n, dim: D, points, logWeights: new Float64Array(n).fill(-Math.log(n)), numClasses: 0 });

describe("the shared finish: Tr C where s₂/S − ‖s₁/S‖² cancels", () => {
  it("TRACE_CANCELLED_RATIO is 1/16, and native/kernel.c defines the same value", () => {
    expect(TRACE_CANCELLED_RATIO).toBe(1 / 16);
    const c = readFileSync(join(import.meta.dirname, "..", "native", "kernel.c"), "utf8");
    const m = c.match(/#define TRACE_CANCELLED_RATIO \(([\d.]+) \/ ([\d.]+)\)/);
    expect(m, "the #define in native/kernel.c").not.toBeNull();
    expect(Number(m![1]) / Number(m![2])).toBe(TRACE_CANCELLED_RATIO);
  });

  it("finishRow turns a two-point partial into the posterior by hand, and flags a cancelled Tr C", () => {
    // Points 0 and 2 in 1-D, weights 1 (the heaviest, at y* = 0) and e^{−ln 3} = 1/3: S = 4/3, w = (3/4, 1/4).
    const set: DeltaSet = { n: 2, dim: 1, points: Float64Array.from([0, 2]), logWeights: new Float64Array(2), labels: Int32Array.from([0, 1]), numClasses: 2 };
    const want = { entropy: true, participation: true, classProbs: true, classMeans: true };
    const p = emptyPartial(set, 1, want);
    const a = -Math.log(3);
    p.rest[0] = 1 / 3;
    p.s1[0] = 2 / 3;
    p.s2[0] = 4 / 3;
    p.eLog[0] = a / 3;
    p.eSq[0] = 1 + 1 / 9;
    p.classRest![1] = 1 / 3;
    p.classS1![1] = 2 / 3;
    const out = allocateResult(set, 1, want);
    expect(finishRow(set, p, 0, set.points, 0, 5, 0, out, 0)).toBe(false);
    const h = -(0.75 * Math.log(0.75) + 0.25 * Math.log(0.25));
    expectClose(out.mean[0], 0.5, { rtol: 1e-15 }, "m");
    expectClose(out.traceCov[0], 0.75, { rtol: 1e-15 }, "Tr C = w₀w₁·4");
    expectClose(out.logPartition[0], 5 + Math.log(4 / 3), { rtol: 1e-15 }, "log Z");
    expectClose(out.entropy![0], h, { rtol: 1e-15 }, "h");
    expectClose(out.participation![0], 0.625, { rtol: 1e-15 }, "Σw²");
    expectClose(out.classProbs![0], 0.75, { rtol: 1e-15 }, "p(0)");
    expectClose(out.classProbs![1], 0.25, { rtol: 1e-15 }, "p(1)");
    expectClose(out.classEntropy![0], h, { rtol: 1e-15 }, "H(c)");
    expect([out.classMeans![0], out.classMeans![1]]).toEqual([0, 2]);
    // ‖s₁/S‖² just below s₂/S: Tr C = s₂/S (1 − 1/16 − …) is flagged.
    p.s1[0] = Math.sqrt(p.s2[0] * (4 / 3) * (1 - TRACE_CANCELLED_RATIO)) * 1.000001;
    expect(finishRow(set, p, 0, set.points, 0, 5, 0, out, 0)).toBe(true);
  });

  it("about the data mean: a cluster of 2000 points at distance R from 4000 others, tr/raw from 0.96 to 4e-4, every backend to 1e-12", () => {
    const D = 16;
    const nA = 4000;
    const nB = 2000;
    const kernels = backends();
    for (const R of [3, 10, 30, 100, 300]) {
      const rng = createRng(R);
      const points = new Float64Array((nA + nB) * D);
      for (let j = 0; j < nA + nB; j++) for (let k = 0; k < D; k++) points[j * D + k] = (j >= nA && k === 0 ? R : 0) + rng.normal();
      const set = uniform(nA + nB, D, points);
      const sigma = Math.max(3, 0.05 * R); // large enough for the matrix-product route
      const B = 6;
      const q = { rows: B, dim: D, data: new Float64Array(B * D) };
      for (let b = 0; b < B; b++) for (let k = 0; k < D; k++) q.data[b * D + k] = points[(nA + 7 * b) * D + k] + 0.5 * rng.normal();
      for (const [name, kernel] of kernels) {
        const r = kernel(set, q, sigma, {});
        for (let b = 0; b < B; b++)
          expectClose(r.traceCov[b], twoPassTrace(set, q.data.subarray(b * D, (b + 1) * D), sigma), { rtol: 1e-12 }, `${name} R=${R} row ${b}`);
      }
    }
  });

  it("about the heaviest point: at σ = ∞ the first point, an outlier at R, is y*; tr/raw ≈ 1e-2 … 1e-4, every backend to 1e-12", () => {
    // With 5000 weightless points at −100 besides, the data mean moves away from the posterior: the blocked
    // kernels' centred sums cancel too, and they send the rows to the reference (native: the C one).
    const kernels = backends();
    for (const far of [0, 5000])
      for (const N of [1000, 10000])
        for (const R of [10, 100, 1000])
          for (const D of [1, 8]) {
            const rng = createRng(N + R + D);
            const points = new Float64Array((N + far) * D);
            for (let j = 1; j < N + far; j++) for (let k = 0; k < D; k++) points[j * D + k] = j < N ? R + rng.normal() : -100;
            const set = uniform(N + far, D, points);
            set.logWeights.fill(-Math.log(N), 0, N).fill(-Infinity, N);
            const q = { rows: 1, dim: D, data: new Float64Array(D) };
            const want = twoPassTrace(set, q.data, Infinity);
            for (const [name, kernel] of kernels)
              expectClose(kernel(set, q, Infinity, {}).traceCov[0], want, { rtol: 1e-12 }, `${name} N=${N} R=${R} D=${D} far=${far}`);
          }
  });
});
