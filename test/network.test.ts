import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Batch } from "../src/batch.js";
import { loadModel, type LoadedModel } from "../src/cli/files.js";
import { denoiserProfileRoute } from "../src/analysis/denoiser-routes.js";
import { denoiserProfilePayload } from "../src/contracts/denoiser-profile.js";
import { parseModel } from "../src/models/parse.js";
import type { DataModel, Denoiser } from "../src/models/types.js";
import { ddpmSigmas } from "../src/network/process.js";
import { createRng } from "../src/numeric/rng.js";
import { root, runCli } from "./cli-run.js";
import { expectClose } from "./helpers.js";

/*
 * The end-to-end check of every network convention (issue 15, item 5): test/fixtures/onnx/make_exact.py exports
 * the exact posterior mean of 5 weighted 2-D points as float64 ONNX graphs, each written in one network's own
 * coordinates (eps, x0, v, score, EDM; σ, log σ, c_noise, t, DDPM timesteps; ve, edm, vp-linear, vp-cosine, flow,
 * a beta schedule). The network route on each graph must give the exact model's E[y | x] (deltas, parse.ts).
 *
 * Tolerance 1e-9 (relative to 1 + |x|): both sides are float64; the graph's softmax and its output map round at
 * ~1e-16 of |x|/σ, and eps/score/EDM outputs are multiplied back by σ or σ² (≤ 50²) — ~1e-13 at worst.
 */

const FIX = join(root, "test", "fixtures", "onnx");
const exact = parseModel(JSON.parse(readFileSync(join(FIX, "points.json"), "utf8"))) as DataModel;
const load = (name: string): LoadedModel => loadModel(join(FIX, `${name}.json`));
const denoiserOf = (l: LoadedModel): Denoiser => (l.type === "denoiser" ? l.denoiser : l.model);
const BETA_SIGMAS = ddpmSigmas(Array.from({ length: 1000 }, (_, i) => 1e-4 + (i * (0.02 - 1e-4)) / 999));

/** Noisy points x = y + σz (y drawn from the points by weight), plus two far ones, at one σ. */
function noisyPoints(sigma: number, n: number, seed: number): Batch {
  const rng = createRng(seed);
  const y = exact.sample(n, rng);
  const data = new Float64Array((n + 2) * 2);
  for (let i = 0; i < n * 2; i++) data[i] = y.data[i] + sigma * rng.normal();
  data.set([6, -5, -4 * sigma, 3 * sigma], n * 2);
  return { rows: n + 2, dim: 2, data };
}

async function expectExact(net: Denoiser, x: Batch, sigma: number | Float64Array, want: Batch, tol = 1e-9, label = ""): Promise<void> {
  const got = await net.denoise(x, sigma);
  expect(got.rows).toBe(x.rows);
  for (let i = 0; i < got.data.length; i++)
    expectClose(got.data[i], want.data[i], { atol: tol * (1 + Math.abs(x.data[i])) }, `${label} row ${Math.floor(i / 2)}`);
}

const SIGMAS = [0.02, 0.05, 0.13, 0.3, 0.7, 1, 1.6, 3, 7, 15, 50];
const CONTINUOUS = [
  "edm-cnoise",
  "edm-sigma-ve",
  "x0-logsigma-ve",
  "x0-t-ve",
  "eps-sigma-edm-batch3",
  "eps-sigma-scalar",
  "eps-cnoise-vplinear",
  "eps-timestep-float",
  "v-t-cosine",
  "score-t-linear",
  "score-sigma-ve",
  "v-t-flow",
  "eps-t-flow",
];

