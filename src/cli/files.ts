import { statSync } from "node:fs";
import { basename, dirname, isAbsolute, join, resolve } from "node:path";
import { type Batch, fromRows } from "../batch.js";
import { InfodynError } from "../errors.js";
import { parseArrayFile } from "../io/index.js";
import { parseJsonStrict } from "../io/json.js";
import { defaultModel } from "../models/default.js";
import { parseModelFile, type ParsedModel } from "../models/parse.js";
import type { Denoiser } from "../models/types.js";
import { networkModel } from "../network/model.js";
import { parseOnnxSpec, type OnnxModelSpec } from "../network/schema.js";
import { responsive } from "./abort.js";
import { ARRAY_FILE_LIMIT_BYTES, MEMORY_BUDGET_BYTES, MODEL_FILE_LIMIT_BYTES, NPZ_INFLATE_LIMIT_BYTES } from "./budget.js";
import { readBounded, whyFailed } from "./read.js";

export { emit, writeOutputFile as writeFileAtomic } from "./output.js";

/**
 * What a command gets from its model argument: an exact data model (`type: "exact"`), or a denoiser with the data
 * samples its expectations are taken over (`type: "denoiser"`: a testbed, or a trained network of kind `onnx`), and
 * where it came from (the path, or "default").
 */
export type LoadedModel = (ParsedModel | NetworkFile) & { source: string };

/** A trained network (an onnx model file, src/network/schema.ts) with its data samples and their labels. */
export interface NetworkFile {
  type: "denoiser";
  kind: "onnx";
  denoiser: Denoiser;
  data: Batch;
  labels?: Int32Array;
  name?: string;
  /** The model file's conventions, as validated. */
  spec: OnnxModelSpec;
}

const ARRAY_EXTENSIONS = /\.(npy|npz|csv|tsv|txt)$/i;

/** A bare array file given as MODEL: one line with the dataset model file to write instead. */
function arrayAsModel(path: string): InfodynError {
  const spec = { kind: "dataset", path: basename(path), ...(/\.npz$/i.test(path) ? { array: "NAME" } : {}) };
  const json = join(dirname(path), basename(path).replace(/\.[^.]+$/, "") + ".json");
  return new InfodynError(
    `${path}: an array file, not a model file; write ${JSON.stringify(spec)} to a model file beside it (e.g. ${json})${spec.array ? ", NAME the array to read," : ""} and pass that`,
  );
}

/** Bytes of an input file, bounded, with one-line errors: `x.npy: no such file`, `m.json: is a directory, not a file`. */
function readInput(path: string, limit: number, what: string, notFound: () => string): Uint8Array {
  try {
    return readBounded(path, limit, what);
  } catch (e) {
    if (e instanceof InfodynError) throw e;
    if ((e as NodeJS.ErrnoException).code === "ENOENT") throw new InfodynError(notFound());
    throw new InfodynError(`${path}: cannot read (${whyFailed(e)})`);
  }
}

/**
 * A model read from a JSON file (dataset and wrapped-model paths resolved against the file's folder), or the
 * embedded default. The file is read with a size bound (README "Budgets"), must be valid UTF-8 and JSON without a
 * duplicate key; a bare `.npy`/`.npz`/`.csv` is answered with the dataset model file to write. Whether a command
 * accepts a denoiser is decided by `needs.ts`.
 */
export function loadModel(path: string | undefined): LoadedModel {
  if (path === undefined || path === "default") return { type: "exact", model: defaultModel(), source: "default" };
  if (path === "") throw new InfodynError("model: empty path (give a model JSON file, or 'default')");
  if (ARRAY_EXTENSIONS.test(path)) throw arrayAsModel(path);
  const bytes = readInput(path, MODEL_FILE_LIMIT_BYTES, "a model file", () => `${path}: no such model file`);
  if (bytes[0] === 0x93 && bytes[1] === 0x4e || (bytes[0] === 0x50 && bytes[1] === 0x4b)) throw arrayAsModel(path);
  const json = parseJsonStrict(bytes, path);
  const base = dirname(resolve(path));
  if (typeof json === "object" && json !== null && (json as { kind?: unknown }).kind === "onnx") return loadNetwork(json, path, base);
  const parsed = parseModelFile(json, {
    source: path,
    maxArrayBytes: MEMORY_BUDGET_BYTES,
    maxInflatedBytes: NPZ_INFLATE_LIMIT_BYTES,
    readFile: (p) => {
      const full = isAbsolute(p) ? p : resolve(base, p);
      const isJson = /\.json$/i.test(p);
      return readInput(full, isJson ? MODEL_FILE_LIMIT_BYTES : ARRAY_FILE_LIMIT_BYTES, isJson ? "a model file" : "an array file", () => `${path}: file ${p} not found (looked for ${full})`);
    },
  });
  // A denoiser is wrapped so that SIGINT / SIGTERM can reach the command between its calls (abort.ts).
  return parsed.type === "denoiser" ? { ...parsed, denoiser: responsive(parsed.denoiser), source: path } : { ...parsed, source: path };
}

