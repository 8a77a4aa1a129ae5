import { spawn, spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { informationProfile } from "../src/analysis/info/grid.js";
import { entropicProfile } from "../src/analysis/schedule/entropic-profile.js";
import { scheduleSigmas } from "../src/analysis/schedule/schedules.js";
import { modelMmse } from "../src/analysis/schedule/source.js";
import { loadModel } from "../src/cli/files.js";
import { parseModel } from "../src/models/parse.js";
import { sigmaGrid } from "../src/noise/grid.js";
import { edm } from "../src/noise/process.js";
import { expectClose } from "./helpers.js";

const root = join(import.meta.dirname, "..");
const cli = join(root, "dist", "cli", "main.js");
const examples = join(root, "examples");

function run(...args: string[]) {
  const r = spawnSync(process.execPath, [cli, ...args], { cwd: root, encoding: "utf8" });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
const json = (...args: string[]) => {
  const r = run(...args, "--json");
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout);
};

// Model files in a temp folder: the wrapped models by relative path (inner/…) and inline.
const dir = mkdtempSync(join(tmpdir(), "infodyn-load-"));
mkdirSync(join(dir, "inner"));
copyFileSync(join(examples, "triangle.json"), join(dir, "inner", "tri.json"));
copyFileSync(join(examples, "gaussian.json"), join(dir, "inner", "g.json"));
copyFileSync(join(examples, "two-deltas.json"), join(dir, "inner", "two.json"));
const file = (name: string, spec: unknown) => {
  writeFileSync(join(dir, name), JSON.stringify(spec));
  return join(dir, name);
};
const read = (name: string) => parseModel(JSON.parse(readFileSync(join(examples, name), "utf8")));
const triangle = read("triangle.json");
const gaussianSpec = JSON.parse(readFileSync(join(examples, "gaussian.json"), "utf8"));
const plain = file("plain.json", { kind: "testbed", name: "float32 triangle", model: "inner/tri.json", samples: 8192, seed: 5 });
const ALPHA = 0.5;
const shrunk = file("shrunk.json", { kind: "testbed", model: "inner/tri.json", shrink: ALPHA, samples: 8192, seed: 3 });
const two = file("two.json", { kind: "testbed", model: "inner/two.json", samples: 8192, seed: 5 });
const gauss = file("gauss.json", { kind: "testbed", model: gaussianSpec, samples: 2048, seed: 1 });

/** |got − want| within k standard errors (plus an absolute floor for float32 rounding). */
const withinSE = (got: number, want: number, se: number, label: string, k = 5, atol = 1e-6) =>
  expectClose(got, want, { atol: k * se + atol }, label);

describe("loading a testbed model file", () => {
  it("gives a denoiser (asynchronous, float32) with its data samples, reproducibly for a seed", async () => {
    const a = loadModel(plain);
    expect(a.type).toBe("denoiser");
    if (a.type !== "denoiser") return;
    expect(a.kind).toBe("testbed");
    expect(a.name).toBe("float32 triangle");
    expect(a.source).toBe(plain);
    expect([a.data.rows, a.data.dim]).toEqual([8192, 2]);
    expect(a.labels).toHaveLength(8192); // the triangle is labelled
    const b = loadModel(plain);
    expect(b.type === "denoiser" && Array.from(b.data.data.subarray(0, 20))).toEqual(Array.from(a.data.data.subarray(0, 20)));
    // every data sample is one of the triangle's points
    for (let i = 0; i < 50; i++) expectClose(Math.hypot(a.data.data[2 * i], a.data.data[2 * i + 1]), 1, { rtol: 1e-15 });
    const x = { rows: 2, dim: 2, data: Float64Array.from([0.1, 0.2, -0.3, 0.5]) };
    const answer = a.denoiser.denoise(x, 0.7);
    expect(answer).toBeInstanceOf(Promise);
    const m = await answer;
    const exact = triangle.denoise(x, 0.7);
    for (let k = 0; k < 4; k++) {
      expect(m.data[k]).toBe(Math.fround(m.data[k]));
      expectClose(m.data[k], exact.data[k], { rtol: 1e-7 });
    }
    expect(loadModel(join(examples, "triangle.json")).type).toBe("exact");
    expect(loadModel("default").type).toBe("exact");
  });
  it("defaults to 4096 samples and names a bad field of the file", () => {
    const d = loadModel(file("d.json", { kind: "testbed", model: { kind: "deltas", points: [[-1], [1]] } }));
    expect(d.type === "denoiser" && d.data.rows).toBe(4096);
    const r = run("profile", file("bad.json", { kind: "testbed", model: "inner/tri.json", shrink: 1.5 }));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/bad\.json: shrink: must be in \[0, 1\]/);
    const missing = run("profile", file("gone.json", { kind: "testbed", model: "inner/nope.json" }));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/gone\.json: file inner\/nope\.json not found/);
  });
});

