import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { fromRows, type Batch } from "../src/batch.js";
import { lmsCoefficients } from "../src/analysis/dynamics/lms.js";
import { SAMPLERS, type SamplerName } from "../src/analysis/dynamics/registry.js";
import type { SamplerOptions, StepInfo } from "../src/analysis/dynamics/sampler.js";
import { samplerOptionsOf } from "../src/cli/paths.js";
import { InfodynError } from "../src/errors.js";
import { parseModel } from "../src/models/parse.js";
import type { SyncDenoiser } from "../src/models/types.js";
import { edmSigmas, logSigmas } from "../src/noise/grid.js";
import { createRng, type Rng } from "../src/numeric/rng.js";
import { expectAllClose, expectClose } from "./helpers.js";

/*
 * k-diffusion's samplers against test/fixtures/samplers.json, a numpy transcription of k_diffusion/sampling.py
 * (make_samplers.py; commit in its docstring) on the exact denoiser of four weighted points in 2-D, with the
 * noise k-diffusion drew replayed through per-row streams. Every step's state and denoised state and the final
 * state agree to 1e-12 relative to the state's scale (max(1, max |x| of the row)): the two sides round
 * differently (numpy's and our posterior kernel, k-diffusion's Euler-to-σ_down against our one product, exp/log
 * of t against σ'/σ), ~1e-16 per operation, amplified by ≲ 1e3 over 12 steps through decisions at small σ.
 */

interface Case {
  name: string;
  sampler: SamplerName;
  options: { sChurn?: number; sTmin?: number; sTmax?: number | null; sNoise?: number; eta?: number; order?: number };
  sigmas: number[];
  x0: number[][];
  noise: number[][][];
  used: boolean[];
  steps: { sigmaHat: number; x: number[][]; denoised: number[][] }[];
  final: number[][];
  coefficients?: number[][];
}
const fixture = JSON.parse(readFileSync(join(import.meta.dirname, "fixtures", "samplers.json"), "utf8")) as {
  source: string;
  model: unknown;
  karras: { n: number; sigmaMin: number; sigmaMax: number; rho: number; sigmas: number[] };
  cases: Case[];
};
const model = parseModel(fixture.model);
const RTOL = 1e-12;

/** A stream that returns the given normals in order and refuses any other draw (or one past the end). */
function replay(values: number[], label: string): Rng & { left(): number } {
  let k = 0;
  const normal = () => {
    if (k >= values.length) throw new Error(`${label}: the sampler drew more than the ${values.length} normals k-diffusion drew`);
    return values[k++];
  };
  const refuse = (what: string) => () => {
    throw new Error(`${label}: unexpected ${what}`);
  };
  return {
    normal,
    fillNormal: (out) => out.map(normal),
    uniform: refuse("uniform()"),
    rademacher: refuse("rademacher()"),
    categorical: refuse("categorical()"),
    fork: refuse("fork()"),
    left: () => values.length - k,
  };
}

/** Row r's stream: its D values of every draw that enters the state, in k-diffusion's order. */
function streams(c: Case): (Rng & { left(): number })[] {
  return c.x0.map((_, r) => replay(c.noise.flatMap((z, k) => (c.used[k] ? z[r] : [])), `${c.name} row ${r}`));
}

function optionsOf(c: Case): SamplerOptions {
  const { sTmax, ...rest } = c.options;
  return { ...rest, ...(sTmax !== undefined ? { sTmax: sTmax ?? Infinity } : {}) };
}

/** Max over rows and coordinates of |got − want| / max(1, max |want| of the row); fails beyond RTOL with the entry. */
function compareRows(got: ArrayLike<number>, want: number[][], label: string): number {
  const D = want[0].length;
  let worst = 0;
  want.forEach((row, r) => {
    const scale = Math.max(1, ...row.map(Math.abs));
    row.forEach((w, a) => {
      expectClose(got[r * D + a], w, { atol: RTOL * scale }, `${label} row ${r} coordinate ${a}`);
      worst = Math.max(worst, Math.abs(got[r * D + a] - w) / scale);
    });
  });
  return worst;
}

