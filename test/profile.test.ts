import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { levelSeed } from "../src/analysis/info/design.js";
import { informationProfile } from "../src/analysis/info/grid.js";
import { findPeak, formatPeak, peakBracket } from "../src/analysis/info/peak.js";
import { mmseAt, profileAt } from "../src/analysis/info/profile.js";
import { defaultSigmaRange, pointsSigmaRange } from "../src/analysis/scale.js";
import { loadModel } from "../src/cli/files.js";
import { profileJsonSchema } from "../src/contracts/profile.js";
import { gaussian } from "../src/models/gaussian.js";
import { parseModel } from "../src/models/parse.js";
import { logSigmas, sigmaGrid } from "../src/noise/grid.js";
import { expectClose } from "./helpers.js";

const root = join(import.meta.dirname, "..");
const cli = join(root, "dist", "cli", "main.js");
const run = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { cwd: root, encoding: "utf8" });
const json = (...args: string[]) => {
  const r = run(...args, "--json");
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout);
};
const fixture = JSON.parse(readFileSync(join(root, "test", "fixtures", "info.json"), "utf8"));
const twoDeltas = () => {
  const c = fixture["two-deltas"];
  return parseModel({ kind: "deltas", points: c.points.map((p: number) => [p]), weights: c.weights, labels: c.labels });
};
const example = (name: string) => parseModel(JSON.parse(readFileSync(join(root, "examples", name), "utf8")), { readFile: (p) => new Uint8Array(readFileSync(join(root, "examples", p))) });

/** Pearson correlation of two equally long samples. */
function correlation(a: number[], b: number[]): number {
  const n = a.length;
  const ma = a.reduce((s, v) => s + v, 0) / n;
  const mb = b.reduce((s, v) => s + v, 0) / n;
  let sab = 0, saa = 0, sbb = 0;
  for (let i = 0; i < n; i++) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) ** 2;
    sbb += (b[i] - mb) ** 2;
  }
  return sab / Math.sqrt(saa * sbb);
}

describe("fresh Monte Carlo draws at each σ", () => {
  const tri = example("triangle.json");
  const opts = { monteCarlo: true, samples: 300 };

  it("level i is profileAt with the seed levelSeed(seed, i): reproducible alone", () => {
    const grid = sigmaGrid([0.5, 0.8, 1.2]);
    const p = informationProfile(tri, grid, { ...opts, seed: 7 });
    p.sigma.forEach((s, i) => expect(p.points[i]).toEqual(profileAt(tri, s, { ...opts, seed: levelSeed(7, i) })));
    // the level seeds are distinct, and unrelated to the seeds next to them
    const seeds = new Set(Array.from({ length: 1000 }, (_, i) => levelSeed(0, i)));
    expect(seeds.size).toBe(1000);
    expect(levelSeed(0, 1)).not.toBe(levelSeed(1, 0));
  });

  it("neighbouring levels' errors are uncorrelated over 40 seeds (they were ≈ 1 with one seed for all levels)", () => {
    const grid = sigmaGrid([0.6, 0.62]);
    const fresh: [number[], number[]] = [[], []];
    const shared: [number[], number[]] = [[], []];
    for (let seed = 0; seed < 40; seed++) {
      const p = informationProfile(tri, grid, { ...opts, seed });
      fresh[0].push(p.points[0].mmse);
      fresh[1].push(p.points[1].mmse);
      shared[0].push(profileAt(tri, 0.6, { ...opts, seed }).mmse);
      shared[1].push(profileAt(tri, 0.62, { ...opts, seed }).mmse);
    }
    // 40 pairs: the sample correlation of independent errors has SE ≈ 1/√40 = 0.16
    const r = correlation(...fresh);
    expect(Math.abs(r), `fresh draws: r = ${r}`).toBeLessThan(0.45);
    expect(correlation(...shared), "one seed at both σ").toBeGreaterThan(0.9);
  });
});

describe("mmseAt: the mmse alone (for schedules)", () => {
  it("is profileAt's mmse to rounding, with its standard error (quadrature, Monte Carlo, closed form)", () => {
    const tri = example("triangle.json");
    for (const [model, opts] of [
      [tri, {}],
      [tri, { monteCarlo: true, samples: 500, seed: 4 }],
      [example("ising.json"), { samples: 300, seed: 1 }],
      [gaussian(Float64Array.from([0]), Float64Array.from([2])), {}],
    ] as const)
      for (const s of [0.4, 1.3]) {
        const p = profileAt(model, s, opts);
        // the kernel's Tr C may differ in the last bits with the other outputs it is asked for
        const m = mmseAt(model, s, opts);
        expectClose(m.value, p.mmse, { rtol: 1e-13 }, `mmse σ = ${s}`);
        expectClose(m.standardError, p.standardError?.mmse ?? 0, { rtol: 1e-10 }, `SE σ = ${s}`);
      }
  });
});