describe("profile on a denoiser (the estimators on the data samples)", () => {
  const levels = [0.5, 0.7, 1, 1.5, 2, 4];
  const exact = informationProfile(triangle, sigmaGrid(levels));

  it("a plain float32 testbed agrees with the exact profile within a few standard errors, estimator by estimator", () => {
    const out = json("profile", plain, "--sigma", levels.join(","));
    expect(out.command).toBe("profile");
    expect(out.model).toMatchObject({ source: plain, kind: "testbed", dim: 2, type: "denoiser", samples: 8192, name: "float32 triangle" });
    expect(out.params).toMatchObject({ grid: { spacing: "list", sigma: [...levels].reverse() }, seed: 0, estimators: { samples: 8192, probes: 1 } });
    expect(out.sigma).toEqual(levels);
    const se = out.standardError;
    levels.forEach((s, i) => {
      const p = exact.points[i];
      withinSE(out.mmse[i], p.mmse, se.mmse[i], `mmse σ = ${s}`);
      withinSE(out.entropyRate[i], p.entropyRate, se.entropyRate[i], `dH/dσ σ = ${s}`);
      // dH/dσ = mmse/σ³ on the denoiser's own loss, exactly
      expectClose(out.entropyRate[i], out.mmse[i] / s ** 3, { rtol: 1e-14 }, `mmse/σ³ σ = ${s}`);
      for (const k of ["scoreNorm", "divergence", "fisherTrace", "jacobianSpectrum", "posteriorVariance"])
        withinSE(out.entropyRateEstimators[k][i], p.entropyRate, se.entropyRateEstimators[k][i], `${k} σ = ${s}`);
      withinSE(out.scoreNormSq[i], p.scoreNormSq, se.scoreNormSq[i], `E‖s‖² σ = ${s}`);
      expectClose(out.bandwidth[i], 2 / s, { rtol: 1e-15 });
      expectClose(out.marginalEntropyRate[i], 2 / s - out.entropyRate[i], { rtol: 1e-14 });
      // a labelled testbed is a conditional denoiser: the class rate from its conditional and unconditional outputs
      withinSE(out.classEntropyRate[i], p.classEntropyRate!, se.classEntropyRate[i], `dH(c|x)/dσ σ = ${s}`);
    });
    // what needs a posterior is left out, and the output says why
    for (const k of ["conditionalEntropy", "pathwiseEntropyVariance"]) {
      expect(out).not.toHaveProperty(k);
      expect(out.omitted[k]).toMatch(/./);
    }
    expect(out.omitted).not.toHaveProperty("classEntropy");
    expect(Object.keys(out.peaks)).toEqual(["entropyRateLogSigma", "classEntropyRate"]);
  });

  it("a testbed shrunk by α has the loss mmse + α² E‖m‖², E‖m‖² = E‖y‖² − mmse (= 1 − mmse on the unit circle)", () => {
    const out = json("profile", shrunk, "--sigma", levels.join(","));
    levels.forEach((s, i) => {
      const mmse = exact.points[i].mmse;
      const want = mmse + ALPHA ** 2 * (1 - mmse);
      withinSE(out.mmse[i], want, out.standardError.mmse[i], `loss σ = ${s}`);
      if (s <= 1.5) expect(Math.abs(out.mmse[i] - mmse), `σ = ${s}: the shrinkage shows`).toBeGreaterThan(10 * out.standardError.mmse[i]);
    });
  });

  it("I(y; x_σ) by integrating the rate from above matches the exact mutual information on a fine grid", () => {
    const out = json("profile", plain, "--sigma-min", "0.3", "--sigma-max", "20", "--steps", "40");
    const ex = informationProfile(triangle, sigmaGrid(out.sigma));
    out.sigma.forEach((s: number, i: number) => {
      if (i % 5) return;
      withinSE(out.mutualInformation[i], ex.points[i].mutualInformation, out.standardError.mutualInformation[i], `I σ = ${s}`, 4, 3e-3);
    });
    // the grid peak of mmse/σ² sits within a grid step of the exact (refined) peak
    const step = Math.log(out.sigma[1] / out.sigma[0]);
    expect(Math.abs(Math.log(out.peaks.entropyRateLogSigma.sigma / ex.peaks.entropyRateLogSigma!.sigma))).toBeLessThan(3 * step);
  });

  it("prints a readable table that says what is estimated and what is left out", () => {
    const r = run("profile", plain, "--sigma", "0.5,1,2");
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/testbed, a denoiser, D = 2/);
    expect(r.stdout).toMatch(/omitted \(they need a posterior\): H\(y\|x\)/);
    expect(r.stdout).toMatch(/entropyRateLogSigma: σ ≈ [\d.]+ \([\d.]+–[\d.]+\)/);
    expect(r.stdout).toMatch(/independent routes to the rate: 3/);
  });
});

