import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { classSeparability, guidanceDistortion } from "../src/analysis/guidance/distortion.js";
import { guidedDenoise } from "../src/analysis/guidance/guided.js";
import { networkDistortion, networkGuidedRun } from "../src/analysis/guidance/network.js";
import { runNetworkGuidance } from "../src/cli/guidance.js";
import { loadModel, type LoadedModel } from "../src/cli/files.js";
import { deltas } from "../src/models/deltas.js";
import { parseModel } from "../src/models/parse.js";
import type { DataModel } from "../src/models/types.js";
import { drive } from "../src/score/program.js";
import { root } from "./cli-run.js";
import { expectClose } from "./helpers.js";

/*
 * Guidance on a class-conditional network (issue 17 item 6). The independent check: test/fixtures/onnx/
 * x0-sigma-class.onnx is the exact posterior mean of points.json (make_exact.py, numpy), class-conditional with null
 * class 2, so guided sampling driven on the graph must reproduce guided sampling on the exact deltas model to
 * float64 rounding (1e-9 relative to 1 + |x|, as test/network.test.ts).
 */

const FIX = join(root, "test", "fixtures", "onnx");
const exact = parseModel(JSON.parse(readFileSync(join(FIX, "points.json"), "utf8"))) as DataModel;
const graph = loadModel(join(FIX, "x0-sigma-class.json")) as LoadedModel & { type: "denoiser" };
const blobs = loadModel(join(root, "examples", "blobs-net.json")) as LoadedModel & { type: "denoiser" };
const small = { sampler: "heun" as const, n: 64, steps: 20, sigmaMin: 0.3, sigmaMax: 10, seed: 3 };
const cli = { class: "0", w: "1", sampler: "heun", seed: "0", process: "vp-linear", wMax: "30", n: "64", steps: "16" };

describe("guided sampling on an onnx graph of the exact posterior mean", () => {
  for (const sampler of ["heun", "em"] as const)
  for (const schedule of [{ type: "constant" as const, w: 3 }, { type: "windows" as const, w: 1, windows: [{ lo: 0.8, hi: 3, w: 5 }] }])
    it(`gives the exact model's guided samples to 1e-9 (${sampler}, ${JSON.stringify(schedule)})`, async () => {
      // em: the noise streams are per row and seeded, so the graph and the exact model see the same draws
      const net = await networkDistortion(graph.denoiser, exact, { ...small, sampler, label: 1, schedule });
      const want = guidanceDistortion(exact, { ...small, sampler, label: 1, schedule });
      for (let i = 0; i < want.samples.data.length; i++) expectClose(net.samples.data[i], want.samples.data[i], { atol: 1e-9 * (1 + Math.abs(want.samples.data[i])) }, `x[${i}]`);
      for (const k of ["separability", "accuracy", "w2", "meanShift", "varianceRatio"] as const) expectClose(net[k].value, want[k].value, { atol: 1e-9 }, k);
    });

  it("the end states are the guided denoising D_w(x_σmin, σ_min), and separability/accuracy are read on them", async () => {
    const w = 4;
    const run = await networkGuidedRun(graph.denoiser, exact, { ...small, sigmaMin: 0.6, label: 0, schedule: { type: "constant", w } });
    const denoised = await drive(guidedDenoise(run.noisy, 0.6, 0, w), graph.denoiser);
    for (let i = 0; i < run.x.data.length; i++) expectClose(run.x.data[i], denoised.data[i], { atol: 1e-12 }, `x[${i}]`);
    const d = await networkDistortion(graph.denoiser, exact, { ...small, sigmaMin: 0.6, label: 0, schedule: { type: "constant", w } });
    const onDenoised = classSeparability(exact, d.samples, 0, 0.6);
    const onNoisy = classSeparability(exact, d.noisy, 0, 0.6);
    expect(d.separability.value).toBe(onDenoised.separability.value);
    expect(d.accuracy.value).toBe(onDenoised.accuracy.value);
    // at σ_min = 0.6 the two differ, so the check above can tell them apart
    expect(Math.abs(onNoisy.separability.value - onDenoised.separability.value)).toBeGreaterThan(1e-3);
  });
});

describe("infodyn guidance on a network (examples/blobs-net.json)", () => {
  it("equals the library route on the same options: our w, the network route's JSON, no KL", async () => {
    const j = await runNetworkGuidance(blobs, { ...cli, w: "2.5" });
    expect(j.route).toBe("network");
    expect(j.kl).toBeUndefined();
    expect(j.params.schedule).toEqual({ type: "constant", w: 2.5, gamma: 1.5 });
    const training = deltas(blobs.data, { labels: Array.from(blobs.labels!) });
    const want = await networkDistortion(blobs.denoiser, training, { label: 0, schedule: { type: "constant", w: 2.5 }, n: 64, steps: 16, sigmaMin: j.params.sigmaMin, sigmaMax: j.params.sigmaMax, seed: 0 });
    expect(j.separability.value).toBe(want.separability.value);
    expect(j.accuracy.value).toBe(want.accuracy.value);
    expect(j.w2.value).toBe(want.w2.value);
    expect(j.decision.peak.sigma).toBeGreaterThan(j.params.sigmaMin);
    expect(j.decision.peak.sigma).toBeLessThan(j.params.sigmaMax);
    expect(j.decision.low.sigma).toBeLessThan(j.decision.high.sigma);
  });

  it("guidance raises separability: w = 0 < w = 1 ≤ w = 4", async () => {
    const at = async (w: string) => (await runNetworkGuidance(blobs, { ...cli, w, n: "128" })).separability;
    const [s0, s1, s4] = [await at("0"), await at("1"), await at("4")];
    expect(s1.value).toBeGreaterThan(s0.value + 3 * Math.hypot(s0.standardError, s1.standardError));
    expect(s4.value).toBeGreaterThanOrEqual(s1.value - 0.01);
  });

  it("--optimize reaches the target separability with a window, and re-measures constant guidance beside it", async () => {
    const j = await runNetworkGuidance(blobs, { ...cli, optimize: true, separability: "0.9", searchN: "64", edges: "1" });
    const o = j.optimize!;
    expect(o.objective).toBe("w2");
    // the search's separability is a staircase of steps ~1/64 (end states sit on one blob at σ_min)
    expect(o.optimum.search.separability).toBeGreaterThanOrEqual(0.9 - 1.5 / 64);
    expect(o.constant).toBeDefined();
    expect(o.optimum.search.w2).toBeLessThanOrEqual(o.constant!.search.w2!);
    // the Pareto front (separability vs sliced W₂) over every evaluated schedule: ascending in both, and the
    // optimum at the target is not beaten by any front point of at least its separability
    expect(o.front.length).toBeGreaterThan(0);
    for (let i = 1; i < o.front.length; i++) {
      expect(o.front[i].separability).toBeGreaterThan(o.front[i - 1].separability);
      expect(o.front[i].w2!).toBeGreaterThan(o.front[i - 1].w2!);
    }
    for (const f of o.front) if (f.separability >= 0.9 - 1.5 / 64) expect(f.w2!).toBeGreaterThanOrEqual(o.optimum.search.w2! - 1e-12);
    expect(o.front.length).toBeLessThanOrEqual(o.evaluations);
  });

  it("refuses more work than the budget, naming the option", async () => {
    await expect(runNetworkGuidance(blobs, { ...cli, n: "10000000" })).rejects.toThrow(/--n: 10,?000,?000 paths .* work budget/);
  });
});
