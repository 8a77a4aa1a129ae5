import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { denoiserRates } from "../src/analysis/info/denoiser.js";
import { optimalityGap } from "../src/analysis/info/optimality.js";
import { profileAt } from "../src/analysis/info/profile.js";
import { parseNpy } from "../src/io/npy.js";
import { deltas } from "../src/models/deltas.js";
import { parseModel } from "../src/models/parse.js";

const est = (value: number, standardError = 0) => ({ value, standardError });

describe("optimalityGap: a denoiser's loss against the exact mmse of its training set", () => {
  it("parts at the largest σ below which every level departs by > 3 SE and > 10 %", () => {
    const sigma = [0.5, 1, 2, 4, 8];
    const loss = [est(3, 0.1), est(5, 0.1), est(9.5, 0.1), est(20.5, 0.2), est(40, 0.3)];
    const exact = [est(0.1), est(2), est(9, 0.1), est(20), est(40)];
    const g = optimalityGap(sigma, loss, exact);
    // σ = 2: excess 0.5 > 3·0.14 but only 5.6 % of 9: it stays at the optimum; σ ≤ 1 departs
    expect(g.parting).toEqual({ sigma: 1, index: 1 });
    expect(g.excess[0].value).toBeCloseTo(2.9, 12);
    expect(g.excess[2].standardError).toBeCloseTo(Math.hypot(0.1, 0.1), 12);
    expect(g.ratio[1]).toBeCloseTo(2.5, 12);
  });

  it("a level within its errors breaks the run (noise at one small σ is not a parting)", () => {
    const sigma = [1, 2, 3];
    const g = optimalityGap(sigma, [est(2, 1), est(4, 0.01), est(5, 0.01)], [est(1), est(1), est(5)]);
    expect(g.parting).toBeUndefined();
    const h = optimalityGap(sigma, [est(2, 0.01), est(4, 0.01), est(5, 0.01)], [est(1), est(1), est(5)]);
    expect(h.parting?.sigma).toBe(2);
  });

  it("refuses misaligned inputs", () => {
    expect(() => optimalityGap([1, 2], [est(1)], [est(1), est(2)])).toThrow(/optimalityGap/);
    expect(() => optimalityGap([2, 1], [est(1), est(1)], [est(1), est(2)])).toThrow(/ascending/);
  });
});

describe("estimator agreement does not certify a denoiser (the Wiener denoiser of the digits)", () => {
  // The linear (Wiener) denoiser of the scikit-learn digits is the exact posterior mean of the Gaussian with the
  // digits' mean and covariance: its score-norm, divergence and loss estimators depend only on the data's first two
  // moments, so on the digits themselves they agree — while its loss is far above the digits' exact mmse.
  const arr = parseNpy(new Uint8Array(readFileSync(new URL("../examples/digits.npy", import.meta.url))));
  const D = 64;
  const N = arr.shape[0];
  const data = { rows: N, dim: D, data: Float64Array.from(arr.data as ArrayLike<number>) };
  const mean = Array.from({ length: D }, (_, k) => {
    let s = 0;
    for (let i = 0; i < N; i++) s += data.data[i * D + k];
    return s / N;
  });
  const cov = Array.from({ length: D }, (_, a) =>
    Array.from({ length: D }, (_, b) => {
      let s = 0;
      for (let i = 0; i < N; i++) s += (data.data[i * D + a] - mean[a]) * (data.data[i * D + b] - mean[b]);
      return s / N;
    }),
  );
  const wiener = parseModel({ kind: "gaussian", mean, cov });
  const empirical = deltas(data);

  it("at σ = 5 its estimators agree within 4 SE, and its loss is > 5× the exact mmse (numpy: 391.64 closed form vs 62.4 ± 0.6 by 20 draws per point)", () => {
    const sigma = 5;
    const r = denoiserRates(wiener, data, sigma, { seed: 3, noiseDraws: 4, probes: 4 });
    const e = r.entropyRateEstimators;
    for (const name of ["scoreNorm", "divergence"] as const) {
      const d = r.routeDifference![name]!;
      expect(Math.abs(d.value)).toBeLessThan(4 * d.standardError);
    }
    expect(Math.abs(e.posteriorVariance.value * sigma ** 3 - 391.64)).toBeLessThan(4 * r.mmse.standardError + 0.5);
    const exact = profileAt(empirical, sigma, { samples: 4000, seed: 1 });
    expect(r.mmse.value / exact.mmse).toBeGreaterThan(5);
    // numpy's Monte Carlo value, 62.42 ± 0.64: the two estimates' errors combined
    expect(Math.abs(exact.mmse - 62.42)).toBeLessThan(4 * Math.hypot(exact.standardError?.mmse ?? 0, 0.64));
  });
});
