import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { profileAt, type ProfilePoint } from "../src/analysis/info/profile.js";
import { fromRows } from "../src/batch.js";
import { deltas } from "../src/models/deltas.js";
import { gaussian } from "../src/models/gaussian.js";
import { gmm } from "../src/models/gmm.js";
import { parseModel } from "../src/models/parse.js";
import { sphere } from "../src/models/sphere.js";
import { integrate } from "../src/numeric/quadrature.js";
import { expectClose } from "./helpers.js";

const fixture = JSON.parse(readFileSync(join(import.meta.dirname, "fixtures", "info.json"), "utf8"));
const examples = join(import.meta.dirname, "..", "examples");
const example = (name: string) =>
  parseModel(JSON.parse(readFileSync(join(examples, name), "utf8")), { readFile: (p) => new Uint8Array(readFileSync(join(examples, p))) });

function deltasFromFixture(c: { points: number[]; weights: number[]; labels: (string | number)[] }) {
  return parseModel({ kind: "deltas", points: c.points.map((p) => [p]), weights: c.weights, labels: c.labels });
}
const gmm1d = () => example("gmm-1d.json");

const estimatorNames = ["scoreNorm", "divergence", "fisherTrace", "jacobianSpectrum", "posteriorVariance"] as const;

function maxEstimatorSpread(p: ProfilePoint): number {
  const v = estimatorNames.map((k) => p.entropyRateEstimators[k]!);
  return (Math.max(...v) - Math.min(...v)) / Math.abs(p.entropyRate);
}

describe("information profile against an independent scipy oracle (quad over x)", () => {
  for (const name of ["two-deltas", "two-deltas-weighted", "five-deltas"]) {
    it(`${name}: mmse, H(y|x), I, Var h, H(c|x) and its rate agree to 1e-9 relative (quadrature error budget)`, () => {
      const c = fixture[name];
      const model = deltasFromFixture(c);
      for (const want of c.profile) {
        const p = profileAt(model, want.sigma);
        const tol = { rtol: 1e-9, atol: 1e-300 };
        expectClose(p.mmse, want.mmse, tol, `mmse σ=${want.sigma}`);
        expectClose(p.conditionalEntropy!, want.conditionalEntropy, tol, `H σ=${want.sigma}`);
        expectClose(p.mutualInformation, c.priorEntropy - want.conditionalEntropy, { rtol: 1e-9, atol: 1e-14 }, `I σ=${want.sigma}`);
        expectClose(p.mutualInformation, want.mutualInformation_logp, { rtol: 1e-9, atol: 1e-13 }, `I (log p route) σ=${want.sigma}`);
        expectClose(p.pathwiseEntropyVariance!, want.pathwiseEntropyVariance, tol, `Var h σ=${want.sigma}`);
        expectClose(p.classEntropy!, want.classEntropy, tol, `H(c|x) σ=${want.sigma}`);
        expectClose(p.classEntropyRate!, want.classEntropyRate, tol, `dH(c|x)/dσ σ=${want.sigma}`);
      }
    });
  }
  it("gmm-1d: mmse, I (from E log p_σ), H(c|x) and its rate agree to 1e-9 relative", () => {
    const model = gmm1d();
    for (const want of fixture["gmm-1d"].profile) {
      const p = profileAt(model, want.sigma);
      expectClose(p.mmse, want.mmse, { rtol: 1e-9 }, `mmse σ=${want.sigma}`);
      expectClose(p.mutualInformation, want.mutualInformation_logp, { rtol: 1e-9, atol: 1e-12 }, `I σ=${want.sigma}`);
      expectClose(p.classEntropy!, want.classEntropy, { rtol: 1e-9 }, `H(c|x) σ=${want.sigma}`);
      expectClose(p.classEntropyRate!, want.classEntropyRate, { rtol: 1e-9 }, `class rate σ=${want.sigma}`);
    }
  });
});