type Recorded = { sigmaHat: number; x: Float64Array; denoised: Float64Array };
function run(c: Case, rng: Rng[] | undefined): { steps: Recorded[]; out: Batch } {
  const steps: Recorded[] = [];
  const callback = (s: StepInfo) => steps.push({ sigmaHat: s.sigmaHat, x: Float64Array.from(s.x.data), denoised: Float64Array.from(s.denoised.data) });
  const out = SAMPLERS[c.sampler](model, fromRows(c.x0), c.sigmas, { ...optionsOf(c), rng, callback });
  return { steps, out };
}

describe(`k-diffusion's samplers step by step (${fixture.source})`, () => {
  it("the fixture's grid is get_sigmas_karras(12, 0.02, 10, 7) + [0] = edmSigmas(12, 0.02, 10, 7, {zero: true}) (1e-14)", () => {
    const { n, sigmaMin, sigmaMax, rho, sigmas } = fixture.karras;
    expectAllClose(edmSigmas(n, sigmaMin, sigmaMax, rho, { zero: true }), sigmas, { rtol: 1e-14 }, "σ");
  });

  for (const c of fixture.cases) {
    it(`${c.name}: x and D(x; σ̂) at every step and the final state within ${RTOL} of the reference`, () => {
      const rng = streams(c);
      const { steps, out } = run(c, rng);
      expect(steps.length).toBe(c.steps.length);
      let worst = 0;
      c.steps.forEach((want, i) => {
        expectClose(steps[i].sigmaHat, want.sigmaHat, { rtol: 1e-15 }, `step ${i} σ̂`);
        worst = Math.max(worst, compareRows(steps[i].x, want.x, `step ${i} x`), compareRows(steps[i].denoised, want.denoised, `step ${i} D`));
      });
      worst = Math.max(worst, compareRows(out.data, c.final, "final x"));
      // every normal k-diffusion added was drawn, and no other
      rng.forEach((s, r) => expect(s.left(), `row ${r}: normals left undrawn`).toBe(0));
      console.log(`${c.name}: max relative error ${worst.toExponential(2)} over ${c.steps.length} steps`);
    });
  }

  it("LMS coefficients by 4-point Gauss–Legendre equal scipy's quad of the Lagrange basis (1e-13 of Σ|c|), and sum to σ_{i+1} − σ_i", () => {
    for (const c of fixture.cases.filter((c) => c.coefficients)) {
      const order = c.options.order ?? 4;
      c.coefficients!.forEach((want, i) => {
        const got = lmsCoefficients(c.sigmas, i, Math.min(i + 1, order));
        const scale = want.reduce((a, v) => a + Math.abs(v), 0);
        expectAllClose(got, want, { atol: 1e-13 * scale }, `${c.name} step ${i}`);
        expectClose(got.reduce((a, v) => a + v, 0), c.sigmas[i + 1] - c.sigmas[i], { atol: 1e-14 * scale }, `${c.name} step ${i} Σc`);
      });
    }
  });
});

