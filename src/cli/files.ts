import { existsSync, readFileSync, renameSync, writeFileSync, mkdirSync } from "node:fs";
import { dirname, isAbsolute, resolve, basename, join } from "node:path";
import { type Batch, fromRows } from "../batch.js";
import { InfodynError } from "../errors.js";
import { parseArrayFile } from "../io/index.js";
import { defaultModel } from "../models/default.js";
import { parseModelFile, type ParsedModel } from "../models/parse.js";
import { responsive } from "./abort.js";

/**
 * What a command gets from its model argument: an exact data model (`type: "exact"`), or a denoiser with the data
 * samples its expectations are taken over (`type: "denoiser"`), and where it came from (the path, or "default").
 */
export type LoadedModel = ParsedModel & { source: string };

/**
 * A model read from a JSON file (dataset and wrapped-model paths resolved against the file's folder), or the
 * embedded default. Whether a command accepts a denoiser is decided by `needs.ts`.
 */
export function loadModel(path: string | undefined): LoadedModel {
  if (path === undefined || path === "default") return { type: "exact", model: defaultModel(), source: "default" };
  if (!existsSync(path)) throw new InfodynError(`${path}: no such model file`);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    throw new InfodynError(`${path}: not valid JSON (${(e as Error).message})`);
  }
  const base = dirname(resolve(path));
  const parsed = parseModelFile(json, {
    source: path,
    readFile: (p) => {
      const full = isAbsolute(p) ? p : resolve(base, p);
      if (!existsSync(full)) throw new InfodynError(`${path}: file ${p} not found (looked for ${full})`);
      return new Uint8Array(readFileSync(full));
    },
  });
  // A denoiser is wrapped so that SIGINT / SIGTERM can reach the command between its calls (abort.ts).
  return parsed.type === "denoiser" ? { ...parsed, denoiser: responsive(parsed.denoiser), source: path } : { ...parsed, source: path };
}

/**
 * Query points from an option value: inline JSON (`[[0.1, 0.2], …]`, or `[0.1, 0.5]` for a 1-D model)
 * or a `.npy` / `.npz` / `.csv` file.
 */
export function loadPoints(arg: string, dim: number, option = "--points"): Batch {
  const text = arg.trim();
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
    if (!existsSync(text)) throw new InfodynError(`${option}: file ${text} not found`);
    const arr = parseArrayFile(new Uint8Array(readFileSync(text)), text);
    const cols = arr.shape.length === 2 ? arr.shape[1] : arr.shape.length === 1 && dim === 1 ? 1 : -1;
    if (cols !== dim) throw new InfodynError(`${text}: shape [${arr.shape}] does not hold points of dimension ${dim}`);
    b = { rows: arr.shape[0], dim, data: arr.data };
  }
  for (let i = 0; i < b.data.length; i++)
    if (!Number.isFinite(b.data[i])) throw new InfodynError(`${option}: point ${Math.floor(i / dim)} has a non-finite coordinate`);
  return b;
}

/** Positive finite numbers from `a` or `a,b,c`. */
export function parsePositiveList(arg: string, option: string): number[] {
  const parts = arg.split(",").map((s) => s.trim());
  return parts.map((p) => {
    const v = Number(p);
    if (p === "" || !Number.isFinite(v) || v <= 0) throw new InfodynError(`${option}: '${p}' is not a positive finite number`);
    return v;
  });
}

/**
 * An integer option in [min, max]: `--steps: '0' is not an integer ≥ 1` (or `… in [1, 26]` with a max).
 */
export function integerOption(text: string, name: string, min = -(2 ** 53), max = Infinity): number {
  const v = Number(text);
  if (text.trim() === "" || !Number.isInteger(v) || v < min || v > max)
    throw new InfodynError(
      `${name}: '${text}' is not an integer${max < Infinity ? ` in [${min}, ${max}]` : min > -(2 ** 53) ? ` ≥ ${min}` : ""}`,
    );
  return v;
}

/** Writes text to a file atomically (temp file in the same folder, then rename): no half-written output. */
export function writeFileAtomic(path: string, text: string | Uint8Array): void {
  const dir = dirname(resolve(path));
  mkdirSync(dir, { recursive: true });
  const tmp = join(dir, `.${basename(path)}.${process.pid}.tmp`);
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}

/** Prints to stdout or writes `--out FILE` atomically. */
export function emit(text: string, out?: string): void {
  if (out) writeFileAtomic(out, text.endsWith("\n") ? text : text + "\n");
  else process.stdout.write(text.endsWith("\n") ? text : text + "\n");
}
