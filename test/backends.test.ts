import { describe, expect, it } from "vitest";
import { kernelBackendName, kernelBackends } from "../src/engine/backends.js";
import { jsPosteriorKernel, posteriorKernel } from "../src/engine/kernel.js";
import { ALL, expectNaNRows, expectSame, queriesFor, randomSet, SIGMAS } from "./backend-cases.js";

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

    it(`${backend.name}: a row with σ ≤ 0, NaN σ or a non-finite query is NaN in every output array`, () => {
      expectNaNRows(backend.kernel, backend.name);
    });
  }
});
