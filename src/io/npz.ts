/**
 * Reader for numpy's `.npz` archives (`np.savez`, `np.savez_compressed`): a zip file of .npy
 * members. The zip layer is fflate's `unzipSync` (stored and deflated members, zip64 records as
 * numpy writes them); each member goes through {@link parseNpy}.
 */
import { unzipSync } from "fflate";
import { InfodynError } from "../errors.js";
import type { NumericArray, TextArray } from "./array.js";
import { isTextNpy, parseNpy, parseNpyText } from "./npy.js";

/** Unzips an .npz and returns its `.npy` members, keyed by name without the `.npy` suffix. */
export function unzipNpz(bytes: Uint8Array, name = "arrays.npz"): Map<string, Uint8Array> {
  let files: Record<string, Uint8Array>;
  try {
    // A central-directory entry takes at least 46 bytes: more entries than that is a forged count (zip64 records
    // can declare 2⁶⁴), refused before the walk over them. Only .npy members are inflated.
    const maxEntries = Math.floor(bytes.length / 46);
    let entries = 0;
    files = unzipSync(bytes, {
      filter: (file) => {
        if (++entries > maxEntries) throw new Error(`the archive declares more entries than its ${bytes.length} bytes can hold`);
        return file.name.endsWith(".npy");
      },
    });
  } catch (e) {
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
export function parseNpz(bytes: Uint8Array, name = "arrays.npz"): Map<string, NumericArray> {
  const out = new Map<string, NumericArray>();
  for (const [key, data] of unzipNpz(bytes, name)) out.set(key, parseNpy(data, `${name}/${key}.npy`));
  return out;
}

/** Like {@link parseNpz}, but string members (`<U…`, `|S…`) come back as {@link TextArray}s. */
export function parseNpzMixed(bytes: Uint8Array, name = "arrays.npz"): Map<string, NumericArray | TextArray> {
  const out = new Map<string, NumericArray | TextArray>();
  for (const [key, data] of unzipNpz(bytes, name)) {
    const member = `${name}/${key}.npy`;
    out.set(key, isTextNpy(data, member) ? parseNpyText(data, member) : parseNpy(data, member));
  }
  return out;
}
