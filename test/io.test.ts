import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { InfodynError } from "../src/errors.js";
import {
  parseArrayFile,
  parseCsv,
  parseLabelFile,
  parseLabelsCsv,
  parseNpy,
  parseNpyText,
  parseNpz,
  readNpyHeader,
  type NumericArray,
} from "../src/io/index.js";

const here = dirname(fileURLToPath(import.meta.url));
const dir = join(here, "fixtures", "io");
const read = (name: string): Uint8Array => new Uint8Array(readFileSync(join(dir, name)));
const readText = (name: string): string => readFileSync(join(dir, name), "utf8");

/** Values in expected.json: numbers, or "Infinity"/"-Infinity"/"NaN" where JSON has no literal. */
type JsonNumber = number | string;
interface Expected {
  shape: number[];
  dtype: string;
  data: JsonNumber[];
  header?: string[];
}
const expected = JSON.parse(readText("expected.json")) as {
  npy: Record<string, Expected>;
  npz: Record<string, Record<string, Expected>>;
  csv: Record<string, Expected>;
  labels: Record<string, (number | string)[]>;
};

/** Bit-exact comparison (toEqual compares numbers with Object.is: -0 ≠ 0, NaN = NaN). */
function expectExact(got: NumericArray, want: Expected, withDtype = true): void {
  expect(got.shape).toEqual(want.shape);
  if (withDtype) expect(got.dtype).toBe(want.dtype);
  expect(got.data).toBeInstanceOf(Float64Array);
  expect(Array.from(got.data)).toEqual(want.data.map((v) => (typeof v === "string" ? Number(v) : v)));
}

/** The bytes of `src` copied into a larger buffer at an odd byte offset. */
function atOddOffset(src: Uint8Array): Uint8Array {
  const big = new Uint8Array(src.length + 3);
  big.set(src, 1);
  return big.subarray(1, 1 + src.length);
}

