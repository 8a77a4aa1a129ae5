import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { builtinModules } from "node:module";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { criticalPoints } from "../src/analysis/bifurcation/critical-points.js";
import { informationProfile } from "../src/analysis/info/grid.js";
import type { DenoiserRates } from "../src/analysis/info/denoiser.js";
import { remAnalysis } from "../src/cli/rem.js";
import { thermoAnalysis } from "../src/cli/thermo.js";
import * as contracts from "../src/contracts/index.js";
import { parseModel } from "../src/models/parse.js";
import { sigmaGrid, logSigmas } from "../src/noise/grid.js";
import { noiseProcess } from "../src/noise/process.js";
import { reportPlan } from "../src/report/plan.js";
import { buildReport } from "../src/report/report.js";
import { VERSION } from "../src/version.js";
import { expectClose } from "./helpers.js";

const root = join(import.meta.dirname, "..");
const cli = join(root, "dist", "cli", "main.js");
const ENVELOPE = ["command", "version", "model", "params"];

function runJson(...args: string[]) {
  const r = spawnSync(process.execPath, [cli, ...args, "--json"], { cwd: root, encoding: "utf8" });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout);
}
const example = (name: string) => parseModel(JSON.parse(readFileSync(join(root, "examples", name), "utf8")));
const info = (source: string, extra: Record<string, unknown> = {}) => ({ source, type: "exact", ...extra });

describe("every command's JSON starts with the envelope {command, version, model, params}", () => {
  const cases: [string, string[], Record<string, unknown> | null, Record<string, unknown>][] = [
    [
      "posterior",
      ["posterior", "examples/four-deltas.json", "--sigma", "0.7,0.9", "--points", "[[0.1,0.2],[1,1]]"],
      info("examples/four-deltas.json", { kind: "deltas", dim: 2, numClasses: 4 }),
      { sigma: [0.7, 0.9], numPoints: 2 },
    ],
    [
      "profile",
      ["profile", "examples/ising.json", "--sigma", "0.5,1", "--samples", "500", "--seed", "3", "--process", "ve"],
      info("examples/ising.json", { kind: "ising", dim: 8, numClasses: 0 }),
      { grid: { spacing: "list", sigma: [1, 0.5] }, seed: 3, samples: 500, probes: 1, refinePeaks: false, process: "ve" },
    ],
    [
      "paths",
      ["paths", "examples/two-deltas.json", "--n", "10", "--steps", "20", "--sigma-min", "0.05", "--sigma-max", "4", "--seed", "7", "--sampler", "heun"],
      info("examples/two-deltas.json", { kind: "deltas", dim: 1, name: "two deltas at ±1" }),
      { sampler: "heun", steps: 20, n: 10, sigmaMin: 0.05, sigmaMax: 4, seed: 7, start: "exact", lyapunovPaths: 10, lyapunovSteps: 20 },
    ],
    ["modes", ["modes", "examples/triangle.json", "--sigma", "0.72", "--seed", "2"], info("examples/triangle.json", { kind: "deltas", dim: 2 }), { sigma: 0.72, seed: 2 }],
    [
      "bifurcations",
      ["bifurcations", "examples/two-deltas.json", "--sigma-min", "0.3", "--sigma-max", "3", "--steps", "20", "--seed", "1"],
      info("examples/two-deltas.json", { kind: "deltas" }),
      { sigmaMin: 0.3, sigmaMax: 3, steps: 20, seed: 1 },
    ],
    ["thermo", ["thermo", "examples/two-deltas.json", "--sigma", "0.5"], info("examples/two-deltas.json", { kind: "deltas" }), { sigma: 0.5, grid: null }],
    [
      "schedule",
      ["schedule", "examples/gaussian.json", "--kind", "edm", "--steps", "6", "--seed", "5", "--rho", "5", "--sigma-min", "0.002", "--sigma-max", "80"],
      info("examples/gaussian.json", { kind: "gaussian", dim: 2 }),
      { kinds: ["edm"], steps: [6], sigmaMin: 0.002, sigmaMax: 80, process: "edm", rho: 5, seed: 5, mmse: "exact", sigmaFrom: { min: "option", max: "option" } },
    ],
    [
      "schedule",
      ["schedule", "examples/two-deltas.json", "--evaluate", "--kind", "edm", "--steps", "4", "--samplers", "euler", "--samples", "50", "--repeats", "2", "--seed", "6"],
      info("examples/two-deltas.json", { kind: "deltas" }),
      {
        kinds: ["edm"], steps: [4], sigmaMin: 0.2, sigmaMax: 10, process: "edm", rho: 7, seed: 6, mmse: "none", sigmaFrom: { min: "model", max: "model" },
        evaluate: { samplers: ["euler"], samples: 50, repeats: 2 },
      },
    ],
    ["rem", ["rem", "--M", "6", "--beta-ratio", "0.5,2", "--draws", "5", "--seed", "9"], null, { M: 6, betaOverBetaC: [0.5, 2], draws: 5, seed: 9 }],
    [
      "memorization",
      ["memorization", "examples/triangle.json", "--steps", "10", "--samples", "50", "--paths", "5", "--seed", "4"],
      info("examples/triangle.json", { kind: "deltas" }),
      // the default σ range from the data (README "Default noise levels"): nearest neighbours √3 apart → √3/10; √Tr Cov = 1 → 10
      { sigmaMin: Math.sqrt(3) / 10, sigmaMax: 10, steps: 10, samples: 50, paths: 5, threshold: 1.5, seed: 4 },
    ],
  ];
  for (const [command, args, model, params] of cases)
    it(`${args.slice(0, 2).join(" ")}${args.includes("--evaluate") ? " --evaluate" : ""}`, () => {
      const out = runJson(...args);
      expect(Object.keys(out).slice(0, 4)).toEqual(ENVELOPE);
      expect(out.command).toBe(command);
      expect(out.version).toBe(VERSION);
      if (model === null) expect(out.model).toBeNull();
      else expect(out.model).toMatchObject(model);
      expect(out.params).toEqual(params);
      // the payload never repeats an envelope key
      expect(Object.keys(out).slice(4).filter((k) => ENVELOPE.includes(k))).toEqual([]);
    });
});

