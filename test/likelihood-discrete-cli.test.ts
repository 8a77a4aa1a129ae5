import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { erf } from "./helpers.js";
import { describe, expect, it } from "vitest";
import { likelihoodJsonSchema, type LikelihoodJson } from "../src/contracts/likelihood.js";
import { runCli } from "./cli-run.js";

/*
 * `infodyn likelihood --levels L --range a,b [--dequantizations M]` (issue 16 item 1): the exact discrete −log P(bin)
 * beside the uniformly dequantised estimate. Independent routes: test/fixtures/make_discrete_cli.py (scipy dblquad of
 * the bin and of −log p over it, for a 2-D diagonal GMM on a 16-level grid), and for a diagonal Gaussian the product
 * of Φ differences with the erf below.
 */
interface Fixture { model: unknown; levels: number; range: [number, number]; binWidth: number; points: number[][]; binNll: number[]; meanNll: number[] }
const fixture = JSON.parse(readFileSync(join(import.meta.dirname, "fixtures", "discrete_cli.json"), "utf8")) as Fixture;
const dir = mkdtempSync(join(tmpdir(), "infodyn-discrete-"));
const write = (name: string, obj: unknown) => {
  const file = join(dir, name);
  writeFileSync(file, JSON.stringify(obj));
  return file;
};
const gmmFile = write("gmm.json", fixture.model);
const grid = ["--levels", String(fixture.levels), "--range", fixture.range.join(",")];

async function likelihood(args: string[]): Promise<LikelihoodJson> {
  const r = await runCli(["likelihood", ...args, "--json"], { timeoutMs: 120_000 });
  expect(r.code, r.stderr).toBe(0);
  return likelihoodJsonSchema.parse(JSON.parse(r.stdout)) as LikelihoodJson;
}

