import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadModel } from "../src/cli/files.js";
import { InfodynError } from "../src/errors.js";
import { root, runCli } from "./cli-run.js";

/* Onnx model files: every bad field is one InfodynError naming the file and the field (exit 2 on the CLI). */

const FIX = join(root, "test", "fixtures", "onnx");
const dir = mkdtempSync(join(tmpdir(), "infodyn-onnx-"));
const base = { kind: "onnx", path: join(FIX, "x0-sigma-class.onnx"), parameterization: "x0", process: "ve", noiseInput: "sigma", data: join(FIX, "data.npy") };
let k = 0;
function file(spec: object): string {
  const p = join(dir, `m${k++}.json`);
  writeFileSync(p, JSON.stringify(spec));
  return p;
}
const loadError = (spec: object): string => {
  try {
    loadModel(file(spec));
  } catch (e) {
    expect(e).toBeInstanceOf(InfodynError);
    return (e as Error).message;
  }
  throw new Error("expected an InfodynError");
};
async function readyError(spec: object): Promise<string> {
  const l = loadModel(file(spec));
  if (l.type !== "denoiser") throw new Error("not a denoiser");
  try {
    await l.denoiser.denoise({ rows: 1, dim: 2, data: new Float64Array(2) }, 1);
  } catch (e) {
    expect(e).toBeInstanceOf(InfodynError);
    return (e as Error).message;
  }
  throw new Error("expected an InfodynError");
}

describe("onnx model files: one line naming the field", () => {
  it("an unknown field, with the known ones and a did-you-mean", () => {
    expect(loadError({ ...base, nullclass: 2 })).toMatch(/m\d+\.json: nullclass: unknown field of an onnx model \(expected kind, path, .*\); did you mean 'nullClass'\?/);
    expect(loadError({ ...base, inputs: { sample: "x" } })).toMatch(/inputs\.sample: unknown field of inputs \(expected x, noise, class\)/);
  });
  it("a misspelt convention, with the choices and the nearest", () => {
    expect(loadError({ ...base, parameterization: "epsilon" })).toMatch(/parameterization: "epsilon" is not a parameterization \(expected one of eps, x0, v, score, edm\); did you mean 'eps'\?/);
    expect(loadError({ ...base, noiseInput: "sigmas" })).toMatch(/noiseInput: "sigmas" is not a noise input .*did you mean 'sigma'\?/);
    expect(loadError({ ...base, process: "vp_linear" })).toMatch(/process: "vp_linear" is not a process \(expected one of ve, edm, vp-linear, vp-cosine, flow, or a DDPM schedule .*did you mean 'vp-linear'\?/);
    expect(loadError({ ...base, process: { betas: [0.1, 1.5] }, noiseInput: "timestep" })).toMatch(/process\.betas\[1\]: must be in \(0, 1\)/);
    expect(loadError({ ...base, process: { beta: [0.1] } })).toMatch(/process\.beta: unknown field of a beta schedule \(expected betas\); did you mean 'betas'\?/);
    const { parameterization: _, ...noParam } = base;
    expect(loadError(noParam)).toMatch(/parameterization: is required: the parameterization \(one of eps, x0, v, score, edm\)/);
  });
  it("conventions that do not combine", () => {
    expect(loadError({ ...base, noiseInput: "timestep" })).toMatch(/noiseInput: "timestep" needs a beta schedule/);
    expect(loadError({ ...base, process: { betas: [0.1] }, noiseInput: "t" })).toMatch(/noiseInput: a beta schedule has integer timesteps/);
    expect(loadError({ ...base, parameterization: "v" })).toMatch(/parameterization: "v" \(v-prediction\) is defined for variance-preserving processes/);
    expect(loadError({ ...base, parameterization: "edm", process: "vp-cosine" })).toMatch(/parameterization: "edm" preconditioning acts on VE states/);
    expect(loadError({ ...base, sigmaData: 1 })).toMatch(/sigmaData: is EDM preconditioning's σ_data; parameterization is "x0"/);
    expect(loadError({ ...base, numClasses: 2, nullClass: 1 })).toMatch(/nullClass: 1 is one of the 2 classes/);
  });
  it("files: the graph, the data, the labels", () => {
    expect(loadError({ ...base, path: "nope.onnx" })).toMatch(/path: file nope\.onnx not found \(looked for .*nope\.onnx\)/);
    expect(loadError({ ...base, path: dir })).toMatch(/path: .* is not a file/);
    expect(loadError({ ...base, data: "nope.npy" })).toMatch(/data: file nope\.npy not found/);
    expect(loadError({ ...base, labels: join(FIX, "labels.npy"), data: join(FIX, "x0-sigma-class.json") })).toMatch(/x0-sigma-class\.json/);
    expect(loadError({ ...base, shape: [3] })).toMatch(/shape: \[3\] holds 3 numbers per sample, .*data\.npy has 2/);
    expect(loadError({ ...base, inputs: { class: "class" } })).toMatch(/numClasses: a class-conditional network needs its number of classes/);
  });
  it("the graph against the file, at the first call: input names with a did-you-mean, unfed inputs, the output", async () => {
    expect(await readyError({ ...base, numClasses: 2, nullClass: 2, inputs: { noise: "nois" } })).toMatch(/inputs\.noise: the network has no input 'nois' \(its inputs: x, noise, class\); did you mean 'noise'\?/);
    expect(await readyError(base)).toMatch(/inputs: the network's input 'class' is not fed .*a class input needs "inputs\.class", "numClasses" or "labels"/);
    expect(await readyError({ ...base, numClasses: 2, nullClass: 2, output: "outt" })).toMatch(/output: the network has no output 'outt' \(its outputs: out\); did you mean 'out'\?/);
    expect(await readyError({ ...base, numClasses: 2 })).toMatch(/row 0 asks for the unconditional denoiser, but this class-conditional network has no "nullClass"/);
    expect(await readyError({ ...base, path: join(FIX, "eps-timestep-int.onnx"), parameterization: "eps", noiseInput: "sigma" })).toMatch(/inputs\.noise: 'timestep' is an integer tensor \(int64\); only a "timestep" noise input can be/);
    expect(await readyError({ ...base, path: join(FIX, "points.json") })).toMatch(/cannot load the network/);
  });
  it("the CLI prints the line and exits 2", async () => {
    const r = await runCli(["profile", file({ ...base, parameterization: "epsilon" })]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/parameterization: "epsilon" is not a parameterization/);
    const g = await runCli(["profile", file({ ...base, numClasses: 2, nullClass: 2, inputs: { noise: "nois" } }), "--sigma", "1"]);
    expect(g.code).toBe(2);
    expect(g.stderr).toMatch(/inputs\.noise: the network has no input 'nois'/);
    expect(g.stderr.trim().split("\n")).toHaveLength(1);
  });
});
