import { describe, expect, it } from "vitest";
import { twoClassEntropy } from "./helpers.js";
import { profileAt } from "../src/analysis/info/profile.js";
import { checkPartition, semanticProfile } from "../src/analysis/info/semantics.js";
import { parseModel } from "../src/models/parse.js";

// Four labelled 2-D Gaussians: classes 0 and 1 are the same N(μ, s²I), classes 2 and 3 the same N(−μ, s²I), so the
// groups {0,1} | {2,3} are the two-Gaussian-class model of THEORY.md §9.3 with its closed form
// H(G|x_σ) = E_{v∼N(2q,4q)} log(1 + e^{−v}), q = ‖μ‖²/(s² + σ²), and inside a group the class is a fair coin at every σ.
const MU = [1, 0.4];
const S2 = 0.25;
const comp = (mean: number[], label: string) => ({ weight: 0.25, mean, variance: S2, label });
const model = parseModel({
  kind: "gmm",
  components: [comp(MU, "a"), comp(MU, "b"), comp(MU.map((m) => -m), "c"), comp(MU.map((m) => -m), "d")],
});

const closedGroupEntropy = (sigma: number) => twoClassEntropy(MU, S2, sigma);
const closedGroupRate = (s: number) => (closedGroupEntropy(s * (1 + 1e-4)) - closedGroupEntropy(s * (1 - 1e-4))) / (2e-4 * s);

describe("semantic decisions: partitions of the classes (THEORY.md §9.3)", () => {
  const sigmas = [0.2, 0.5, 1, 2];
  const groups = [[0, 1], [2, 3]];
  const r = semanticProfile(model, sigmas, [groups, [[0], [1], [2], [3]]], { samples: 6000, seed: 2 });

  it("H(G|x_σ) and its rate match the closed form of the two groups (within 4 SE)", () => {
    const p = r.partitions[0];
    sigmas.forEach((s, i) => {
      expect(Math.abs(p.groupEntropy[i].value - closedGroupEntropy(s))).toBeLessThan(4 * p.groupEntropy[i].standardError + 1e-9);
      expect(Math.abs(p.groupRate[i].value - closedGroupRate(s))).toBeLessThan(4 * p.groupRate[i].standardError + 1e-9);
    });
  });

  it("within a group of identical classes the class stays a fair coin: H(c|G, x) = log 2 at every σ", () => {
    for (const e of r.partitions[0].withinEntropy) expect(e.value).toBeCloseTo(Math.log(2), 12);
  });

  it("the chain rule H(c|x) = H(G|x) + H(c|G,x) holds on the same draws, to rounding", () => {
    const p = r.partitions[0];
    sigmas.forEach((_, i) => expect(Math.abs(r.classEntropy[i].value - p.groupEntropy[i].value - p.withinEntropy[i].value)).toBeLessThan(1e-12));
  });

  it("the finest partition is the class profile, and the class rate matches the exact profile's quadrature", () => {
    const fine = r.partitions[1];
    sigmas.forEach((s, i) => {
      expect(fine.groupRate[i].value).toBeCloseTo(r.classRate[i].value, 12);
      const exact = profileAt(model, s).classEntropyRate!;
      expect(Math.abs(r.classRate[i].value - exact)).toBeLessThan(4 * r.classRate[i].standardError + 1e-9);
    });
  });

  it("Σ_c π_c r_c is the class rate (a different estimator of it: within 4 SE)", () => {
    sigmas.forEach((_, i) => {
      const sum = r.perClass.rate.reduce((a, rc, c) => a + r.perClass.weight[c] * rc[i].value, 0);
      const se = Math.sqrt(r.perClass.rate.reduce((a, rc, c) => a + (r.perClass.weight[c] * rc[i].standardError) ** 2, 0));
      expect(Math.abs(sum - r.classRate[i].value)).toBeLessThan(4 * Math.hypot(se, r.classRate[i].standardError));
    });
  });

  it("refuses a partition that misses or repeats a class, naming it", () => {
    expect(() => checkPartition([[0, 1], [2]], 4)).toThrow(/class 3 in no group/);
    expect(() => checkPartition([[0, 1], [1, 2, 3]], 4)).toThrow(/class 1 is in groups 1 and 2/);
    expect(() => checkPartition([[0, 7]], 4)).toThrow(/7 is not a class/);
    expect(() => semanticProfile(parseModel({ kind: "gaussian", mean: [0], cov: [[1]] }), [1], [[[0]]])).toThrow(/labelled model/);
  });
});