describe("schedule and paths on a denoiser", () => {
  it("schedule: entropic levels from the denoiser's loss agree with the exact ones within their standard errors (two deltas)", () => {
    const out = json("schedule", two, "--kind", "entropic", "--steps", "8", "--sigma-min", "0.05", "--sigma-max", "20");
    expect(out.params).toMatchObject({ kinds: ["entropic"], steps: [8], mmse: "denoiser" });
    expect(out.sigma).toHaveLength(9);
    expect(out.standardError).toHaveLength(9);
    const profile = entropicProfile(modelMmse(read("two-deltas.json")), 0.05, 20);
    const want = scheduleSigmas("entropic", 8, 0.05, 20, { process: edm(), profile }).sigma;
    out.sigma.forEach((s: number, i: number) => withinSE(s, want[i], out.standardError[i], `σ_${i}`, 5, 1e-12));
  });
  it("schedule: the model-free kinds need no model", () => {
    const out = json("schedule", "--kind", "edm", "--steps", "4");
    expect(out.model).toBeNull();
    expect(out.params.mmse).toBe("none");
    expect(out).not.toHaveProperty("entropy");
    expect(out.sigma).toHaveLength(5);
    const r = run("schedule", "--kind", "entropic", "--steps", "4");
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--kind entropic needs a model/);
  });
  it("paths: trajectories on the denoiser and Lyapunov exponents by finite differences (Gaussian: the closed form)", () => {
    const out = json("paths", gauss, "--sampler", "heun", "--n", "12", "--steps", "60", "--sigma-min", "0.05", "--sigma-max", "5", "--seed", "2");
    expect(out.params).toMatchObject({ sampler: "heun", steps: 60, n: 12, sigmaMin: 0.05, sigmaMax: 5, seed: 2, start: "data" });
    expect(out.lyapunov.jacobian).toBe("finite-difference");
    expect(out).not.toHaveProperty("pathwiseEntropy");
    expect(out).not.toHaveProperty("decisionSigma");
    expect(Object.keys(out.omitted)).toEqual(["pathwiseEntropy", "decisionSigma"]);
    expect(out.trajectories).toHaveLength(8);
    expect(out.trajectories[0]).toHaveLength(61);
    // For N(μ, Σ) the tangent map is diagonal in Σ's eigenbasis: Σ_j Λ_j = Σ_j ½ log((λ_j + σ²)/(λ_j + σ_max²)) / log(σ_max/σ)
    const [[a, b], [, c]] = gaussianSpec.cov as number[][];
    const tr = a + c;
    const det = a * c - b * b;
    const lambda = [tr / 2 + Math.sqrt((tr * tr) / 4 - det), tr / 2 - Math.sqrt((tr * tr) / 4 - det)];
    out.lyapunov.sigma.forEach((s: number, i: number) => {
      if (i % 15) return;
      const want = lambda.reduce((acc, l) => acc + 0.5 * Math.log((l + s * s) / (l + 25)), 0) / Math.log(5 / s);
      const got = out.lyapunov.exponents[i].reduce((x: number, y: number) => x + y, 0);
      expectClose(got, want, { atol: 2e-3 }, `Σ Λ at σ = ${s}`);
    });
    const text = run("paths", gauss, "--n", "4", "--steps", "20");
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/Jacobian by finite differences of the denoiser/);
  });
});