function encode(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

describe(".npy reader", () => {
  it.each(Object.keys(expected.npy))("reads %s bit for bit as numpy does, in C order", (name) => {
    expectExact(parseNpy(read(name), name), expected.npy[name]);
  });

  it("reads a Fortran-order float64 .npy into C order exactly", () => {
    const fortran = parseNpy(read("f8_fortran.npy"), "f8_fortran.npy");
    expect(readNpyHeader(read("f8_fortran.npy")).fortranOrder).toBe(true);
    expect(fortran.shape).toEqual([7, 3]);
    expect(Array.from(fortran.data)).toEqual(Array.from(parseNpy(read("f8_c.npy")).data));
  });

  it("little-endian float64 in C order is a view on the file's bytes (held once); at an unaligned offset it is decoded, the same values", () => {
    const bytes = read("f8_c.npy");
    const aligned = new Uint8Array(new ArrayBuffer(bytes.length));
    aligned.set(bytes);
    const view = parseNpy(aligned, "f8_c.npy");
    expect(view.data.buffer).toBe(aligned.buffer);
    expectExact(view, expected.npy["f8_c.npy"]);
    const shifted = new Uint8Array(new ArrayBuffer(bytes.length + 1));
    shifted.set(bytes, 1);
    const copy = parseNpy(shifted.subarray(1), "f8_c.npy");
    expect(copy.data.buffer).not.toBe(shifted.buffer);
    expectExact(copy, expected.npy["f8_c.npy"]);
  });

  it("transposes 3-D and 4-D Fortran-order arrays to C order", () => {
    expectExact(parseNpy(read("f8_fortran_3d.npy")), expected.npy["f8_fortran_3d.npy"]);
    const four = parseNpy(read("i2_fortran_4d.npy"));
    expect(four.shape).toEqual([2, 3, 2, 2]);
    expect(four.dtype).toBe(">i2");
    expectExact(four, expected.npy["i2_fortran_4d.npy"]);
  });

  it("reads a 0-d scalar as shape [] with one value", () => {
    const scalar = parseNpy(read("f8_scalar.npy"));
    expect(scalar.shape).toEqual([]);
    expect(scalar.data.length).toBe(1);
    expectExact(scalar, expected.npy["f8_scalar.npy"]);
  });

  it("reads an empty (0, 3) array", () => {
    const empty = parseNpy(read("f8_empty.npy"));
    expect(empty.shape).toEqual([0, 3]);
    expect(empty.data.length).toBe(0);
  });

  it("reads format versions 2.0 and 3.0, whose header length is a u32", () => {
    expect(readNpyHeader(read("f8_v2.npy")).version).toEqual([2, 0]);
    expect(readNpyHeader(read("f8_v3.npy")).version).toEqual([3, 0]);
    expectExact(parseNpy(read("f8_v2.npy")), expected.npy["f8_v2.npy"]);
    expectExact(parseNpy(read("f8_v3.npy")), expected.npy["f8_v3.npy"]);
  });

  it("reads data that start at an odd byte offset, in the file or in the buffer", () => {
    expect(readNpyHeader(read("f8_unaligned.npy")).dataOffset % 8).not.toBe(0);
    expectExact(parseNpy(read("f8_unaligned.npy")), expected.npy["f8_unaligned.npy"]);
    for (const name of ["f8_c.npy", "dtype_be_i8.npy", "f4.npy", "f8_fortran_3d.npy"]) {
      expectExact(parseNpy(atOddOffset(read(name)), name), expected.npy[name]);
    }
  });

  it("converts big-endian float64 to the same values as the little-endian file", () => {
    expect(Array.from(parseNpy(read("f8_big.npy")).data)).toEqual(Array.from(parseNpy(read("f8_c.npy")).data));
  });

  it("reads int64 values of magnitude exactly 2^53 without rounding", () => {
    const a = parseNpy(read("i8.npy"));
    expect(a.data[0]).toBe(2 ** 53);
    expect(a.data[20]).toBe(-(2 ** 53));
  });

  it("reads float16 subnormals, signed zeros, infinities and the largest finite half", () => {
    const a = parseNpy(read("f2_special.npy"));
    expect(Object.is(a.data[1], -0)).toBe(true);
    expect(a.data[4]).toBe(65504);
    expect(a.data[6]).toBe(Infinity);
    expect(a.data[7]).toBe(-Infinity);
    expect(a.data[3]).toBe(2 ** -24);
  });

  it("covers every supported dtype in both byte orders", () => {
    const descrs = Object.values(expected.npy).map((e) => e.dtype);
    for (const d of ["|b1", "|i1", "|u1", "<i2", ">i2", "<i4", ">i4", "<i8", ">i8", "<u2", ">u2", "<u4", ">u4", "<u8", ">u8", "<f2", ">f2", "<f4", ">f4", "<f8", ">f8"]) {
      expect(descrs).toContain(d);
    }
  });

  it("reads a header written with Python 2 long integers and double quotes", () => {
    const header = `{"descr": "<i2", "fortran_order": False, "shape": (2L, 1L), }`.padEnd(63) + "\n";
    const bytes = new Uint8Array(10 + header.length + 4);
    bytes.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, header.length, 0]);
    bytes.set(encode(header), 10);
    bytes.set([0x05, 0x00, 0xfe, 0xff], 10 + header.length);
    const a = parseNpy(bytes, "py2.npy");
    expect(a.shape).toEqual([2, 1]);
    expect(Array.from(a.data)).toEqual([5, -2]);
  });
});

