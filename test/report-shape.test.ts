import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { fromRows } from "../src/batch.js";
import { InfodynError } from "../src/errors.js";
import { deltas } from "../src/models/deltas.js";
import { parseModel } from "../src/models/parse.js";
import { imageShape } from "../src/report/figures/images.js";

const examples = join(import.meta.dirname, "..", "examples");
const readFile = (p: string) => new Uint8Array(readFileSync(join(examples, p)));
const pts = [[0, 1, 2, 3], [4, 5, 6, 7]];
const parse = (json: unknown) => () => parseModel(json, { source: "m.json", readFile });

describe("the optional image shape of a dataset", () => {
  it("is carried on the model: [H, W] and [C, H, W] whose product is D", () => {
    expect(imageShape(parseModel({ kind: "deltas", points: pts, shape: [2, 2] }))).toEqual([2, 2]);
    expect(imageShape(parseModel({ kind: "deltas", points: [[1, 2, 3, 4, 5, 6]], shape: [3, 1, 2] }))).toEqual([3, 1, 2]);
    expect(imageShape(parseModel({ kind: "deltas", points: pts }))).toBeUndefined();
    // the digits examples are 8 × 8 images (make_digits.py writes the shape)
    for (const file of ["digits.json", "digits01.json"]) {
      const m = parseModel(JSON.parse(readFileSync(join(examples, file), "utf8")), { readFile });
      expect(imageShape(m), file).toEqual([8, 8]);
      expect(m.dim).toBe(64);
    }
  });

  it("does not change the posterior", () => {
    const x = fromRows([[0.5, 1, 2, 9]]);
    const a = parseModel({ kind: "deltas", points: pts, shape: [2, 2] }).posterior(x, 1.3);
    const b = parseModel({ kind: "deltas", points: pts }).posterior(x, 1.3);
    expect(Array.from(a.mean.data)).toEqual(Array.from(b.mean.data));
  });

  it("is refused, naming the field `shape`, when its product is not D or it is not [H, W] / [C, H, W] of positive integers", () => {
    expect(parse({ kind: "deltas", points: pts, shape: [2, 3] })).toThrow(/m\.json: shape: \[2, 3\] has 6 pixels, but the points have D = 4 coordinates/);
    expect(parse({ kind: "deltas", points: pts, shape: [4] })).toThrow(/m\.json: shape: must be \[H, W\] or \[C, H, W\]/);
    expect(parse({ kind: "deltas", points: pts, shape: [1, 1, 2, 2] })).toThrow(/m\.json: shape: must be \[H, W\] or \[C, H, W\]/);
    expect(parse({ kind: "deltas", points: pts, shape: [0, 4] })).toThrow(/m\.json: shape\[0\]: must be positive/);
    expect(parse({ kind: "deltas", points: pts, shape: [2, 2.5] })).toThrow(/m\.json: shape\[1\]: must be integers/);
    expect(parse({ kind: "deltas", points: pts, shape: "2x2" })).toThrow(/m\.json: shape: /);
    expect(parse({ kind: "dataset", path: "digits01.npy", shape: [8, 7] })).toThrow(/m\.json: shape: \[8, 7\] has 56 pixels, but the points have D = 64 coordinates/);
    expect(parse({ kind: "gaussian", mean: [0, 0], cov: [[1, 0], [0, 1]], shape: [1, 2] })).toThrow(/m\.json: shape: unknown field/);
    expect(parse({ kind: "deltas", points: pts, shape: [2, 3] })).toThrow(InfodynError);
  });

  it("is checked by the deltas constructor too (the API boundary)", () => {
    expect(() => deltas(fromRows(pts), { shape: [3, 3] })).toThrow(/^shape: \[3, 3\] has 9 pixels, but the points have D = 4/);
    expect(() => deltas(fromRows(pts), { shape: [4, 1, 1, 1] })).toThrow(/^shape: .* must be \[H, W\] or \[C, H, W\]/);
    expect(deltas(fromRows(pts), { shape: [1, 4] }).shape).toEqual([1, 4]);
  });
});