describe("identities of THEORY.md §3", () => {
  it("I-MMSE: dH(y|x_σ)/dσ = mmse/σ³ against a central difference of H (O(h²) ≈ 1e-8)", () => {
    for (const model of [deltasFromFixture(fixture["five-deltas"]), example("two-deltas-weighted.json")]) {
      for (const s of [0.3, 0.7, 1.5, 4]) {
        const h = 1e-4 * s;
        const fd = (profileAt(model, s + h).conditionalEntropy! - profileAt(model, s - h).conditionalEntropy!) / (2 * h);
        expectClose(profileAt(model, s).entropyRate, fd, { rtol: 1e-6 }, `σ=${s}`);
      }
    }
  });
  it("I-MMSE for a continuous mixture: dI/dσ = −mmse/σ³ (I from E log p_σ)", () => {
    const model = gmm1d();
    for (const s of [0.2, 1, 3]) {
      const h = 1e-4 * s;
      const fd = (profileAt(model, s + h).mutualInformation - profileAt(model, s - h).mutualInformation) / (2 * h);
      expectClose(-profileAt(model, s).entropyRate, fd, { rtol: 1e-6 }, `σ=${s}`);
    }
  });
  it("the class-rate identity dH(c|x_σ)/dσ = σ E‖∇log p(c|x)‖² against a central difference of H(c|x)", () => {
    for (const model of [deltasFromFixture(fixture["five-deltas"]), gmm1d(), example("triangle.json")]) {
      for (const s of [0.4, 1, 2.5]) {
        const h = 1e-4 * s;
        const fd = (profileAt(model, s + h).classEntropy! - profileAt(model, s - h).classEntropy!) / (2 * h);
        expectClose(profileAt(model, s).classEntropyRate!, fd, { rtol: 2e-6 }, `${model.kind} σ=${s}`);
      }
    }
  });
  it("the five rate estimators agree on every quadrature model to 1e-9 (E‖s‖² = D/σ² − mmse/σ⁴ included)", () => {
    const models = [deltasFromFixture(fixture["five-deltas"]), gmm1d(), example("triangle.json"), example("four-deltas.json"), example("gaussian.json"), sphere(3, 1.5), sphere(2, 1)];
    for (const model of models)
      for (const s of [0.3, 1, 3]) {
        const p = profileAt(model, s);
        expect(maxEstimatorSpread(p), `${model.kind} D=${model.dim} σ=${s}`).toBeLessThan(1e-9);
        expectClose(p.scoreNormSq, model.dim / s ** 2 - p.mmse / s ** 4, { rtol: 1e-9 }, `E‖s‖² ${model.kind} σ=${s}`);
        expectClose(p.marginalEntropyRate, -s * p.meanDivergence, { rtol: 1e-9 }, `marginal rate ${model.kind}`);
      }
  });
  it("I(y; x_σ) = ∫_σ^∞ mmse(s)/s³ ds equals H(y) − H(y|x_σ) (tail beyond S = 200 as Tr Cov/(2S²))", () => {
    const model = example("two-deltas-weighted.json");
    const Hy = -(0.7 * Math.log(0.7) + 0.3 * Math.log(0.3));
    const S = 200;
    const trCov = 4 * 0.7 * 0.3;
    for (const s of [0.5, 1.5]) {
      const I = integrate((u) => profileAt(model, u).mmse / u ** 3, s, S, { epsrel: 1e-10 }).value + trCov / (2 * S * S);
      expectClose(I, Hy - profileAt(model, s).conditionalEntropy!, { rtol: 1e-7 }, `σ=${s}`);
    }
  });
});

describe("closed forms and limits", () => {
  it("a one-component mixture through quadrature equals the Gaussian closed forms (1-D and 2-D)", () => {
    const cov = fromRows([[2, 0.6], [0.6, 0.5]]).data;
    const pairs: [ReturnType<typeof gaussian>, ReturnType<typeof gmm>][] = [
      [gaussian(Float64Array.from([0.3]), Float64Array.from([1.7])), gmm([{ weight: 1, mean: [0.3], variance: 1.7 }])],
      [gaussian(Float64Array.from([1, -0.5]), cov), gmm([{ weight: 1, mean: [1, -0.5], cov }])],
    ];
    for (const [g, mix] of pairs)
      for (const s of [0.2, 1, 4]) {
        const a = profileAt(g, s);
        const b = profileAt(mix, s);
        expectClose(b.mmse, a.mmse, { rtol: 1e-12 }, `mmse D=${g.dim} σ=${s}`);
        expectClose(b.mutualInformation, a.mutualInformation, { rtol: 1e-10, atol: 1e-13 }, `I D=${g.dim} σ=${s}`);
        expectClose(b.scoreNormSq, a.scoreNormSq, { rtol: 1e-10 }, `E‖s‖² D=${g.dim} σ=${s}`);
      }
  });
  it("Gaussian N(0, c²): H(y|x_σ) = ½ log(2πe c²σ²/(c²+σ²)) and mmse = c²σ²/(c²+σ²)", () => {
    const c2 = 2.5;
    const g = gaussian(Float64Array.from([0]), Float64Array.from([c2]));
    for (const s of [0.1, 1, 10]) {
      const p = profileAt(g, s);
      expectClose(p.conditionalEntropy!, 0.5 * Math.log((2 * Math.PI * Math.E * c2 * s * s) / (c2 + s * s)), { rtol: 1e-14 });
      expectClose(p.mmse, (c2 * s * s) / (c2 + s * s), { rtol: 1e-14 });
    }
  });
  it("σ → 0: H(y|x) → 0 and I → H(y) for deltas; σ → ∞: H → H(y), rate ≈ Tr Cov/σ³ → 0", () => {
    const model = example("two-deltas-weighted.json");
    const Hy = -(0.7 * Math.log(0.7) + 0.3 * Math.log(0.3));
    const small = profileAt(model, 0.05);
    expect(small.conditionalEntropy!).toBeLessThan(1e-80);
    expectClose(small.mutualInformation, Hy, { rtol: 1e-15 });
    const big = profileAt(model, 1e3);
    expectClose(big.conditionalEntropy!, Hy, { rtol: 1e-6 });
    expectClose(big.entropyRate, (4 * 0.21) / 1e9, { rtol: 1e-5 }); // mmse → Tr Cov(y) = 4·0.7·0.3
  });
});