describe(".npy errors name the file", () => {
  const bad = (name: string) => read(join("bad", name));

  it("rejects a file without the \\x93NUMPY magic", () => {
    expect(() => parseNpy(bad("bad_magic.npy"), "x.npy")).toThrow(/^x\.npy: not a \.npy file \(bad magic\)$/);
    expect(() => parseNpy(new Uint8Array(0), "empty.npy")).toThrow(/^empty\.npy: not a \.npy file \(bad magic\)$/);
    expect(() => parseNpy(bad("bad_magic.npy"), "x.npy")).toThrow(InfodynError);
  });

  it("reports truncated data with the byte counts", () => {
    expect(() => parseNpy(bad("truncated.npy"), "x.npy")).toThrow(/^x\.npy: data is truncated: expected 800 bytes, found 640$/);
  });

  it("reports a header cut short", () => {
    expect(() => parseNpy(read("f8_c.npy").subarray(0, 50), "x.npy")).toThrow(/^x\.npy: header is truncated/);
  });

  it("rejects complex dtypes by name", () => {
    expect(() => parseNpy(bad("complex.npy"), "x.npy")).toThrow(/^x\.npy: unsupported dtype '<c16'$/);
  });

  it("rejects object arrays clearly", () => {
    expect(() => parseNpy(bad("object.npy"), "x.npy")).toThrow(/^x\.npy: object arrays \(dtype '\|O'\) are not supported/);
  });

  it("rejects structured dtypes clearly", () => {
    expect(() => parseNpy(bad("structured.npy"), "x.npy")).toThrow(/^x\.npy: structured dtypes .* are not supported/);
  });

  it("refuses int64 values beyond 2^53 instead of rounding them", () => {
    expect(() => parseNpy(bad("i8_too_large.npy"), "x.npy")).toThrow(/^x\.npy: <i8 value 9007199254740993 .*exceeds 2\^53/);
  });

  it("reports a malformed header dict", () => {
    expect(() => parseNpy(bad("malformed_header.npy"), "x.npy")).toThrow(/^x\.npy: header is malformed: /);
  });

  it("rejects an unknown format version", () => {
    const bytes = read("f8_c.npy").slice();
    bytes[6] = 4;
    expect(() => parseNpy(bytes, "x.npy")).toThrow(/^x\.npy: unsupported \.npy format version 4\.0/);
  });

  it("tells that a string array is not numeric", () => {
    expect(() => parseNpy(read("labels_U.npy"), "x.npy")).toThrow(/^x\.npy: dtype '<U4' holds strings, not numbers/);
  });

  it("uses array.npy as the default name", () => {
    expect(() => parseNpy(bad("bad_magic.npy"))).toThrow(/^array\.npy: not a \.npy file/);
  });
});

describe(".npz reader", () => {
  it.each(Object.keys(expected.npz))("reads every array of %s bit for bit", (name) => {
    const arrays = parseNpz(read(name), name);
    const want = expected.npz[name];
    expect([...arrays.keys()]).toEqual(Object.keys(want));
    for (const key of Object.keys(want)) expectExact(arrays.get(key)!, want[key]);
  });

  it("reads np.savez and np.savez_compressed archives to the same arrays", () => {
    const plain = parseNpz(read("xy.npz"));
    const compressed = parseNpz(read("xy_compressed.npz"));
    expect([...plain.keys()]).toEqual(["x", "y"]);
    expect(Array.from(compressed.get("x")!.data)).toEqual(Array.from(plain.get("x")!.data));
    expect(Array.from(compressed.get("y")!.data)).toEqual(Array.from(plain.get("y")!.data));
  });

  it("names the archive when it is not a zip file", () => {
    expect(() => parseNpz(read("bad/not_a_zip.npz"), "x.npz")).toThrow(/^x\.npz: not a valid \.npz \(zip\) file/);
    expect(() => parseNpz(read("bad/not_a_zip.npz"))).toThrow(/^arrays\.npz: /);
  });

  it("names the archive and the member when a member is bad", () => {
    expect(() => parseNpz(read("bad/bad_member.npz"), "x.npz")).toThrow(/^x\.npz\/x\.npy: unsupported dtype '<c8'$/);
  });
});