describe("ONNX graphs of the exact posterior mean equal the exact model (1e-9)", () => {
  for (const name of CONTINUOUS)
    it(`${name}: at 11 σ in [0.02, 50] × 18 points, and with one σ per row`, async () => {
      const net = denoiserOf(load(name));
      for (const [k, s] of SIGMAS.entries()) {
        const x = noisyPoints(s, 16, 100 + k);
        await expectExact(net, x, s, exact.denoise(x, s), 1e-9, `${name} σ=${s}`);
      }
      const x = noisyPoints(1, 16, 7);
      const perRow = Float64Array.from({ length: x.rows }, (_, i) => SIGMAS[i % SIGMAS.length]);
      await expectExact(net, x, perRow, exact.denoise(x, perRow), 1e-9, `${name} per-row σ`);
    });

  for (const name of ["eps-timestep-int", "v-timestep-int"])
    it(`${name}: on the schedule's σ_n, and at the nearest timestep within 1% between them`, async () => {
      const net = denoiserOf(load(name));
      for (const n of [0, 1, 5, 40, 200, 500, 999]) {
        const s = BETA_SIGMAS[n];
        const x = noisyPoints(s, 8, n);
        await expectExact(net, x, s, exact.denoise(x, s), 1e-9, `${name} n=${n}`);
      }
      // σ 30% of the way (in log σ) from σ_700 to σ_701: the network answers at σ_700 (the stated convention)
      const s = BETA_SIGMAS[700] * (BETA_SIGMAS[701] / BETA_SIGMAS[700]) ** 0.3;
      const x = noisyPoints(s, 8, 3);
      await expectExact(net, x, s, exact.denoise(x, BETA_SIGMAS[700]), 1e-9, `${name} between`);
      await expect(net.denoise(x, BETA_SIGMAS[1] * 1.1)).rejects.toThrow(/nearest, 1 \(σ = 0\.0148\d*\), is 9\.09% off, more than the tolerance 1%/);
      await expect(net.denoise(x, 200)).rejects.toThrow(/σ = 200 is outside the schedule's σ_0 = 0\.0100\d* … σ_999 = 157\.\d+/);
    });

  it("class-conditional graph: label c gives E[y | x, c] exactly, −1 the null class (E[y | x])", async () => {
    const loaded = load("x0-sigma-class");
    const net = denoiserOf(loaded);
    expect(net.numClasses).toBe(2);
    expect(loaded.type === "denoiser" && loaded.labels?.length).toBe(400);
    for (const s of [0.1, 0.8, 4]) {
      const x = noisyPoints(s, 10, 9);
      const labels = Int32Array.from({ length: x.rows }, (_, i) => (i % 3) - 1);
      const got = await net.denoise(x, s, { labels });
      const want = exact.denoise(x, s, { labels });
      for (let i = 0; i < got.data.length; i++) expectClose(got.data[i], want.data[i], { atol: 1e-9 * (1 + Math.abs(x.data[i])) }, `σ=${s} [${i}]`);
      await expectExact(net, x, s, exact.denoise(x, s), 1e-9, "unconditional");
    }
    await expect(net.denoise(noisyPoints(1, 1, 1), 1, { labels: Int32Array.of(0, 2, 0) })).rejects.toThrow(/row 1: label 2 is not a class of this network \(0 … 1, or −1/);
  });

  it("a float32 graph agrees to float32 rounding: 2e-5 (1 + |x|) at σ ≥ 0.3 (inputs and outputs rounded to 2⁻²⁴, amplified by ∂m/∂x = C/σ² ≤ 4/σ²)", async () => {
    const net = denoiserOf(load("x0-sigma-float32"));
    for (const s of [0.3, 1, 5, 40]) {
      const x = noisyPoints(s, 16, 11);
      await expectExact(net, x, s, exact.denoise(x, s), 2e-5, `σ=${s}`);
    }
  });

  it("a graph with a fixed batch of 3 takes 10 rows in runs of 3 (padded); a scalar noise input one σ per run", async () => {
    const fixed = load("eps-sigma-edm-batch3");
    const x = noisyPoints(0.5, 8, 21);
    const perRow = Float64Array.from({ length: 10 }, (_, i) => [0.5, 0.5, 2, 2, 2, 0.1, 0.5, 9, 9, 9][i]);
    await expectExact(denoiserOf(fixed), x, perRow, exact.denoise(x, perRow), 1e-9, "batch3");
    await expectExact(denoiserOf(load("eps-sigma-scalar")), x, perRow, exact.denoise(x, perRow), 1e-9, "scalar");
  });
});

describe("profile on an ONNX graph = the same route on the exact model", () => {
  const data = load("edm-cnoise") as Extract<LoadedModel, { type: "denoiser" }>;
  const grid = Float64Array.of(20, 5, 2, 1, 0.5, 0.2, 0.05);

  it("denoiserProfileRoute: every estimate and standard error to 1e-9 relative (same data, seeds and probes)", async () => {
    const a = denoiserProfilePayload(await denoiserProfileRoute(data.denoiser, data.data, grid, { seed: 3 }));
    const b = denoiserProfilePayload(await denoiserProfileRoute(exact, data.data, grid, { seed: 3 }));
    expectSameNumbers(a, b, 1e-9);
  });

  it("the CLI's profile --json of the onnx model file equals the route on the exact model", async () => {
    const r = await runCli(["profile", join(FIX, "edm-cnoise.json"), "--sigma", Array.from(grid).join(","), "--seed", "3", "--json"], { timeoutMs: 60_000 });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.model).toMatchObject({ kind: "onnx", type: "denoiser", dim: 2, samples: 400 });
    const want = denoiserProfilePayload(await denoiserProfileRoute(exact, data.data, grid, { seed: 3 }));
    expectSameNumbers(out, want, 1e-9);
  });
});

describe("posterior on an onnx model file: the mean only", () => {
  it("--json gives m(x) of the exact model (1e-9) and says why Tr C, h and p(c|x) are left out", async () => {
    const pts = [[0.2, 0.1], [1, 1], [-2, 0.5]];
    const r = await runCli(["posterior", join(FIX, "v-t-cosine.json"), "--sigma", "0.5,1,3", "--points", JSON.stringify(pts), "--json"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    const want = exact.denoise({ rows: 3, dim: 2, data: Float64Array.from(pts.flat()) }, Float64Array.of(0.5, 1, 3));
    expectSameNumbers(out.mean, [[want.data[0], want.data[1]], [want.data[2], want.data[3]], [want.data[4], want.data[5]]], 1e-9);
    expect(Object.keys(out.omitted)).toEqual(["traceCov", "entropy", "classProbs"]);
    expect(out).not.toHaveProperty("traceCov");
  });
});

/**
 * Every number of `want` (recursively) equals the same path of `got` to `rtol` relative, or `rtol` absolute where
 * an estimate cancels to 0: the rate estimators are differences against the bandwidth D/σ (here 0.1 … 40), and the
 * exact model's finite-difference divergence of a one-hot posterior is exactly 0 where the graph's is ~1e-11.
 */
function expectSameNumbers(got: unknown, want: unknown, rtol: number, path = ""): void {
  if (typeof want === "number") {
    expect(typeof got, path).toBe("number");
    expectClose(got as number, want, { rtol, atol: rtol }, path);
  } else if (Array.isArray(want)) {
    expect(Array.isArray(got), path).toBe(true);
    expect((got as unknown[]).length, path).toBe(want.length);
    want.forEach((w, i) => expectSameNumbers((got as unknown[])[i], w, rtol, `${path}[${i}]`));
  } else if (want && typeof want === "object") {
    for (const [k, w] of Object.entries(want)) expectSameNumbers((got as Record<string, unknown>)[k], w, rtol, `${path}.${k}`);
  } else expect(got, path).toEqual(want);
}
