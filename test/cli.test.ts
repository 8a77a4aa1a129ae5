import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { expectClose } from "./helpers.js";

const root = join(import.meta.dirname, "..");
const cli = join(root, "dist", "cli", "main.js");

function run(...args: string[]) {
  const r = spawnSync(process.execPath, [cli, ...args], { cwd: root, encoding: "utf8" });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("infodyn posterior", () => {
  it("prints the JSON contract for two deltas (m = tanh(x/σ²))", () => {
    const r = run("posterior", "examples/two-deltas.json", "--sigma", "0.5", "--points", "[[0.2],[1.0]]", "--json");
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(Object.keys(out)).toEqual([...ENVELOPE, "sigma", "points", "mean", "traceCov", "entropy", "classProbs", "classNames"]);
    expect(out.model).toEqual({ source: "examples/two-deltas.json", kind: "deltas", dim: 1, name: "two deltas at ±1", numClasses: 2, classNames: ["minus", "plus"], type: "exact" });
    expect(out.params).toEqual({ sigma: [0.5], numPoints: 2 });
    expect(out.classNames).toEqual(["minus", "plus"]);
    expect(out.sigma).toEqual([0.5, 0.5]);
    expectClose(out.mean[0][0], Math.tanh(0.2 / 0.25), { rtol: 1e-14 });
    expectClose(out.traceCov[1], 1 - Math.tanh(4) ** 2, { rtol: 1e-12 });
    expectClose(out.classProbs[0][1], 1 / (1 + Math.exp(-2 * 0.8)), { rtol: 1e-14 });
  });
  it("accepts one σ per point and points from a .npy file; omits entropy for continuous models", () => {
    const r = run("posterior", "examples/gaussian.json", "--sigma", "1,2", "--points", "test/fixtures/io/f8_c.npy", "--json");
    // f8_c.npy holds 7×3 points: wrong dimension for the 2-D Gaussian → a clear error
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/f8_c\.npy: shape \[7,3\] does not hold points of dimension 2/);
    const ok = run("posterior", "examples/gaussian.json", "--sigma", "1,2", "--points", "[[0,0],[1,1]]", "--json");
    expect(ok.code).toBe(0);
    const out = JSON.parse(ok.stdout);
    expect(out.sigma).toEqual([1, 2]);
    expect(out).not.toHaveProperty("entropy");
    expect(out).not.toHaveProperty("classProbs");
  });
  it("reads points from .csv and .npy files (blobs: the dataset's own points, as numpy wrote them)", () => {
    const dir = mkdtempSync(join(tmpdir(), "infodyn-points-"));
    const csv = join(dir, "p.csv");
    writeFileSync(csv, "x,y\n0.5,0.25\n-1,2\n");
    const a = JSON.parse(run("posterior", "examples/blobs.json", "--sigma", "0.3", "--points", csv, "--json").stdout);
    expect(a.points).toEqual([[0.5, 0.25], [-1, 2]]);
    const b = JSON.parse(run("posterior", "examples/blobs.json", "--sigma", "1e-3", "--points", "examples/blobs.npy", "--json").stdout);
    expect(b.points).toHaveLength(120);
    // at σ = 1e-3 every data point is its own posterior mean: m(y_j) = y_j, h = 0
    b.points.forEach((p: number[], i: number) => {
      expectClose(b.mean[i][0], p[0], { rtol: 1e-12, atol: 1e-12 });
      expectClose(b.entropy[i], 0, { atol: 1e-12 });
    });
  });
  it("prints a readable table without --json", () => {
    const r = run("posterior", "examples/four-deltas.json", "--sigma", "0.7", "--points", "[[0.1,0.2]]");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Tr C/);
    expect(r.stdout).toMatch(/p\(c\|x\)/);
  });
});

