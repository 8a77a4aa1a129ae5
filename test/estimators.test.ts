import { describe, expect, it } from "vitest";
import { denoiserRates } from "../src/analysis/info/denoiser.js";
import { meanJacobianTrace } from "../src/analysis/info/divergence.js";
import { monteCarlo } from "../src/analysis/info/design.js";
import { informationProfile } from "../src/analysis/info/grid.js";
import { profileAt } from "../src/analysis/info/profile.js";
import { denoiserRoutes, exactRoutes, RATE_ESTIMATOR_NAMES } from "../src/analysis/info/routes.js";
import { exactProfilePayload, profileJsonSchema } from "../src/contracts/profile.js";
import { envelope, withEnvelope } from "../src/contracts/envelope.js";
import { deltas } from "../src/models/deltas.js";
import { gaussian } from "../src/models/gaussian.js";
import { gmm } from "../src/models/gmm.js";
import { parseModel } from "../src/models/parse.js";
import { createRng } from "../src/numeric/rng.js";
import { sigmaGrid } from "../src/noise/grid.js";
import { fromRows } from "../src/batch.js";
import { expectClose } from "./helpers.js";

/** A dense SPD covariance B Bᵀ/D + 0.1 I of dimension D from a seeded B (off-diagonals give the probes their noise). */
function denseCovariance(D: number, seed: number): Float64Array {
  const rng = createRng(seed);
  const B = Float64Array.from({ length: D * D }, () => rng.normal());
  const S = new Float64Array(D * D);
  for (let i = 0; i < D; i++)
    for (let j = 0; j < D; j++) {
      let acc = i === j ? 0.1 : 0;
      for (let k = 0; k < D; k++) acc += (B[i * D + k] * B[j * D + k]) / D;
      S[i * D + j] = acc;
    }
  return S;
}

/** (S + s²I)⁻¹ by a Cholesky factorisation written here (independent of the library's eigen and linear algebra). */
function shiftedInverse(S: Float64Array, D: number, s2: number): Float64Array {
  const L = new Float64Array(D * D);
  for (let i = 0; i < D; i++)
    for (let j = 0; j <= i; j++) {
      let acc = S[i * D + j] + (i === j ? s2 : 0);
      for (let k = 0; k < j; k++) acc -= L[i * D + k] * L[j * D + k];
      L[i * D + j] = i === j ? Math.sqrt(acc) : acc / L[j * D + j];
    }
  const inv = new Float64Array(D * D);
  for (let c = 0; c < D; c++) {
    const y = new Float64Array(D);
    for (let i = 0; i < D; i++) {
      let acc = i === c ? 1 : 0;
      for (let k = 0; k < i; k++) acc -= L[i * D + k] * y[k];
      y[i] = acc / L[i * D + i];
    }
    for (let i = D - 1; i >= 0; i--) {
      let acc = y[i];
      for (let k = i + 1; k < D; k++) acc -= L[k * D + i] * inv[k * D + c];
      inv[i * D + c] = acc / L[i * D + i];
    }
  }
  return inv;
}

/** Sample standard deviation. */
function sd(v: Float64Array): number {
  let m = 0;
  for (const x of v) m += x / v.length;
  let s = 0;
  for (const x of v) s += (x - m) ** 2;
  return Math.sqrt(s / (v.length - 1));
}