/**
 * An onnx model file: its conventions validated (network/schema.ts), the graph's path checked to be a file, the data
 * and labels read (bounded, relative to the model file) and the denoiser built (network/model.ts); ONNX Runtime is
 * loaded and the graph opened at the first denoiser call (node/onnx.ts), where a graph that does not fit the file's
 * conventions is refused naming the field.
 */
function loadNetwork(json: object, path: string, base: string): LoadedModel {
  const spec = parseOnnxSpec(json, path);
  const full = (p: string) => (isAbsolute(p) ? p : resolve(base, p));
  const graph = full(spec.path);
  let isFile = false;
  try {
    isFile = statSync(graph).isFile();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") throw new InfodynError(`${path}: path: file ${spec.path} not found (looked for ${graph})`);
    throw new InfodynError(`${path}: path: cannot read ${spec.path} (${whyFailed(e)})`);
  }
  if (!isFile) throw new InfodynError(`${path}: path: ${spec.path} is not a file`);
  const net = networkModel(
    spec,
    {
      read: (p, field) =>
        readInput(full(p), ARRAY_FILE_LIMIT_BYTES, "an array file", () => `${path}: ${field}: file ${p} not found (looked for ${full(p)})`),
      open: async (p, o) => (await import("../node/onnx.js")).openOnnxSession(full(p), o),
      maxInflatedBytes: NPZ_INFLATE_LIMIT_BYTES,
    },
    path,
  );
  return {
    type: "denoiser",
    kind: "onnx",
    // Wrapped so that SIGINT / SIGTERM can reach the command between its calls (abort.ts).
    denoiser: responsive(net.denoiser),
    data: net.data,
    ...(net.labels ? { labels: net.labels } : {}),
    ...(spec.name !== undefined ? { name: spec.name } : {}),
    spec,
    source: path,
  };
}

/**
 * Query points from an option value: inline JSON (`[[0.1, 0.2], …]`, or `[0.1, 0.5]` for a 1-D model)
 * or a `.npy` / `.npz` / `.csv` file.
 */
export function loadPoints(arg: string, dim: number, option = "--points"): Batch {
  const text = arg.trim();
  if (text === "") throw new InfodynError(`${option}: empty (give points as JSON, e.g. '[[0.1,0.2]]', or a .npy/.npz/.csv file)`);
  let b: Batch;
  if (text.startsWith("[")) {
    let v: unknown;
    try {
      v = JSON.parse(text);
    } catch (e) {
      throw new InfodynError(`${option}: not valid JSON (${(e as Error).message})`);
    }
    if (!Array.isArray(v) || v.length === 0) throw new InfodynError(`${option}: expected a non-empty array of points`);
    const rows = v.every((x) => typeof x === "number") ? (dim === 1 ? v.map((x) => [x]) : [v]) : v;
    rows.forEach((r: unknown, i: number) => {
      if (!Array.isArray(r) || !r.every((x) => typeof x === "number"))
        throw new InfodynError(`${option}[${i}]: expected an array of numbers`);
    });
    b = fromRows(rows as number[][], (rows[0] as number[]).length);
    (rows as number[][]).forEach((r, i) => {
      if (r.length !== dim) throw new InfodynError(`${option}[${i}]: has ${r.length} coordinates, the model has dimension ${dim}`);
    });
  } else {
    if (!ARRAY_EXTENSIONS.test(text))
      throw new InfodynError(`${option}: '${text}' is neither JSON points nor a .npy/.npz/.csv file`);
    const bytes = readInput(text, ARRAY_FILE_LIMIT_BYTES, "an array file", () => `${option}: file ${text} not found`);
    const arr = parseArrayFile(bytes, text, { maxInflatedBytes: NPZ_INFLATE_LIMIT_BYTES });
    const cols = arr.shape.length === 2 ? arr.shape[1] : arr.shape.length === 1 && dim === 1 ? 1 : -1;
    if (cols !== dim) throw new InfodynError(`${text}: shape [${arr.shape}] does not hold points of dimension ${dim}`);
    b = { rows: arr.shape[0], dim, data: arr.data };
    if (b.rows === 0) throw new InfodynError(`${option}: ${text} holds no points (shape [${arr.shape}])`);
  }
  for (let i = 0; i < b.data.length; i++)
    if (!Number.isFinite(b.data[i])) throw new InfodynError(`${option}: point ${Math.floor(i / dim)} has a non-finite coordinate`);
  return b;
}