describe("the library builds the contracts; the CLI only serialises them", () => {
  it("profile: profileContract on the library's profile is the CLI's JSON", () => {
    const model = example("two-deltas.json");
    const profile = informationProfile(model, sigmaGrid([0.25, 0.5, 1, 2]));
    const params: contracts.ProfileParams = { grid: { spacing: "list", sigma: [2, 1, 0.5, 0.25] }, seed: 0, process: "vp-linear", samples: 4000, probes: 1, refinePeaks: false };
    const env = contracts.envelope("profile", contracts.modelInfo({ type: "exact", model, source: "examples/two-deltas.json", name: "two deltas at ±1" }), params);
    const built = contracts.profileContract({ profile, process: noiseProcess("vp-linear") }, env);
    const cli = runJson("profile", "examples/two-deltas.json", "--sigma", "0.25,0.5,1,2", "--process", "vp-linear");
    expect(JSON.parse(JSON.stringify(built))).toEqual(cli);
  });
  it("modes, thermo, rem: the same objects in process and from the command", () => {
    const tri = example("triangle.json");
    const m = contracts.modelInfo({ type: "exact", model: tri, source: "examples/triangle.json", name: "three points on the unit circle" });
    const modes = contracts.modesContract(criticalPoints(tri, 0.72, { seed: 0 }), contracts.envelope("modes", m, { sigma: 0.72, seed: 0 }));
    expect(JSON.parse(JSON.stringify(modes))).toEqual(runJson("modes", "examples/triangle.json", "--sigma", "0.72"));
    const grid = { x0: -2, x1: 2, y0: -2, y1: 2, n: 5 };
    const thermo = contracts.thermoContract(thermoAnalysis(tri, 0.6, grid), contracts.envelope("thermo", m, { sigma: 0.6, grid }));
    expect(JSON.parse(JSON.stringify(thermo))).toEqual(runJson("thermo", "examples/triangle.json", "--sigma", "0.6", "--grid", "-2,2,-2,2,5"));
    const req = { M: 5, betaOverBetaC: [0.5, 2], draws: 4, seed: 1 };
    const rem = contracts.remContract(remAnalysis(req), contracts.envelope("rem", null, req));
    expect(JSON.parse(JSON.stringify(rem))).toEqual(runJson("rem", "--M", "5", "--beta-ratio", "0.5,2", "--draws", "4", "--seed", "1"));
  });
  it("report: results.json is the envelope (params = the plan) then the report's payload", () => {
    const model = parseModel({ kind: "deltas", points: [[-1], [1]], labels: ["a", "b"] });
    const plan = reportPlan(model, { seed: 2 });
    const report = buildReport(model, plan, { source: "inline", commandLine: "infodyn report inline" });
    const json = contracts.reportContract(report.results, contracts.envelope("report", contracts.modelInfo({ type: "exact", model, source: "inline" }), plan));
    expect(Object.keys(json)).toEqual([...ENVELOPE, "seed", "commandLine", "dataScale", "profile", "paths", "participation", "semantics", "guidance", "bifurcations", "schedules", "summary"]);
    expect(json.params).toBe(plan);
    expect(json).toMatchObject({ command: "report", seed: 2, commandLine: "infodyn report inline", model: { source: "inline", kind: "deltas", dim: 1, numClasses: 2 } });
  });
});