describe("CSV reader", () => {
  it.each(Object.keys(expected.csv))("reads %s bit for bit as np.loadtxt does", (name) => {
    const got = parseCsv(readText(name), name);
    expectExact(got, expected.csv[name], false);
    expect(got.dtype).toBe("text");
    expect(got.header).toEqual(expected.csv[name].header);
  });

  it("detects a header row, skips blank lines and # comments", () => {
    const got = parseCsv("# comment\n\nx,y\n1,2 # trailing\n\n   \n3,4\n");
    expect(got.header).toEqual(["x", "y"]);
    expect(got.shape).toEqual([2, 2]);
    expect(Array.from(got.data)).toEqual([1, 2, 3, 4]);
  });

  it("reads ;, tab and whitespace separated tables, CRLF line ends and quoted fields", () => {
    expect(Array.from(parseCsv("1;2\r\n3;4\r\n").data)).toEqual([1, 2, 3, 4]);
    expect(Array.from(parseCsv("1\t2\n3\t4").data)).toEqual([1, 2, 3, 4]);
    expect(Array.from(parseCsv("  1   2\n3 \t 4  \n").data)).toEqual([1, 2, 3, 4]);
    expect(Array.from(parseCsv('"a","b"\n"1.5",2\n').data)).toEqual([1.5, 2]);
    expect(parseCsv("5\n6\n7\n").shape).toEqual([3, 1]);
  });

  it("reads nan, inf, signs, exponents and -0 as numpy does", () => {
    const got = parseCsv("nan,inf,-inf,+1.5e3\n-0,.5,5.,1E-2\nNaN,Infinity,-INF,0\n");
    expect(Array.from(got.data)).toEqual([NaN, Infinity, -Infinity, 1500, -0, 0.5, 5, 0.01, NaN, Infinity, -Infinity, 0]);
  });

  it("reads a first row that mixes numbers and text as data, and reports the text", () => {
    expect(() => parseCsv("1,abc\n2,3\n")).toThrow(/^data\.csv: line 1, column 2: 'abc' is not a number$/);
  });

  it("honours an explicit header option", () => {
    expect(parseCsv("1,2\n3,4\n", "d.csv", { header: true }).shape).toEqual([1, 2]);
    expect(() => parseCsv("a,b\n3,4\n", "d.csv", { header: false })).toThrow(/^d\.csv: line 1, column 1: 'a' is not a number$/);
  });

  it("names the file, line and column of a field that is not a number", () => {
    expect(() => parseCsv(readText("bad/not_a_number.csv"), "data.csv")).toThrow(/^data\.csv: line 2, column 2: 'abc' is not a number$/);
    expect(() => parseCsv("x,y\n1,2\n3,abc\n", "data.csv")).toThrow(/^data\.csv: line 3, column 2: 'abc' is not a number$/);
    expect(() => parseCsv("1,,3\n", "t.csv")).toThrow(/^t\.csv: line 1, column 2: '' is not a number$/);
    expect(() => parseCsv("1\n0x10\n", "t.csv")).toThrow(/^t\.csv: line 2, column 1: '0x10' is not a number$/);
  });

  it("counts skipped comment and blank lines in line numbers", () => {
    expect(() => parseCsv("# c\n\n1,2\n\n3,x\n", "t.csv")).toThrow(/^t\.csv: line 5, column 2: 'x' is not a number$/);
  });

  it("reports ragged rows with the line number and the expected column count", () => {
    expect(() => parseCsv(readText("bad/ragged.csv"), "data.csv")).toThrow(/^data\.csv: line 4 has 3 columns, expected 2$/);
  });

  it("reports an empty file and csv-parse errors with the file name", () => {
    expect(() => parseCsv("# only a comment\n\n", "e.csv")).toThrow(/^e\.csv: no data/);
    expect(() => parseCsv('1,"2\n3,4\n', "q.csv")).toThrow(/^q\.csv: .*[Qq]uote/);
  });
});

