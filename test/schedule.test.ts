import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { brentRoot } from "../src/numeric/brent.js";
import { createRng } from "../src/numeric/rng.js";
import { parseModel } from "../src/models/parse.js";
import { edm, vpCosine } from "../src/noise/process.js";
import { profileAt } from "../src/analysis/info/profile.js";
import {
  benchmarkFigureData,
  benchmarkJson,
  denoiserMmse,
  entropicLevels,
  entropicProfile,
  evaluateSchedules,
  exactMmse,
  mixture1d,
  mmdRbf,
  modelMmse,
  normalCdf,
  scheduleJson,
  scheduleSigmas,
  wasserstein1Exact,
} from "../src/analysis/schedule/index.js";
import { expectAllClose, expectClose } from "./helpers.js";

type Mix = { means: number[]; weights: number[]; variances: number[] };
type MixFixture = Mix & { sigma: number[]; mmse: number[]; range: number[]; steps: number; entropic: number[]; rescaledEntropic: number[]; phiH: number; phiR: number; samples: number[]; w1: number };
const fixture: { normalCdf: { z: number[]; value: number[] }; deltas: MixFixture; gmm: MixFixture } = JSON.parse(
  readFileSync(join(import.meta.dirname, "fixtures", "schedule.json"), "utf8"),
);
type _Unused = { means: number[]; weights: number[]; variances: number[] };
const fromFixture = (m: Mix) =>
  m.variances.every((v) => v === 0)
    ? parseModel({ kind: "deltas", points: m.means.map((x) => [x]), weights: m.weights })
    : parseModel({ kind: "gmm", components: m.means.map((x, k) => ({ weight: m.weights[k], mean: [x], variance: m.variances[k] })) });

describe("exact mmse and the normal CDF", () => {
  it("Φ(z) matches scipy.stats.norm.cdf to max(1e-14, 8 z² ε) relative (2e-16 absolute, the series near |z| = 3) from z = −37 to 8", () => {
    // In the deep tail e^{−z²/2} turns one rounding of z²/2 into a relative error ≈ (z²/2)·ε, in either library.
    fixture.normalCdf.z.forEach((z, i) =>
      expectClose(normalCdf(z), fixture.normalCdf.value[i], { rtol: Math.max(1e-14, 8 * z * z * Number.EPSILON), atol: 2e-16 }, `z = ${z}`),
    );
  });
  for (const name of ["deltas", "gmm"] as const) {
    it(`mmse(σ) of the 1-D ${name} mixture matches scipy quad to 1e-11 (both adaptive, 1e-12/1e-13 goals)`, () => {
      const m = fromFixture(fixture[name]);
      fixture[name].sigma.forEach((s, i) => expectClose(exactMmse(m, s), fixture[name].mmse[i], { rtol: 1e-11 }, `σ = ${s}`));
    });
  }
});

