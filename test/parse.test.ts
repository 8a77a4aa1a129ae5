import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { InfodynError } from "../src/errors.js";
import { parseModel, parseModelFile } from "../src/models/parse.js";
import { fromRows } from "../src/batch.js";

const examples = join(import.meta.dirname, "..", "examples");
const readFile = (p: string) => new Uint8Array(readFileSync(join(examples, p)));
const bad = (json: unknown) => () => parseModel(json, { source: "m.json", readFile });

describe("model files: validation names the field", () => {
  it("rejects an unknown kind and lists the known ones", () => {
    expect(bad({ kind: "wavelet" })).toThrow(/^m\.json: kind: unknown model kind "wavelet" \(expected one of deltas, gaussian/);
    expect(bad({ points: [[1]] })).toThrow(/m\.json: kind: unknown model kind undefined/);
    expect(bad([1, 2])).toThrow(/m\.json: a model must be a JSON object/);
  });
  it("names missing and mistyped fields with their path", () => {
    expect(bad({ kind: "deltas" })).toThrow(/m\.json: points: /);
    expect(bad({ kind: "deltas", points: [[1], ["a"]] })).toThrow(/m\.json: points\[1\]\[0\]: .*expected number/);
    expect(bad({ kind: "gmm", components: [{ weight: 1, mean: [0], variance: 1 }, { weight: 1, mean: [0], cov: "x" }] })).toThrow(
      /m\.json: components\[1\]\.cov: /,
    );
  });
  it("rejects wrong dimensions", () => {
    expect(bad({ kind: "deltas", points: [[1, 2], [3]] })).toThrow("m.json: points[1]: has 1 entries, expected 2");
    expect(bad({ kind: "deltas", points: [[1], [2]], weights: [1] })).toThrow("m.json: weights: has 1 entries, expected 2 (one per point)");
    expect(bad({ kind: "gaussian", mean: [0, 0], cov: [[1]] })).toThrow("m.json: cov: has 1 rows, expected 2");
    expect(bad({ kind: "gmm", components: [{ weight: 1, mean: [0], variance: 1 }, { weight: 1, mean: [0, 1], variance: 1 }] })).toThrow(
      "m.json: components[1].mean: has 2 entries, expected 1",
    );
  });
  it("rejects negative weights, a non-PSD covariance, an asymmetric matrix and a bad temperature", () => {
    expect(bad({ kind: "deltas", points: [[1], [2]], weights: [1, -1] })).toThrow(/m\.json: weights\[1\]: must be non-negative/);
    expect(bad({ kind: "deltas", points: [[1], [2]], weights: [0, 0] })).toThrow("m.json: weights: must not all be zero");
    expect(
      bad({ kind: "gmm", components: [{ weight: 1, mean: [0, 0], variance: 1 }, { weight: 1, mean: [0, 0], cov: [[1, 2], [2, 1]] }] }),
    ).toThrow(/m\.json: components\[1\]\.cov: not positive semi-definite/);
    expect(bad({ kind: "gaussian", mean: [0, 0], cov: [[1, 0.5], [0.4, 1]] })).toThrow(/m\.json: cov: not symmetric/);
    expect(bad({ kind: "ising", couplings: [[0, 1], [1, 0]], temperature: 0 })).toThrow(/m\.json: temperature: must be positive/);
    expect(bad({ kind: "gmm", components: [{ weight: 1, mean: [0] }] })).toThrow(/components\[0\]: needs exactly one of 'cov'/);
  });
  it("rejects NaN and ∞ given through the API", () => {
    expect(bad({ kind: "deltas", points: [[NaN]] })).toThrow(/m\.json: points\[0\]\[0\]: /);
    expect(bad({ kind: "sphere", dim: 3, radius: Infinity })).toThrow(/m\.json: radius: /);
  });
  it("names a missing dataset file and a bad .npy header", () => {
    expect(bad({ kind: "dataset", path: "nope.npy" })).toThrow(/m\.json: path: cannot read nope\.npy/);
    expect(() =>
      parseModel({ kind: "dataset", path: "x.npy" }, { source: "m.json", readFile: () => new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]) }),
    ).toThrow(/x\.npy: /);
  });
  it("refuses Ising models beyond exact enumeration", () => {
    const J = Array.from({ length: 21 }, () => new Array(21).fill(0));
    expect(bad({ kind: "ising", couplings: J, temperature: 1 })).toThrow("m.json: couplings: 21 spins exceed the exact-enumeration limit of 20");
  });
  it("every error is an InfodynError", () => {
    try {
      bad({ kind: "deltas", points: [] })();
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(InfodynError);
    }
  });
});

