import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { kernelBackendName, kernelBackends } from "../src/engine/backends.js";
import { jsPosteriorKernel, posteriorKernel, setPosteriorKernel } from "../src/engine/kernel.js";
import { NATIVE_ADDON_PATH, installNativeBackend, nativeAddon, nativeKernel } from "../src/node/native.js";
import { nativePosteriorKernel, type NativeAddon } from "../src/node/nativeKernel.js";
import { createRng } from "../src/numeric/rng.js";
import { ALL, expectNaNRows, expectSame, queriesFor, randomSet, SIGMAS } from "./backend-cases.js";

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

  it.runIf(built)("a row with σ ≤ 0, NaN σ or a non-finite query is NaN in every output array", () => {
    expectNaNRows(nativeKernel()!, "native");
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

  it.runIf(built)("two threads split the points and merge their partial sums (1 and 2 threads, every row fast): the same to 1e-12", () => {
    // native/kernel.c cuts the points into 4 shards (whatever the thread count) when Q ≤ 256 and N ≥ 2 · 4 · P,
    // P = 512 points per block at D = 8; 6000 points and 9 queries take that route. The queries sit near points spread over the whole
    // set, so that the heaviest point lies in the first thread's half for some rows and in the second's for others.
    // Two sets put zero weight on one half, so that one thread's partial is empty (M = −∞) for every row.
    const addon = nativeAddon()!;
    const calls = { fast: 0, reference: 0 };
    const spy: NativeAddon = {
      fastRows: (...args) => {
        calls.fast += args[1].length;
        addon.fastRows(...args);
      },
      referenceRows: (...args) => {
        calls.reference += args[6].length;
        addon.referenceRows(...args);
      },
    };
    const N = 6000;
    const D = 8;
    const B = 9;
    const base = randomSet(N, D, 3, 2, 21);
    const zeroFirst = Float64Array.from(base.logWeights, (w, j) => (j < N / 2 ? -Infinity : w + Math.LN2));
    const zeroSecond = Float64Array.from(base.logWeights, (w, j) => (j >= N / 2 ? -Infinity : w + Math.LN2));
    const rng = createRng(22);
    for (const [name, logWeights] of [["all weighted", base.logWeights], ["first half weightless", zeroFirst], ["second half weightless", zeroSecond]] as const) {
      const set = { ...base, logWeights };
      for (const sigma of [1, 3, Infinity]) {
        const q = { rows: B, dim: D, data: new Float64Array(B * D) };
        for (let b = 0; b < B; b++) {
          const j = Math.floor(((b + 0.5) * N) / B);
          for (let k = 0; k < D; k++) q.data[b * D + k] = set.points[j * D + k] + 0.3 * rng.normal();
        }
        for (const threads of [1, 2]) {
          calls.fast = calls.reference = 0;
          const label = `native ${threads} threads, ${name}, σ=${sigma}`;
          expectSame(nativePosteriorKernel(spy, threads)(set, q, sigma, ALL), jsPosteriorKernel(set, q, sigma, ALL), set, label);
          expect(calls, `${label}: every row on the fast route, none redone`).toEqual({ fast: B, reference: 0 });
        }
      }
    }
  });

  it.runIf(built)("results are bit for bit the same for 1, 2, 3 and 4 threads, on the sharded and the query-split routes (issue 13)", () => {
    const addon = nativeAddon()!;
    for (const [N, B] of [[6000, 9], [2000, 601]]) {
      const set = randomSet(N, 8, 3, 2, 31);
      const q = { rows: B, dim: 8, data: queriesFor(set, B, 2, 32) };
      const runs = [1, 2, 3, 4].map((t) => nativePosteriorKernel(addon, t)(set, q, 0.8, ALL));
      for (const r of runs.slice(1))
        for (const key of ["mean", "traceCov", "logPartition", "entropy", "participation", "classProbs", "classMeans", "classEntropy"] as const)
          expect(Array.from(r[key] ?? []), `N=${N} B=${B} ${key}`).toEqual(Array.from(runs[0][key] ?? []));
    }
  });
});
