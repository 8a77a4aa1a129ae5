import { describe, expect, it } from "vitest";
import { parseModel } from "../src/models/parse.js";
import type { DataModel } from "../src/models/types.js";
import { edm } from "../src/noise/process.js";
import {
  clockAt,
  entropicLevels,
  entropicProfile,
  klBins,
  mmseRoute,
  modelMmse,
  modelSchedule,
  nodeGradient,
  nodeMmse,
  nodeRule,
  NODE_INTERVALS,
  profilePlan,
  scheduleSigmas,
} from "../src/analysis/schedule/index.js";
import { runCli } from "./cli-run.js";
import { expectClose } from "./helpers.js";

// Three weighted deltas in 1-D (mmse exact by adaptive quadrature, checked against scipy in schedule.test.ts) and a
// 1-D Gaussian mixture: the Monte Carlo route (forced) against the exact route on the same model.
const three = parseModel({ kind: "deltas", points: [[-1], [0.2], [1.1]], weights: [0.5, 0.3, 0.2] });
const gmm = parseModel({ kind: "gmm", components: [{ weight: 0.6, mean: [-1], variance: 0.04 }, { weight: 0.4, mean: [1.5], variance: 0.25 }] });
const [lo, hi, n] = [0.05, 20, 8];
const mcProfile = (m: DataModel, samples: number, seed: number) =>
  entropicProfile(nodeMmse(m, { samples, seed, monteCarlo: true }), lo, hi, { intervals: NODE_INTERVALS });
const exactProfile = (m: DataModel) => entropicProfile(modelMmse(m), lo, hi);
// The node rule's own error at 32 intervals, measured against the exact route (test/schedule-nodes-study.mjs):
// ≤ 3e-4 relative on the levels of two deltas (the sharpest case), ≤ 1e-4 on a 1-D GMM.
const RULE = 5e-4;

describe("the node rule (4-point cubic in log σ)", () => {
  it("has the weights (−1, 13, 13, −1)/24 inside and (9, 19, −5, 1)/24 at the ends, and sums to θ", () => {
    const w = (N: number, k: number, t = 1) => nodeRule(N, k, t);
    expect(w(32, 5)).toEqual({ first: 4, weights: expect.any(Array) });
    [-1, 13, 13, -1].forEach((v, i) => expectClose(w(32, 5).weights[i], v / 24, { atol: 1e-15 }, `inside ${i}`));
    [9, 19, -5, 1].forEach((v, i) => expectClose(w(32, 0).weights[i], v / 24, { atol: 1e-15 }, `first ${i}`));
    [1, -5, 19, 9].forEach((v, i) => expectClose(w(32, 31).weights[i], v / 24, { atol: 1e-15 }, `last ${i}`));
    for (const t of [0.1, 0.5, 0.93]) expectClose(w(32, 7, t).weights.reduce((a, b) => a + b), t, { atol: 1e-15 }, `Σw(θ = ${t})`);
  });
  it("integrates a cubic exactly from u_k to u_k + θh, inside and at both ends (closed-form polynomial integrals)", () => {
    const f = (x: number) => 1 + 2 * x - 3 * x * x + 0.5 * x ** 3; // x in units of h from node 0
    const F = (x: number) => x + x * x - x ** 3 + x ** 4 / 8;
    const N = 10;
    for (const k of [0, 4, 9])
      for (const t of [0.3, 1]) {
        const { first, weights } = nodeRule(N, k, t);
        const got = weights.reduce((a, w, i) => a + w * f(first + i), 0);
        expectClose(got, F(k + t) - F(k), { rtol: 1e-13, atol: 1e-13 }, `k = ${k}, θ = ${t}`);
      }
    // the gradient of the whole integral is the composite weights: Σ_j g_j = N (∫ 1 over N steps)
    expectClose(nodeGradient(N, N, 0).reduce((a, b) => a + b), N, { rtol: 1e-14 }, "Σ g");
  });
});