describe("the divergence by Hutchinson probes (D = 32)", () => {
  const D = 32;
  const S = denseCovariance(D, 7);
  const mean = Float64Array.from({ length: D }, (_, i) => 0.1 * i);
  const single = gmm([{ weight: 1, mean: Array.from(mean), cov: S }]);

  it("agrees with the closed form E div = −Tr (Σ + σ²I)⁻¹ within 4 SE, at three σ", () => {
    for (const sigma of [0.3, 1, 3]) {
      const inv = shiftedInverse(S, D, sigma * sigma);
      let tr = 0;
      for (let i = 0; i < D; i++) tr += inv[i * D + i];
      const p = profileAt(single, sigma, { samples: 4000, seed: 11 });
      expect(p.method).toMatch(/monte-carlo/);
      const se = p.standardError!.meanDivergence!;
      expect(se).toBeGreaterThan(0);
      expectClose(p.meanDivergence, -tr, { atol: 4 * se }, `E div σ = ${sigma} (z = ${((p.meanDivergence + tr) / se).toFixed(2)})`);
      // the library's closed form of the same Gaussian (an exact route) agrees with the Cholesky trace to rounding
      expectClose(profileAt(gaussian(mean, S), sigma).meanDivergence, -tr, { rtol: 1e-12 }, `closed form σ = ${sigma}`);
      // the divergence estimator is σ (E div + D/σ²)
      expectClose(p.entropyRateEstimators.divergence, sigma * (p.meanDivergence + D / sigma ** 2), { rtol: 1e-12 });
    }
  });

  it("per point, the probe variance is 2 Σ_{i≠j} A_ij² (A = Σ(Σ + σ²I)⁻¹), and the SE falls as 1/√probes", () => {
    const sigma = 1;
    const inv = shiftedInverse(S, D, 1);
    // A = Σ (Σ + σ²I)⁻¹ = I − σ²(Σ + σ²I)⁻¹: symmetric
    let off = 0;
    for (let i = 0; i < D; i++) for (let j = 0; j < D; j++) if (i !== j) off += (sigma ** 2 * inv[i * D + j]) ** 2;
    const x = monteCarlo(single, sigma, { samples: 3000, seed: 5 }).nodes;
    const sds = [1, 4, 16].map((probes) => sd(meanJacobianTrace(single, x, sigma, { probes, seed: 3 }).trace));
    // m is linear in x for a Gaussian, so each point's estimate varies by its probes only: sd² = 2 Σ_{i≠j} A_ij² / probes.
    // The sample sd of 3000 points is within ~3% of its expectation (1/√(2n) and the kurtosis of vᵀAv): 10% allowed.
    expectClose(sds[0], Math.sqrt(2 * off), { rtol: 0.1 }, "sd, one probe");
    expectClose(sds[1], sds[0] / 2, { rtol: 0.1 }, "sd, 4 probes");
    expectClose(sds[2], sds[0] / 4, { rtol: 0.1 }, "sd, 16 probes");
    // and so does the profile's standard error of E div
    const se = (probes: number) => profileAt(single, sigma, { samples: 4000, seed: 2, probes }).standardError!.meanDivergence!;
    expectClose(se(16) / se(1), 1 / 4, { rtol: 0.15 }, "SE(16 probes)/SE(1 probe)");
  });

  it("on a three-component mixture the paired difference from Tr C/σ³ is within 4 of its standard errors (0 by Tweedie)", () => {
    const rng = createRng(3);
    const comp = (w: number) => ({ weight: w, mean: Array.from({ length: D }, () => 0.6 * rng.normal()), cov: denseCovariance(D, Math.floor(w * 100)) });
    const mix = gmm([comp(0.5), comp(0.3), comp(0.2)]);
    for (const sigma of [0.5, 1.5]) {
      const p = profileAt(mix, sigma, { samples: 4000, seed: 9 });
      const d = p.routeDifference!.divergence!;
      const se = p.standardError!.routeDifference!.divergence!;
      expect(se).toBeGreaterThan(0);
      expect(Math.abs(d), `σ = ${sigma}: difference ${d} ± ${se}`).toBeLessThan(4 * se);
      // the pairing: the difference's error is below that of either estimator alone (they share their points)
      expect(se).toBeLessThan(p.standardError!.entropyRateEstimators!.divergence!);
    }
  });
});

