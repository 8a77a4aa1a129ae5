/**
 * Reader for numpy's `.npy` format (https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html).
 *
 * Why a parser of our own: the npm packages for .npy either fetch URLs, handle only little-endian
 * C-order float arrays, drop Fortran order, or are unmaintained; none covers format versions 1–3,
 * both byte orders, Fortran order for any rank, int64 with an exactness check, and unicode arrays.
 * The format itself is small — a magic string, a version, a header that is a Python dict literal,
 * then the raw elements — so the reader below is short and is tested against files numpy wrote
 * (test/fixtures/make_io.py). It uses only `DataView` and `TextDecoder`, no Node modules.
 *
 * Every error is an {@link InfodynError} whose message begins with the file name, e.g.
 * `x.npy: unsupported dtype '<c16'`.
 */
import { InfodynError } from "../errors.js";
import { shapeSize, type NumericArray, type TextArray } from "./array.js";

/** The parsed preamble of a .npy file. */
export interface NpyHeader {
  /** Format version, `[1, 0]`, `[2, 0]` or `[3, 0]`. */
  version: [number, number];
  /** The dtype descr string, e.g. `'<f8'`. */
  descr: string;
  /** True when the data are stored in Fortran (column-major) order. */
  fortranOrder: boolean;
  shape: number[];
  /** Byte offset of the first element, from the start of the file. */
  dataOffset: number;
}

