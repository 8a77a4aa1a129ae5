import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { denoiserRateProfile, denoiserRates, type DenoiserRates } from "../src/analysis/info/denoiser.js";
import { levelSeed } from "../src/analysis/info/design.js";
import type { Estimate } from "../src/analysis/info/expect.js";
import { profileAt, type ProfilePoint } from "../src/analysis/info/profile.js";
import type { Batch } from "../src/batch.js";
import { InfodynError } from "../src/errors.js";
import { gmm } from "../src/models/gmm.js";
import { parseModel } from "../src/models/parse.js";
import { sphere } from "../src/models/sphere.js";
import type { DataModel, SyncDenoiser } from "../src/models/types.js";
import { createRng } from "../src/numeric/rng.js";
import { expectClose } from "./helpers.js";

const examples = join(import.meta.dirname, "..", "examples");
const example = (name: string) => parseModel(JSON.parse(readFileSync(join(examples, name), "utf8")));

/** Data samples per run: the standard errors below scale as 1/√N. */
const N = 20_000;
const SIGMAS = [0.3, 1, 3];
/** Agreement within Z standard errors: a false alarm on one of the ~100 comparisons has probability ≈ 7e-6 each. */
const Z = 4.5;
/** Allowance for the O(ε²) central-difference bias of J v (ε = 1e-4 σ) and for rounding. */
const FD_RTOL = 1e-6;

const models: [string, () => DataModel][] = [
  ["two deltas at ±1", () => parseModel({ kind: "deltas", points: [[-1], [1]] })],
  ["triangle", () => example("triangle.json")],
  [
    "2-D Gaussian mixture",
    () =>
      gmm([
        { weight: 0.6, mean: [1, 0], variance: 0.2 },
        { weight: 0.4, mean: [-1, 0.5], cov: Float64Array.from([0.3, 0.1, 0.1, 0.2]) },
      ]),
  ],
  ["3-D sphere", () => sphere(3, 1)],
];

interface Run {
  label: string;
  model: DataModel;
  exact: ProfilePoint;
  got: DenoiserRates;
}

let cache: Run[] | undefined;
/** One denoiserRates run per model and σ, with the exact profile beside it (computed once for all tests). */
function runs(): Run[] {
  if (cache) return cache;
  cache = [];
  models.forEach(([name, make], m) => {
    const model = make();
    const data = model.sample(N, createRng(100 + m));
    SIGMAS.forEach((sigma, j) => {
      const got = denoiserRates(model, data, sigma, { seed: 10 * m + j });
      cache!.push({ label: `${name}, σ=${sigma}`, model, exact: profileAt(model, sigma), got });
    });
  });
  return cache;
}

const zScores: Record<string, number> = {};

/** |got − want| ≤ Z·√(se² + se_want²) + FD_RTOL·|want|; records the z-score. */
function expectWithin(got: Estimate, want: number, wantSe: number | undefined, key: string, label: string): void {
  const se = Math.hypot(got.standardError, wantSe ?? 0);
  expect(Number.isFinite(se) && se > 0, `${label}: standard error ${se}`).toBe(true);
  const z = (got.value - want) / se;
  zScores[key] = Math.max(zScores[key] ?? 0, Math.abs(z));
  expectClose(got.value, want, { atol: Z * se + 1e-300, rtol: FD_RTOL }, `${label} (z = ${z.toFixed(2)}, se = ${se.toExponential(2)})`);
}

const rateKeys = ["scoreNorm", "divergence", "fisherTrace", "jacobianSpectrum", "posteriorVariance"] as const;