describe("Monte Carlo fallback", () => {
  it("reports standard errors, and agrees with quadrature within 4 SE (triangle, forced Monte Carlo)", () => {
    const model = example("triangle.json");
    for (const s of [0.4, 1]) {
      const exact = profileAt(model, s);
      const mc = profileAt(model, s, { monteCarlo: true, samples: 20000, seed: 3 });
      expect(mc.method).toMatch(/monte-carlo/);
      const se = mc.standardError!;
      for (const key of ["mmse", "conditionalEntropy", "classEntropy", "pathwiseEntropyVariance", "scoreNormSq"] as const) {
        expect(se[key]).toBeGreaterThan(0);
        expectClose(mc[key]!, exact[key]!, { atol: 4 * se[key]! }, `${key} σ=${s}`);
      }
    }
  });
  it("runs in higher dimension (Ising ring, D = 8) with estimators agreeing within their errors", () => {
    const model = example("ising.json");
    const p = profileAt(model, 1, { samples: 4000, seed: 1 });
    expect(p.method).toMatch(/monte-carlo/);
    const se = p.standardError!.entropyRateEstimators!;
    expectClose(p.entropyRateEstimators.scoreNorm, p.entropyRate, { atol: 4 * Math.hypot(se.scoreNorm!, se.posteriorVariance!) });
    expect(p.conditionalEntropy!).toBeGreaterThan(0);
    expect(p.conditionalEntropy!).toBeLessThan(8 * Math.log(2));
  });
  it("the same seed gives the same numbers", () => {
    const model = example("ising.json");
    expect(profileAt(model, 0.7, { samples: 500, seed: 5 }).mmse).toBe(profileAt(model, 0.7, { samples: 500, seed: 5 }).mmse);
  });
});

describe("peaks", () => {
  it("locate the maxima of mmse/σ², Var h and dH(c|x)/dσ for two deltas: refined, scipy to 1e-6 and two grids to 1e-8; the grid bracket holds them", async () => {
    const { informationProfile } = await import("../src/analysis/info/grid.js");
    const { logSigmas } = await import("../src/noise/grid.js");
    const model = deltasFromFixture(fixture["two-deltas"]);
    const a = informationProfile(model, logSigmas(201, 0.05, 10), { refinePeaks: true });
    const b = informationProfile(model, logSigmas(38, 0.07, 8), { refinePeaks: true });
    const coarse = informationProfile(model, logSigmas(38, 0.07, 8));
    for (const key of ["entropyRateLogSigma", "pathwiseEntropyVariance", "classEntropyRate"] as const) {
      // scipy's bounded Brent on quad values: the location is good to ~√(quadrature error) ≈ 1e-6
      expectClose(a.peaks[key]!.sigma, fixture["two-deltas"].peaks[key], { rtol: 1e-6 }, `${key} vs scipy`);
      // two unrelated grids refine to the same σ (Brent + parabolic polish on the exact curve)
      expectClose(a.peaks[key]!.sigma, b.peaks[key]!.sigma, { rtol: 1e-8 }, `${key} grid-independent`);
      expect(a.peaks[key]!.atBoundary).toBe(false);
      // refined: the bracket (what value errors of 1e-9 allow) holds scipy's peak and is far inside the grid's;
      // grid argmax (the default): the grid neighbours, holding the refined peak
      const r = a.peaks[key]!;
      const want = fixture["two-deltas"].peaks[key];
      expect(r.low < want && want < r.high, `${key}: ${r.low} < ${want} < ${r.high}`).toBe(true);
      expect(r.high / r.low - 1).toBeLessThan(1e-3);
      const g = coarse.peaks[key]!;
      expect(g.low < a.peaks[key]!.sigma && a.peaks[key]!.sigma < g.high, `${key}: ${g.low} < ${a.peaks[key]!.sigma} < ${g.high}`).toBe(true);
      expect(coarse.sigma).toContain(g.sigma);
    }
    // the peaks do not coincide with the branching σ_c = 1 (THEORY.md §5), nor with each other
    expect(Math.abs(a.peaks.entropyRateLogSigma!.sigma - 1)).toBeGreaterThan(0.05);
  });
});
