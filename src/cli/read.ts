import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { InfodynError } from "../errors.js";
import { formatBytes } from "./budget.js";

/*
 * Every input file (model JSON, --points, .npy/.npz/.csv, labels) is read through {@link readBounded}: from a file
 * descriptor, in chunks, never past its limit — so a regular file over the limit is refused from its size at once,
 * and a character device (`/dev/zero`) or a pipe is refused as soon as the limit is passed, not read to exhaustion.
 */

const WHY: Record<string, string> = {
  ENOSPC: "no space left on device",
  EDQUOT: "disk quota exceeded",
  EROFS: "read-only file system",
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  EISDIR: "is a directory",
  ENOTDIR: "a component of the path is not a folder",
  ENOENT: "no such file or folder",
  EEXIST: "already exists",
  EIO: "input/output error",
  EFBIG: "file too large",
  ENXIO: "no such device, or a FIFO without a reader",
  ENAMETOOLONG: "name too long",
  ELOOP: "too many symbolic links",
  EXDEV: "on another file system",
  ENOTEMPTY: "folder not empty",
  EBUSY: "busy",
  EINVAL: "invalid argument",
};

/** True for an error of the operating system (it has an `E…` code). */
export function isSystemError(e: unknown): e is NodeJS.ErrnoException {
  const code = (e as NodeJS.ErrnoException)?.code;
  return typeof code === "string" && /^E[A-Z]+$/.test(code);
}

/** `no space left on device` for an `ENOSPC` error, else the error's message. */
export function whyFailed(e: unknown): string {
  const code = (e as NodeJS.ErrnoException)?.code;
  return (code && WHY[code]) ?? (e as Error)?.message ?? String(e);
}

/**
 * The bytes of a file, at most `limit` of them: `label: more than 256 MiB (the limit for a model file): refused`
 * beyond it, `label: is a directory` for a folder. Errors of opening (ENOENT, EACCES, …) are thrown as they are, for
 * the caller to word; `what` names the kind of file in the limit's message.
 */
export function readBounded(path: string, limit: number, what: string, label = path): Uint8Array {
  const fd = openSync(path, "r");
  try {
    const st = fstatSync(fd);
    if (st.isDirectory()) throw new InfodynError(`${label}: is a directory, not a file`);
    const tooBig = () => new InfodynError(`${label}: more than ${formatBytes(limit)} (the limit for ${what}): refused`);
    if (st.isFile() && st.size > limit) throw tooBig();
    const chunks: Uint8Array[] = [];
    let total = 0;
    let size = st.isFile() && st.size > 0 ? Math.min(st.size + 1, limit + 1) : 1 << 16;
    for (;;) {
      const buf = new Uint8Array(Math.min(size, limit + 1 - total));
      let n: number;
      try {
        n = readSync(fd, buf, 0, buf.length, null);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === "EAGAIN") continue;
        throw e;
      }
      if (n === 0) break;
      chunks.push(n === buf.length ? buf : buf.subarray(0, n));
      total += n;
      if (total > limit) throw tooBig();
      size = Math.min(size * 2, 1 << 26);
    }
    if (chunks.length === 1) return chunks[0];
    const out = new Uint8Array(total);
    let off = 0;
    for (const c of chunks) {
      out.set(c, off);
      off += c.length;
    }
    return out;
  } finally {
    closeSync(fd);
  }
}