describe("bad input: one line naming the culprit, exit code 2, no stack trace", () => {
  const dir = mkdtempSync(join(tmpdir(), "infodyn-cli-"));
  const file = (name: string, text: string) => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  };
  const cases: [string, string[], RegExp][] = [
    ["malformed JSON", ["posterior", file("bad.json", "{kind: deltas"), "--sigma", "1", "--points", "[[0]]"], /bad\.json: not valid JSON/],
    ["unknown kind", ["posterior", file("k.json", '{"kind":"blob"}'), "--sigma", "1", "--points", "[[0]]"], /k\.json: kind: unknown model kind "blob"/],
    ["wrong dimensions", ["posterior", "examples/two-deltas.json", "--sigma", "1", "--points", "[[0,1]]"], /--points\[0\]: has 2 coordinates, the model has dimension 1/],
    ["σ ≤ 0", ["posterior", "examples/two-deltas.json", "--sigma", "-1", "--points", "[[0]]"], /--sigma: '-1' is not a positive finite number/],
    ["σ = NaN", ["posterior", "examples/two-deltas.json", "--sigma", "NaN", "--points", "[[0]]"], /--sigma: 'NaN' is not a positive finite number/],
    ["negative weights", ["posterior", file("w.json", '{"kind":"deltas","points":[[0],[1]],"weights":[1,-2]}'), "--sigma", "1", "--points", "[[0]]"], /w\.json: weights\[1\]: must be non-negative/],
    ["missing model file", ["posterior", "nope.json", "--sigma", "1", "--points", "[[0]]"], /nope\.json: no such model file/],
    ["missing dataset file", ["posterior", file("d.json", '{"kind":"dataset","path":"gone.npy"}'), "--sigma", "1", "--points", "[[0]]"], /d\.json: path: cannot read gone\.npy|gone\.npy not found/],
    ["bad .npy header", ["posterior", file("h.json", '{"kind":"dataset","path":"h.npy"}'), "--sigma", "1", "--points", "[[0]]"], /h\.npy: /],
    ["σ count mismatch", ["posterior", "examples/two-deltas.json", "--sigma", "1,2,3", "--points", "[[0],[1]]"], /--sigma: has 3 values, expected 1 or one per point \(2\)/],
    ["unknown option", ["posterior", "examples/two-deltas.json", "--sigma", "1", "--points", "[[0]]", "--bogus"], /unknown option '--bogus'/],
  ];
  writeFileSync(join(dir, "h.npy"), Buffer.from("\x93NUMPY\x01\x00\x10\x00{'descr': <f8}   \n"));
  for (const [what, args, message] of cases) {
    it(what, () => {
      const r = run(...args);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
      expect(r.stdout).toBe("");
    });
  }
  it("writes nothing when the output would be bad (no half-written --out file)", () => {
    const out = join(dir, "out.json");
    const r = run("posterior", "examples/two-deltas.json", "--sigma", "0", "--points", "[[0]]", "--json", "--out", out);
    expect(r.code).toBe(2);
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(dir).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  });
});

const ENVELOPE = ["command", "version", "model", "params"];