describe("entropic levels from Monte Carlo mmse (THEORY.md §9.1, the estimated-source route)", () => {
  for (const [name, m] of [["three deltas", three], ["a 1-D GMM", gmm]] as const)
    it(`on ${name}, Monte Carlo levels and entropies agree with the exact route within 4 SE (+ the rule's 5e-4)`, () => {
      const mc = mcProfile(m, 4000, 11);
      const ex = exactProfile(m);
      expect(mc.source.exact).toBe(false);
      expect(mc.rule).toBe("4-point cubic on the nodes");
      for (const clock of ["H", "R"] as const) {
        const got = entropicLevels(mc, clock, n);
        const want = entropicLevels(ex, clock, n).sigma;
        for (let i = 1; i < n; i++) {
          expect(got.standardError[i]).toBeGreaterThan(0);
          expectClose(got.sigma[i], want[i], { atol: 4 * got.standardError[i] + RULE * want[i] }, `${clock} σ_${i}`);
        }
      }
      const s = scheduleSigmas("rescaled-entropic", n, lo, hi, { process: edm(), profile: mc });
      for (let i = 1; i <= n; i++) {
        const want = clockAt(ex, "H", s.sigma[i]);
        expect(s.entropyStandardError![i]).toBeGreaterThan(0);
        expectClose(s.entropy![i], want, { atol: 4 * s.entropyStandardError![i] + RULE * want }, `H(σ_${i})`);
      }
    });

  it("the standard errors of levels and entropies are their spread over 24 independent seeds (ratio in [0.65, 1.45])", () => {
    // 24 replicas estimate a standard deviation to ≈ 15 %: the bounds are ≈ 2.5 of that either side of 1
    const profiles = Array.from({ length: 24 }, (_, r) => mcProfile(three, 500, 1000 * (r + 1)));
    const ratio = (xs: number[], ses: number[]) => {
      const mean = xs.reduce((a, b) => a + b) / xs.length;
      const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1));
      return sd / (ses.reduce((a, b) => a + b) / ses.length);
    };
    for (const clock of ["H", "R"] as const) {
      const runs = profiles.map((p) => entropicLevels(p, clock, n));
      for (const i of [2, 4, 6]) {
        const q = ratio(runs.map((l) => l.sigma[i]), runs.map((l) => l.standardError[i]));
        expect(q, `${clock} σ_${i}: spread / reported SE`).toBeGreaterThan(0.65);
        expect(q, `${clock} σ_${i}: spread / reported SE`).toBeLessThan(1.45);
      }
    }
    for (const sigma of [0.3, 0.9, 4]) {
      const s = profiles.map((p) => scheduleSigmas("log", 2, sigma / 2, sigma, { process: edm(), profile: p }));
      // the entropy at the fixed σ (the last level), estimated by each replica
      const q = ratio(s.map((x) => x.entropy![2]), s.map((x) => x.entropyStandardError![2]));
      expect(q, `H(σ = ${sigma}): spread / reported SE`).toBeGreaterThan(0.65);
      expect(q, `H(σ = ${sigma}): spread / reported SE`).toBeLessThan(1.45);
    }
  });

  it("standard errors shrink like 1/√samples (16× the draws: ÷ 4 within 15 %)", () => {
    const a = entropicLevels(mcProfile(gmm, 1000, 3), "H", n).standardError;
    const b = entropicLevels(mcProfile(gmm, 16000, 3), "H", n).standardError;
    for (let i = 1; i < n; i++) {
      expect(a[i] / b[i], `σ_${i}`).toBeGreaterThan(3.4);
      expect(a[i] / b[i], `σ_${i}`).toBeLessThan(4.6);
    }
  });
});

describe("which route a model takes, and that no Monte Carlo is labelled exact", () => {
  const cloud = parseModel({ kind: "deltas", points: [[0, 0, 0], [1, 0, 0], [0, 1, 2], [2, 2, 1]] });
  it("closed form and 1-D quadrature are exact; a 2-D mixture within the budget is quadrature; D = 3 deltas are Monte Carlo", () => {
    expect(mmseRoute(parseModel({ kind: "gaussian", mean: [0, 0, 0], cov: [[1, 0, 0], [0, 2, 0], [0, 0, 3]] }), 0.01).route).toBe("exact");
    expect(mmseRoute(three, 0.01).route).toBe("exact");
    expect(mmseRoute(parseModel({ kind: "deltas", points: [[0, 0], [3, 0], [0, 3]] }), 0.5).route).toBe("quadrature");
    const plan = profilePlan(cloud, 0.1, { samples: 300 });
    expect(plan).toMatchObject({ route: "monte-carlo", intervals: NODE_INTERVALS, samples: 300 });
    expect(plan.source.exact).toBe(false);
    expect(plan.source.method).toMatch(/monte-carlo \(300 draws per σ\)/);
    // modelMmse itself no longer calls a Monte Carlo estimate exact
    expect(modelMmse(cloud).exact).toBe(false);
    expect(modelMmse(cloud, { monteCarlo: true, samples: 200 }).at(1, 0).standardError).toBeGreaterThan(0);
  });
  it("an EDM schedule of a Monte Carlo model evaluates no posterior; the entropic one does", () => {
    const stub = Object.assign(Object.create(cloud) as DataModel, {
      posterior(): never {
        throw new Error("posterior called");
      },
    });
    for (const kind of ["edm", "log", "uniform", "cosine"] as const) {
      const r = modelSchedule(stub, kind, 8, 0.1, 30, { process: edm() });
      expect(r.profile, kind).toBeUndefined();
      expect(r.schedule.entropy, kind).toBeUndefined();
      expect(r.plan.route).toBe("monte-carlo");
    }
    expect(() => modelSchedule(stub, "entropic", 8, 0.1, 30, { process: edm() })).toThrow(/posterior called/);
    // an exact cheap model still gets its entropy column from the exact profile
    const e = modelSchedule(three, "edm", 4, lo, hi, { process: edm() });
    expect(e.profile?.source.exact).toBe(true);
    expect(e.schedule.entropy).toHaveLength(5);
    expect(e.schedule.entropyStandardError).toBeUndefined();
  });
});