/** A parsed descr: byte order, kind letter and item size in bytes. */
interface Dtype {
  descr: string;
  bigEndian: boolean;
  /** numpy kind letter: b, i, u, f (numbers), U, S (strings). */
  kind: "b" | "i" | "u" | "f" | "U" | "S";
  /** Bytes per element. */
  itemSize: number;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
const TWO_53 = 2n ** 53n;

function fail(name: string, message: string): never {
  throw new InfodynError(`${name}: ${message}`);
}

// ---------------------------------------------------------------------------------------------
// Header
// ---------------------------------------------------------------------------------------------

/** Reads and validates the magic string, version and header dict of a .npy file. */
export function readNpyHeader(bytes: Uint8Array, name = "array.npy"): NpyHeader {
  for (let i = 0; i < MAGIC.length; i++) {
    if (bytes[i] !== MAGIC[i]) fail(name, "not a .npy file (bad magic)");
  }
  if (bytes.length < 10) fail(name, "header is truncated: the file ends inside the preamble");
  const major = bytes[6];
  const minor = bytes[7];
  if (major < 1 || major > 3 || minor !== 0) {
    fail(name, `unsupported .npy format version ${major}.${minor} (this reader knows 1.0, 2.0 and 3.0)`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let headerStart: number;
  let headerLength: number;
  if (major === 1) {
    headerLength = view.getUint16(8, true);
    headerStart = 10;
  } else {
    if (bytes.length < 12) fail(name, "header is truncated: the file ends inside the preamble");
    headerLength = view.getUint32(8, true);
    headerStart = 12;
  }
  const dataOffset = headerStart + headerLength;
  if (dataOffset > bytes.length) {
    fail(
      name,
      `header is truncated: the header needs ${headerLength} bytes, the file has ${bytes.length - headerStart} after the preamble`,
    );
  }
  const raw = bytes.subarray(headerStart, dataOffset);
  let text: string;
  if (major === 3) {
    try {
      text = new TextDecoder("utf-8", { fatal: true }).decode(raw);
    } catch {
      fail(name, "header is malformed: not valid UTF-8");
    }
  } else {
    // Versions 1.0 and 2.0 use latin-1, which maps each byte to the code point of the same value.
    // (TextDecoder("latin1") would be windows-1252, which differs on 0x80–0x9f.)
    text = "";
    for (let i = 0; i < raw.length; i++) text += String.fromCharCode(raw[i]);
  }

  let dict: PyValue;
  try {
    dict = parsePyLiteral(text);
  } catch (e) {
    if (e instanceof PyLiteralError) fail(name, `header is malformed: ${e.message}`);
    throw e;
  }
  if (!(dict instanceof Map)) fail(name, "header is malformed: expected a dict literal");
  for (const key of ["descr", "fortran_order", "shape"]) {
    if (!dict.has(key)) fail(name, `header is malformed: missing key '${key}'`);
  }
  const descr = dict.get("descr");
  if (Array.isArray(descr)) {
    fail(name, "structured dtypes (records with named fields) are not supported; save a plain numeric array");
  }
  if (typeof descr !== "string") fail(name, "header is malformed: 'descr' must be a string");
  const fortranOrder = dict.get("fortran_order");
  if (typeof fortranOrder !== "boolean") fail(name, "header is malformed: 'fortran_order' must be True or False");
  const shapeValue = dict.get("shape");
  if (!Array.isArray(shapeValue) || !shapeValue.every((d) => typeof d === "number" && Number.isSafeInteger(d) && d >= 0)) {
    fail(name, "header is malformed: 'shape' must be a tuple of non-negative integers");
  }
  return { version: [major, minor], descr, fortranOrder, shape: shapeValue as number[], dataOffset };
}

/** Python values that can occur in a .npy header. Tuples and lists are both JS arrays. */
type PyValue = string | number | boolean | null | PyValue[] | Map<string | number, PyValue>;

class PyLiteralError extends Error {}

/** Deepest nesting of the header literal accepted (numpy writes 2). */
const MAX_LITERAL_DEPTH = 64;

/**
 * Parses the subset of Python literal syntax numpy writes in headers: dicts, tuples, lists,
 * strings, integers (with the `L` suffix of Python 2 files), True, False and None.
 */
function parsePyLiteral(text: string): PyValue {
  let pos = 0;
  const isSpace = (c: string) => c === " " || c === "\t" || c === "\n" || c === "\r" || c === "\f" || c === "\v";
  const skip = () => {
    while (pos < text.length && isSpace(text[pos])) pos++;
  };
  const err = (what: string): never => {
    const near = text.slice(pos, pos + 20).replace(/\s+/g, " ");
    throw new PyLiteralError(`${what} at character ${pos}${pos < text.length ? ` (near '${near}')` : ""}`);
  };
  const expect = (c: string) => {
    skip();
    if (text[pos] !== c) err(`expected '${c}'`);
    pos++;
  };

  let depth = 0;
  function value(): PyValue {
    // numpy's headers nest two levels; a deep nest is a malformed (or hostile) file, not a recursion to follow
    if (++depth > MAX_LITERAL_DEPTH) err(`nesting deeper than ${MAX_LITERAL_DEPTH} levels`);
    try {
      return valueAt();
    } finally {
      depth--;
    }
  }

  function valueAt(): PyValue {
    skip();
    const c = text[pos];
    if (c === undefined) return err("unexpected end of header");
    if (c === "{") return dict();
    if (c === "(") return sequence("(", ")", true);
    if (c === "[") return sequence("[", "]", false);
    if (c === "'" || c === '"') return string();
    if (c === "-" || c === "+" || (c >= "0" && c <= "9")) return integer();
    const word = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(pos));
    if (word) {
      pos += word[0].length;
      if (word[0] === "True") return true;
      if (word[0] === "False") return false;
      if (word[0] === "None") return null;
      pos -= word[0].length;
      return err(`unexpected name '${word[0]}'`);
    }
    return err(`unexpected character '${c}'`);
  }

  function dict(): Map<string | number, PyValue> {
    const out = new Map<string | number, PyValue>();
    expect("{");
    for (;;) {
      skip();
      if (text[pos] === "}") {
        pos++;
        return out;
      }
      const key = value();
      if (typeof key !== "string" && typeof key !== "number") err("dict keys must be strings or integers");
      expect(":");
      out.set(key as string | number, value());
      skip();
      if (text[pos] === ",") pos++;
      else if (text[pos] !== "}") err("expected ',' or '}'");
    }
  }

  function sequence(open: string, close: string, tuple: boolean): PyValue {
    const items: PyValue[] = [];
    let sawComma = false;
    expect(open);
    for (;;) {
      skip();
      if (text[pos] === close) {
        pos++;
        // `(3)` is just a parenthesised 3 in Python; `(3,)` and `()` are tuples.
        return tuple && items.length === 1 && !sawComma ? items[0] : items;
      }
      items.push(value());
      skip();
      if (text[pos] === ",") {
        pos++;
        sawComma = true;
      } else if (text[pos] !== close) err(`expected ',' or '${close}'`);
    }
  }

  function string(): string {
    const quote = text[pos++];
    let out = "";
    for (;;) {
      const c = text[pos++];
      if (c === undefined || c === "\n") return err("unterminated string");
      if (c === quote) return out;
      if (c !== "\\") {
        out += c;
        continue;
      }
      const e = text[pos++];
      const simple: Record<string, string> = { "\\": "\\", "'": "'", '"': '"', n: "\n", t: "\t", r: "\r", "0": "\0" };
      if (e in simple) out += simple[e];
      else if (e === "x" || e === "u" || e === "U") {
        const len = e === "x" ? 2 : e === "u" ? 4 : 8;
        const hex = text.slice(pos, pos + len);
        if (!new RegExp(`^[0-9a-fA-F]{${len}}$`).test(hex)) err("bad escape in string");
        const cp = parseInt(hex, 16);
        if (cp > 0x10ffff) err("bad escape in string");
        out += String.fromCodePoint(cp);
        pos += len;
      } else return err("bad escape in string");
    }
  }

  function integer(): number {
    const m = /^[+-]?\d+[lL]?/.exec(text.slice(pos));
    if (!m) return err("expected a number");
    pos += m[0].length;
    if (/^[.eEjJ]/.test(text[pos] ?? "")) err("only integers are expected in a header");
    const n = Number(m[0].replace(/[lL]$/, ""));
    if (!Number.isSafeInteger(n)) err(`integer ${m[0]} is too large`);
    return n;
  }

  const result = value();
  skip();
  if (pos !== text.length) err("unexpected text after the dict");
  return result;
}

// ---------------------------------------------------------------------------------------------
// Dtypes and element decoding
// ---------------------------------------------------------------------------------------------

function parseDescr(descr: string, name: string): Dtype {
  const m = /^([<>|])([a-zA-Z])(\d+)$/.exec(descr);
  if (/^[<>|=]?O\d*$/.test(descr)) {
    fail(name, `object arrays (dtype '${descr}') are not supported: they hold pickled Python objects; save a numeric array`);
  }
  if (!m) fail(name, `unsupported dtype '${descr}'`);
  const [, order, kind, sizeText] = m;
  const size = Number(sizeText);
  const ok =
    (kind === "b" && size === 1) ||
    ((kind === "i" || kind === "u") && (size === 1 || size === 2 || size === 4 || size === 8)) ||
    (kind === "f" && (size === 2 || size === 4 || size === 8)) ||
    kind === "U" ||
    kind === "S";
  if (!ok) fail(name, `unsupported dtype '${descr}'`);
  // Zero-width strings hold nothing: their element count cannot be checked against the data length (a 128-byte
  // file could declare 2³² of them), so they are refused.
  if ((kind === "U" || kind === "S") && !(size >= 1)) fail(name, `dtype '${descr}' has zero-width elements (not supported)`);
  const itemSize = kind === "U" ? 4 * size : size;
  // '|' (byte order not applicable) is only meaningful for single bytes and byte strings.
  if (order === "|" && !(itemSize <= 1 || kind === "S")) fail(name, `unsupported dtype '${descr}'`);
  return { descr, bigEndian: order === ">", kind: kind as Dtype["kind"], itemSize };
}

/** Checks the data length and returns the DataView over the elements. */
function dataView(bytes: Uint8Array, header: NpyHeader, dtype: Dtype, name: string): { view: DataView; count: number } {
  const count = shapeSize(header.shape);
  const expected = count * dtype.itemSize;
  const found = bytes.length - header.dataOffset;
  if (found < expected) fail(name, `data is truncated: expected ${expected} bytes, found ${found}`);
  // A DataView reads at any byte offset, so unaligned data (odd header lengths, or `bytes` being a
  // subarray at an odd offset) needs no copy.
  const view = new DataView(bytes.buffer, bytes.byteOffset + header.dataOffset, expected);
  return { view, count };
}

/** IEEE 754 binary16 → number (exact: every half value is a double). */
function halfToNumber(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const fraction = h & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 31) return fraction ? NaN : sign * Infinity;
  return sign * (1024 + fraction) * 2 ** (exponent - 25);
}

/** Decodes `count` numeric elements in file order into float64. */
function decodeNumbers(view: DataView, count: number, dtype: Dtype, name: string): Float64Array {
  const out = new Float64Array(count);
  const le = !dtype.bigEndian;
  const key = `${dtype.kind}${dtype.itemSize}`;
  switch (key) {
    case "f8":
      for (let i = 0; i < count; i++) out[i] = view.getFloat64(8 * i, le);
      break;
    case "f4":
      for (let i = 0; i < count; i++) out[i] = view.getFloat32(4 * i, le);
      break;
    case "f2":
      for (let i = 0; i < count; i++) out[i] = halfToNumber(view.getUint16(2 * i, le));
      break;
    case "i1":
      for (let i = 0; i < count; i++) out[i] = view.getInt8(i);
      break;
    case "u1":
      for (let i = 0; i < count; i++) out[i] = view.getUint8(i);
      break;
    case "b1":
      for (let i = 0; i < count; i++) out[i] = view.getUint8(i) !== 0 ? 1 : 0;
      break;
    case "i2":
      for (let i = 0; i < count; i++) out[i] = view.getInt16(2 * i, le);
      break;
    case "u2":
      for (let i = 0; i < count; i++) out[i] = view.getUint16(2 * i, le);
      break;
    case "i4":
      for (let i = 0; i < count; i++) out[i] = view.getInt32(4 * i, le);
      break;
    case "u4":
      for (let i = 0; i < count; i++) out[i] = view.getUint32(4 * i, le);
      break;
    case "i8":
    case "u8":
      for (let i = 0; i < count; i++) {
        const v = key === "i8" ? view.getBigInt64(8 * i, le) : view.getBigUint64(8 * i, le);
        if (v > TWO_53 || v < -TWO_53) {
          fail(
            name,
            `${dtype.descr} value ${v} (element ${i} in file order) exceeds 2^53 in magnitude and cannot be converted to float64 exactly`,
          );
        }
        out[i] = Number(v);
      }
      break;
    default:
      fail(name, `unsupported dtype '${dtype.descr}'`);
  }
  return out;
}

/** Decodes `count` fixed-width string elements (numpy `U`: UTF-32; `S`: bytes, read as UTF-8). */
function decodeStrings(view: DataView, count: number, dtype: Dtype, name: string): string[] {
  const out = new Array<string>(count);
  const le = !dtype.bigEndian;
  if (dtype.kind === "U") {
    const width = dtype.itemSize / 4;
    const codePoints: number[] = [];
    for (let i = 0; i < count; i++) {
      codePoints.length = 0;
      let end = 0; // numpy drops trailing NULs only
      for (let j = 0; j < width; j++) {
        const cp = view.getUint32(dtype.itemSize * i + 4 * j, le);
        if (cp > 0x10ffff) fail(name, `invalid UTF-32 code point 0x${cp.toString(16)} in element ${i}`);
        codePoints.push(cp);
        if (cp !== 0) end = j + 1;
      }
      codePoints.length = end;
      // in chunks: one argument per character would overflow the stack for long strings
      let text = "";
      for (let c = 0; c < end; c += 8192) text += String.fromCodePoint(...codePoints.slice(c, c + 8192));
      out[i] = text;
    }
  } else {
    const decoder = new TextDecoder("utf-8", { fatal: true });
    const bytes = new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
    for (let i = 0; i < count; i++) {
      let end = dtype.itemSize;
      while (end > 0 && bytes[dtype.itemSize * i + end - 1] === 0) end--;
      try {
        out[i] = decoder.decode(bytes.subarray(dtype.itemSize * i, dtype.itemSize * i + end));
      } catch {
        fail(name, `element ${i} of the '${dtype.descr}' array is not valid UTF-8`);
      }
    }
  }
  return out;
}

/**
 * Reorders Fortran-order (column-major) elements into C order, for any number of dimensions.
 * Walks the C-order multi-index with an odometer and keeps the matching Fortran offset.
 */
function fortranToC<T extends { length: number; [i: number]: number | string }>(src: T, shape: number[], out: T): T {
  const nd = shape.length;
  const n = src.length;
  if (nd <= 1 || n === 0) {
    for (let i = 0; i < n; i++) out[i] = src[i];
    return out;
  }
  const stride = new Array<number>(nd); // Fortran strides, in elements
  stride[0] = 1;
  for (let k = 1; k < nd; k++) stride[k] = stride[k - 1] * shape[k - 1];
  const index = new Array<number>(nd).fill(0);
  let offset = 0;
  for (let c = 0; c < n; c++) {
    out[c] = src[offset];
    let k = nd - 1;
    index[k]++;
    offset += stride[k];
    while (k > 0 && index[k] === shape[k]) {
      offset -= stride[k] * shape[k];
      index[k] = 0;
      k--;
      index[k]++;
      offset += stride[k];
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Public readers
// ---------------------------------------------------------------------------------------------

/**
 * Parses a numeric .npy file (format 1.0, 2.0 or 3.0) into a C-order float64 array.
 *
 * Supported dtypes: `f2 f4 f8`, `i1 i2 i4 i8`, `u1 u2 u4 u8` and `b1`, little- or big-endian.
 * Fortran-order data are transposed to C order; a 0-d array gives `shape: []` and one value.
 * int64/uint64 values beyond ±2^53 are rejected rather than rounded. String arrays (`<U…`, `|S…`)
 * are read by {@link parseNpyText}; complex, object, datetime and structured dtypes are rejected.
 *
 * @param bytes the whole file; may be a subarray at any byte offset.
 * @param name the file name, used to prefix every error message.
 */
export function parseNpy(bytes: Uint8Array, name = "array.npy"): NumericArray {
  const header = readNpyHeader(bytes, name);
  const dtype = parseDescr(header.descr, name);
  if (dtype.kind === "U" || dtype.kind === "S") {
    fail(name, `dtype '${dtype.descr}' holds strings, not numbers (read it as labels instead)`);
  }
  const { view, count } = dataView(bytes, header, dtype, name);
  // Little-endian float64 in C order at an 8-byte aligned offset (np.save pads the header to 64 bytes) is already
  // the array: a view on the file's bytes, no copy (a 1e6 × 64 dataset is held once, not twice).
  const start = bytes.byteOffset + header.dataOffset;
  if (dtype.kind === "f" && dtype.itemSize === 8 && !dtype.bigEndian && LITTLE_ENDIAN_HOST && !header.fortranOrder && start % 8 === 0)
    return { shape: header.shape, data: new Float64Array(bytes.buffer, start, count), dtype: dtype.descr };
  const raw = decodeNumbers(view, count, dtype, name);
  const data = header.fortranOrder ? fortranToC(raw, header.shape, new Float64Array(count)) : raw;
  return { shape: header.shape, data, dtype: dtype.descr };
}

/** Whether this machine stores numbers little-endian (every x86 and ARM machine Node runs on). */
const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Parses a .npy file of fixed-width strings: numpy `<U…`/`>U…` (UTF-32, as `np.save` writes
 * `np.array(["a", "b"])`) or `|S…` (bytes, decoded as UTF-8). Trailing NULs are dropped, as numpy
 * does. Returns the strings in C order.
 */
export function parseNpyText(bytes: Uint8Array, name = "array.npy"): TextArray {
  const header = readNpyHeader(bytes, name);
  const dtype = parseDescr(header.descr, name);
  if (dtype.kind !== "U" && dtype.kind !== "S") {
    fail(name, `dtype '${dtype.descr}' is numeric, not a string array`);
  }
  const { view, count } = dataView(bytes, header, dtype, name);
  const raw = decodeStrings(view, count, dtype, name);
  const data = header.fortranOrder ? fortranToC(raw, header.shape, new Array<string>(count)) : raw;
  return { shape: header.shape, data, dtype: dtype.descr };
}

/** True when the .npy file's dtype is a string type (`U` or `S`), i.e. {@link parseNpyText} applies. */
export function isTextNpy(bytes: Uint8Array, name = "array.npy"): boolean {
  const { descr } = readNpyHeader(bytes, name);
  return /^[<>|][US]\d+$/.test(descr);
}