describe("infodyn profile", () => {
  const contract = [
    "dim", "sigma", "conditionalEntropy", "mutualInformation", "mmse", "entropyRate", "entropyRateEstimators",
    "independent", "routeDifference", "marginalEntropyRate", "bandwidth", "scoreNormSq", "meanDivergence", "pathwiseEntropyVariance", "classEntropy",
    "classEntropyRate", "peaks",
  ];
  it("prints exactly the contract's keys for labelled deltas, arrays aligned with sigma", () => {
    const r = run("profile", "examples/two-deltas.json", "--sigma-min", "0.05", "--sigma-max", "10", "--steps", "200", "--json");
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(Object.keys(out)).toEqual([...ENVELOPE, ...contract]);
    expect(out.command).toBe("profile");
    expect(out.params).toEqual({ grid: { spacing: "log", sigmaMin: 0.05, sigmaMax: 10, levels: 201 }, seed: 0, process: null, samples: 4000, probes: 1, refinePeaks: false });
    expect(out.sigma).toHaveLength(201);
    expectClose(out.sigma[0], 0.05, { rtol: 1e-15 });
    expectClose(out.sigma[200], 10, { rtol: 1e-15 });
    for (const k of ["scoreNorm", "divergence", "fisherTrace", "jacobianSpectrum", "posteriorVariance"]) expect(out.entropyRateEstimators[k]).toHaveLength(201);
    expect(Object.keys(out.peaks)).toEqual(["entropyRateLogSigma", "pathwiseEntropyVariance", "classEntropyRate"]);
    // dH/dσ = mmse/σ³ and the bandwidth D/σ, point by point
    out.sigma.forEach((s: number, i: number) => {
      expectClose(out.entropyRate[i], out.mmse[i] / s ** 3, { rtol: 1e-14 });
      expectClose(out.bandwidth[i], 1 / s, { rtol: 1e-15 });
    });
  });
  it("adds t and dH/dt with --process (VE, ν = 1: t = σ², dH/dt = (dH/dσ)/(2σ))", () => {
    const r = run("profile", "examples/gaussian.json", "--sigma", "0.5,1,2", "--process", "ve", "--json");
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).not.toHaveProperty("pathwiseEntropyVariance");
    expect(out).not.toHaveProperty("classEntropy");
    expect(out).not.toHaveProperty("standardError");
    out.sigma.forEach((s: number, i: number) => {
      expectClose(out.t[i], s * s, { rtol: 1e-15 });
      expectClose(out.entropyRateTime[i], out.entropyRate[i] / (2 * s), { rtol: 1e-14 });
    });
  });
  it("reports standard errors where it falls back to Monte Carlo (Ising ring, D = 8)", () => {
    const r = run("profile", "examples/ising.json", "--sigma", "0.5,1", "--samples", "500", "--seed", "2", "--json");
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.standardError.mmse.every((v: number) => v > 0)).toBe(true);
    expect(out.standardError.entropyRateEstimators.scoreNorm).toHaveLength(2);
  });
  it("prints a readable table with the peaks", () => {
    const r = run("profile", "examples/two-deltas-weighted.json", "--sigma-min", "0.1", "--sigma-max", "5", "--steps", "10");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/H\(y\|x\)/);
    // a grid argmax with the bracket of its neighbours, to the digits the bracket supports
    expect(r.stdout).toMatch(/entropyRateLogSigma: σ ≈ [\d.]+ \([\d.]+–[\d.]+\)/);
    expect(r.stdout).toMatch(/independent routes to the rate: 3/);
  });
  for (const [what, args, message] of [
    ["zero steps", ["--steps", "0"], /--steps: '0' is not an integer ≥ 1/],
    ["an inverted range", ["--sigma-min", "5", "--sigma-max", "1"], /--sigma-max: 1 must exceed --sigma-min 5/],
    ["an unknown process", ["--process", "vp"], /--process: unknown process 'vp'/],
  ] as [string, string[], RegExp][])
    it(`rejects ${what} with exit code 2`, () => {
      const r = run("profile", "examples/two-deltas.json", ...args);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(message);
    });
});

describe("infodyn paths", () => {
  it("prints the JSON keys of the contract, reproducibly for a seed", () => {
    const args = ["paths", "examples/two-deltas.json", "--n", "60", "--steps", "30", "--seed", "4", "--json"];
    const a = run(...args);
    expect(a.code).toBe(0);
    const out = JSON.parse(a.stdout);
    expect(Object.keys(out)).toEqual([...ENVELOPE, "dim", "sampler", "steps", "n", "seed", "start", "sigma", "pathwiseEntropy", "decisionSigma", "lyapunov", "trajectories"]);
    expect(out.model.kind).toBe("deltas"); // `model` was the model kind; the envelope's model names it
    // the σ range from the data (README "Default noise levels": [0.2, 10] for ±1); Lyapunov on min(30, 50) steps
    expect(out.params).toEqual({ sampler: "em", steps: 30, n: 60, sigmaMin: 0.2, sigmaMax: out.sigma[0], seed: 4, start: "exact", lyapunovPaths: 16, lyapunovSteps: 30 });
    expect(out.sigma[0]).toBeCloseTo(10, 12);
    expect(out.pathwiseEntropy.mean).toHaveLength(out.sigma.length);
    expect(out.decisionSigma.counts.reduce((s: number, c: number) => s + c, 0)).toBe(60);
    expect(run(...args).stdout).toBe(a.stdout);
  });
  it("rejects an unknown sampler with exit code 2", () => {
    const r = run("paths", "examples/two-deltas.json", "--sampler", "leapfrog");
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--sampler/);
  });
});