describe("model files: the examples build", () => {
  it("reads the dataset example with string-free integer labels as three classes", () => {
    const m = parseModel(JSON.parse(readFileSync(join(examples, "blobs.json"), "utf8")), { readFile });
    expect(m.kind).toBe("deltas");
    expect(m.dim).toBe(2);
    expect(m.numClasses).toBe(3);
    const p = m.posterior(fromRows([[0, 0]]), 1e4, { classProbs: true });
    // at huge σ the class probabilities are the class frequencies, 40/120 each
    for (let c = 0; c < 3; c++) expect(p.classProbs![c]).toBeCloseTo(1 / 3, 6);
  });
});

describe("model files: a testbed is a denoiser with data samples", () => {
  const files: Record<string, string> = {
    "tri.json": readFileSync(join(examples, "triangle.json"), "utf8"),
    "sub/ds.json": JSON.stringify({ kind: "dataset", path: "pts.csv" }),
    "sub/pts.csv": "x,y\n0,0\n1,1\n2,0\n",
    "bad.json": '{"kind": "deltas", "points": [[1, 2], [3]]}',
    "tb.json": JSON.stringify({ kind: "testbed", model: "tri.json" }),
  };
  const reader = (p: string) => {
    if (!(p in files)) throw new Error(`no file ${p}`);
    return new TextEncoder().encode(files[p]);
  };
  const load = (json: unknown) => parseModelFile(json, { source: "t.json", readFile: reader });
  const fails = (json: unknown) => () => load(json);

  it("wraps an inline model or a model file (paths relative to it), with `samples` draws of the model", () => {
    const a = load({ kind: "testbed", model: { kind: "deltas", points: [[-1], [1]] }, shrink: 0.25, samples: 100, seed: 2, name: "net" });
    expect(a).toMatchObject({ type: "denoiser", kind: "testbed", name: "net" });
    if (a.type !== "denoiser") return;
    expect([a.data.rows, a.data.dim, a.denoiser.dim]).toEqual([100, 1, 1]);
    expect(a.labels).toBeUndefined();
    for (const v of a.data.data) expect(Math.abs(v)).toBe(1);
    const b = load({ kind: "testbed", model: "sub/ds.json", samples: 10 });
    expect(b.type === "denoiser" && b.data.dim).toBe(2);
    const c = load({ kind: "testbed", model: "tri.json", samples: 30 });
    expect(c.type === "denoiser" && c.labels?.length).toBe(30);
  });
  it("names the offending field", () => {
    expect(fails({ kind: "testbed" })).toThrow(/^t\.json: model: must be a model/);
    expect(fails({ kind: "testbed", model: 3 })).toThrow(/^t\.json: model: must be a model \(an object with a kind\) or the path of a model file/);
    expect(fails({ kind: "testbed", model: "tri.json", shrink: -0.1 })).toThrow("t.json: shrink: must be in [0, 1]");
    expect(fails({ kind: "testbed", model: "tri.json", noise: -1 })).toThrow("t.json: noise: must be non-negative");
    expect(fails({ kind: "testbed", model: "tri.json", samples: 0 })).toThrow("t.json: samples: must be at least 1");
    expect(fails({ kind: "testbed", model: "tri.json", float32: "yes" })).toThrow(/^t\.json: float32: /);
    expect(fails({ kind: "testbed", model: "tri.json", shrnk: 0.1 })).toThrow(/^t\.json: shrnk: unknown field of a testbed \(expected kind, model, shrink/);
    expect(fails({ kind: "testbed", model: "tri.json", bias: [1, 2, 3] })).toThrow("t.json: bias: has 3 entries, expected 2 (the model's dimension)");
    expect(fails({ kind: "testbed", model: { kind: "deltas", points: [[1, 2], [3]] } })).toThrow("t.json: model.points[1]: has 1 entries, expected 2");
    expect(fails({ kind: "testbed", model: "bad.json" })).toThrow("t.json: model bad.json: points[1]: has 1 entries, expected 2");
    expect(fails({ kind: "testbed", model: "none.json" })).toThrow(/^t\.json: model: cannot read none\.json/);
    expect(fails({ kind: "testbed", model: "tb.json" })).toThrow(/^t\.json: model tb\.json: kind: a testbed is a denoiser, not a data model/);
    expect(fails({ kind: "testbed", model: { kind: "testbed", model: "tri.json" } })).toThrow(/^t\.json: model\.kind: a testbed is a denoiser/);
  });
  it("parses the data-model kinds as exact models, with the file's name; unknown kinds list testbed too", () => {
    const e = load(JSON.parse(files["tri.json"]));
    expect(e).toMatchObject({ type: "exact", name: "three points on the unit circle" });
    expect(fails({ kind: "wavelet" })).toThrow(/kind: unknown model kind "wavelet" \(expected one of deltas, .*, onnx, testbed\)/);
    expect(() => parseModel({ kind: "testbed", model: "tri.json" })).toThrow(/kind: a testbed is a denoiser, not a data model/);
  });
});
