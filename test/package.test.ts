import { execSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import * as api from "../src/index.js";

const root = join(import.meta.dirname, "..");

describe("the package", () => {
  it("VERSION matches package.json", () => {
    expect(api.VERSION).toBe(JSON.parse(readFileSync(join(root, "package.json"), "utf8")).version);
  });
  it("the README's library example runs and gives the documented numbers", () => {
    const model = api.parseModel({ kind: "deltas", points: [[-1], [1]], labels: ["minus", "plus"] });
    const post = model.posterior(api.fromRows([[0.3]]), 0.5, { entropy: true, classProbs: true });
    expect(post.mean.data[0]).toBeCloseTo(Math.tanh(0.3 / 0.25), 14);
    expect(api.profileAt(model, 1).entropyRate).toBeCloseTo(0.4495995092, 9);
    expect(api.informationProfile(model, api.logGrid(0.05, 10, 200)).peaks.entropyRateLogSigma!.sigma).toBeCloseTo(0.81423867, 7);
  });
  it("the core imports no node: module (it must bundle for the browser; cli/, bench/ and node/ are the Node faces)", () => {
    const hits = execSync("grep -rlE \"from \\\"node:|require\\(\\\"node:\" src --include=*.ts || true", { cwd: root, encoding: "utf8" })
      .split("\n")
      .filter((f) => f && !f.startsWith("src/cli/") && !f.startsWith("src/bench/") && !f.startsWith("src/node/"));
    expect(hits).toEqual([]);
  });
});