describe("the independent routes (`independent`)", () => {
  const namesOf = (p: { entropyRateEstimators: object }) => Object.keys(p.entropyRateEstimators).sort();
  const flat = (routes: { estimators: string[] }[]) => routes.flatMap((r) => r.estimators).sort();

  it("a 2-D model: three routes — the kernel's covariance (three names), the divergence, the score norm", () => {
    const tri = parseModel({ kind: "deltas", points: [[1, 0], [-0.5, 0.866], [-0.5, -0.866]] });
    const routes = exactRoutes(tri);
    expect(routes.map((r) => r.estimators)).toEqual([["posteriorVariance", "fisherTrace", "jacobianSpectrum"], ["divergence"], ["scoreNorm"]]);
    expect(routes[1].reason).toMatch(/along the D axes/);
    const p = informationProfile(tri, sigmaGrid([0.5, 1]));
    expect(p.independent).toEqual(routes);
    expect(p.omitted).toBeUndefined();
    expect(flat(routes)).toEqual(namesOf(p.points[0]));
    // one route's names are one number: the kernel's three agree to rounding; the divergence is computed apart
    for (const q of p.points) {
      const e = q.entropyRateEstimators;
      expectClose(e.fisherTrace, e.posteriorVariance, { rtol: 1e-12 });
      expectClose(e.jacobianSpectrum!, e.posteriorVariance, { rtol: 1e-10 });
      expect(e.divergence).not.toBe(e.posteriorVariance);
    }
  });

  it("a D = 64 model: the spectrum is omitted (saying why), the Fisher trace is mmse/σ³ itself, the divergence is Hutchinson", () => {
    const rng = createRng(4);
    const model = deltas({ rows: 40, dim: 64, data: Float64Array.from({ length: 40 * 64 }, () => rng.normal()) });
    const routes = exactRoutes(model, 2);
    expect(routes.map((r) => r.estimators)).toEqual([["posteriorVariance", "fisherTrace"], ["divergence"], ["scoreNorm"]]);
    expect(routes[1].reason).toMatch(/Hutchinson: 2 seeded Rademacher probes/);
    const p = informationProfile(model, sigmaGrid([4, 8]), { samples: 500, probes: 2 });
    expect(p.independent).toEqual(routes);
    expect(p.omitted).toEqual({ jacobianSpectrum: expect.stringMatching(/eigenvalues.*D ≤ 16/) });
    for (const q of p.points) {
      expect(q.entropyRateEstimators).not.toHaveProperty("jacobianSpectrum");
      expect(q.entropyRateEstimators.fisherTrace).toBe(q.entropyRateEstimators.posteriorVariance * 1); // same number
      expect(flat(routes)).toEqual(namesOf(q));
    }
    // the JSON says the same, and passes the contract's schema
    const json = withEnvelope(envelope("profile", null, {}), exactProfilePayload(p));
    expect(() => profileJsonSchema.parse(json)).not.toThrow();
    expect(json.independent).toEqual(routes);
    expect(Object.keys(json.entropyRateEstimators)).toEqual(["scoreNorm", "divergence", "fisherTrace", "posteriorVariance"]);
  });

  it("a Gaussian is one route (closed forms), a denoiser three; every list names each estimator once", () => {
    const g = exactRoutes(gaussian(Float64Array.from([0, 0]), Float64Array.from([1, 0, 0, 2])));
    expect(g).toHaveLength(1);
    expect(flat(g)).toEqual([...RATE_ESTIMATOR_NAMES].sort());
    expect(denoiserRoutes(2, 1).map((r) => r.estimators)).toEqual([["posteriorVariance"], ["divergence", "fisherTrace", "jacobianSpectrum"], ["scoreNorm"]]);
    expect(denoiserRoutes(64, 1).map((r) => r.estimators)).toEqual([["posteriorVariance"], ["divergence", "fisherTrace"], ["scoreNorm"]]);
    for (const routes of [g, exactRoutes(parseModel({ kind: "deltas", points: [[0], [1]] })), denoiserRoutes(2, 1)])
      for (const r of routes) expect(r.reason.length).toBeGreaterThan(20);
  });

  it("the schema refuses a contract whose routes miss an estimator, and a bracket that does not hold its peak", () => {
    const model = parseModel({ kind: "deltas", points: [[-1], [1]] });
    const json = withEnvelope(envelope("profile", null, {}), exactProfilePayload(informationProfile(model, sigmaGrid([0.5, 1, 2]))));
    expect(() => profileJsonSchema.parse(json)).not.toThrow();
    expect(() => profileJsonSchema.parse({ ...json, independent: json.independent.slice(1) })).toThrow(/independent must name every estimator/);
    const peak = { ...json.peaks.entropyRateLogSigma!, low: 2 * json.peaks.entropyRateLogSigma!.sigma };
    expect(() => profileJsonSchema.parse({ ...json, peaks: { entropyRateLogSigma: peak } })).toThrow(/low ≤ sigma ≤ high/);
    expect(() => profileJsonSchema.parse({ ...json, extra: 1 })).toThrow();
  });

  it("the central differences along the axes (D ≤ 16) equal Tr C/σ² point by point (FD error ≤ 1e-8 relative)", () => {
    const model = parseModel({ kind: "deltas", points: [[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 1]] });
    const x = fromRows([[0.5, 0.5, 0.2], [0.9, 0.1, 0.0], [0.3, 0.3, 0.3]]);
    for (const sigma of [0.3, 1]) {
      const a = meanJacobianTrace(model, x, sigma, { length: 2 });
      expect(a.method).toBe("axes");
      const post = model.posterior(x, sigma);
      for (let i = 0; i < 3; i++) expectClose(a.trace[i], post.traceCov[i] / sigma ** 2, { rtol: 1e-8, atol: 1e-12 }, `row ${i} σ = ${sigma}`);
    }
  });
});

describe("the denoiser route's paired route differences", () => {
  it("for the exact denoiser, divergence − loss and scoreNorm − loss are within 4 SE of 0, paired below the unpaired errors", () => {
    const tri = parseModel({ kind: "deltas", points: [[1, 0], [-0.5, 0.866], [-0.5, -0.866]] });
    const data = tri.sample(8000, createRng(12));
    for (const sigma of [0.4, 1]) {
      const r = denoiserRates(tri, data, sigma, { seed: 3 });
      const e = r.entropyRateEstimators;
      for (const key of ["divergence", "scoreNorm"] as const) {
        const d = r.routeDifference![key]!;
        expect(Math.abs(d.value), `σ = ${sigma} ${key}: ${d.value} ± ${d.standardError}`).toBeLessThan(4 * d.standardError);
        // the difference is that of the two estimates (same samples), its error not more than their errors combined
        expectClose(d.value, e[key].value - e.posteriorVariance.value, { rtol: 1e-9, atol: 1e-12 }, `${key} = estimate − loss`);
        expect(d.standardError).toBeLessThan(e[key].standardError + e.posteriorVariance.standardError);
      }
    }
  });
});
