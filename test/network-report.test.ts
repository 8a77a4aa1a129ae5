import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { buildNetworkReport, NETWORK_SKIPPED, networkReportPlan } from "../src/report/network.js";
import { deltas } from "../src/models/deltas.js";
import { parseNpy } from "../src/io/npy.js";
import { root, runCli } from "./cli-run.js";

const dir = mkdtempSync(join(tmpdir(), "infodyn-netreport-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const npy = (name: string) => parseNpy(new Uint8Array(readFileSync(join(root, "examples", name))));

describe("infodyn report on a network (examples/blobs-net.json)", () => {
  it("writes the report with the gap, the classifier and the skipped analyses, and the network never beats the optimum", async () => {
    const out = join(dir, "blobs");
    const r = await runCli(["report", "examples/blobs-net.json", "--out", out], { timeoutMs: 120_000 });
    expect(r.stderr).not.toMatch(/Error|at .*\.js/);
    expect(r.code).toBe(0);
    const j = JSON.parse(readFileSync(join(out, "results.json"), "utf8"));
    expect(j.command).toBe("report");
    expect(j.model.type).toBe("denoiser");
    expect(Object.keys(j.skipped)).toEqual(Object.keys(NETWORK_SKIPPED));
    // no denoiser can go below the exact mmse of its training set: the loss ≥ the exact value within 4 combined SE
    const { loss, exact } = j.gap;
    for (let i = 0; i < loss.length; i++) expect(loss[i].value).toBeGreaterThan(exact[i].value - 4 * Math.hypot(loss[i].standardError, exact[i].standardError));
    // the classifier is a probability: its entropy stays in [0, log 3], starting at the labels' entropy
    for (const h of j.classifier.classEntropy) expect(h).toBeGreaterThanOrEqual(-1e-12), expect(h).toBeLessThanOrEqual(Math.log(3) + 1e-12);
    const html = readFileSync(join(out, "index.html"), "utf8");
    expect(html).toContain("Not measured on a network");
    expect(html).toContain("optimality gap");
    for (const f of ["optimality-gap", "rate-estimators", "class-entropy-rate", "class-entropy", "lyapunov", "schedules"]) expect(j.summary && html).toContain(`fig-${f}`);
  });
});

describe("buildNetworkReport on an exact denoiser: network and optimum coincide", () => {
  it("the exact posterior mean of the training set as the 'network' does not part from itself", async () => {
    const points = npy("blobs.npy");
    const labels = Int32Array.from(npy("blobs-labels.npy").data as ArrayLike<number>);
    const data = { rows: points.shape[0], dim: 2, data: Float64Array.from(points.data as ArrayLike<number>) };
    const model = deltas(data, { labels: Array.from(labels) });
    const plan = networkReportPlan(data, { seed: 3 });
    const report = await buildNetworkReport({ denoiser: model, data, labels, conventions: "the exact posterior mean" }, plan, { source: "exact" });
    const g = report.results.gap;
    expect(g.parting).toBeUndefined();
    // the likelihood section: with the exact denoiser both routes estimate the exact smoothed likelihood of the same
    // points — the I-MMSE route within 4 of its own Monte Carlo errors, the ODE (exact divergence in 2-D) to 1 % (rtol 1e-3)
    const lk = report.results.likelihood;
    expect(Math.abs(lk.immse.bitsPerDim - lk.exact.bitsPerDim)).toBeLessThan(4 * lk.immse.estimateError);
    expect(Math.abs(lk.ode.bitsPerDim - lk.exact.bitsPerDim)).toBeLessThan(0.01 * Math.abs(lk.exact.bitsPerDim));
    // loss and exact mmse estimate one quantity by independent draws: they agree within 4 combined SE where the mmse is
    // above 1 % of its largest value (below, it is a mean of rare events — a few draws near another point — whose
    // standard error is itself unreliable: 120 draws and 4000 can differ by orders of magnitude there)
    const top = Math.max(...g.exact.map((e) => e.value));
    const resolved = g.sigma.map((_, i) => g.exact[i].value > 0.01 * top);
    expect(resolved.filter(Boolean).length).toBeGreaterThan(10);
    for (let i = 0; i < g.sigma.length; i++) if (resolved[i]) expect(Math.abs(g.excess[i].value)).toBeLessThan(4 * g.excess[i].standardError);
    // the class-rate route of the exact conditional means agrees with the exact class rate (within 4 SE + 2 %)
    const net = report.results.profile;
    const ex = report.results.exact;
    // where the class rate is above 20 % of its peak (below, the same rare-event regime: 120 samples with one draw
    // each rarely land between two classes)
    const peak = Math.max(...ex.classEntropyRate!);
    for (let i = 0; i < g.sigma.length; i++) {
      if (!(ex.classEntropyRate![i] > 0.2 * peak)) continue;
      const se = Math.hypot(net.standardError!.classEntropyRate![i], ex.classEntropyRateStandardError![i]);
      expect(Math.abs(net.classEntropyRate![i] - ex.classEntropyRate![i])).toBeLessThan(4 * se + 0.02 * ex.classEntropyRate![i]);
    }
  });
});

describe("infodyn paths on a conditional network: the online Bayes classifier along the em paths", () => {
  it("starts at the labels' entropy and ends with most paths decided; none on the ODE", async () => {
    const r = await runCli(["paths", "examples/blobs-net.json", "--sampler", "em", "--steps", "60", "--n", "40", "--json"], { timeoutMs: 120_000 });
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    const c = j.classifier;
    expect(c.paths).toBe(40);
    expect(c.classEntropy).toHaveLength(j.sigma.length);
    // starts at the labels' entropy (three equal blobs: log 3) and falls: at σ_min the class is decided on most paths
    expect(c.classEntropy[0]).toBeCloseTo(Math.log(3), 2);
    expect(c.classEntropy.at(-1)).toBeLessThan(0.3);
    expect(c.predicted.reduce((a: number, b: number) => a + b, 0)).toBe(40);
    // (that its steps are the sampler's own is checked in test/class-rate.test.ts); no classifier on the ODE
    const other = await runCli(["paths", "examples/blobs-net.json", "--sampler", "heun", "--steps", "20", "--n", "8", "--json"], { timeoutMs: 120_000 });
    expect(JSON.parse(other.stdout).classifier).toBeUndefined();
  });
});