describe("peaks with the bracket their errors support", () => {
  const truth = fixture["two-deltas"].peaks as Record<string, number>; // scipy: bounded Brent on quad values

  it("peakBracket widens the argmax's neighbours to every level within 2 SE of the maximum", () => {
    expect(peakBracket([0, 5, 7, 6.9, 1], [0, 0.1, 0.1, 0.1, 0], 2)).toEqual([1, 4]);
    expect(peakBracket([0, 5, 7, 6.9, 1], undefined, 2)).toEqual([1, 3]);
    expect(peakBracket([7, 6.9, 1], [0.1, 0.1, 0.1], 0)).toEqual([0, 2]);
    const p = findPeak(() => NaN, [1, 2, 3, 4, 5], [0, 5, 7, 6.9, 1], { errors: [0, 0.1, 0.1, 0.1, 0] })!;
    expect(p).toEqual({ sigma: 3, value: 7, standardError: 0.1, atBoundary: false, low: 2, high: 5 });
  });

  it("print σ to the leading digit of the bracket's half-width", () => {
    expect(formatPeak({ sigma: 8.969689594, low: 8.1364, high: 9.8173 })).toBe("σ ≈ 9.0 (8.1–9.8)");
    expect(formatPeak({ sigma: 8.969689594, low: 7.5843, high: 11.597 })).toBe("σ ≈ 9 (8–12)");
    expect(formatPeak({ sigma: 0.81423866883, low: 0.81423866875, high: 0.81423866891 })).toBe("σ ≈ 0.81423866883 (0.81423866875–0.81423866891)");
    expect(formatPeak({ sigma: 150, low: 40, high: 340 })).toBe("σ ≈ 200 (0–300)");
    expect(formatPeak({ sigma: 2, low: 2, high: 2 })).toBe("σ ≈ 2.00000");
  });

  it("an exact profile's grid bracket holds the true peaks (scipy fixture), two deltas", () => {
    const p = informationProfile(twoDeltas(), logSigmas(41, 0.05, 10));
    for (const [key, want] of Object.entries(truth)) {
      const peak = p.peaks[key as keyof typeof p.peaks]!;
      expect(peak.low < want && want < peak.high, `${key}: ${peak.low} < ${want} < ${peak.high}`).toBe(true);
      expect(peak.standardError).toBeUndefined();
      // exact: the bracket is the argmax's two neighbours
      const k = p.sigma.indexOf(peak.sigma);
      expect([peak.low, peak.high]).toEqual([p.sigma[k - 1], p.sigma[k + 1]]);
    }
  });

  it("a Monte Carlo profile's brackets hold the true peaks for each of 8 seeds (two deltas, forced Monte Carlo)", () => {
    const grid = logSigmas(31, 0.3, 3);
    for (let seed = 0; seed < 8; seed++) {
      const p = informationProfile(twoDeltas(), grid, { monteCarlo: true, samples: 1000, seed });
      for (const [key, want] of Object.entries(truth)) {
        const peak = p.peaks[key as keyof typeof p.peaks]!;
        expect(peak.standardError).toBeGreaterThan(0);
        expect(peak.low < want && want < peak.high, `seed ${seed} ${key}: ${peak.low} < ${want} < ${peak.high}`).toBe(true);
      }
    }
  });

  it("a Gaussian's mmse/σ² = λ/(λ + σ²) falls with σ: its peak is the range's lower end, bracketed by the first two levels", () => {
    const p = informationProfile(gaussian(Float64Array.from([0]), Float64Array.from([2])), logSigmas(11, 0.1, 10));
    const peak = p.peaks.entropyRateLogSigma!;
    expect(peak).toMatchObject({ sigma: p.sigma[0], atBoundary: true, low: p.sigma[0], high: p.sigma[1] });
    expectClose(peak.value, 2 / (2 + p.sigma[0] ** 2), { rtol: 1e-14 });
  });

  it("with refinePeaks, a Monte Carlo peak stays inside the bracket its errors allow", () => {
    const p = informationProfile(twoDeltas(), logSigmas(21, 0.3, 3), { monteCarlo: true, samples: 1000, seed: 1, refinePeaks: true });
    for (const peak of Object.values(p.peaks)) expect(peak!.low <= peak!.sigma && peak!.sigma <= peak!.high).toBe(true);
  });
});

