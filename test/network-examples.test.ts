import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadModel, type LoadedModel } from "../src/cli/files.js";
import { root } from "./cli-run.js";
import { expectClose } from "./helpers.js";

/*
 * The committed example networks (examples/make_networks.py, issue 15 item 4) through infodyn's ONNX route equal
 * the torch models they were exported from: test/fixtures/onnx/networks-reference.json holds torch's D(x, σ, c) at
 * six noisy training points per network, computed in the network's native coordinates (the flow path's
 * y = x_t − t v; EDM's c_skip x + c_out F).
 *
 * Tolerance: both sides are float32 forward passes of the same weights by two runtimes (torch, ONNX Runtime) with
 * different kernels and summation orders, and infodyn rounds c_in x to float32 once from float64 where torch
 * rounds x first: differences of a few 2⁻²⁴ per layer. Measured: 3.4e-7 (blobs, |D| ≤ 2) and 1.6e-5 (digits, pixels
 * ≤ 16); the tolerance 2e-5 × (1 + scale), scale 1 and 16, leaves a margin of 20× or more.
 */

const reference = JSON.parse(readFileSync(join(root, "test", "fixtures", "onnx", "networks-reference.json"), "utf8"));
const denoiserOf = (name: string): Extract<LoadedModel, { type: "denoiser" }> => {
  const l = loadModel(join(root, "examples", `${name}.json`));
  if (l.type !== "denoiser") throw new Error(`${name} is not a denoiser`);
  return l;
};

describe("the example networks equal their torch models", () => {
  for (const [name, dim, classes, scale] of [["blobs-net", 2, 3, 1], ["digits-net", 64, 10, 16]] as const)
    it(`${name}: D = ${dim}, ${classes} classes, a null class; D(x, σ, c) of torch at 6 σ to 2e-5 × ${1 + scale}`, async () => {
      const loaded = denoiserOf(name);
      expect(loaded.denoiser.dim).toBe(dim);
      expect(loaded.denoiser.numClasses).toBe(classes);
      expect(loaded.labels?.length).toBe(loaded.data.rows);
      const ref = reference[name] as { x: number[][]; sigma: number[]; class: number[]; denoised: number[][] };
      const x = { rows: ref.x.length, dim, data: Float64Array.from(ref.x.flat()) };
      const got = await loaded.denoiser.denoise(x, Float64Array.from(ref.sigma), { labels: Int32Array.from(ref.class) });
      ref.denoised.flat().forEach((want, i) =>
        expectClose(got.data[i], want, { atol: 2e-5 * (1 + scale) }, `${name} σ=${ref.sigma[Math.floor(i / dim)]} class ${ref.class[Math.floor(i / dim)]} [${i % dim}]`),
      );
    });
});