describe("churn, η and the aliases", () => {
  const grid = fixture.karras.sigmas;
  const x0 = fromRows(fixture.cases[0].x0);
  const steps = grid.length - 1;
  const record = (name: SamplerName, options: SamplerOptions) => {
    const seen: Recorded[] = [];
    const out = SAMPLERS[name](model, x0, grid, { ...options, callback: (s) => seen.push({ sigmaHat: s.sigmaHat, x: Float64Array.from(s.x.data), denoised: Float64Array.from(s.denoised.data) }) });
    return { seen, out: Array.from(out.data) };
  };

  for (const name of ["euler", "heun", "dpm2"] as const) {
    it(`${name}: S_churn = 0 is the deterministic sampler bit for bit, with or without the window and S_noise`, () => {
      const plain = record(name, {}).out;
      expect(record(name, { sChurn: 0, sTmin: 0.1, sTmax: 3, sNoise: 1.5 }).out).toEqual(plain);
    });
    it(`${name}: S_churn > 0 leaves every step before the window [S_tmin, S_tmax] bit for bit, raises σ̂ = σ(1 + S_churn/n) inside it and draws D normals per row there only`, () => {
      const [sTmin, sTmax, sChurn] = [0.15, 2.5, 3];
      const plain = record(name, {});
      let draws = 0;
      const rng = createRng(5);
      const counting: Rng = { ...rng, normal: () => (draws++, rng.normal()) };
      const churned = record(name, { sChurn, sTmin, sTmax, rng: Array.from({ length: x0.rows }, () => counting) });
      const inside = grid.slice(0, -1).map((s) => sTmin <= s && s <= sTmax);
      const first = inside.indexOf(true);
      expect(first).toBeGreaterThan(0);
      for (let i = 0; i < first; i++) expect(Array.from(churned.seen[i].x), `step ${i}`).toEqual(Array.from(plain.seen[i].x));
      expect(Array.from(churned.seen[first].x)).not.toEqual(Array.from(plain.seen[first].x));
      inside.forEach((on, i) => {
        if (on) expectClose(churned.seen[i].sigmaHat, grid[i] * (1 + sChurn / steps), { rtol: 1e-15 }, `σ̂ at step ${i}`);
        else expect(churned.seen[i].sigmaHat, `σ̂ at step ${i}`).toBe(grid[i]);
      });
      expect(draws).toBe(x0.rows * x0.dim * inside.filter(Boolean).length);
      // a window that holds no level of the grid is no churn at all
      expect(record(name, { sChurn, sTmin: 0.5, sTmax: 0.6, rng: createRng(5) }).out).toEqual(plain.out);
    });
    it(`${name}: γ is clamped to √2 − 1 (σ̂ = √2 σ for a huge S_churn), and the added noise has variance S_noise²(σ̂² − σ²)`, () => {
      const xi = 0.8;
      const constant: Rng = { ...createRng(0), normal: () => xi };
      const sNoise = 1.3;
      const seen = record(name, { sChurn: 1e6, sNoise, rng: Array.from({ length: x0.rows }, () => constant) }).seen;
      seen.forEach((s, i) => expectClose(s.sigmaHat, grid[i] * Math.SQRT2, { rtol: 1e-15 }, `σ̂ at step ${i}`));
      // the first step starts from x0: x̂ = x0 + S_noise ξ √(2σ² − σ²) = x0 + S_noise ξ σ
      const want = Array.from(x0.data, (v) => v + sNoise * xi * grid[0]);
      expectAllClose(seen[0].x, want, { rtol: 1e-15, atol: 1e-15 }, "x̂ at step 0");
    });
  }

  it("euler-ancestral is ddim (k-diffusion's sample_euler_ancestral): the same states for the same noise, η and S_noise reach it", () => {
    const a = record("euler-ancestral", { eta: 0.6, sNoise: 0.9, rng: createRng(3) }).out;
    expect(record("ddim", { eta: 0.6, sNoise: 0.9, rng: createRng(3) }).out).toEqual(a);
    expect(record("euler-ancestral", { eta: 0.6, rng: createRng(3) }).out).not.toEqual(a);
    expect(record("euler-ancestral", { eta: 1, sNoise: 0.9, rng: createRng(3) }).out).not.toEqual(a);
    // η = 0: deterministic DDIM = Euler (one product against k-diffusion's two: equal to rounding)
    expectAllClose(record("euler-ancestral", { eta: 0 }).out, record("euler", {}).out, { atol: 1e-13 }, "η = 0");
  });

  it("bad settings are refused at the boundary, naming the setting; a churn without rng names the sampler", () => {
    const bad: [SamplerName, SamplerOptions, RegExp][] = [
      ["heun", { sChurn: -1 }, /^sChurn: -1/],
      ["heun", { sChurn: 1, sTmin: 2, sTmax: 1, rng: createRng(0) }, /^sTmax: 1 is not ≥ sTmin = 2/],
      ["euler", { sNoise: Number.NaN }, /^sNoise/],
      ["ddim", { eta: -0.5, rng: createRng(0) }, /^eta/],
      ["lms", { order: 0 }, /^order: 0/],
      ["lms", { order: 9 }, /^order: 9/],
      ["dpm2", { sChurn: 1 }, /^dpm2 \(sChurn > 0\): the rng option is required/],
    ];
    for (const [name, options, message] of bad) {
      expect(() => SAMPLERS[name](model, x0, grid, options), `${name} ${JSON.stringify(options)}`).toThrow(InfodynError);
      expect(() => SAMPLERS[name](model, x0, grid, options)).toThrow(message);
    }
  });
});

