import { describe, expect, it } from "vitest";
import type { InformationProfile } from "../src/analysis/info/grid.js";
import type { ProfilePoint } from "../src/analysis/info/profile.js";
import { lyapunovFigure, sortedSpectrum, type PathsData } from "../src/report/figures/dynamics.js";
import { specData } from "../src/report/figures/paper-helpers.js";
import { bracketPeak, compareBrackets, formatPeak, withError } from "../src/report/peaks.js";
import { criticalWindows, lyapunovText } from "../src/report/report.js";

/** A profile stub: 5 levels, I falling with σ, and the three peaks given with their brackets. */
function stub(peaks: Record<string, { sigma: number; low: number; high: number }>, se = 0.01): InformationProfile {
  const sigma = [0.5, 1, 2, 4, 8];
  const points = sigma.map((s, i) => ({ sigma: s, mutualInformation: 2 - 0.4 * i, conditionalEntropy: 0.4 * i, mmse: 1, standardError: { mutualInformation: se, conditionalEntropy: se } }) as unknown as ProfilePoint);
  const full = Object.fromEntries(Object.entries(peaks).map(([k, p]) => [k, { ...p, value: 1, atBoundary: false }]));
  return { dim: 2, sigma, points, peaks: full, independent: [] } as unknown as InformationProfile;
}

describe("the plain-words summary states an order only when the brackets allow it", () => {
  it("says nothing of 'above' or 'before' when the class peak's bracket overlaps the rate peak's", () => {
    const lines = criticalWindows(stub({ entropyRateLogSigma: { sigma: 8.97, low: 8.1, high: 9.8 }, classEntropyRate: { sigma: 8.81, low: 7.9, high: 9.9 } })).join(" ");
    expect(lines).not.toMatch(/(above|below) the peak|settled (before|after) the/);
    expect(lines).toMatch(/cannot tell/);
    // even when the class peak's own σ is the larger one
    const swapped = criticalWindows(stub({ entropyRateLogSigma: { sigma: 8.8, low: 8.1, high: 9.8 }, classEntropyRate: { sigma: 9.0, low: 8.0, high: 9.9 } })).join(" ");
    expect(swapped).not.toMatch(/(above|below) the peak|settled (before|after) the/);
  });

  it("says 'above … before' only for disjoint brackets", () => {
    const lines = criticalWindows(stub({ entropyRateLogSigma: { sigma: 0.14, low: 0.09, high: 0.2 }, classEntropyRate: { sigma: 0.91, low: 0.76, high: 1.21 } })).join(" ");
    expect(lines).toMatch(/at σ ≈ 0\.91 \(0\.76–1\.21\), above the peak of the overall rate: the class is settled before the fine detail/);
    const below = criticalWindows(stub({ entropyRateLogSigma: { sigma: 0.91, low: 0.76, high: 1.21 }, classEntropyRate: { sigma: 0.14, low: 0.09, high: 0.2 } })).join(" ");
    expect(below).toMatch(/below the peak of the overall rate: the class is settled after the fine detail/);
  });

  it("prints peaks with the digits their bracket supports, never 10 digits, and Monte Carlo numbers with their error", () => {
    const lines = criticalWindows(stub({ entropyRateLogSigma: { sigma: 8.969689594, low: 8.1364, high: 9.8173 } }, 0.0123)).join(" ");
    expect(lines).toMatch(/σ ≈ 9\.0 \(8\.1–9\.9\)/);
    expect(lines).not.toMatch(/\d\.\d{6,}/);
    expect(lines).toMatch(/from 0\.400 ± 0\.012 to 2\.000 ± 0\.012 nats/);
  });

  it("names memorizing one training point for an empirical distribution whose posterior sits on one point at σ_min", () => {
    const p = stub({ entropyRateLogSigma: { sigma: 2, low: 1, high: 4 } });
    const on = criticalWindows(p, { discrete: true, condensation: 1.3, threshold: 1.5, inverseParticipationAtMin: { value: 1.0004, standardError: 0.0002 } }).join(" ");
    expect(on).toMatch(/memorizing one training point/);
    expect(on).toMatch(/E\[1\/Σ w²\] = 1\.00040 ± 0\.00020/);
    // not where the posterior still spreads over several points at σ_min, nor for a continuous model
    expect(criticalWindows(p, { discrete: true, condensation: 1.3, inverseParticipationAtMin: { value: 1.3, standardError: 0.01 } }).join(" ")).not.toMatch(/memoriz/);
    expect(criticalWindows(p, { discrete: false, condensation: 1.3, inverseParticipationAtMin: { value: 1, standardError: 0 } }).join(" ")).not.toMatch(/memoriz/);
  });

  it("says a continuous density's rate rises to D at small σ instead of asking to widen the range", () => {
    const p = stub({ entropyRateLogSigma: { sigma: 0.5, low: 0.5, high: 1 } });
    (p.peaks.entropyRateLogSigma as { atBoundary: boolean }).atBoundary = true;
    expect(criticalWindows(p, { discrete: false, dim: 1 }).join(" ")).toMatch(/tends to D = 1 and has no interior peak/);
    expect(criticalWindows(p, { discrete: true }).join(" ")).toMatch(/widen the range/);
  });
});