describe("likelihood --levels: the exact discrete −log P(bin) beside the dequantised estimate", () => {
  it("gives exactDiscrete of a 2-D diagonal GMM equal to scipy's dblquad of each bin to 1e-10", async () => {
    const out = await likelihood([gmmFile, "--points", JSON.stringify(fixture.points), ...grid, "--nodes", "16", "--step", "0.4"]);
    // 1e-10 relative: dblquad ran at epsrel 1e-13 and met scipy's norm.cdf route to 2e-14; ours sums logs of Φ differences
    fixture.binNll.forEach((want, i) => {
      const got = out.exactDiscrete![i];
      expect(Math.abs(got - want), `point ${i}: got ${got}, want ${want}`).toBeLessThanOrEqual(1e-10 * Math.abs(want));
      expect(out.exactDiscreteBitsPerDim![i]).toBeCloseTo(want / (2 * Math.LN2), 10);
    });
    expect(out.params.quantization).toEqual({ levels: 16, range: [-3, 3], binWidth: 0.4, dequantization: "uniform", dequantizations: 1 });
    expect(out.exactDiscreteOmitted).toBeUndefined();
  });

  it("gives exactDiscrete of a diagonal Gaussian (and of it smoothed) equal to the product of Φ differences to 1e-10", async () => {
    const mean = [0.3, -0.2];
    const variance = [0.7, 1.3];
    const file = write("diag-gaussian.json", { kind: "gaussian", mean, cov: [[variance[0], 0], [0, variance[1]]] });
    const points = [[0, 0], [0.5, -1], [2.5, 2.5], [-2, 1.5]];
    const delta = 0.5; // 11 levels over [−2.5, 2.5]
    for (const s of [0, 0.3]) {
      const out = await likelihood([file, "--points", JSON.stringify(points), "--levels", "11", "--range", "-2.5,2.5", "--smoothing", String(s)]);
      points.forEach((v, i) => {
        let p = 1;
        for (let d = 0; d < 2; d++) {
          const sd = Math.sqrt(variance[d] + s * s);
          p *= Phi((v[d] + delta / 2 - mean[d]) / sd) - Phi((v[d] - delta / 2 - mean[d]) / sd);
        }
        // 1e-10 relative: P ≥ 1e-3 here, so the erf's 1e-15 absolute error is ≤ 1e-12 of P
        const want = -Math.log(p);
        const got = out.exactDiscrete![i];
        expect(Math.abs(got - want), `s = ${s}, point ${i}: got ${got}, want ${want}`).toBeLessThanOrEqual(1e-10 * Math.abs(want));
      });
    }
  });

  it("bounds −log P(bin) from above by the dequantised estimate (E_u[−log p(y + u)] − D log Δ), within its Monte Carlo error, on a 2-D GMM on 16 levels", async () => {
    const M = 32;
    const out = await likelihood([gmmFile, "--points", JSON.stringify(fixture.points), ...grid, "--dequantizations", String(M), "--seed", "5", "--nodes", "16", "--step", "0.4"]);
    expect(out.params.quantization?.dequantizations).toBe(M);
    expect(out.notes.join(" ")).toMatch(/uniform dequantisation: .*Δ = 0\.4, 32 seeded draws of u per point/);
    const D = 2;
    const se = out.standardError!;
    fixture.points.forEach((_, i) => {
      expect(se[i]).toBeGreaterThan(0);
      // the estimate of E_u[−log p(v + u)] meets scipy's dblquad of −log p over the bin within 4 standard errors
      // (the estimator's own error at 16 nodes and step 0.4, ≲ 1e-6 nats, is far below se ~ 1e-2)
      expect(Math.abs(out.nll[i] - fixture.meanNll[i]), `point ${i}: ${out.nll[i]} vs ${fixture.meanNll[i]} ± ${se[i]}`).toBeLessThan(4 * se[i]);
      // Jensen: discreteBitsPerDim ≥ exactDiscreteBitsPerDim, up to 3 standard errors of the estimate
      expect(out.discreteBitsPerDim![i] + (3 * se[i]) / (D * Math.LN2)).toBeGreaterThanOrEqual(out.exactDiscreteBitsPerDim![i]);
      // the same in nats, by our own units: nll − D log Δ ≥ −log P(bin)
      expect(out.nll[i] - D * Math.log(fixture.binWidth) + 3 * se[i]).toBeGreaterThanOrEqual(fixture.binNll[i]);
      // the exact continuous −log p, averaged over the same u, agrees with the estimate to the estimator's error
      expect(Math.abs(out.exact![i] - out.nll[i])).toBeLessThan(1e-5);
    });
  });

  it("refuses --dequantizations 0, 1.5, x (and without --levels) in one line naming the option, exit 2", async () => {
    for (const bad of ["0", "1.5", "x"]) {
      const r = await runCli(["likelihood", gmmFile, "--points", "[[0,0]]", ...grid, "--dequantizations", bad]);
      expect(r.code, `--dequantizations ${bad}`).toBe(2);
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
      expect(r.stderr).toMatch(new RegExp(`--dequantizations: '${bad.replace(".", "\\.")}' is not an integer ≥ 1`));
    }
    const r = await runCli(["likelihood", gmmFile, "--points", "[[0,0]]", "--dequantizations", "4"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--dequantizations: .*give --levels and --range/);
    const off = await runCli(["likelihood", gmmFile, "--points", "[[0.1,0]]", ...grid]);
    expect(off.code).toBe(2);
    expect(off.stderr).toMatch(/point 0, coordinate 0 = 0\.1 is not one of the 16 grid levels/);
  });

  it("omits exactDiscrete for a full covariance, saying why in one line, and still gives the dequantised bound", async () => {
    const file = write("full-gaussian.json", { kind: "gaussian", mean: [0, 0], cov: [[1, 0.5], [0.5, 1]] });
    const out = await likelihood([file, "--points", "[[0.2,-0.2],[0.6,-1]]", ...grid]);
    expect(out.exactDiscrete).toBeUndefined();
    expect(out.exactDiscreteBitsPerDim).toBeUndefined();
    expect(out.exactDiscreteOmitted).toMatch(/^gaussian has a full \(non-diagonal\) covariance/);
    expect(out.exactDiscreteOmitted).not.toMatch(/\n/);
    expect(out.discreteBitsPerDim).toHaveLength(2);
    const text = await runCli(["likelihood", file, "--points", "[[0.2,0.2]]", ...grid]);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/note: exact discrete −log P\(bin\) omitted: gaussian has a full/);
  });

  it("prints exactDiscrete and its bits/dim in columns of the text output", async () => {
    const r = await runCli(["likelihood", gmmFile, "--points", JSON.stringify(fixture.points.slice(0, 2)), ...grid, "--nodes", "16", "--step", "0.4"]);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.split("\n");
    const head = lines.find((l) => l.includes("exact discrete (nats)"))!;
    expect(head).toMatch(/exact discrete bits\/dim/);
    // the row of point 0 holds −log P(bin) to 8 digits (fmt: toPrecision(8))
    expect(lines.some((l) => /^\s*0\s/.test(l) && l.includes(fixture.binNll[0].toPrecision(8)))).toBe(true);
  });
});

/** Φ(x) = ½(1 + erf(x/√2)). */
const Phi = (x: number) => 0.5 * (1 + erf(x / Math.SQRT2));


describe("the test's erf", () => {
  it("meets scipy.special.erf to 2e-15", () => {
    const scipy: [number, number][] = [[0.1, 0.1124629160182849], [0.5, 0.5204998778130465], [1, 0.8427007929497148], [1.9, 0.9927904292352575], [2, 0.9953222650189527], [2.5, 0.999593047982555], [2.9, 0.9999589021219005], [3.5, 0.9999992569016276], [5, 0.9999999999984626]];
    // 2e-15: a few ulps (the series below 2, whose alternating terms stay below 4, loses at most one digit)
    for (const [x, want] of scipy) expect(Math.abs(erf(x) - want), `erf(${x})`).toBeLessThan(2e-15);
  });
});
