import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { likelihoodJsonSchema } from "../src/contracts/likelihood.js";
import { runCli } from "./cli-run.js";

const json = (s: string) => JSON.parse(s) as Record<string, unknown> & { nll: number[]; exact?: number[]; bitsPerDim: number[] };

describe("infodyn likelihood and pmi", () => {
  it("likelihood --json on a 2-D mixture: the envelope, both routes beside the exact value", async () => {
    const points = "[[-1.5,0],[1.5,0.5],[0,2],[0,0.5],[3,-1]]";
    for (const method of ["immse", "ode"]) {
      const r = await runCli(["likelihood", "examples/gmm-2d.json", "--points", points, "--method", method, "--json"], { timeoutMs: 60_000 });
      expect(r.code, r.stderr).toBe(0);
      const out = json(r.stdout);
      likelihoodJsonSchema.parse(out); // every key of the contract, and no other
      expect(Object.keys(out).slice(0, 5)).toEqual(["command", "version", "model", "params", "method"]);
      expect(out.command).toBe("likelihood");
      expect(out.method).toBe(method);
      for (let i = 0; i < 5; i++) {
        expect(Math.abs(out.nll[i] - out.exact![i])).toBeLessThan((method === "immse" ? 1e-6 : 1e-5) * Math.abs(out.exact![i]));
        expect(out.bitsPerDim[i]).toBeCloseTo(out.nll[i] / (2 * Math.LN2), 12);
      }
    }
  });

  it("refuses a singular Gaussian and a sphere without --smoothing in one line naming the reason (exit 2), and takes them with it", async () => {
    const dir = mkdtempSync(join(tmpdir(), "infodyn-likelihood-"));
    const file = join(dir, "singular.json");
    writeFileSync(file, JSON.stringify({ kind: "gaussian", mean: [0, 0], cov: [[1, 1], [1, 1]] }));
    const singular = await runCli(["likelihood", file, "--points", "[[1,1]]"]);
    expect(singular.code).toBe(2);
    expect(singular.stderr.trim().split("\n")).toHaveLength(1);
    expect(singular.stderr).toMatch(/gaussian: the covariance is singular \(rank 1 < D = 2\), so there is no density in R\^2; give a smoothing s > 0/);
    const sphere = await runCli(["likelihood", "examples/sphere.json", "--points", "[[1,0]]"]);
    expect(sphere.code).toBe(2);
    expect(sphere.stderr).toMatch(/sphere: .*no density in R\^2; give a smoothing s > 0/);
    const ok = await runCli(["likelihood", "examples/sphere.json", "--points", "[[1,0]]", "--smoothing", "0.2", "--json"]);
    expect(ok.code, ok.stderr).toBe(0);
    const out = json(ok.stdout);
    expect(Math.abs(out.nll[0] - out.exact![0])).toBeLessThan(1e-6 * Math.abs(out.exact![0]));
  });

  it("pmi --json against the exact pointwise mutual information of a labelled mixture", async () => {
    const r = await runCli(["pmi", "examples/gmm-2d.json", "--points", "[[-1.5,0],[1.5,0.5],[0,0.5]]", "--labels", "[0,1,2]", "--json"], { timeoutMs: 60_000 });
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { command: string; pmi: number[]; exact: number[] };
    expect(out.command).toBe("pmi");
    for (let i = 0; i < 3; i++) expect(Math.abs(out.pmi[i] - out.exact[i])).toBeLessThan(1e-6 + 1e-6 * Math.abs(out.exact[i]));
  });
});