describe("entropic and rescaled entropic time (THEORY.md §9.1)", () => {
  it("φ_R of a Gaussian N(0, diag(c₁², c₂²)) is Σ c_i arctan(σ/c_i) up to a constant, to 1e-12 at every node", () => {
    const c = [0.7, 2.3];
    const g = parseModel({ kind: "gaussian", mean: [0, 0], cov: [[c[0] ** 2, 0], [0, c[1] ** 2]] });
    const p = entropicProfile(modelMmse(g), 0.01, 50, { intervals: 64 });
    const phi = (s: number) => c.reduce((a, ci) => a + ci * Math.atan(s / ci), 0);
    expectAllClose(p.phiR, Array.from(p.sigma, (s) => phi(s) - phi(0.01)), { rtol: 1e-12, atol: 1e-14 }, "φ_R");
  });

  it("inverts the Gaussian closed forms to 1e-10: c·tan levels (rescaled) and c/√(e^{−g}−1) levels (entropic)", () => {
    const cc = 1.7;
    const [a, b, n] = [0.002, 80, 16];
    const p = entropicProfile(modelMmse(parseModel({ kind: "gaussian", mean: [0], cov: [[cc * cc]] })), a, b);
    const R = entropicLevels(p, "R", n).sigma;
    const H = entropicLevels(p, "H", n).sigma;
    const gf = (s: number) => Math.log((s * s) / (cc * cc + s * s));
    for (let i = 0; i <= n; i++) {
      const u = i / n;
      expectClose(R[i], cc * Math.tan((1 - u) * Math.atan(a / cc) + u * Math.atan(b / cc)), { rtol: 1e-10 }, `rescaled σ_${i}`);
      // The closed form c/√(e^{−g} − 1) loses ≈ 1e-13 to cancellation near σ_max (e^{−g} → 1).
      expectClose(H[i], cc / Math.sqrt(Math.exp(-((1 - u) * gf(a) + u * gf(b))) - 1), { rtol: 1e-10 }, `entropic σ_${i}`);
    }
  });

  for (const name of ["deltas", "gmm"] as const) {
    it(`levels of the 1-D ${name} mixture match scipy brentq on quad integrals of the rate to 1e-9`, () => {
      const f = fixture[name];
      const p = entropicProfile(modelMmse(fromFixture(f)), f.range[0], f.range[1]);
      expectClose(p.phiH[p.phiH.length - 1], f.phiH, { rtol: 1e-10 }, "φ_H total");
      expectClose(p.phiR[p.phiR.length - 1], f.phiR, { rtol: 1e-10 }, "φ_R total");
      expectAllClose(entropicLevels(p, "H", f.steps).sigma, f.entropic, { rtol: 1e-9 }, "entropic");
      expectAllClose(entropicLevels(p, "R", f.steps).sigma, f.rescaledEntropic, { rtol: 1e-9 }, "rescaled");
    });
  }

  // Three weighted deltas: I(y; x_σ) = H(y) − E h(x_σ) by the info profile's quadrature of the pathwise entropy,
  // a route that never integrates the rate.
  const three = parseModel({ kind: "deltas", points: [[-1], [0.2], [1.1]], weights: [0.5, 0.3, 0.2] });
  const [lo, hi, n] = [0.1, 5, 6];
  const I = (s: number) => profileAt(three, s).mutualInformation;

  it("equal steps of I(y; x_σ) over the interval give the entropic levels (to 1e-8)", () => {
    const p = entropicProfile(modelMmse(three), lo, hi);
    const levels = entropicLevels(p, "H", n).sigma;
    const [I0, I1] = [I(lo), I(hi)];
    for (let i = 1; i < n; i++) {
      const s = brentRoot((x) => I(x) - (I0 + (i / n) * (I1 - I0)), lo, hi, { xtol: 1e-13 });
      expectClose(levels[i], s, { rtol: 1e-8 }, `σ_${i}`);
    }
  });

  it("the entropic levels reproduce equal steps of H(y|x_σ) to 1e-10 nats", () => {
    const p = entropicProfile(modelMmse(three), lo, hi);
    const s = scheduleSigmas("entropic", n, lo, hi, { process: edm(), profile: p });
    const H = Array.from(s.sigma, (x) => profileAt(three, x).conditionalEntropy!);
    for (let i = 0; i <= n; i++) expectClose(H[i] - H[0], ((H[n] - H[0]) * i) / n, { atol: 1e-10 }, `H(σ_${i})`);
    expectAllClose(s.entropy!, H.map((h) => h - H[0]), { atol: 1e-10 }, "reported entropy");
  });

  it("from a denoiser's loss the levels agree with the exact ones within 4 standard errors", () => {
    const g = parseModel({ kind: "gmm", components: [{ weight: 1, mean: [-1], variance: 0.1 }, { weight: 1, mean: [1], variance: 0.1 }] });
    const data = g.sample(2000, createRng(5));
    const est = entropicLevels(entropicProfile(denoiserMmse(g, data, { seed: 9 }), 0.05, 10, { intervals: 48 }), "R", 4);
    const exact = entropicLevels(entropicProfile(modelMmse(g), 0.05, 10), "R", 4).sigma;
    for (let i = 1; i < 4; i++) {
      expect(est.standardError[i]).toBeGreaterThan(0);
      // 48 intervals of the node rule (4-point cubic) add ≲ 1e-4 relative, well under the Monte Carlo error here.
      expectClose(est.sigma[i], exact[i], { atol: 4 * est.standardError[i] + 2e-3 * exact[i] }, `σ_${i}`);
    }
  });

  it("baselines: EDM ρ = 7 ends and formula, log levels, cosine = uniform in t of the VP cosine process", () => {
    const e = scheduleSigmas("edm", 4, 0.002, 80, { process: edm() }).sigma;
    expect(e[0]).toBe(0.002);
    expect(e[4]).toBe(80);
    const r = 1 / 7;
    expectClose(e[1], (0.002 ** r + 0.25 * (80 ** r - 0.002 ** r)) ** 7, { rtol: 1e-13 }, "edm σ_1");
    expectAllClose(scheduleSigmas("log", 2, 0.1, 10, { process: edm() }).sigma, [0.1, 1, 10], { rtol: 1e-15 }, "log");
    const c = scheduleSigmas("cosine", 4, 0.01, 50, { process: edm() });
    const vp = vpCosine();
    const ts = Array.from(c.sigma, (s) => vp.time(s));
    for (let i = 1; i < 4; i++) expectClose(ts[i] - ts[i - 1], ts[i + 1] - ts[i], { rtol: 1e-9 }, `Δt_${i}`);
  });
});

