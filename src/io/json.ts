/**
 * Strict JSON for model files: valid UTF-8, valid JSON (`JSON.parse` is the grammar's authority), and no object
 * with the same key twice (`JSON.parse` silently keeps the last one, so a model with two `"weights"` would run on
 * whichever came second). Browser-safe: no Node module.
 *
 * Why a scanner of our own (README "Design notes"): jsonc-parser's visitor reports every property but is a
 * recursive descent that overflows the stack on a deeply nested file (200 000 `[`), which `JSON.parse` reads; the
 * AST parsers (momoa, json-source-map) allocate a node per number — hundreds of bytes for each coordinate of a
 * dataset. Once `JSON.parse` has accepted the text, finding duplicate keys needs only the strings and the brackets:
 * one iterative pass, no recursion, a set of keys per open object.
 */
import { InfodynError } from "../errors.js";

/** Decodes UTF-8 bytes strictly: `name: not valid UTF-8 text (byte offset 17)` on the first malformed sequence. */
export function decodeUtf8Strict(bytes: Uint8Array, name: string): string {
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw new InfodynError(`${name}: not valid UTF-8 text (at byte ${firstInvalidUtf8(bytes)})`);
  }
}

/** Byte offset of the first malformed UTF-8 sequence (for the message; the decoder's verdict is authoritative). */
function firstInvalidUtf8(b: Uint8Array): number {
  let i = 0;
  while (i < b.length) {
    const c = b[i];
    const n = c < 0x80 ? 0 : c >= 0xc2 && c <= 0xdf ? 1 : c >= 0xe0 && c <= 0xef ? 2 : c >= 0xf0 && c <= 0xf4 ? 3 : -1;
    if (n < 0) return i;
    for (let k = 1; k <= n; k++) if (i + k >= b.length || (b[i + k] & 0xc0) !== 0x80) return i;
    // overlong 3-byte forms, surrogates, and code points above U+10FFFF
    if (n === 2 && ((c === 0xe0 && b[i + 1] < 0xa0) || (c === 0xed && b[i + 1] >= 0xa0))) return i;
    if (n === 3 && ((c === 0xf0 && b[i + 1] < 0x90) || (c === 0xf4 && b[i + 1] >= 0x90))) return i;
    i += n + 1;
  }
  return i;
}

/**
 * Parses JSON text (or UTF-8 bytes) strictly: `name: not valid UTF-8 text …`, `name: not valid JSON (…)`, or
 * `name: duplicate key "weights" in components[1]` (the path of the object holding it).
 *
 * @example
 * parseJsonStrict('{"kind":"deltas","points":[[0]],"points":[[1]]}', "m.json"); // throws: m.json: duplicate key "points" (at the top level)
 */
export function parseJsonStrict(input: string | Uint8Array, name: string): unknown {
  const text = typeof input === "string" ? input : decodeUtf8Strict(input, name);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new InfodynError(`${name}: not valid JSON (${(e as Error).message})`);
  }
  const dup = findDuplicateKey(text);
  if (dup) throw new InfodynError(`${name}: duplicate key ${JSON.stringify(dup.key)} ${dup.path ? `in ${dup.path}` : "(at the top level)"}`);
  return value;
}

interface Frame {
  object: boolean;
  keys?: Set<string>;
  /** In an object: the next string is a key. */
  expectKey: boolean;
  /** The key (object) or index (array) of the value being read. */
  at: string | number;
}

/**
 * The first key that occurs twice in one object of a JSON text already accepted by `JSON.parse`, with the path of
 * that object (`components[1]`, "" at the top level); undefined when there is none. Iterative: any nesting depth.
 */
export function findDuplicateKey(text: string): { key: string; path: string } | undefined {
  const stack: Frame[] = [];
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      // the end of the string: the next quote not escaped by an odd run of backslashes
      let j = i + 1;
      let escaped = false;
      for (;;) {
        j = text.indexOf('"', j);
        let b = j - 1;
        while (text.charCodeAt(b) === 0x5c) b--;
        if ((j - 1 - b) % 2 === 0) break;
        escaped = true;
        j++;
      }
      const top = stack[stack.length - 1];
      if (top?.object && top.expectKey) {
        const raw = text.slice(i + 1, j);
        const key = escaped || raw.includes("\\") ? (JSON.parse(text.slice(i, j + 1)) as string) : raw;
        if (top.keys!.has(key)) return { key, path: pathOf(stack.slice(0, -1)) };
        top.keys!.add(key);
        top.at = key;
        top.expectKey = false;
      }
      i = j + 1;
      continue;
    }
    if (c === 0x7b /* { */) stack.push({ object: true, keys: new Set(), expectKey: true, at: "" });
    else if (c === 0x5b /* [ */) stack.push({ object: false, expectKey: false, at: 0 });
    else if (c === 0x7d /* } */ || c === 0x5d /* ] */) stack.pop();
    else if (c === 0x2c /* , */) {
      const top = stack[stack.length - 1];
      if (top.object) top.expectKey = true;
      else top.at = (top.at as number) + 1;
    }
    i++;
  }
  return undefined;
}

function pathOf(frames: Frame[]): string {
  let out = "";
  for (const f of frames) {
    if (f.object) out += out ? `.${f.at}` : String(f.at);
    else out += `[${f.at}]`;
  }
  return out;
}