describe("convergence on a Gaussian, whose probability-flow ODE is solved in closed form", () => {
  // N(μ, diag(s²)): x(σ') = μ + (x − μ)√((s² + σ'²)/(s² + σ²)) coordinate by coordinate; from σ_max = 80 (EDM's)
  // down to σ_min = 0.05, starts at typical distances ~σ_max from μ.
  const mu = [0.7, -1.2];
  const s2 = [2.0, 0.15];
  const g = parseModel({ kind: "gaussian", mean: mu, cov: [[s2[0], 0], [0, s2[1]]] });
  const [sMin, sMax] = [0.05, 80];
  const probe = fromRows([[mu[0] + 0.3 * sMax, mu[1] + 0.2 * sMax], [mu[0] - 0.5 * sMax, mu[1] + 0.9 * sMax], [mu[0] + 0.05 * sMax, mu[1] - 1.1 * sMax]]);
  const globalError = (name: SamplerName, sigmas: ArrayLike<number>, options: SamplerOptions) => {
    const out = SAMPLERS[name](g as SyncDenoiser, probe, sigmas, options).data;
    let err = 0;
    for (let r = 0; r < probe.rows; r++)
      for (let a = 0; a < 2; a++) {
        const x = probe.data[2 * r + a];
        const want = mu[a] + (x - mu[a]) * Math.sqrt((s2[a] + sMin * sMin) / (s2[a] + sMax * sMax));
        err = Math.max(err, Math.abs(out[2 * r + a] - want));
      }
    return err;
  };
  const log = (n: number) => logSigmas(n + 1, sMin, sMax);
  const edm = (n: number) => edmSigmas(n + 1, sMin, sMax);
  // [label, sampler, options, grid family, step counts n, order, band below, band above]: the observed order
  // log₂(e(n)/e(2n)) on every halving of the step must lie in [order − below, order + above]. LMS starts with an
  // Euler step, then orders 2, 3 (k-diffusion's start-up): their local errors cap its asymptotic global order at 2,
  // but from σ_max = 80 the cap lies beyond n = 320 (x″ ∝ s²/σ³ is tiny where the start-up steps are), so the
  // observed order over n = 80 … 320 is the method's own, approached from below.
  const cases: [string, SamplerName, SamplerOptions, (n: number) => ArrayLike<number>, number[], number, number, number][] = [
    ["DPM-Solver++(2M), log-uniform grid", "dpmpp-2m", {}, log, [20, 40, 80, 160], 2, 0.1, 0.1],
    ["DPM-Solver++(2M), EDM ρ = 7 grid", "dpmpp-2m", {}, edm, [20, 40, 80, 160], 2, 0.1, 0.1],
    ["DPM-2, EDM ρ = 7 grid", "dpm2", {}, edm, [20, 40, 80, 160], 2, 0.1, 0.1],
    ["LMS order 4, log-uniform grid", "lms", { order: 4 }, log, [80, 160, 320], 4, 0.35, 0.1],
    ["LMS order 4, EDM ρ = 7 grid", "lms", { order: 4 }, edm, [80, 160, 320], 4, 0.35, 0.1],
    ["LMS order 3, log-uniform grid", "lms", { order: 3 }, log, [80, 160, 320], 3, 0.2, 0.1],
    ["LMS order 2, log-uniform grid", "lms", { order: 2 }, log, [80, 160, 320], 2, 0.1, 0.1],
  ];
  for (const [label, name, options, gridOf, ns, order, below, above] of cases) {
    it(`${label}: the global error at σ_min falls by 2^${order} per halving of the step (observed order in [${order - below}, ${order + above}])`, () => {
      const errs = ns.map((n) => globalError(name, gridOf(n), options));
      const p = errs.slice(1).map((e, k) => Math.log2(errs[k] / e));
      console.log(`${label}: errors ${errs.map((e) => e.toExponential(2)).join(", ")}; observed orders ${p.map((v) => v.toFixed(3)).join(", ")}`);
      for (const [k, v] of p.entries()) {
        const at = `${label}, order at n = ${ns[k]} → ${ns[k + 1]}`;
        expect(v, at).toBeGreaterThanOrEqual(order - below);
        expect(v, at).toBeLessThanOrEqual(order + above);
      }
    });
  }
  it("LMS coefficients of order q integrate every polynomial of degree < q exactly over the step, and not degree q (local order q + 1)", () => {
    const grid = edm(12);
    for (const q of [1, 2, 3, 4, 5, 8])
      for (let i = q - 1; i + 1 < grid.length; i++) {
        const c = lmsCoefficients(grid, i, q);
        for (let deg = 0; deg <= q; deg++) {
          const rule = c.reduce((acc, cj, j) => acc + cj * grid[i - j] ** deg, 0);
          const exact = (grid[i + 1] ** (deg + 1) - grid[i] ** (deg + 1)) / (deg + 1);
          const scale = c.reduce((acc, cj, j) => acc + Math.abs(cj) * grid[i - j] ** deg, 0);
          if (deg < q) expectClose(rule, exact, { atol: 1e-12 * scale }, `q = ${q}, step ${i}, degree ${deg}`);
          else expect(Math.abs(rule - exact), `q = ${q}, step ${i}, degree ${deg} is not integrated exactly`).toBeGreaterThan(1e-9 * scale);
        }
      }
  });
});