describe("peak brackets and numbers in prose", () => {
  it("prefers the profile's own bracket, else the grid levels beside the argmax", () => {
    expect(bracketPeak({ sigma: 2, value: 1, atBoundary: false, low: 1.5, high: 3 }, [1, 2, 4])).toMatchObject({ low: 1.5, high: 3 });
    const noBracket = { sigma: 2, value: 1, atBoundary: false } as unknown as Parameters<typeof bracketPeak>[0];
    expect(bracketPeak(noBracket, [0.5, 1, 2, 4, 8])).toMatchObject({ sigma: 2, low: 1, high: 4 });
    expect(bracketPeak({ ...noBracket!, sigma: 8 }, [0.5, 1, 2, 4, 8])).toMatchObject({ low: 4, high: 8 });
    expect(bracketPeak(undefined, [1])).toBeUndefined();
  });

  it("rounds to the bracket (outward), at most four significant digits", () => {
    const p = (sigma: number, low: number, high: number) => ({ sigma, low, high, value: 1, atBoundary: false });
    expect(formatPeak(p(8.969, 8.137, 9.886))).toBe("9.0 (8.1–9.9)");
    expect(formatPeak(p(347.2, 300.1, 401))).toBe("350 (300–410)");
    expect(formatPeak(p(0.8139452517, 0.8139452516, 0.8139452518))).toBe("0.8139");
    expect(formatPeak(p(0.14, 0.09, 0.2))).toBe("0.14 (0.09–0.20)");
    expect(compareBrackets(p(1, 0.9, 1.1), p(2, 1.2, 3))).toBe("below");
    expect(compareBrackets(p(1, 0.9, 1.3), p(2, 1.2, 3))).toBeUndefined();
    expect(withError(7.49412, 0.0123)).toBe("7.494 ± 0.012");
    expect(withError(1.00000003, 3e-8)).toBe("1.00000 ± 3e-8");
    expect(withError(1.724e-6, undefined)).toBe("1.72e-6");
  });
});