describe("a denoiser given to a command that needs an exact model", () => {
  const accepted = "commands that accept a denoiser: profile, schedule, paths, report, semantics, likelihood, pmi, guidance";
  const cases: [string, string[]][] = [
    ["modes", ["modes", plain, "--sigma", "0.5"]],
    ["bifurcations", ["bifurcations", plain]],
    ["thermo", ["thermo", plain, "--sigma", "0.5"]],
    ["posterior", ["posterior", plain, "--sigma", "0.5", "--points", "[[0,0]]"]],
    ["memorization", ["memorization", plain]],
    ["schedule --evaluate", ["schedule", plain, "--evaluate", "--samples", "20", "--repeats", "2"]],
  ];
  for (const [what, args] of cases)
    it(`${what}: one line, exit code 2, nothing written`, () => {
      const r = run(...args);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe("");
      expect(r.stderr).toBe(`infodyn: ${what} needs an exact model (a posterior); ${plain} is a denoiser (testbed) — ${accepted}\n`);
    });
});

describe("SIGINT and SIGTERM during a denoiser's analysis", () => {
  const slow = file("slow.json", { kind: "testbed", model: "inner/tri.json", samples: 20000 });
  for (const [signal, code] of [["SIGINT", 130], ["SIGTERM", 143]] as const)
    it(`${signal}: exit code ${code}, nothing written`, async () => {
      const out = join(dir, `${signal}.json`);
      const child = spawn(process.execPath, [cli, "profile", slow, "--steps", "4000", "--json", "--out", out], { cwd: root });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (d) => (stdout += d));
      child.stderr.on("data", (d) => (stderr += d));
      const closed = new Promise<number | null>((resolve) => child.on("close", (c) => resolve(c)));
      let status: number | null;
      try {
        await new Promise((r) => setTimeout(r, 2500));
        expect(child.exitCode, "the run should still be going").toBeNull();
        child.kill(signal);
        status = await Promise.race([closed, new Promise<null>((r) => setTimeout(() => r(null), 20_000))]);
      } finally {
        if (child.exitCode === null) child.kill("SIGKILL");
      }
      expect(status).toBe(code);
      expect(stdout).toBe("");
      expect(stderr).toBe(`infodyn: interrupted (${signal}); nothing written\n`);
      expect(existsSync(out)).toBe(false);
      expect(readdirSync(dir).filter((f) => f.endsWith(".tmp"))).toEqual([]);
    });
});