describe("infodyn paths: the sampler options (--eta, --churn, --s-tmin, --s-tmax, --s-noise)", () => {
  it("resolve to the sampler's settings with its defaults (S_tmax = ∞ left out of the JSON), and to nothing when none is given", () => {
    expect(samplerOptionsOf("heun", {})).toBeUndefined();
    expect(samplerOptionsOf("heun", { churn: "40", sTmin: "0.05", sTmax: "50", sNoise: "1.003" })).toEqual({ sChurn: 40, sTmin: 0.05, sTmax: 50, sNoise: 1.003 });
    expect(samplerOptionsOf("dpm2", { churn: "2", sTmax: "inf" })).toEqual({ sChurn: 2, sTmin: 0, sNoise: 1 });
    expect(samplerOptionsOf("euler-ancestral", { eta: "0.5" })).toEqual({ eta: 0.5, sNoise: 1 });
    expect(samplerOptionsOf("ddim", { sNoise: "0.9" })).toEqual({ eta: 1, sNoise: 0.9 });
  });
  it("refuse, in one error naming the option, a setting the sampler does not take or one out of range", () => {
    const bad: [SamplerName, Parameters<typeof samplerOptionsOf>[1], string][] = [
      ["lms", { churn: "1" }, "--churn: the sampler 'lms' takes no --churn (euler, heun, dpm2 do)"],
      ["dpmpp-2m", { eta: "0.5" }, "--eta: the sampler 'dpmpp-2m' takes no --eta (ddim, euler-ancestral do)"],
      ["em", { sNoise: "2" }, "--s-noise: the sampler 'em' takes no --s-noise (euler, heun, ddim, euler-ancestral, dpm2 do)"],
      ["ddim", { eta: "1.5" }, "--eta: '1.5' is not a number in [0, 1]"],
      ["euler", { churn: "-1" }, "--churn: '-1' is not a number ≥ 0"],
      ["euler", { churn: "0x10" }, "--churn: '0x10' is not a number ≥ 0"],
      ["heun", { churn: "inf" }, "--churn: 'inf' is not a number ≥ 0"],
      ["heun", { sTmin: "0.1" }, "--s-tmin: has no effect without --churn > 0"],
      ["heun", { churn: "0", sNoise: "1.1" }, "--s-noise: has no effect without --churn > 0"],
      ["heun", { churn: "1", sTmin: "1", sTmax: "0.1" }, "--s-tmax: 0.1 must be ≥ --s-tmin 1"],
    ];
    for (const [sampler, opts, message] of bad) {
      expect(() => samplerOptionsOf(sampler, opts)).toThrow(InfodynError);
      expect(() => samplerOptionsOf(sampler, opts)).toThrow(message);
    }
  });
});