describe("infodyn thermo, rem, memorization", () => {
  it("thermo finds the three fixed points of two deltas at σ = 0.5 with the JSON contract", () => {
    const r = run("thermo", "examples/two-deltas.json", "--sigma", "0.5", "--grid", "-2,2,5", "--json");
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(Object.keys(out)).toEqual([...ENVELOPE, "kind", "dim", "sigma", "fixedPoints", "search", "grid"]);
    expect(out.search.complete).toBe(true); // 1-D point masses: every fixed point bracketed
    expect(out.params).toEqual({ sigma: 0.5, grid: { x0: -2, x1: 2, n: 5 } });
    expect(out.fixedPoints).toHaveLength(3);
    // the fixed points solve x = tanh(x/σ²): ±x* and 0
    for (const p of out.fixedPoints) expectClose(p.x[0], Math.tanh(p.x[0] / 0.25), { atol: 1e-12 });
    for (const key of ["x", "y", "freeEnergy", "regularizedFreeEnergy"]) expect(out.grid).toHaveProperty(key);
  });
  it("rem prints the exact finite-M value, the law and Monte Carlo with errors", () => {
    const r = run("rem", "--M", "8", "--draws", "10", "--json");
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(Object.keys(out)).toEqual([...ENVELOPE, "M", "betaC", "betaOverBetaC", "exact", "law", "monteCarlo", "seed"]);
    expect(out.model).toBeNull();
    expectClose(out.betaC, 2 * Math.sqrt(Math.log(2)), { rtol: 1e-15 });
    expect(out.monteCarlo.standardError).toHaveLength(out.exact.length);
  });
  it("memorization refuses a continuous model and thermo a malformed grid, with exit code 2", () => {
    expect(run("memorization", "examples/gaussian.json").code).toBe(2);
    const r = run("thermo", "examples/two-deltas.json", "--sigma", "0.5", "--grid", "a,b");
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--grid/);
  });
  it("memorization reports the participation ratio and a condensation σ for a dataset", () => {
    const r = run("memorization", "examples/blobs.json", "--json");
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(Object.keys(out)).toEqual([
      ...ENVELOPE, "kind", "numPoints", "seed", "sigma", "meanParticipation", "participationSE", "meanInverseParticipation",
      "inverseParticipationSE", "paths", "condensation",
    ]);
    expect(out.sigma.length).toBeGreaterThan(2);
    expect(out.condensation.condensed).toBeGreaterThan(0);
    expect(out.condensation.median).toBeGreaterThan(0);
  });
});

describe("infodyn modes and bifurcations", () => {
  it("modes on the triangle at σ = 0.72: four maxima, three saddles, the Morse count holds (not a proof: complete false)", () => {
    const r = run("modes", "examples/triangle.json", "--sigma", "0.72", "--json");
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(Object.keys(out)).toEqual([...ENVELOPE, "sigma", "criticalPoints", "complete", "morseSum", "morseConsistent", "search"]);
    const kinds = out.criticalPoints.map((p: { kind: string }) => p.kind);
    expect(kinds.filter((k: string) => k === "max")).toHaveLength(4);
    expect(kinds.filter((k: string) => k === "saddle")).toHaveLength(3);
    expect(out.complete).toBe(false);
    expect(out.morseConsistent).toBe(true);
    expect(Object.keys(out.search)).toEqual(["starts", "kinds", "complete", "why"]);
  });
  it("bifurcations of two deltas ±1: one pitchfork at σ = 1 to 1e-8, the tree and the exponents", () => {
    const r = run("bifurcations", "examples/two-deltas.json", "--json");
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(Object.keys(out)).toEqual([...ENVELOPE, "sigmaMin", "sigmaMax", "steps", "branchings", "tree", "criticalExponents", "method", "search"]);
    expect(out.search.complete).toBe(false);
    expect(out.branchings).toHaveLength(1);
    expect(out.branchings[0]).toMatchObject({ kind: "pitchfork", modesAbove: 1, modesBelow: 2 });
    expectClose(out.branchings[0].sigma, 1, { rtol: 1e-8 });
    expect(out.tree.members).toEqual([0, 1]);
    expectClose(out.criticalExponents.beta.value, 0.5, { atol: 0.01 });
    expectClose(out.criticalExponents.gamma.value, 1, { atol: 0.01 });
    expectClose(out.criticalExponents.delta.value, 3, { atol: 0.01 });
  });
  it("rejects a missing --sigma and an inverted range with exit code 2", () => {
    expect(run("modes", "examples/triangle.json").code).toBe(2);
    const r = run("bifurcations", "examples/two-deltas.json", "--sigma-min", "2", "--sigma-max", "1");
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--sigma/);
  });
});

