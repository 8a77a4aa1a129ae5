/**
 * Issue 13, item 5 (strict input) at the command line: invalid UTF-8, unknown keys with a "did you mean",
 * duplicate keys, empty list options, a 0-row `.npy`, lenient seeds on every command that takes `--seed`, a named
 * `.npz` array in a dataset model file, and a bare array file given as MODEL. Each bad input is exit code 2 with one
 * line naming the file, field or option. Spawns the built CLI (`$INFODYN_CLI` to test another build).
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { zipSync } from "fflate";
import { afterAll, describe, expect, it } from "vitest";
import { expectOneLine as expectRefusal, CLI, root, runCli, type Result } from "./cli-run.js";
import { parseModel } from "../src/models/parse.js";
import { findDuplicateKey, parseJsonStrict } from "../src/io/json.js";

const TWO = join(root, "examples", "two-deltas.json");

const run = (args: string[], cwd = root, timeoutMs = 30_000) => runCli(args, { cwd, timeoutMs });
const expectOneLine = (r: Result, pattern: RegExp) => expectRefusal(r, pattern, { emptyStdout: true });

const dir = mkdtempSync(join(tmpdir(), "infodyn-strict-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, content: string | Uint8Array) => {
  writeFileSync(join(dir, name), content);
  return join(dir, name);
};

/** A version-1 .npy of float64 (`<f8`) or int64 (`<i8`) values. */
function npy(shape: number[], values: number[], descr = "<f8"): Uint8Array {
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${shape.join(", ")}${shape.length === 1 ? "," : ""}), }`;
  while ((10 + header.length + 1) % 64 !== 0) header += " ";
  header += "\n";
  const data = new Uint8Array(8 * values.length);
  const view = new DataView(data.buffer);
  values.forEach((v, i) => (descr === "<i8" ? view.setBigInt64(8 * i, BigInt(v), true) : view.setFloat64(8 * i, v, true)));
  const out = new Uint8Array(10 + header.length + data.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, header.length & 0xff, header.length >> 8]);
  out.set(new TextEncoder().encode(header), 10);
  out.set(data, 10 + header.length);
  return out;
}

const posterior = (model: string) => ["posterior", model, "--sigma", "0.5", "--points", "[[0.1]]"];

describe("model files: invalid UTF-8, unknown keys, duplicate keys", () => {
  it("invalid UTF-8 is an error naming the file (was: accepted)", async () => {
    for (const bytes of [
      Buffer.concat([Buffer.from('{"kind":"deltas","points":[[-1],[1]],"name":"'), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]),
      Buffer.concat([Buffer.from('{"kind":"deltas","points":[[-1],[1]],"description":"'), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from('"}')]), // a lone surrogate
      Buffer.concat([Buffer.from('{"kind":"deltas","points":[[-1],[1]],"name":"'), Buffer.from([0xc3]), Buffer.from('"}')]), // truncated
    ]) {
      const f = file("bad-utf8.json", bytes);
      expectOneLine(await run(posterior(f)), /bad-utf8\.json: not valid UTF-8 text \(at byte \d+\)/);
    }
  });
  it("unknown keys are errors with a 'did you mean' (was: silently ignored, a labelled model ran unlabelled)", async () => {
    const cases: [string, RegExp][] = [
      ['{"kind":"deltas","points":[[-1],[1]],"label":["a","b"]}', /label: unknown field of a deltas model \(expected kind, points, weights, labels, shape, name, description\); did you mean 'labels'\?/],
      ['{"kind":"deltas","points":[[-1],[1]],"weight":[1,2]}', /weight: unknown field of a deltas model .*did you mean 'weights'\?/],
      ['{"kind":"gmm","components":[{"weight":1,"mean":[0],"variance":1},{"weights":1,"mean":[1],"variance":1}]}', /components\[1\]\.weights: unknown field of components\[1\] \(expected weight, mean, cov, variance, label\); did you mean 'weight'\?/],
      ['{"kind":"gaussian","mean":[0],"cov":[[1]],"covariance":[[1]]}', /covariance: unknown field of a gaussian model/],
      ['{"kind":"sphere","dim":3,"Radius":2}', /Radius: unknown field .*did you mean 'radius'\?/],
      ['{"kind":"dataset","path":"x.npy","lables":"y.npy"}', /lables: unknown field .*did you mean 'labels'\?/],
      ['{"kind":"deltas","points":[[0]],"__proto__":{"labels":["x"]}}', /__proto__: unknown field of a deltas model/],
      ['{"kind":"testbed","model":{"kind":"deltas","points":[[0]]},"shrnk":0.1}', /shrnk: unknown field of a testbed \(expected kind, model, shrink.*did you mean 'shrink'\?/],
      ['{"kind":"testbed","model":{"kind":"deltas","points":[[0]],"lables":[1]}}', /model\.lables: unknown field/],
    ];
    for (const [json, msg] of cases) expectOneLine(await run(posterior(file("unknown.json", json))), msg);
  });
  it("duplicate keys are errors naming the key and where (was: the last one silently kept)", async () => {
    const cases: [string, RegExp][] = [
      ['{"kind":"deltas","points":[[-1],[1]],"weights":[1,1],"weights":[1,9]}', /dup\.json: duplicate key "weights" \(at the top level\)/],
      ['{"kind":"gmm","components":[{"weight":1,"mean":[0],"variance":1},{"weight":1,"mean":[1],"mean":[2],"variance":1}]}', /dup\.json: duplicate key "mean" in components\[1\]/],
      ['{"kind":"deltas","points":[[0]],"n\\u0061me":"a","name":"b"}', /duplicate key "name"/],
    ];
    for (const [json, msg] of cases) expectOneLine(await run(posterior(file("dup.json", json))), msg);
    // in a testbed's wrapped model file too
    file("inner.json", '{"kind":"deltas","points":[[0]],"points":[[1]]}');
    expectOneLine(await run(["profile", file("tb.json", '{"kind":"testbed","model":"inner.json","samples":10}'), "--sigma", "1"]), /tb\.json: model: inner\.json is not a valid model file: duplicate key "points"/);
  });
  it("the scanner: keys in nested arrays and objects, escapes, strings that look like JSON; any depth", () => {
    expect(findDuplicateKey('{"a":[{"b":1},{"b":2}],"c":{"a":1}}')).toBeUndefined();
    expect(findDuplicateKey('{"a":"{\\"a\\":1,\\"a\\":2}","b":"\\\\"}')).toBeUndefined();
    expect(findDuplicateKey('[1,{"x":{"y":[0,{"k":1,"k":2}]}}]')).toEqual({ key: "k", path: "[1].x.y[1]" });
    const deep = "[".repeat(300_000) + '{"a":1,"a":2}' + "]".repeat(300_000);
    expect(findDuplicateKey(deep)?.key).toBe("a");
    expect(() => parseJsonStrict('{"a":1} x', "m.json")).toThrow(/^m\.json: not valid JSON/);
  });
  it("kind: '__proto__', 'toString', 'constructor' are unknown kinds, not a TypeError (fuzz BUG 5)", async () => {
    for (const kind of ["__proto__", "toString", "constructor", "hasOwnProperty"]) {
      expect(() => parseModel({ kind }, { source: "m.json" })).toThrow(/^m\.json: kind: unknown model kind/);
      expectOneLine(await run(posterior(file("proto.json", JSON.stringify({ kind })))), /kind: unknown model kind/);
    }
  });
  it("a directory as MODEL is one line", async () => {
    expectOneLine(await run(posterior(dir)), /is a directory, not a file/);
  });
});

describe("empty lists and empty arrays", () => {
  it("--sigma '', --grid '' and other empty list options are errors (was: silently dropped)", async () => {
    const cases: [string[], RegExp][] = [
      [["profile", TWO, "--sigma", ""], /--sigma: empty/],
      [["posterior", TWO, "--sigma", "", "--points", "[[0]]"], /--sigma: empty/],
      [["modes", TWO, "--sigma", ""], /--sigma: empty/],
      [["thermo", TWO, "--sigma", "0.5", "--grid", ""], /--grid: empty/],
      [["thermo", TWO, "--sigma", "0.5", "--grid", "-2,,5"], /--grid: '-2,,5' is not x0,x1,n/],
      [["rem", "--beta-ratio", ""], /--beta-ratio: empty/],
      [["profile", TWO, "--sigma-min", ""], /--sigma-min: empty/],
      [["profile", TWO, "--sigma", "0.5,,1"], /--sigma: '' is not a positive finite number/],
      [["posterior", TWO, "--sigma", "1", "--points", ""], /--points: empty/],
      [["posterior", TWO, "--sigma", "1", "--points", "[]"], /--points: expected a non-empty array/],
      [["schedule", TWO, "--steps", ""], /--steps: '' is not an integer/],
      [["schedule", TWO, "--kind", ""], /--kind: unknown schedule ''/],
      [["profile", TWO, "--steps", "0x10"], /--steps: '0x10' is not an integer/],
    ];
    const results = await Promise.all(cases.map(([a]) => run(a)));
    results.forEach((r, i) => expectOneLine(r, cases[i][1]));
  });
  it("a 0-row .npy as --points is an error (was: an empty table)", async () => {
    const f0 = file("empty.npy", npy([0, 1], []));
    const f1 = file("empty1.npy", npy([0], []));
    expectOneLine(await run(["posterior", TWO, "--sigma", "1", "--points", f0]), /--points: .*empty\.npy holds no points/);
    expectOneLine(await run(["posterior", TWO, "--sigma", "1", "--points", f1]), /--points: .*empty1\.npy holds no points/);
  });
});

describe("seeds: integers in [0, 2³²) in decimal, the same rule for every command", () => {
  const commands: [string, string[]][] = [
    ["profile", ["profile", TWO, "--sigma", "1"]],
    ["paths", ["paths", TWO, "--n", "4", "--steps", "4"]],
    ["modes", ["modes", TWO, "--sigma", "0.5"]],
    ["bifurcations", ["bifurcations", TWO]],
    ["memorization", ["memorization", TWO, "--steps", "4", "--samples", "10", "--paths", "4"]],
    ["schedule", ["schedule", TWO, "--kind", "edm", "--steps", "4"]],
    ["rem", ["rem", "--M", "4", "--draws", "2"]],
    ["report", ["report", TWO, "--out", join(dir, "never")]],
    ["figures", ["figures", "--out", join(dir, "never-figs")]],
  ];
  const lenient = ["0x10", "1e300", "4294967303", "1.5", "-1", "-2147483649"];
  const more = ["4294967296", "", " 7", "7 ", "+7", "1_0", "1e3"];
  for (const [i, [name, args]] of commands.entries()) {
    const seeds = i === 0 ? [...lenient, ...more] : lenient;
    it(`${name}: ${seeds.length} lenient seeds are refused naming --seed (was: taken mod 2³², or accepted by some commands)`, async () => {
      const results = await Promise.all(seeds.map((s) => run([...args, `--seed=${s}`])));
      results.forEach((r) => expectOneLine(r, /--seed: '.*' is not an integer in \[0, 4294967295\] written in decimal digits/));
    });
  }
  it("0 and 4294967295 are seeds; a testbed's seed follows the same range", async () => {
    const [a, b] = await Promise.all([run(["rem", "--M", "4", "--draws", "2", "--seed", "0", "--json"]), run(["rem", "--M", "4", "--draws", "2", "--seed", "4294967295", "--json"])]);
    expect(a.code).toBe(0);
    expect(JSON.parse(b.stdout).params.seed).toBe(4294967295);
    const tb = file("tb-seed.json", '{"kind":"testbed","model":{"kind":"deltas","points":[[0],[1]]},"seed":-1}');
    expectOneLine(await run(["profile", tb, "--sigma", "1"]), /seed: must be in \[0, 4294967295\]/);
  });
});

describe("dataset model files: a named .npz array; a bare array file as MODEL", () => {
  const X = npy([4, 1], [-1, -0.9, 0.9, 1]);
  const y = npy([4], [0, 0, 1, 1], "<i8");
  it("'array' and 'labelsArray' name the arrays of an .npz with several", async () => {
    file("xy.npz", zipSync({ "X.npy": X, "y.npy": y, "extra.npy": npy([2], [5, 6]) }));
    const ok = file("named.json", '{"kind":"dataset","path":"xy.npz","array":"X","labels":"xy.npz","labelsArray":"y"}');
    const r = await run([...posterior(ok), "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.model.numClasses).toBe(2);
    expect(out.classProbs[0]).toHaveLength(2);
    const cases: [string, RegExp][] = [
      ['{"kind":"dataset","path":"xy.npz"}', /xy\.npz: holds 3 arrays \(X, y, extra\); cannot tell which .*"array"/],
      ['{"kind":"dataset","path":"xy.npz","array":"Z"}', /xy\.npz: holds no array named 'Z' \(it holds X, y, extra\)/],
      ['{"kind":"dataset","path":"x.npy","array":"X"}', /array: names an array of an \.npz file, but path is x\.npy/],
      ['{"kind":"dataset","path":"xy.npz","array":"X","labelsArray":"y"}', /labelsArray: names an array of an \.npz labels file/],
      ['{"kind":"dataset","path":"xy.npz","array":""}', /array: must name an array/],
    ];
    for (const [json, msg] of cases) expectOneLine(await run(posterior(file("npz-bad.json", json))), msg);
  });
  it("a bare .npy, .npz or .csv as MODEL answers with the dataset model file to write (was: not valid JSON)", async () => {
    file("x.npy", X);
    file("x.csv", "1\n2\n");
    file("x.npz", zipSync({ "X.npy": X }));
    file("disguised", X);
    for (const [name, json] of [
      ["x.npy", '{"kind":"dataset","path":"x.npy"}'],
      ["x.csv", '{"kind":"dataset","path":"x.csv"}'],
      ["x.npz", '{"kind":"dataset","path":"x.npz","array":"NAME"}'],
      ["disguised", '{"kind":"dataset","path":"disguised"}'],
    ]) {
      const r = await run(posterior(join(dir, name)));
      expectOneLine(r, /an array file, not a model file; write .* to a model file beside it/);
      expect(r.stderr).toContain(json);
    }
  });
});