describe("denoiserRates on exact models used as denoisers (N = 20 000 samples, σ ∈ {0.3, 1, 3})", () => {
  it("the denoising loss E‖y − D(y + σz)‖² of the exact denoiser matches mmse within 4.5 standard errors", () => {
    for (const r of runs()) expectWithin(r.got.mmse, r.exact.mmse, r.exact.standardError?.mmse, "mmse", `${r.label} mmse`);
  });

  it("the mean squared score norm of the exact denoiser matches E‖∇log p_σ‖² within 4.5 standard errors", () => {
    for (const r of runs())
      expectWithin(r.got.scoreNormSq, r.exact.scoreNormSq, r.exact.standardError?.scoreNormSq, "scoreNormSq", `${r.label} E‖s‖²`);
  });

  it("the Hutchinson divergence of the exact denoiser matches E Tr J within 4.5 standard errors", () => {
    for (const r of runs())
      expectWithin(r.got.meanDivergence, r.exact.meanDivergence, r.exact.standardError?.meanDivergence, "meanDivergence", `${r.label} E div`);
  });

  for (const key of rateKeys) {
    it(`the ${key} estimator of the entropy rate matches the exact profile's within 4.5 standard errors`, () => {
      for (const r of runs()) {
        const got = r.got.entropyRateEstimators[key];
        expect(got, `${r.label}: ${key} present (D ≤ 16)`).toBeDefined();
        expectWithin(got!, r.exact.entropyRateEstimators[key]!, r.exact.standardError?.entropyRateEstimators?.[key], key, `${r.label} ${key}`);
      }
    });
  }

  it("every estimator also matches the exact entropy rate mmse/σ³ within 4.5 standard errors (I-MMSE)", () => {
    for (const r of runs())
      for (const key of rateKeys)
        expectWithin(r.got.entropyRateEstimators[key]!, r.exact.entropyRate, r.exact.standardError?.entropyRate, `${key} vs rate`, `${r.label} ${key}`);
  });

  it("the entropy rate is the posterior-variance route and fisherTrace equals the divergence route to rounding", () => {
    for (const r of runs()) {
      const e = r.got.entropyRateEstimators;
      expect(r.got.entropyRate).toEqual(e.posteriorVariance);
      expect(r.got.samples).toBe(N);
      expectClose(e.fisherTrace.value, e.divergence.value, { rtol: 1e-7, atol: 1e-9 * r.got.sigma ** -1 }, `${r.label} fisher vs div`);
    }
  });

  it("compared every quantity and estimator (set INFODYN_VERBOSE=1 to print the largest |z| of each)", () => {
    runs();
    for (const key of ["mmse", "scoreNormSq", "meanDivergence", ...rateKeys]) expect(zScores[key], key).toBeLessThanOrEqual(Z);
    if (process.env.INFODYN_VERBOSE) console.log("largest |z| per estimator", zScores);
  });
});

/** The exact denoiser moved: D' = x + a (m − x) + b (a < 1 shrinks it towards x, b is a constant bias). */
function wrong(model: DataModel, a: number, b: readonly number[]): SyncDenoiser {
  return {
    dim: model.dim,
    denoise(x: Batch, sigma: number): Batch {
      const m = model.denoise(x, sigma);
      const out = new Float64Array(m.data.length);
      for (let i = 0; i < out.length; i++) out[i] = x.data[i] + a * (m.data[i] - x.data[i]) + b[i % model.dim];
      return { rows: x.rows, dim: x.dim, data: out };
    },
  };
}

/** Largest pairwise disagreement between the three independent routes, in standard errors of the difference. */
function spread(r: DenoiserRates): number {
  const e = r.entropyRateEstimators;
  const routes = [e.scoreNorm, e.divergence, e.posteriorVariance];
  let worst = 0;
  for (let i = 0; i < routes.length; i++)
    for (let j = i + 1; j < routes.length; j++)
      worst = Math.max(worst, Math.abs(routes[i].value - routes[j].value) / Math.hypot(routes[i].standardError, routes[j].standardError));
  return worst;
}

describe("denoiserRates on deliberately wrong denoisers (the point of having five estimators)", () => {
  const cases: [string, () => DataModel][] = [models[0], models[1]];

  it("a denoiser shrunk by 0.9 towards x has a loss above the exact mmse, and its estimators disagree by > 10 standard errors", () => {
    for (const [name, make] of cases) {
      const model = make();
      const data = model.sample(N, createRng(7));
      for (const sigma of SIGMAS) {
        const exact = profileAt(model, sigma);
        const r = denoiserRates(wrong(model, 0.9, [0, 0]), data, sigma, { seed: 3 });
        const ok = denoiserRates(model, data, sigma, { seed: 3 });
        const at = `${name} σ=${sigma}`;
        // y − D' = (y − m) + 0.1 (m − x) and E[y − m | x] = 0, so the loss is mmse + 0.01 E‖m − x‖² with
        // E‖m − x‖² = Dσ² − mmse (THEORY.md §2): above the mmse, and above the exact denoiser's on the same draws.
        const excess = 0.01 * (model.dim * sigma * sigma - exact.mmse);
        expectWithin(r.mmse, exact.mmse + excess, undefined, "shrunk mmse", `${at} mmse + 0.01 E‖m − x‖²`);
        expect(r.mmse.value, `${at}: loss above the exact denoiser's on the same draws`).toBeGreaterThan(ok.mmse.value);
        expect(spread(r), `${at}: disagreement in standard errors`).toBeGreaterThan(10);
        expect(spread(ok), `${at}: the exact denoiser's routes agree`).toBeLessThan(Z * 1.5);
      }
    }
  });

  it("a constant bias b shifts the loss by ‖b‖², the score-norm and posterior-variance routes by ∓‖b‖²/σ³, and leaves the divergence", () => {
    const b = [0.3, -0.2];
    for (const [name, make] of cases) {
      const model = make();
      const bias = b.slice(0, model.dim);
      const b2 = bias.reduce((acc, v) => acc + v * v, 0);
      const data = model.sample(N, createRng(8));
      for (const sigma of SIGMAS) {
        const exact = profileAt(model, sigma);
        const r = denoiserRates(wrong(model, 1, bias), data, sigma, { seed: 4 });
        const e = r.entropyRateEstimators;
        const at = `${name} σ=${sigma}`;
        const s3 = sigma ** 3;
        expect(r.mmse.value - exact.mmse, `${at}: loss above mmse by ≫ its standard error`).toBeGreaterThan(Z * r.mmse.standardError);
        expectWithin(r.mmse, exact.mmse + b2, undefined, "biased mmse", `${at} mmse + ‖b‖²`);
        expectWithin(e.posteriorVariance, exact.entropyRate + b2 / s3, undefined, "biased posteriorVariance", `${at} posteriorVariance`);
        expectWithin(e.scoreNorm, exact.entropyRate - b2 / s3, undefined, "biased scoreNorm", `${at} scoreNorm`);
        expectWithin(e.divergence, exact.entropyRate, undefined, "biased divergence", `${at} divergence`);
        expectWithin(e.jacobianSpectrum!, exact.entropyRate, undefined, "biased jacobianSpectrum", `${at} jacobianSpectrum`);
        expect(spread(r), `${at}: disagreement in standard errors`).toBeGreaterThan(10);
      }
    }
  });
});