describe("infodyn profile defaults", () => {
  it("the default grid is defaultSigmaRange with 41 levels, 4000 samples, grid peaks (two deltas)", () => {
    const out = json("profile", "examples/two-deltas.json");
    const range = defaultSigmaRange(example("two-deltas.json"));
    expect(out.params.grid).toEqual({ spacing: "log", sigmaMin: range.min, sigmaMax: range.max, levels: 41 });
    expect(out.params).toMatchObject({ samples: 4000, refinePeaks: false, defaultRange: { rule: range.rule } });
    expect(out.sigma).toHaveLength(41);
    expectClose(out.sigma[0], 0.2, { rtol: 1e-12 });
    expectClose(out.sigma[40], 10, { rtol: 1e-12 });
    expect(() => profileJsonSchema.parse(out)).not.toThrow();
  });

  it("digits 0 vs 1 (D = 64): the grid is the data's range [1.06, 334]; Hutchinson divergence, spectrum omitted, SEs", () => {
    const out = json("profile", "examples/digits01.json", "--steps", "2", "--samples", "200");
    const range = defaultSigmaRange(example("digits01.json"));
    expect(out.params.grid).toEqual({ spacing: "log", sigmaMin: range.min, sigmaMax: range.max, levels: 3 });
    expectClose(range.min, 1.06, { rtol: 0.01 });
    expectClose(range.max, 334, { rtol: 0.01 });
    expect(() => profileJsonSchema.parse(out)).not.toThrow();
    expect(out.independent.map((r: { estimators: string[] }) => r.estimators)).toEqual([["posteriorVariance", "fisherTrace"], ["divergence"], ["scoreNorm"]]);
    expect(out.omitted.jacobianSpectrum).toMatch(/D ≤ 16/);
    expect(out.standardError.routeDifference.divergence.every((v: number) => v >= 0)).toBe(true);
  });

  it("one end given: the other comes from the data; both given: neither", () => {
    const range = defaultSigmaRange(example("two-deltas.json"));
    expect(json("profile", "examples/two-deltas.json", "--sigma-min", "0.5", "--steps", "4").params.grid).toEqual({ spacing: "log", sigmaMin: 0.5, sigmaMax: range.max, levels: 5 });
    const both = json("profile", "examples/two-deltas.json", "--sigma-min", "0.5", "--sigma-max", "2", "--steps", "4").params;
    expect(both).not.toHaveProperty("defaultRange");
    const r = run("profile", "examples/two-deltas.json", "--sigma-min", "50");
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--sigma-max: 10 must exceed --sigma-min 50 \(one end from the data's default range: give both\)/);
  });

  it("a denoiser's default grid is pointsSigmaRange of its data samples; --refine-peaks is refused there", () => {
    const dir = mkdtempSync(join(tmpdir(), "infodyn-profile-"));
    mkdirSync(join(dir, "inner"));
    copyFileSync(join(root, "examples", "triangle.json"), join(dir, "inner", "tri.json"));
    const file = join(dir, "net.json");
    writeFileSync(file, JSON.stringify({ kind: "testbed", model: "inner/tri.json", samples: 2048, seed: 5 }));
    const loaded = loadModel(file);
    if (loaded.type !== "denoiser") throw new Error("expected a denoiser");
    const range = pointsSigmaRange(loaded.data.data, loaded.data.dim);
    const out = json("profile", file, "--steps", "4");
    expect(out.params.grid).toEqual({ spacing: "log", sigmaMin: range.min, sigmaMax: range.max, levels: 5 });
    expect(() => profileJsonSchema.parse(out)).not.toThrow();
    expect(out.independent).toHaveLength(3);
    const peak = out.peaks.entropyRateLogSigma;
    expect(peak.low <= peak.sigma && peak.sigma <= peak.high).toBe(true);
    const r = run("profile", file, "--refine-peaks");
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--refine-peaks: a denoiser's profile is an estimate/);
  });

  it("--help documents the defaults from the data, --samples 4000 and --refine-peaks; bad --probes exits 2", () => {
    const help = run("profile", "--help").stdout.replace(/\s+/g, " ");
    expect(help).toMatch(/default: from the data, see README, Default noise levels/);
    expect(help).toMatch(/--refine-peaks/);
    expect(help).toMatch(/\(default: "4000"\)/);
    const r = run("profile", "examples/two-deltas.json", "--probes", "0");
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--probes: '0' is not an integer ≥ 1/);
  });
});