describe("the Lyapunov figure and words", () => {
  // five directions in Gram–Schmidt order (unsorted), three σ's (descending, as the paths give them)
  const rates = [
    [-1, -0.2, -0.9, 0.4, -0.5],
    [-0.3, -1, -0.7, -0.95, -0.99],
    [-0.99, -1, -0.98, -0.97, -0.999],
  ];
  const paths: PathsData = { sigma: [4, 2, 1, 0.5], trajectories: [], lyapunov: { sigma: [2, 1, 0.5], rates, paths: 8 } };

  it("sorts the spectrum at each σ (λ₁ largest), draws only λ₁–λ₃ and the sum in colour, σ decreasing to the right", () => {
    expect(sortedSpectrum(rates)[0]).toEqual([0.4, -0.2, -0.5, -0.9, -1]);
    expect(rates[0]).toEqual([-1, -0.2, -0.9, 0.4, -0.5]); // input untouched
    const spec = lyapunovFigure(paths);
    const rows = specData(spec, "spectrum")!;
    for (const s of [2, 1, 0.5]) {
      const at = rows.filter((r) => r.sigma === s);
      expect(at.map((r) => r.series)).toEqual(["λ₁", "λ₂", "λ₃"]);
      const values = at.map((r) => r.rate as number);
      expect(values).toEqual([...values].sort((a, b) => b - a));
      const all = rates[[2, 1, 0.5].indexOf(s)];
      expect(values).toEqual([...all].sort((a, b) => b - a).slice(0, 3));
    }
    const sum = specData(spec, "sum")!;
    sum.forEach((r, i) => expect(r.rate).toBeCloseTo(rates[i].reduce((a, b) => a + b, 0), 12));
    const json = JSON.stringify(spec);
    const domain = JSON.parse(json.match(/"domain":(\[[^\]]*\])/)![1]) as string[];
    expect(domain.length).toBeLessThanOrEqual(4);
    expect(domain).toEqual(["λ₁", "λ₂", "λ₃", "Σ of all 5 rates"]);
    expect(json).toMatch(/"reverse":true/);
    expect(json).toMatch(/direction of generation/);
  });

  it("reads the sign right: 'separate' only for a positive rate, 'contract' for a negative one", () => {
    const pos = lyapunovText(paths, 8);
    expect(pos).toMatch(/separate fastest at σ ≈ 2\.00: the largest local Lyapunov rate is λ₁ = \+0\.400/);
    const neg = lyapunovText({ lyapunov: { sigma: [2, 1], rates: [[-0.9, -0.5], [-0.318, -1]] } }, 8);
    expect(neg).not.toMatch(/separate fastest/);
    expect(neg).toMatch(/contract/);
    expect(neg).toMatch(/λ₁ = -0\.318 .* at σ ≈ 1\.00/);
    // with standard errors across paths: a positive mean within 2 SE of 0 is no established separation
    const noisy = lyapunovText({ lyapunov: { sigma: [2, 1], rates: [[-0.5, 0.1], [-0.9, -1]], ratesStandardError: [[0.01, 0.2], [0.01, 0.01]] } }, 8);
    expect(noisy).not.toMatch(/separate fastest/);
    expect(noisy).toMatch(/λ₁ = 0\.10 ± 0\.20 at σ ≈ 2\.00 .*within two standard errors of 0/);
    const negNoisy = lyapunovText({ lyapunov: { sigma: [2, 1], rates: [[-0.5, -0.12], [-0.9, -1]], ratesStandardError: [[0.01, 0.82], [0.01, 0.01]] } }, 16);
    expect(negNoisy).not.toMatch(/every local Lyapunov rate is negative|separate fastest/);
    expect(negNoisy).toMatch(/λ₁ = -0\.12 ± 0\.82 .*within two standard errors of 0/);
    const sure = lyapunovText({ lyapunov: { sigma: [2, 1], rates: [[0.48, -0.5], [-0.9, -1]], ratesStandardError: [[0.12, 0.01], [0.01, 0.01]] } }, 16);
    expect(sure).toMatch(/separate fastest at σ ≈ 2\.00: the largest local Lyapunov rate is λ₁ = \+0\.48 ± 0\.12 \(per unit of −log σ, mean over 16/);
  });

  it("permutes the standard errors with the rates, and draws them as bands", () => {
    const spec = lyapunovFigure({ ...paths, lyapunov: { ...paths.lyapunov, ratesStandardError: rates.map((r) => r.map((v) => Math.abs(v) / 10)) } });
    for (const r of specData(spec, "spectrum")!) {
      expect(r.hi as number).toBeCloseTo((r.rate as number) + Math.abs(r.rate as number) / 10, 12);
      expect(r.lo as number).toBeCloseTo((r.rate as number) - Math.abs(r.rate as number) / 10, 12);
    }
    expect(JSON.stringify(spec)).toMatch(/"type":"area"/);
    expect(JSON.stringify(lyapunovFigure(paths))).not.toMatch(/"type":"area"/);
  });
});
