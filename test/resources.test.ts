/**
 * Issue 13, item 3 (bounded resources) at the command line: every size an option or a file declares is checked
 * against the budgets of src/cli/budget.ts before work starts, and the refusal says what fits; input files are read
 * with a size bound; crashes of the attack (a directory as --points, a deep .npy header, 2⁵³ + 1 steps, 10¹² samples)
 * are one line. Every case must be refused within seconds: a timeout (the run was started) fails it.
 */
import { mkdtempSync, rmSync, symlinkSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { zipSync } from "fflate";
import { afterAll, describe, expect, it } from "vitest";
import { expectOneLine as expectRefusal, CLI, root, runCli, type Result } from "./cli-run.js";
import { checkMemory, checkWork, formatBytes, MEMORY_BUDGET_BYTES, WORK_BUDGET } from "../src/cli/budget.js";

const TWO = join(root, "examples", "two-deltas.json");

/** Runs the CLI with a short timeout (SIGKILL): a refusal must come at once. */
const run = (args: string[], timeoutMs = 10_000) => runCli(args, { timeoutMs });
const expectOneLine = (r: Result, pattern: RegExp) => expectRefusal(r, pattern, { emptyStdout: true });

const dir = mkdtempSync(join(tmpdir(), "infodyn-resources-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, content: string | Uint8Array) => {
  writeFileSync(join(dir, name), content);
  return join(dir, name);
};

const FITS = /at most \S+ .* fit in the .* budget/;

describe("sizes from options are checked before any work, the refusal says what fits", () => {
  const cases: [string, string[], RegExp][] = [
    ["profile --steps 9007199254740993 (was: a crash)", ["profile", TWO, "--steps", "9007199254740993"], /--steps: 9007199254740994 levels × .*at most \d+ levels fit in the 1 GiB memory budget/],
    ["profile --steps 1e9 (was: out of memory)", ["profile", TWO, "--steps", "1e9"], /--steps: 1000000001 levels .*1 GiB memory budget/],
    ["profile --samples 1e12 (was: a crash)", ["profile", TWO, "--samples", "1e12"], /--samples: 1000000000000 samples × D = 1 = 1e12 float64 values \(7\.28 TiB\); at most 134217728 samples fit/],
    ["profile --samples 2e7 on the default dataset (the work budget)", ["profile", "default", "--samples", "2e7"], /--samples: 20000000 samples × 41 levels × 300 data points × D = 2 × 4 evaluations is 1\.97e12 multiply-adds of the posterior kernel; at most 10162601 samples fit in the work budget of 1e12/],
    ["paths --steps 9007199254740993", ["paths", TWO, "--steps", "9007199254740993"], FITS],
    ["paths --steps 1e9 (was: out of memory)", ["paths", TWO, "--steps", "1e9"], /--steps: 1000000001 levels × 1000 paths = 1e12 float64 values \(7\.28 TiB\); at most 134217 levels fit/],
    ["paths --n 1e12", ["paths", TWO, "--n", "1e12"], /--steps|--n/],
    ["memorization --samples 1e12", ["memorization", TWO, "--samples", "1e12"], FITS],
    ["memorization --steps 1e9 --paths 1e6", ["memorization", TWO, "--steps", "1e9", "--paths", "1000000"], FITS],
    ["schedule --steps 9007199254740993", ["schedule", TWO, "--kind", "edm", "--steps", "9007199254740993"], FITS],
    ["schedule --evaluate --repeats 1e9", ["schedule", TWO, "--evaluate", "--repeats", "1e9"], /--repeats: 1000000000 repeats × 500 samples .*work budget/],
    ["schedule --evaluate --samples 1e12", ["schedule", TWO, "--evaluate", "--samples", "1e12"], FITS],
    ["bifurcations --steps 1e12", ["bifurcations", TWO, "--steps", "1e12"], FITS],
    ["report --samples 1e12", ["report", TWO, "--samples", "1e12", "--out", join(dir, "never")], FITS],
    ["rem --M 26 --draws 100000 (2⁶ × 10¹¹ operations)", ["rem", "--M", "26", "--draws", "100000"], /--draws: 100000 landscapes × 2\^26 points .*work budget/],
  ];
  it(`${cases.length} oversized runs are refused within seconds`, async () => {
    const results = await Promise.all(cases.map(([, args]) => run(args)));
    results.forEach((r, i) => expectOneLine(r, cases[i][2]));
  });
  it("a non-integer or non-decimal size is refused as such", async () => {
    const [a, b, c] = await Promise.all([run(["profile", TWO, "--steps", "1.5"]), run(["paths", TWO, "--n", "0x10"]), run(["profile", TWO, "--samples", "Infinity"])]);
    expectOneLine(a, /--steps: '1\.5' is not an integer ≥ 1/);
    expectOneLine(b, /--n: '0x10' is not an integer ≥ 1/);
    expectOneLine(c, /--samples: 'Infinity' is not an integer ≥ 100/);
  });
  it("the budgets' messages (budget.ts)", () => {
    expect(MEMORY_BUDGET_BYTES).toBe(2 ** 30);
    expect(WORK_BUDGET).toBe(1e12);
    expect(formatBytes(8e12)).toBe("7.28 TiB");
    expect(() => checkMemory("--steps", [{ value: 1e9 + 1, label: "levels" }, { value: 1000, label: "paths" }])).toThrow(
      /^--steps: 1000000001 levels × 1000 paths = 1e12 float64 values \(7\.28 TiB\); at most 134217 levels fit in the 1 GiB memory budget$/,
    );
    expect(() => checkWork("--samples", [{ value: 1e12, label: "samples" }, { value: 2, label: "levels" }])).toThrow(/at most 5e11 samples fit in the work budget of 1e12/);
    expect(() => checkMemory("--n", [{ value: 10, label: "paths" }])).not.toThrow();
  });
});

describe("sizes from files: array shapes, the dimension, spins, inflated .npz members, testbed samples", () => {
  it("a sphere of dimension 10⁹, a testbed of 10⁷ samples in D = 1000, a point in D = 20000 are refused at once", async () => {
    const sphere = file("sphere.json", '{"kind":"sphere","dim":1000000000}');
    const tb = file("tb.json", '{"kind":"testbed","model":{"kind":"sphere","dim":1000},"samples":10000000}');
    const wide = file("wide.json", JSON.stringify({ kind: "deltas", points: [new Array(20000).fill(0), new Array(20000).fill(1)] }));
    const ising = file("ising.json", JSON.stringify({ kind: "ising", temperature: 1, couplings: Array.from({ length: 30 }, () => new Array(30).fill(0)) }));
    const [a, b, c, d, e] = await Promise.all([
      run(["profile", sphere, "--sigma", "1"]),
      run(["profile", tb, "--sigma", "1"]),
      run(["modes", wide, "--sigma", "1"]),
      run(["paths", wide, "--n", "10", "--steps", "10"]),
      run(["profile", ising, "--sigma", "1"]),
    ]);
    expectOneLine(a, /sphere\.json: dim: 1000000000 coordinates need 7\.45 GiB per point, more than the 1 GiB memory budget/);
    expectOneLine(b, /tb\.json: samples: 10000000 samples × D = 1000 need 74\.5 GiB; at most 134217 fit in the 1 GiB memory budget/);
    expectOneLine(c, /model: D = 20000: a Hessian \(20000 × 20000 float64\) needs 2\.98 GiB; at most D = 11585 fits/);
    expectOneLine(d, /model: D = 20000: the tangent map|--steps/);
    expectOneLine(e, /couplings: 30 spins exceed the exact-enumeration limit of 20/);
  });
  it("an .npz whose member declares 2 GiB (a zip bomb) is refused before inflating", async () => {
    const small = new Uint8Array(200).fill(0);
    const zip = zipSync({ "x.npy": small }, { level: 9 });
    // the central directory's uncompressed size (offset 24 of the PK\x01\x02 record) → 2³¹ − 1
    const view = new DataView(zip.buffer);
    for (let i = zip.length - 22; i >= 0; i--)
      if (view.getUint32(i, true) === 0x02014b50) {
        view.setUint32(i + 24, 0x7fffffff, true);
        break;
      }
    file("bomb.npz", zip);
    const m = file("bomb.json", '{"kind":"dataset","path":"bomb.npz"}');
    expectOneLine(await run(["posterior", m, "--sigma", "1", "--points", "[[0]]"]), /bomb\.npz: its arrays inflate to more than 1 GiB .*refused/);
    expectOneLine(await run(["posterior", TWO, "--sigma", "1", "--points", join(dir, "bomb.npz")]), /bomb\.npz: its arrays inflate to more than 1 GiB/);
  });
});

describe("inputs are read with a size bound; odd inputs are one line", () => {
  it("/dev/zero as a model, as --points and as a dataset's array is refused quickly (was: read to 3 GiB)", async () => {
    symlinkSync("/dev/zero", join(dir, "zero.npy"));
    const ds = file("zero-ds.json", '{"kind":"dataset","path":"zero.npy"}');
    const [a, b, c] = await Promise.all([run(["profile", "/dev/zero"]), run(["posterior", TWO, "--sigma", "1", "--points", join(dir, "zero.npy")]), run(["profile", ds])]);
    expectOneLine(a, /\/dev\/zero: more than 256 MiB \(the limit for a model file\): refused/);
    expectOneLine(b, /zero\.npy: more than 1 GiB \(the limit for an array file\): refused/);
    expectOneLine(c, /zero\.npy: more than 1 GiB/);
    expect(a.ms).toBeLessThan(5000);
  });
  it("--points a directory, a deeply nested .npy header, an unknown file type: one line each (was: stack traces)", async () => {
    mkdirSync(join(dir, "pts.npy"));
    const deep = "[".repeat(5000);
    let header = `{'descr': '<f8', 'fortran_order': False, 'shape': ${deep}}`;
    while ((10 + header.length + 1) % 64 !== 0) header += " ";
    header += "\n";
    const bytes = new Uint8Array(10 + header.length);
    bytes.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, header.length & 0xff, header.length >> 8]);
    bytes.set(new TextEncoder().encode(header), 10);
    file("deep.npy", bytes);
    const [a, b, c, d] = await Promise.all([
      run(["posterior", TWO, "--sigma", "1", "--points", join(dir, "pts.npy")]),
      run(["posterior", TWO, "--sigma", "1", "--points", join(dir, "deep.npy")]),
      run(["posterior", TWO, "--sigma", "1", "--points", dir]),
      run(["posterior", TWO, "--sigma", "1", "--points", join(dir, "missing.npy")]),
    ]);
    expectOneLine(a, /pts\.npy: is a directory, not a file/);
    expectOneLine(b, /deep\.npy: header is malformed: nesting deeper than 64 levels/);
    expectOneLine(c, /--points: '.*' is neither JSON points nor a \.npy\/\.npz\/\.csv file/);
    expectOneLine(d, /--points: file .*missing\.npy not found/);
  });
});