describe("infodyn semantics", () => {
  it("--json: the envelope, one curve set per partition with the chain rule, and a bad partition refused with exit 2", async () => {
    const { runCli } = await import("./cli-run.js");
    const r = await runCli(["semantics", "default", "--partition", '[["west","north"],["north-east","south-east"]]', "--steps", "4", "--samples", "500", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.command).toBe("semantics");
    expect(j.params.partitions).toEqual([[[0, 3], [1, 2]]]);
    expect(j.sigma).toHaveLength(5);
    const p = j.partitions[0];
    j.sigma.forEach((_: number, i: number) => expect(Math.abs(j.classEntropy.value[i] - p.groupEntropy.value[i] - p.withinEntropy.value[i])).toBeLessThan(1e-12));
    expect(j.perClass).toHaveLength(4);
    const bad = await runCli(["semantics", "default", "--partition", "[[0,1],[2]]"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe("infodyn: --partition 1: class 3 in no group (every class must be in one)\n");
  });
});

describe("infodyn semantics --hierarchy", () => {
  it("--json: every level of the class hierarchy with its decision and split, the chain rule per level", async () => {
    const { runCli } = await import("./cli-run.js");
    const { classHierarchy } = await import("../src/analysis/info/hierarchy.js");
    const { defaultModel } = await import("../src/models/default.js");
    const r = await runCli(["semantics", "default", "--hierarchy", "--steps", "6", "--samples", "640", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    // the CLI's levels are the library's tree (checked against scipy in test/hierarchy.test.ts), finest first, K … 2 groups
    const tree = classHierarchy(defaultModel());
    expect(j.params.hierarchy).toEqual({ linkage: "ward" });
    expect(j.params.partitions).toEqual(tree.levels.slice(0, -1));
    expect(j.levels.map((l: { partition: number[][] }) => l.partition)).toEqual(tree.levels.slice(0, -1));
    expect(j.hierarchy.merges.map((m: { groups: number[][] }) => m.groups)).toEqual(tree.merges.map((m) => m.groups));
    expect(j.partitions.map((p: { groups: number[][] }) => p.groups)).toEqual(j.params.partitions);
    j.levels.forEach((l: { decision: { sigma: number; low: number; high: number }; split: { decision: { sigma: number; low: number; high: number } } }, k: number) => {
      for (const d of [l.decision, l.split.decision]) {
        expect(d.low).toBeLessThanOrEqual(d.sigma), expect(d.sigma).toBeLessThanOrEqual(d.high);
        expect(d.low).toBeGreaterThanOrEqual(j.sigma[0]), expect(d.high).toBeLessThanOrEqual(j.sigma.at(-1));
      }
      const p = j.partitions[k];
      j.sigma.forEach((_: number, i: number) => expect(Math.abs(j.classEntropy.value[i] - p.groupEntropy.value[i] - p.withinEntropy.value[i])).toBeLessThan(1e-12));
    });
    // the text output names every split, coarsest first
    const t = await runCli(["semantics", "default", "--hierarchy", "--steps", "3", "--samples", "320"]);
    expect(t.code, t.stderr).toBe(0);
    expect(t.stdout).toMatch(/2 groups: split \{.*\} \| \{.*\} decided at σ ≈ [\s\S]*4 groups: split/);
  });

  it("refuses --hierarchy with --partition, an unknown --linkage, --linkage alone, too few --samples and a denoiser (exit 2)", async () => {
    const { runCli } = await import("./cli-run.js");
    const cases: [string[], string][] = [
      [["--hierarchy", "--partition", "[[0,1],[2,3]]"], "infodyn: --hierarchy: replaces --partition (the levels are the hierarchy's); give one of them\n"],
      [["--hierarchy", "--linkage", "single"], 'infodyn: --linkage: must be ward or average (got "single")\n'],
      [["--linkage", "average"], "infodyn: --linkage: only with --hierarchy\n"],
      [["--hierarchy", "--samples", "20"], "infodyn: --samples: must be ≥ 32 with --hierarchy (16 batches of at least 2 draws, for the splits' errors; got 20)\n"],
    ];
    for (const [args, msg] of cases) {
      const bad = await runCli(["semantics", "default", ...args]);
      expect(bad.code, args.join(" ")).toBe(2);
      expect(bad.stderr).toBe(msg);
    }
    const net = await runCli(["semantics", "examples/blobs-net.json", "--hierarchy"]);
    expect(net.code).toBe(2);
    expect(net.stderr).toMatch(/^infodyn: --hierarchy: needs an exact labelled model/);
  });
});

describe("semantic decisions along reverse paths: the online Bayes classifier's group entropies", () => {
  it("H(G|x_σ) from summed class probabilities matches the closed form of the two groups (within 4 SE + 0.01)", async () => {
    const { onlineClassifier } = await import("../src/analysis/info/online-classifier.js");
    const { logSigmas } = await import("../src/noise/grid.js");
    const { createRng } = await import("../src/numeric/rng.js");
    const rng = createRng(4);
    const sigmaMax = 30;
    const x0 = model.sample(2000, rng.fork());
    const nz = rng.fork();
    for (let k = 0; k < x0.data.length; k++) x0.data[k] += sigmaMax * nz.normal();
    const grid = logSigmas(301, 0.2, sigmaMax);
    const r = onlineClassifier(model, x0, grid, 4, { rng: rng.fork(), prior: [0.25, 0.25, 0.25, 0.25], partitions: [[[0, 1], [2, 3]], [[0], [1], [2], [3]]] });
    for (const i of [100, 200, 300]) {
      const e = r.groupEntropy[0][i];
      // path spread plus the Euler–Maruyama kernels' bias at 300 steps (as for the class entropy, ≲ 0.01 nats)
      expect(Math.abs(e.value - closedGroupEntropy(grid[i]))).toBeLessThan(4 * e.standardError + 0.01);
      // the finest partition is the class entropy itself
      expect(r.groupEntropy[1][i].value).toBeCloseTo(r.classEntropy[i].value, 12);
    }
  });
});

describe("infodyn semantics on a network (examples/blobs-net.json)", () => {
  it("runs the online classifier's route: group entropies from log-frequencies down, the rates listed as omitted", async () => {
    const { runCli } = await import("./cli-run.js");
    const r = await runCli(["semantics", "examples/blobs-net.json", "--partition", "[[0,1],[2]]", "--samples", "40", "--steps", "40", "--json"], { timeoutMs: 120_000 });
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.model.type).toBe("denoiser");
    expect(j.samples).toBe(40);
    const h = j.partitions[0].groupEntropy.value;
    // at σ_max (the last, ascending) the prior's group entropy; at σ_min below it; never outside [0, log 2]
    expect(h.at(-1)).toBeGreaterThan(0.5);
    expect(h[0]).toBeLessThan(h.at(-1));
    for (const v of h) expect(v).toBeGreaterThanOrEqual(-1e-12), expect(v).toBeLessThanOrEqual(Math.log(2) + 1e-12);
    expect(Object.keys(j.omitted)).toEqual(["classEntropyRate", "perClass"]);
  });
});