describe("sample-quality metrics and the benchmark", () => {
  for (const name of ["deltas", "gmm"] as const) {
    it(`exact W₁ of fixed samples to the ${name} law matches scipy to 1e-9`, () => {
      const f = fixture[name];
      expectClose(wasserstein1Exact(f.samples, mixture1d(fromFixture(f))!), f.w1, { rtol: 1e-9 }, "W1");
    });
  }

  it("unbiased MMD² has zero mean for two independent samples of one law (within 4 SE over 30 pairs)", () => {
    const m = parseModel({ kind: "gmm", components: [{ weight: 1, mean: [-1, 0], variance: 0.2 }, { weight: 1, mean: [1, 1], variance: 0.3 }] });
    const vals = Array.from({ length: 30 }, (_, r) => mmdRbf(m.sample(150, createRng(2 * r)).data, m.sample(150, createRng(2 * r + 1)).data, 2, 1));
    const mean = vals.reduce((a, b) => a + b) / vals.length;
    const se = Math.sqrt(vals.reduce((a, b) => a + (b - mean) ** 2, 0) / (vals.length - 1) / vals.length);
    expect(Math.abs(mean)).toBeLessThan(4 * se);
  });

  it("with many steps every distance matches direct data samples of the same size (zero-mean difference, 4 SE)", () => {
    const m = parseModel({ kind: "gmm", components: [{ weight: 0.4, mean: [-1], variance: 0.05 }, { weight: 0.6, mean: [1], variance: 0.1 }] });
    const b = evaluateSchedules(m, { kinds: ["log"], steps: [800], samplers: ["ddim"], samples: 300, repeats: 8, seed: 3, sigmaMin: 0.002, sigmaMax: 20 });
    const rows = (kind: string) => b.results.filter((r) => r.kind === kind);
    for (const direct of rows("data")) {
      const sampled = rows("log").find((r) => r.metric === direct.metric)!;
      const se = Math.hypot(direct.standardError, sampled.standardError);
      expect(Math.abs(sampled.value - direct.value), `${direct.metric}: ${sampled.value} vs ${direct.value} ± ${se}`).toBeLessThan(4 * se);
    }
    const mmd = rows("data").find((r) => r.metric === "mmd2")!;
    expect(Math.abs(mmd.value)).toBeLessThan(4 * mmd.standardError);
  });

  it("JSON builders: ascending n + 1 levels with t and entropy; results rows with the contract keys; figure series by NFE", () => {
    const m = parseModel({ kind: "deltas", points: [[-1], [1]] });
    const p = entropicProfile(modelMmse(m), 0.01, 10, { intervals: 32 });
    const j = scheduleJson(scheduleSigmas("rescaled-entropic", 5, 0.01, 10, { process: edm(), profile: p })) as { kind: string; sigma: number[]; t: number[]; entropy: number[] };
    expect(j.kind).toBe("rescaled-entropic");
    expect(j.sigma).toHaveLength(6);
    expect(j.t).toEqual(j.sigma);
    for (let i = 1; i < 6; i++) expect(j.sigma[i]).toBeGreaterThan(j.sigma[i - 1]);
    const b = evaluateSchedules(m, { kinds: ["edm", "entropic"], steps: [2, 4], samplers: ["euler", "heun"], samples: 50, repeats: 2, sigmaMin: 0.01, sigmaMax: 10, profile: p });
    const json = benchmarkJson(b) as { results: Record<string, unknown>[] };
    expect(json.results.length).toBe((1 + 2 * 2 * 2) * 5); // (baseline + kinds × steps × samplers) × 5 metrics (w1, kl-bins, sliced-w2, mmd2, mode-tv)
    for (const r of json.results) expect(Object.keys(r).sort()).toEqual(["kind", "metric", "nfe", "sampler", "standardError", "steps", "value"]);
    const fig = benchmarkFigureData(b, "w1");
    expect(fig.series).toHaveLength(4);
    expect(fig.series.find((s) => s.kind === "edm" && s.sampler === "heun")!.nfe).toEqual([5, 9]);
    expect(JSON.parse(JSON.stringify(json))).toEqual(json);
  });
});

