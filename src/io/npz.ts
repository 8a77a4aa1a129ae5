/**
 * Reader for numpy's `.npz` archives (`np.savez`, `np.savez_compressed`): a zip file of .npy
 * members. The zip layer is fflate's `unzipSync` (stored and deflated members, zip64 records as
 * numpy writes them); each member goes through {@link parseNpy}.
 */
import { unzipSync } from "fflate";
import { InfodynError } from "../errors.js";
import type { NumericArray, TextArray } from "./array.js";
import { isTextNpy, parseNpy, parseNpyText } from "./npy.js";

/** The most bytes the `.npy` members of one archive may inflate to, together (1 GiB; `maxInflatedBytes` changes it). */
export const MAX_INFLATED_BYTES = 2 ** 30;

/** Options of the .npz readers. */
export interface NpzOptions {
  /** Refuse an archive whose `.npy` members declare more bytes than this, together. @default {@link MAX_INFLATED_BYTES} */
  maxInflatedBytes?: number;
}

class InflateLimit extends Error {}

/**
 * Unzips an .npz and returns its `.npy` members, keyed by name without the `.npy` suffix. A member is inflated into
 * a buffer of the size its header declares (never more), and the declared sizes are checked against
 * `maxInflatedBytes` before anything is inflated, so a zip bomb is refused at once.
 */
export function unzipNpz(bytes: Uint8Array, name = "arrays.npz", options: NpzOptions = {}): Map<string, Uint8Array> {
  const limit = options.maxInflatedBytes ?? MAX_INFLATED_BYTES;
  let files: Record<string, Uint8Array>;
  try {
    // A central-directory entry takes at least 46 bytes: more entries than that is a forged count (zip64 records
    // can declare 2⁶⁴), refused before the walk over them. Only .npy members are inflated.
    const maxEntries = Math.floor(bytes.length / 46);
    let entries = 0;
    let declared = 0;
    files = unzipSync(bytes, {
      filter: (file) => {
        if (++entries > maxEntries) throw new Error(`the archive declares more entries than its ${bytes.length} bytes can hold`);
        if (!file.name.endsWith(".npy")) return false;
        declared += file.originalSize;
        if (declared > limit)
          throw new InflateLimit(`${name}: its arrays inflate to more than ${formatBytes(limit)} (member ${file.name} declares ${file.originalSize} bytes): refused`);
        return true;
      },
    });
  } catch (e) {
    if (e instanceof InflateLimit) throw new InfodynError(e.message);
    const why = e instanceof Error ? e.message : String(e);
    throw new InfodynError(`${name}: not a valid .npz (zip) file: ${why}`);
  }
  const out = new Map<string, Uint8Array>();
  for (const [entry, data] of Object.entries(files)) {
    // Members that are not .npy (directories, stray files) are not arrays; numpy's np.load would
    // hand them back as raw bytes. They are skipped.
    if (!entry.endsWith(".npy")) continue;
    out.set(entry.slice(0, -4), data);
  }
  return out;
}

/**
 * Parses every array of an .npz archive (`np.savez` or `np.savez_compressed`), in archive order.
 * Keys are the member names without `.npy` (`x`, `y`, or `arr_0`, `arr_1`, … for positional
 * arguments). A bad member's error names both files, e.g. `arrays.npz/x.npy: unsupported dtype '<c8'`.
 */
export function parseNpz(bytes: Uint8Array, name = "arrays.npz", options: NpzOptions = {}): Map<string, NumericArray> {
  const out = new Map<string, NumericArray>();
  for (const [key, data] of unzipNpz(bytes, name, options)) out.set(key, parseNpy(data, `${name}/${key}.npy`));
  return out;
}

/** Like {@link parseNpz}, but string members (`<U…`, `|S…`) come back as {@link TextArray}s. */
export function parseNpzMixed(bytes: Uint8Array, name = "arrays.npz", options: NpzOptions = {}): Map<string, NumericArray | TextArray> {
  const out = new Map<string, NumericArray | TextArray>();
  for (const [key, data] of unzipNpz(bytes, name, options)) {
    const member = `${name}/${key}.npy`;
    out.set(key, isTextNpy(data, member) ? parseNpyText(data, member) : parseNpy(data, member));
  }
  return out;
}

/** `1 GiB`, `512 MiB`, `300 bytes`. */
function formatBytes(n: number): string {
  for (const [unit, size] of [["GiB", 2 ** 30], ["MiB", 2 ** 20], ["KiB", 2 ** 10]] as const)
    if (n >= size) return `${+(n / size).toPrecision(3)} ${unit}`;
  return `${n} bytes`;
}