/** Positive finite numbers from `a` or `a,b,c`; an empty value or an empty item is an error. */
export function parsePositiveList(arg: string, option: string): number[] {
  if (arg.trim() === "") throw new InfodynError(`${option}: empty (give a positive number, or several separated by commas)`);
  const parts = arg.split(",").map((s) => s.trim());
  return parts.map((p) => {
    const v = Number(p);
    if (p === "" || !DECIMAL.test(p) || !Number.isFinite(v) || v <= 0) throw new InfodynError(`${option}: '${p}' is not a positive finite number`);
    return v;
  });
}

/** A number written in decimal: `12`, `-0.5`, `1e-3`, `2.5E+4` (not `0x10`, `Infinity`, `1_000` or ` 1`). */
export const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/**
 * An integer option in [min, max], written in decimal (`1e3` is 1000): `--steps: '0' is not an integer ≥ 1`
 * (or `… in [1, 26]` with a max). Sizes (steps, samples, paths) have no max here: they are checked against the
 * budgets (budget.ts), which say what fits — `--steps 9007199254740993` is refused there, not rounded.
 */
export function integerOption(text: string, name: string, min = -(2 ** 53), max = Infinity): number {
  const v = Number(text);
  if (!DECIMAL.test(text) || !Number.isInteger(v) || v < min || v > max)
    throw new InfodynError(
      `${name}: '${text}' is not an integer${max < Infinity ? ` in [${min}, ${max}]` : min > -(2 ** 53) ? ` ≥ ${min}` : ""}`,
    );
  return v;
}

/** The largest seed + 1: seeds are integers in [0, 2³²). */
export const SEED_LIMIT = 2 ** 32;

/**
 * A seed: an integer in [0, 2³²) written in decimal digits — the same rule for every command. `0x10`, `1e300`,
 * `4294967303`, `1.5` and `-1` are refused (they were taken mod 2³² before): `--seed: '0x10' is not an integer in
 * [0, 4294967295] written in decimal digits`.
 */
export function seedOption(text: string, name = "--seed"): number {
  if (!/^\d{1,10}$/.test(text) || Number(text) >= SEED_LIMIT)
    throw new InfodynError(`${name}: '${text}' is not an integer in [0, ${SEED_LIMIT - 1}] written in decimal digits`);
  return Number(text);
}

/**
 * A size option (steps, samples, paths …): an integer ≥ min in decimal, of any magnitude (the budget check that
 * follows refuses what does not fit, naming the value as written). Returns the value and the text.
 */
export function sizeOption(text: string, name: string, min = 1): { value: number; text: string } {
  const v = Number(text);
  if (!DECIMAL.test(text) || !Number.isInteger(v) || v < min) throw new InfodynError(`${name}: '${text}' is not an integer ≥ ${min}`);
  return { value: v, text: /^\d+$/.test(text) ? text.replace(/^0+(?=\d)/, "") : String(v) };
}

/** `text + 1` for a size written in digits (exact past 2⁵³): the levels of `--steps N`. */
export function plusOne(text: string): string {
  return /^\d+$/.test(text) ? (BigInt(text) + 1n).toString() : String(Number(text) + 1);
}
