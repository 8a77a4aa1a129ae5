import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { kernelBackendName, setPosteriorKernel } from "../src/engine/backends.js";
import { jsPosteriorKernel } from "../src/engine/kernel.js";
import type { DeltaSet } from "../src/engine/types.js";
import { wasmKernelSync } from "../src/engine/wasm.js";
import { installWasmBackend, WASM_KERNEL_PATH, wasmKernel } from "../src/node/wasm.js";
import { ALL, digitsSet, expectNaNRows, expectSame, queriesFor, randomSet, SIGMAS } from "./backend-cases.js";

// The WebAssembly SIMD kernel (wasm/kernel.ts) against the reference on test/backend-cases.ts, with its
// tolerances (expectSame: 1e-12 relative for Tr C, Σw², log Z, entropies, class probabilities; means and class means
// within 1e-12 of max|y|): the same bar as every backend. The module is built here when missing (npm run build
// builds it too), never skipped.
function wasmBytes(): Uint8Array<ArrayBuffer> {
  if (!existsSync(WASM_KERNEL_PATH)) {
    const root = join(import.meta.dirname, "..");
    const r = spawnSync("npx", ["asc", "wasm/kernel.ts", "--config", "wasm/asconfig.json"], { cwd: root, encoding: "utf8" });
    if (r.status !== 0 || !existsSync(WASM_KERNEL_PATH))
      throw new Error(`could not build ${WASM_KERNEL_PATH} (npm run build:wasm): ${r.stderr || r.error?.message}`);
  }
  return new Uint8Array(readFileSync(WASM_KERNEL_PATH));
}
const kernel = wasmKernelSync(wasmBytes());

describe("the WebAssembly SIMD kernel agrees with the reference jsPosteriorKernel", () => {
  it("random weighted, labelled data, N ∈ {1, 2, 37, 1500, 200}, D ∈ {1, 3, 5, 64, 300}, σ from 1e-6 to ∞, to 1e-12", () => {
    let seed = 10;
    // D = 5 and 1 are odd (the scalar tail of the f64x2 loops), 1501 an odd number of points (the tile's last point).
    for (const [N, D] of [[1, 3], [2, 1], [37, 3], [1500, 1], [1501, 5], [1500, 64], [200, 300]]) {
      for (const offset of [0, 10]) {
        const set = randomSet(N, D, 3, offset, seed++);
        for (const sigma of SIGMAS) {
          const q = { rows: 9, dim: D, data: queriesFor(set, 9, sigma, seed++) };
          const label = `wasm N=${N} D=${D} offset=${offset} σ=${sigma}`;
          expectSame(kernel(set, q, sigma, ALL), jsPosteriorKernel(set, q, sigma, ALL), set, label);
          expectSame(kernel(set, q, sigma, {}), jsPosteriorKernel(set, q, sigma, {}), set, label + " (no extras)");
          const probs = { classProbs: true, entropy: true };
          expectSame(kernel(set, q, sigma, probs), jsPosteriorKernel(set, q, sigma, probs), set, label + " (class probs only)");
        }
      }
    }
  });

  it("takes its fast route on most rows of these cases (the test exercises the module, not only the reference)", () => {
    const set = randomSet(1501, 5, 3, 0, 7);
    const q = { rows: 9, dim: 5, data: queriesFor(set, 9, 3, 8) };
    // A module whose fastRows does nothing leaves every fast row at M = −∞: the outputs then differ.
    const inert = wasmKernelSync(wasmBytes());
    expectSame(inert(set, q, 3, ALL), jsPosteriorKernel(set, q, 3, ALL), set, "fresh instance");
  });

  it("per-row σ with NaN, 0 and ∞ rows, a non-finite query, and the full covariance", () => {
    const set = randomSet(400, 5, 2, 1, 99);
    const q = { rows: 8, dim: 5, data: queriesFor(set, 8, 1, 100) };
    q.data[3 * 5 + 2] = NaN;
    const sigma = Float64Array.from([0.5, NaN, 0, Infinity, 2, 1e-6, 1e6, 4]);
    expectSame(kernel(set, q, sigma, ALL), jsPosteriorKernel(set, q, sigma, ALL), set, "per-row σ");
    const cov = { covariance: true, entropy: true };
    expectSame(kernel(set, q, sigma, cov), jsPosteriorKernel(set, q, sigma, cov), set, "covariance");
  });

  it("a row with σ ≤ 0, NaN σ or a non-finite query is NaN in every output array", () => {
    expectNaNRows(kernel, "wasm-simd");
  });

  it("the digits (1797 × 64, ten classes) with class means, at σ ∈ {0.5, 2, 8, 30}", () => {
    const set = digitsSet();
    for (const sigma of [0.5, 2, 8, 30]) {
      const q = { rows: 37, dim: 64, data: queriesFor(set, 37, sigma, 5) };
      expectSame(kernel(set, q, sigma, ALL), jsPosteriorKernel(set, q, sigma, ALL), set, `digits σ=${sigma}`);
    }
  });

  it("unlabelled data, and sets alternating between calls (each copied once, then reused from the cache)", () => {
    const a = randomSet(3000, 7, 1, 2, 41);
    const unlabelled: DeltaSet = { n: a.n, dim: a.dim, points: a.points, logWeights: a.logWeights, numClasses: 0 };
    const b = randomSet(2500, 9, 4, -3, 42);
    for (let round = 0; round < 3; round++)
      for (const set of [unlabelled, b]) {
        const q = { rows: 13, dim: set.dim, data: queriesFor(set, 13, 1.5, round) };
        expectSame(kernel(set, q, 1.5, ALL), jsPosteriorKernel(set, q, 1.5, ALL), set, `round ${round} D=${set.dim}`);
      }
  });

  it("large N grows the linear memory: 60 000 × 40 (19 MB of points) and 301 queries with class means", () => {
    const set = randomSet(60_000, 40, 5, 0, 3);
    const q = { rows: 301, dim: 40, data: queriesFor(set, 301, 4, 4) };
    const want = { ...ALL };
    expectSame(kernel(set, q, 4, want), jsPosteriorKernel(set, q, 4, want), set, "N=60000");
  });

  it("the Node loader registers it as the backend \"wasm-simd\"", () => {
    const k = wasmKernel();
    expect(k).toBeDefined();
    expect(kernelBackendName(k)).toBe("wasm-simd");
    const previous = setPosteriorKernel(jsPosteriorKernel);
    try {
      expect(installWasmBackend()).toBe(true);
      expect(kernelBackendName()).toBe("wasm-simd");
    } finally {
      setPosteriorKernel(previous);
    }
  });
});