describe("infodyn schedule on the digits (0 vs 1: 360 points, D = 64)", () => {
  const json = async (...args: string[]) => {
    const r = await runCli(["schedule", "examples/digits01.json", ...args, "--json"], { timeoutMs: 120_000 });
    expect(r.code, r.stderr).toBe(0);
    return JSON.parse(r.stdout);
  };
  it("--kind edm: no profile, the entropy column omitted and said so; σ range from the data", async () => {
    const out = await json("--kind", "edm");
    expect(out.params).toMatchObject({ mmse: "none", sigmaFrom: { min: "model", max: "model" } });
    expectClose(out.params.sigmaMin, 1.06, { rtol: 0.01 }, "σ_min (README: digits01 [1.06, 334])");
    expectClose(out.params.sigmaMax, 334, { rtol: 0.01 }, "σ_max");
    expect(out.entropy).toBeUndefined();
    expect(out.entropyOmitted).toMatch(/Monte Carlo/);
    expect(out.profile).toBeUndefined();
  });
  it("--kind rescaled-entropic --samples 500: Monte Carlo labels, standard errors, and H(y) − I(y; x_σmax) in total", async () => {
    const out = await json("--kind", "rescaled-entropic", "--samples", "500", "--steps", "8");
    expect(out.params).toMatchObject({ mmse: "monte-carlo", samples: 500 });
    expect(out.profile).toEqual({ method: "monte-carlo (500 draws per σ)", rule: "4-point cubic on the nodes", nodes: NODE_INTERVALS + 1 });
    expect(out.standardError).toHaveLength(9);
    expect(out.entropyStandardError).toHaveLength(9);
    for (let i = 1; i < 8; i++) expect(out.standardError[i]).toBeGreaterThan(0);
    // An independent route to the total: H(y|x_σmax) − H(y|x_σmin) = log 360 − I(y; x_σmax) − H(y|x_σmin), with
    // I(y; x_σmax) ≈ Tr Cov/(2σ_max²) = 1/200 (σ_max = 10 √Tr Cov) and H(y|x_σmin) ≈ 0 (a tenth of the spacing:
    // memorizing one training point; at most 0.005 nats allowed for it).
    const total = out.entropy[8];
    expectClose(total, Math.log(360) - 0.005, { atol: 4 * out.entropyStandardError[8] + 0.005 }, "φ_H(σ_max)");
  });
});

describe("the benchmark's bin KL on a dataset with more points than samples", () => {
  it("normalises the half-sample floor with the lost mass: a hand case (python: 0.6081976621622467) and KL ≥ 0 for N < K", () => {
    const two = { rows: 2, dim: 1, data: Float64Array.of(-1, 1) };
    // counts [3, 0] and one sample outside both bins: q = [3, ½]/4.5
    expectClose(klBins(Float64Array.of(-1, -1, -1, 5), 1, two, Float64Array.of(0.5, 0.5), 0.1), 0.6081976621622467, { rtol: 1e-14 }, "KL");
    // 60 equally weighted points, 10 samples on 10 of them: each unnormalised floor 0.05 > 1/60 gave KL = −0.37
    const pts = { rows: 60, dim: 1, data: Float64Array.from({ length: 60 }, (_, k) => k) };
    const kl = klBins(Float64Array.from({ length: 10 }, (_, i) => 3 * i), 1, pts, new Float64Array(60).fill(1 / 60), 0.25);
    expect(kl).toBeGreaterThan(0);
    // by hand: q_j = 1/35 on the 10 hit points, ½/35 on the 50 others ⇒ KL = (10/60) log(35/60) + (50/60) log(70/60)
    expectClose(kl, (10 / 60) * Math.log(35 / 60) + (50 / 60) * Math.log(70 / 60), { rtol: 1e-13 }, "KL, N < K");
  });
});