describe("label files", () => {
  it.each(Object.keys(expected.labels).filter((n) => n !== "labels_U_fortran.npy"))(
    "reads the labels of %s as numpy does",
    (name) => {
      expect(parseLabelFile(read(name), name)).toEqual(expected.labels[name]);
    },
  );

  it("decodes UTF-32 <U arrays, with non-BMP characters and empty strings", () => {
    expect(parseLabelFile(read("labels_U.npy"), "labels_U.npy")).toEqual(["cat", "dog", "bird", "cat", "émeu", "🐍", ""]);
    expect(parseLabelFile(read("labels_U_big.npy"), "labels_U_big.npy")).toEqual(parseLabelFile(read("labels_U.npy"), "l.npy"));
  });

  it("transposes a Fortran-order string array to C order", () => {
    const a = parseNpyText(read("labels_U_fortran.npy"));
    expect(a.shape).toEqual([3, 2]);
    expect(a.data).toEqual(expected.labels["labels_U_fortran.npy"]);
    expect(() => parseLabelFile(read("labels_U_fortran.npy"), "l.npy")).toThrow(/^l\.npy: labels must be a 1-D array, got shape \(3, 2\)$/);
  });

  it("returns numeric labels as numbers and string labels as strings", () => {
    expect(parseLabelsCsv("0\n1\n1\n")).toEqual({ labels: [0, 1, 1] });
    expect(parseLabelsCsv("a\nb\n")).toEqual({ labels: ["a", "b"] });
    expect(parseLabelsCsv("1\nb\n2\n")).toEqual({ labels: ["1", "b", "2"] });
  });

  it("detects a label header by name or by a numeric body", () => {
    expect(parseLabelsCsv("Class\nsetosa\nvirginica\n")).toEqual({ labels: ["setosa", "virginica"], header: "Class" });
    expect(parseLabelsCsv("digit\n3\n7\n")).toEqual({ labels: [3, 7], header: "digit" });
    expect(parseLabelsCsv("species\nsetosa\n", "l.csv", { header: true })).toEqual({ labels: ["setosa"], header: "species" });
    expect(parseLabelsCsv("# C# is kept\nC#\nF#\n").labels).toEqual(["C#", "F#"]);
  });

  it("rejects a label file with more than one column", () => {
    expect(() => parseLabelsCsv("a,1\nb,2\n", "l.csv")).toThrow(/^l\.csv: line 1 has 2 columns, expected 1/);
  });

  it("reads labels from an .npz by the key y, or arr_1 of np.savez(f, X, y)", () => {
    expect(parseLabelFile(read("xy.npz"), "xy.npz")).toEqual(expected.npz["xy.npz"].y.data);
    expect(parseLabelFile(read("two_unnamed.npz"), "t.npz")).toEqual(expected.npz["two_unnamed.npz"].arr_1.data);
  });
});

describe("parseArrayFile", () => {
  it("dispatches on the extension", () => {
    expectExact(parseArrayFile(read("f8_fortran.npy"), "f8_fortran.npy"), expected.npy["f8_fortran.npy"]);
    expectExact(parseArrayFile(read("with_header.csv"), "with_header.csv"), expected.csv["with_header.csv"], false);
    expectExact(parseArrayFile(read("no_header.txt"), "dir/NO_HEADER.TXT"), expected.csv["no_header.txt"], false);
  });

  it("takes the only array of an .npz, else x, else arr_0", () => {
    expectExact(parseArrayFile(read("positional.npz"), "p.npz"), expected.npz["positional.npz"].arr_0);
    expectExact(parseArrayFile(read("xy_compressed.npz"), "xy.npz"), expected.npz["xy_compressed.npz"].x);
    expectExact(parseArrayFile(read("two_unnamed.npz"), "t.npz"), expected.npz["two_unnamed.npz"].arr_0);
  });

  it("lists the keys when the .npz is ambiguous", () => {
    expect(() => parseArrayFile(read("ab.npz"), "ab.npz")).toThrow(/^ab\.npz: holds 2 arrays \(a, b\); cannot tell which/);
  });

  it("rejects unknown extensions and non-UTF-8 text, naming the file", () => {
    expect(() => parseArrayFile(read("f8_c.npy"), "x.mat")).toThrow(/^x\.mat: unsupported file type '\.mat'/);
    expect(() => parseArrayFile(new Uint8Array([0x31, 0xff, 0x0a]), "x.csv")).toThrow(/^x\.csv: not valid UTF-8/);
  });
});

describe("browser safety", () => {
  it("src/io imports no Node module, only fflate and csv-parse's browser build", () => {
    const srcDir = join(here, "..", "src", "io");
    for (const file of readdirSync(srcDir).filter((f) => f.endsWith(".ts"))) {
      // Code only: comments may mention Buffer or Node.
      const text = readFileSync(join(srcDir, file), "utf8").replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, "");
      const specifiers = [...text.matchAll(/(?:from|import)\s*\(?\s*["']([^"']+)["']/g)].map((m) => m[1]);
      for (const s of specifiers) {
        expect(s.startsWith(".") || s === "fflate" || s === "csv-parse/browser/esm/sync", `${file} imports ${s}`).toBe(true);
      }
      expect(text).not.toMatch(/\bBuffer\b|\bprocess\.|require\(/);
    }
  });

  it("csv-parse's browser sync build is self-contained", () => {
    const dist = readFileSync(join(here, "..", "node_modules", "csv-parse", "dist", "esm", "sync.js"), "utf8");
    expect(dist).not.toMatch(/^\s*import\s/m);
    expect(dist).not.toMatch(/require\(|["']node:/);
  });
});