describe("the envelope", () => {
  it("comes first and wins over a payload key of the same name (the old `model` / `version` strings)", () => {
    const env = contracts.envelope("paths", null, { seed: 1 });
    const out = contracts.withEnvelope(env, { version: "old", model: "deltas", dim: 1, sigma: [1] });
    expect(Object.keys(out)).toEqual([...ENVELOPE, "dim", "sigma"]);
    expect(out.model).toBeNull();
    expect(out.version).toBe(VERSION);
  });
  it("describes a denoiser by its kind, dimension and data samples", () => {
    const data = { rows: 7, dim: 2, data: new Float64Array(14) };
    const denoiser = { dim: 2, numClasses: 0, denoise: async () => data };
    expect(contracts.modelInfo({ type: "denoiser", kind: "testbed", denoiser, data, source: "t.json", name: "net" })).toEqual({
      source: "t.json", kind: "testbed", dim: 2, name: "net", numClasses: 0, type: "denoiser", samples: 7,
    });
  });
});

describe("the denoiser route's profile", () => {
  it("integrates I(y; x_σ) = ∫_σ^∞ mmse/s³ ds: for N(0, λ) the result is ½ log(1 + λ/σ²)", () => {
    const lambda = 0.7;
    const sigma = Array.from(logSigmas(241, 0.05, 30)).reverse();
    const est = (value: number) => ({ value, standardError: 0.01 * value });
    const rates: DenoiserRates[] = sigma.map((s) => {
      const mmse = (lambda * s * s) / (lambda + s * s);
      const rate = est(mmse / s ** 3);
      return {
        sigma: s, samples: 1000, mmse: est(mmse), scoreNormSq: est(0), meanDivergence: est(0), entropyRate: rate,
        entropyRateEstimators: { scoreNorm: rate, divergence: rate, fisherTrace: rate, posteriorVariance: rate },
      };
    });
    const p = contracts.denoiserProfile(rates, 1, { traceCov: lambda });
    // the tail above σ_max is exact for this law; the rest is the trapezoid rule's O(h²) in log σ (h = 0.027)
    const top = sigma.length - 1;
    expectClose(p.mutualInformation[top].value, 0.5 * Math.log1p(lambda / 900), { rtol: 1e-14 }, "I at σ_max");
    sigma.forEach((s, i) => expectClose(p.mutualInformation[i].value, 0.5 * Math.log1p(lambda / (s * s)), { rtol: 5e-4 }, `I at σ = ${s}`));
    // dH/dlog σ = mmse/σ² = λ/(λ + σ²) falls with σ: its grid maximum is the edge σ_min
    expect(p.peaks.entropyRateLogSigma).toMatchObject({ sigma: sigma[0], atBoundary: true });
    expectClose(p.peaks.entropyRateLogSigma!.value, lambda / (lambda + sigma[0] ** 2), { rtol: 1e-14 });
    const payload = contracts.denoiserProfilePayload(p);
    expect(payload).not.toHaveProperty("conditionalEntropy");
    expect(Object.keys(payload.entropyRateEstimators)).toEqual(["scoreNorm", "divergence", "fisherTrace", "posteriorVariance"]);
    payload.sigma.forEach((s, i) => expectClose(payload.entropyRate[i], payload.mmse[i] / s ** 3, { rtol: 1e-14 }));
  });
});

describe("src/contracts needs no node: module (a browser Web Worker builds the same objects)", () => {
  /** Every module reachable from `entry` by relative imports (type-only ones too), with its bare imports. */
  function graph(entry: string): Map<string, string[]> {
    const seen = new Map<string, string[]>();
    const visit = (file: string) => {
      if (seen.has(file)) return;
      const src = readFileSync(file, "utf8");
      const specs = [...src.matchAll(/\b(?:from|import)\s*\(?\s*["']([^"']+)["']/g)].map((m) => m[1]);
      seen.set(file, specs.filter((s) => !s.startsWith(".")));
      for (const s of specs.filter((x) => x.startsWith("."))) visit(resolve(dirname(file), s.replace(/\.js$/, ".ts")));
    };
    visit(entry);
    return seen;
  }
  it("no module reachable from src/contracts/index.ts imports node:, a Node built-in or the plotting stack", () => {
    const g = graph(join(root, "src", "contracts", "index.ts"));
    expect(g.size).toBeGreaterThan(20);
    const builtins = new Set(builtinModules);
    const offending = [...g].flatMap(([file, specs]) =>
      specs
        .filter((s) => s.startsWith("node:") || builtins.has(s) || /^(vega|vega-lite|@resvg\/)/.test(s))
        .map((s) => `${relative(root, file)} → ${s}`),
    );
    expect(offending).toEqual([]);
    for (const file of g.keys()) expect(relative(root, file)).not.toMatch(/^src\/(cli|node)\//);
  });
  it("the barrel exports a builder per command", () => {
    for (const name of ["posterior", "profile", "paths", "modes", "bifurcations", "thermo", "schedule", "benchmark", "rem", "memorization", "report"])
      expect(typeof (contracts as Record<string, unknown>)[`${name}Contract`], name).toBe("function");
  });
});