describe("denoiserRates: determinism, batching and the profile", () => {
  const model = example("triangle.json");
  const data = model.sample(3000, createRng(5));

  it("the same seed gives identical numbers and another seed different ones", () => {
    const a = denoiserRates(model, data, 0.7, { seed: 11, probes: 2, noiseDraws: 2 });
    const b = denoiserRates(model, data, 0.7, { seed: 11, probes: 2, noiseDraws: 2 });
    const c = denoiserRates(model, data, 0.7, { seed: 12, probes: 2, noiseDraws: 2 });
    expect(b).toEqual(a);
    expect(c.mmse.value).not.toBe(a.mmse.value);
  });

  it("the numbers do not depend on the batch size, and each batch is one denoise call", () => {
    let calls = 0;
    const counting: SyncDenoiser = { dim: 2, denoise: (x, s) => (calls++, model.denoise(x, s)) };
    const whole = denoiserRates(counting, data, 0.7, { seed: 1 });
    expect(calls).toBe(1);
    calls = 0;
    const split = denoiserRates(counting, data, 0.7, { seed: 1, batchSize: 1000 });
    expect(calls).toBe(3);
    expect(split).toEqual(whole);
  });

  it("more probes and noise draws shrink the standard error of the Hutchinson divergence", () => {
    const one = denoiserRates(model, data, 1, { seed: 2 });
    const four = denoiserRates(model, data, 1, { seed: 2, probes: 4, noiseDraws: 4 });
    expect(four.meanDivergence.standardError).toBeLessThan(0.75 * one.meanDivergence.standardError);
  });

  it("denoiserRateProfile gives one entry per σ, entry i with seed levelSeed(seed, i), and reports progress", () => {
    const sigmas = [0.5, 1, 2];
    const seen: [number, number][] = [];
    const prof = denoiserRateProfile(model, data, sigmas, { seed: 20, onProgress: (d, t) => seen.push([d, t]) });
    expect(prof.map((p) => p.sigma)).toEqual(sigmas);
    expect(seen).toEqual([[1, 3], [2, 3], [3, 3]]);
    sigmas.forEach((s, i) => expect(prof[i]).toEqual(denoiserRates(model, data, s, { seed: levelSeed(20, i) })));
  });

  it("the Jacobian-spectrum route is omitted above 16 dimensions", () => {
    const big = sphere(17, 1);
    const r = denoiserRates(big, big.sample(50, createRng(1)), 1);
    expect(r.entropyRateEstimators.jacobianSpectrum).toBeUndefined();
    expect(Number.isFinite(r.entropyRateEstimators.divergence.value)).toBe(true);
  });

  it("bad arguments throw an InfodynError naming the field", () => {
    expect(() => denoiserRates(model, data, 0)).toThrow(InfodynError);
    expect(() => denoiserRates(model, data, 1, { probes: 0 })).toThrow(/probes/);
    expect(() => denoiserRates(model, data, 1, { epsilon: -1 })).toThrow(/epsilon/);
    expect(() => denoiserRates(sphere(3, 1), data, 1)).toThrow(/dimension/);
  });
});
