/**
 * Array and label file readers. They take the file's bytes (`Uint8Array`) or text plus its name and
 * import no Node module, so they run in the browser; the caller reads the file.
 */
import { InfodynError } from "../errors.js";
import { decodeUtf8Strict } from "./json.js";
import { formatShape, type NumericArray, type TextArray } from "./array.js";
import { parseCsv, parseLabelsCsv } from "./csv.js";
import { isTextNpy, parseNpy, parseNpyText } from "./npy.js";
import { type NpzOptions, unzipNpz } from "./npz.js";

export { decodeUtf8Strict, findDuplicateKey, parseJsonStrict } from "./json.js";
export { formatShape, shapeSize, type NumericArray, type TextArray } from "./array.js";
export { isTextNpy, parseNpy, parseNpyText, readNpyHeader, type NpyHeader } from "./npy.js";
export { MAX_INFLATED_BYTES, parseNpz, parseNpzMixed, unzipNpz, type NpzOptions } from "./npz.js";
export {
  parseCsv,
  parseLabelsCsv,
  parseNumberField,
  type CsvArray,
  type CsvOptions,
  type LabelsCsv,
  type LabelsCsvOptions,
} from "./csv.js";

function extension(name: string): string {
  const base = name.slice(name.lastIndexOf("/") + 1);
  const dot = base.lastIndexOf(".");
  return dot < 0 ? "" : base.slice(dot).toLowerCase();
}

function decodeText(bytes: Uint8Array, name: string): string {
  return decodeUtf8Strict(bytes, name);
}

/** A preferred .npz key; with `whenKeysAre`, only when the archive holds exactly those keys. */
interface Preference {
  key: string;
  whenKeysAre?: string[];
}

/** Options of {@link parseArrayFile} and {@link parseLabelFile}. */
export interface ArrayFileOptions extends NpzOptions {
  /** The array to read from an `.npz` (its member name without `.npy`, e.g. `X`); only for `.npz` files. */
  array?: string;
}

/**
 * Picks one member of an .npz: the one named `array` when given, else the only one, else the first preferred key
 * present.
 */
function pickMember<T>(members: Map<string, T>, name: string, preferred: Preference[], what: string, array?: string): [string, T] {
  const keys = [...members.keys()];
  if (array !== undefined) {
    if (!members.has(array))
      throw new InfodynError(`${name}: holds no array named '${array}' (it holds ${keys.length ? keys.join(", ") : "none"})`);
    return [array, members.get(array) as T];
  }
  if (keys.length === 0) throw new InfodynError(`${name}: holds no arrays`);
  if (keys.length === 1) return [keys[0], members.get(keys[0]) as T];
  for (const { key, whenKeysAre } of preferred) {
    if (whenKeysAre && !(keys.length === whenKeysAre.length && whenKeysAre.every((k) => members.has(k)))) continue;
    if (members.has(key)) return [key, members.get(key) as T];
  }
  const names = preferred.map((p) => `'${p.key}'`).join(" or ");
  throw new InfodynError(
    `${name}: holds ${keys.length} arrays (${keys.join(", ")}); cannot tell which is the ${what} (expected one array, or one named ${names}; a dataset model file names it with "array")`,
  );
}

function noMember(name: string, ext: string, array: string | undefined): void {
  if (array !== undefined && ext !== ".npz") throw new InfodynError(`${name}: an array name ('${array}') applies only to .npz files`);
}

/**
 * Reads a numeric array from a file's bytes, choosing the reader by extension:
 * `.npy`; `.npz` (its only array, else the one named `x`, else `arr_0`; otherwise an error lists
 * the keys); `.csv`, `.tsv`, `.txt` (UTF-8 text → {@link parseCsv}).
 */
export function parseArrayFile(bytes: Uint8Array, name: string, options: ArrayFileOptions = {}): NumericArray {
  const ext = extension(name);
  noMember(name, ext, options.array);
  switch (ext) {
    case ".npy":
      return parseNpy(bytes, name);
    case ".npz": {
      const [key, member] = pickMember(unzipNpz(bytes, name, options), name, [{ key: "x" }, { key: "arr_0" }], "data array", options.array);
      return parseNpy(member, `${name}/${key}.npy`);
    }
    case ".csv":
    case ".tsv":
    case ".txt":
      return parseCsv(decodeText(bytes, name), name);
    default:
      throw new InfodynError(`${name}: unsupported file type '${ext || "(none)"}' (expected .npy, .npz, .csv, .tsv or .txt)`);
  }
}

function labelsOf(array: NumericArray | TextArray, name: string): (number | string)[] {
  const { shape } = array;
  const isColumn = shape.length === 1 || (shape.length === 2 && (shape[1] === 1 || shape[0] === 1));
  if (!isColumn) throw new InfodynError(`${name}: labels must be a 1-D array, got shape ${formatShape(shape)}`);
  return Array.from<number | string>(array.data);
}

/**
 * Reads labels (numbers or strings) from a file's bytes, by extension: `.npy` of any numeric dtype
 * or of strings (`<U…` as numpy writes `np.array(["a", "b"])`, or `|S…`), 1-D or one row/column;
 * `.npz` (its only array, else `y`, else `labels`, else `arr_1` when the keys are exactly `arr_0`,
 * `arr_1` as `np.savez(f, X, y)` writes); `.csv`, `.tsv`, `.txt` → {@link parseLabelsCsv}.
 */
export function parseLabelFile(bytes: Uint8Array, name: string, options: ArrayFileOptions = {}): (number | string)[] {
  const ext = extension(name);
  noMember(name, ext, options.array);
  switch (ext) {
    case ".npy":
      return labelsOf(isTextNpy(bytes, name) ? parseNpyText(bytes, name) : parseNpy(bytes, name), name);
    case ".npz": {
      const preferred = [{ key: "y" }, { key: "labels" }, { key: "arr_1", whenKeysAre: ["arr_0", "arr_1"] }];
      const [key, bytesOf] = pickMember(unzipNpz(bytes, name, options), name, preferred, "label array", options.array);
      const member = `${name}/${key}.npy`;
      return labelsOf(isTextNpy(bytesOf, member) ? parseNpyText(bytesOf, member) : parseNpy(bytesOf, member), member);
    }
    case ".csv":
    case ".tsv":
    case ".txt":
      return parseLabelsCsv(decodeText(bytes, name), name).labels;
    default:
      throw new InfodynError(`${name}: unsupported file type '${ext || "(none)"}' (expected .npy, .npz, .csv, .tsv or .txt)`);
  }
}