describe("infodyn schedule", () => {
  it("prints n + 1 ascending levels with equal entropy steps (entropic, two deltas)", () => {
    const r = run("schedule", "examples/two-deltas.json", "--kind", "entropic", "--steps", "8", "--json");
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(Object.keys(out)).toEqual([...ENVELOPE, "kind", "modelKind", "process", "rho", "sigmaMin", "sigmaMax", "seed", "steps", "profile", "sigma", "t", "entropy"]);
    expect(out.sigma).toHaveLength(9);
    for (let i = 1; i < 9; i++) {
      expect(out.sigma[i]).toBeGreaterThan(out.sigma[i - 1]);
      expectClose(out.entropy[i] - out.entropy[i - 1], out.entropy[8] / 8, { rtol: 1e-8 });
    }
  });
  it("runs a small --evaluate benchmark with the contract's row keys", () => {
    const r = run("schedule", "examples/two-deltas.json", "--evaluate", "--kind", "entropic,edm", "--steps", "4,8", "--samplers", "ddim", "--samples", "200", "--repeats", "2", "--json");
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(Object.keys(out)).toEqual([
      ...ENVELOPE, "modelKind", "process", "rho", "sigmaMin", "sigmaMax", "seed", "samples", "repeats", "settings", "results", "proportions", "levels",
    ]);
    const rows = out.results;
    expect(rows.length).toBeGreaterThan(0);
    for (const key of ["kind", "sampler", "steps", "metric", "value", "standardError"]) expect(rows[0]).toHaveProperty(key);
  });
  it("--format json|python prints the levels a sampler takes: descending, k-diffusion's get_sigmas_karras, then 0", () => {
    // k-diffusion's get_sigmas_karras(4, 0.002, 80, ρ = 7), written out: (80^{1/7} + i/3 (0.002^{1/7} − 80^{1/7}))^7, then 0
    const karras = [0, 1, 2, 3].map((i) => (80 ** (1 / 7) + (i / 3) * (0.002 ** (1 / 7) - 80 ** (1 / 7))) ** 7);
    const j = run("schedule", "--kind", "edm", "--steps", "3", "--format", "json");
    expect(j.code, j.stderr).toBe(0);
    const list = JSON.parse(j.stdout);
    expect(list).toHaveLength(5);
    expect(list[4]).toBe(0);
    karras.forEach((v, i) => expectClose(list[i], v, { rtol: 1e-12 }));
    const p = run("schedule", "--kind", "edm", "--steps", "3", "--format", "python");
    const line = p.stdout.split("\n").find((l) => l.startsWith("sigmas = "))!;
    expect(JSON.parse(line.slice("sigmas = ".length))).toEqual(list);
    const bad = run("schedule", "--kind", "edm", "--format", "json", "--json");
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--format/);
  });
  it("rejects an unknown kind with exit code 2", () => {
    const r = run("schedule", "examples/two-deltas.json", "--kind", "karras", "--steps", "8");
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--kind/);
  });
});

describe("infodyn figures", () => {
  it("rejects a non-integer --seed with exit code 2 before any work", () => {
    const r = run("figures", "--seed", "x", "--out", join(mkdtempSync(join(tmpdir(), "infodyn-figs-")), "f"));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--seed: 'x' is not an integer/);
  });
});
