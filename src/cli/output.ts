import {
  closeSync,
  fchmodSync,
  fsyncSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readlinkSync,
  realpathSync,
  statSync,
  renameSync,
  rmSync,
  type Stats,
  writeSync,
  accessSync,
  constants,
} from "node:fs";
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { InfodynError } from "../errors.js";
import { VERSION } from "../version.js";
import { trackTemp, untrackTemp } from "./abort.js";
import { isSystemError, readBounded, whyFailed } from "./read.js";

/*
 * Everything the command line writes goes through here (README "Command line"):
 *
 * - `--out FILE`: a regular file (new or existing) is written to a temp file beside it, flushed, and renamed over it,
 *   so a failed or interrupted run leaves the old file or nothing, never half a file; a symbolic link is followed
 *   and its target written the same way (the link stays); a FIFO or character device (`/dev/null`, `/dev/stdout`)
 *   is opened and written in place, never replaced; a directory, a block device or a socket is refused.
 * - `--out DIR` (report, figures): the folder is assembled beside DIR and renamed into place on success. An existing
 *   DIR is replaced only when it is infodyn's own output (the marker file `.infodyn-output` lists what infodyn wrote,
 *   and nothing else is in it), never a folder of other files, `.` or a folder above it, or a file.
 * - Any write error (no space, read-only, permission, …) is one line naming the path, exit code 2, temp removed.
 */

/** The marker file of every folder infodyn writes: JSON `{infodyn, version, files}`. */
export const OUTPUT_MARKER = ".infodyn-output";

/** An error of the file system as one line: `--out: cannot write out.json (no space left on device)`; others as they are. */
function writeError(option: string, path: string, e: unknown): unknown {
  if (!isSystemError(e)) return e;
  return new InfodynError(`${option}: cannot write ${path} (${whyFailed(e)})`);
}

function lstatOrUndefined(path: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return undefined;
    throw e;
  }
}

/**
 * Where `--out PATH` leads: the stat of what it names (links followed by the kernel, so `/dev/stdout` →
 * `/proc/self/fd/1` → a pipe is seen as the pipe), and for a regular file its real path; for a path that does not
 * exist (or a dangling link) the path the links end at, where the file will be created.
 */
function followLinks(path: string, option: string): { target: string; stat?: Stats } {
  let st: Stats | undefined;
  try {
    st = statSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw writeError(option, path, e);
  }
  if (st) return { target: st.isFile() ? realpathSync(path) : resolve(path), stat: st };
  let p = resolve(path);
  for (let hops = 0; hops <= 40; hops++) {
    let l: Stats | undefined;
    try {
      l = lstatOrUndefined(p);
      if (!l?.isSymbolicLink()) return { target: p };
      p = resolve(dirname(p), readlinkSync(p));
    } catch (e) {
      throw writeError(option, path, e);
    }
  }
  throw new InfodynError(`${option}: cannot write ${path} (too many symbolic links)`);
}

/**
 * `mkdir -p` one level at a time (Node's recursive mkdirSync loops forever where a folder cannot be created and the
 * kernel answers ENOENT, as under /proc).
 */
function makeParents(dir: string): void {
  const missing: string[] = [];
  let d = resolve(dir);
  while (!lstatOrUndefined(d)) {
    missing.push(d);
    const up = dirname(d);
    if (up === d) break;
    d = up;
  }
  for (const m of missing.reverse()) mkdirSync(m);
}

/** Writes to a descriptor the process already has: 1 and 2 through process.stdout / stderr, others directly. */
function writeToDescriptor(fd: number, bytes: Uint8Array): void {
  if (fd === 1) process.stdout.write(bytes);
  else if (fd === 2) process.stderr.write(bytes);
  else {
    let off = 0;
    while (off < bytes.length) {
      try {
        off += writeSync(fd, bytes, off, Math.min(bytes.length - off, 1 << 24));
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== "EAGAIN") throw e;
      }
    }
  }
}

function writeAll(fd: number, data: Uint8Array): void {
  let off = 0;
  while (off < data.length) off += writeSync(fd, data, off, Math.min(data.length - off, 1 << 24));
}

const bytesOf = (data: string | Uint8Array) => (typeof data === "string" ? Buffer.from(data, "utf8") : data);

/**
 * Writes `--out FILE` safely (see the module comment): regular files atomically through a temp file beside the
 * target, links followed, FIFOs and character devices written in place; every failure one line, the temp removed.
 */
export function writeOutputFile(path: string, data: string | Uint8Array, option = "--out"): void {
  if (path === "") throw new InfodynError(`${option}: empty (give a file name)`);
  const bytes = bytesOf(data);
  // The process's own descriptors (/dev/stdout, /dev/fd/1, /proc/self/fd/1) are written as they are, whatever they
  // are (a terminal, a pipe, a socket, a file opened by `>` or `>>`): no open, no truncation, no rename.
  const own = /^\/(?:dev\/(stdout|stderr|fd\/(\d+))|proc\/self\/fd\/(\d+))$/.exec(resolve(path));
  if (own) {
    const fd = own[1] === "stdout" ? 1 : own[1] === "stderr" ? 2 : Number(own[2] ?? own[3]);
    try {
      writeToDescriptor(fd, bytes);
    } catch (e) {
      throw writeError(option, path, e);
    }
    return;
  }
  const { target, stat } = followLinks(path, option);
  if (stat?.isDirectory()) throw new InfodynError(`${option}: ${path} is a directory; give a file name`);
  if (stat?.isBlockDevice()) throw new InfodynError(`${option}: ${path} is a block device; refused`);
  if (stat?.isSocket()) throw new InfodynError(`${option}: ${path} is a socket; refused`);
  // Pipes and devices are written in place: renaming over them would put a regular file where /dev/null was.
  if (stat && (stat.isFIFO() || stat.isCharacterDevice())) {
    let fd: number | undefined;
    try {
      fd = openSync(target, "w");
      writeAll(fd, bytes);
    } catch (e) {
      throw writeError(option, path, e);
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
    return;
  }
  const dir = dirname(target);
  if (stat) {
    try {
      accessSync(target, constants.W_OK);
    } catch (e) {
      throw new InfodynError(`${option}: cannot write ${path} (${whyFailed(e)}: the file is read-only)`);
    }
  } else {
    try {
      makeParents(dir);
    } catch (e) {
      throw writeError(option, path, e);
    }
  }
  const tmp = join(dir, `.${basename(target)}.${process.pid}.tmp`);
  let fd: number | undefined;
  trackTemp(tmp);
  try {
    fd = openSync(tmp, "wx");
    if (stat) fchmodSync(fd, stat.mode & 0o7777);
    writeAll(fd, bytes);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(tmp, target);
  } catch (e) {
    if (fd !== undefined) closeSync(fd);
    rmSync(tmp, { force: true });
    throw writeError(option, path, e);
  } finally {
    untrackTemp(tmp);
  }
}

/** Prints to stdout or writes `--out FILE` (see {@link writeOutputFile}). */
export function emit(text: string, out?: string): void {
  const t = text.endsWith("\n") ? text : text + "\n";
  if (out !== undefined) writeOutputFile(out, t);
  else process.stdout.write(t);
}

// ------------------------------------------------------------------------------------------------------------------
// Output folders
// ------------------------------------------------------------------------------------------------------------------

/** What a command writes into a folder: file paths relative to it (`figures/a.svg`) and their contents. */
export type FolderWriter = (put: (relativePath: string, data: string | Uint8Array) => void) => Promise<void> | void;

/**
 * Checks that `--out DIR` may receive a command's output folder, before any work: it does not exist, or it is an
 * empty folder, or it is infodyn's own output (marker) holding nothing else. Refuses `.` and folders above it,
 * files, links, and folders of other files with one line saying what to do.
 */
export function checkOutputFolder(dir: string, command: string, option = "--out"): void {
  const out = resolve(dir);
  const cwd = process.cwd();
  const rel = relative(out, cwd);
  if (rel === "" || !(rel === ".." || rel.startsWith(".." + sep) || isAbsolute(rel)))
    throw new InfodynError(`${option}: '${dir}' is ${rel === "" ? "the current folder" : "a folder above the current one"}; give a new folder for the ${command} (e.g. --out ${command})`);
  let st: Stats | undefined;
  try {
    st = lstatOrUndefined(out);
  } catch (e) {
    throw new InfodynError(`${option}: cannot use ${dir} (${whyFailed(e)})`);
  }
  if (!st) return;
  if (st.isSymbolicLink()) throw new InfodynError(`${option}: ${dir} is a symbolic link; give the folder itself (or a new name)`);
  if (!st.isDirectory()) throw new InfodynError(`${option}: ${dir} exists and is not a folder; give a new folder for the ${command}`);
  let stray: string | undefined;
  try {
    stray = strayEntry(out);
  } catch (e) {
    throw new InfodynError(`${option}: cannot use ${dir} (${whyFailed(e)})`);
  }
  if (stray !== undefined)
    throw new InfodynError(
      `${option}: ${dir} is a folder of other files (${stray === "" ? `no ${OUTPUT_MARKER} marker: not an infodyn output folder` : `${stray} was not written by infodyn`}); ` +
        `it is left as it is: give a new folder or remove it yourself`,
    );
}

/** Regular files under `dir` (relative, `/`-separated), and the first entry that is neither file nor folder. */
function walk(dir: string): { files: string[]; odd?: string } {
  const files: string[] = [];
  const stack = [""];
  while (stack.length) {
    const rel = stack.pop()!;
    for (const e of readdirSync(join(dir, rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) stack.push(r);
      else if (e.isFile()) files.push(r);
      else return { files, odd: r };
    }
  }
  return { files };
}

/**
 * undefined when the existing folder may be replaced (empty, or infodyn's output with nothing else in it); else
 * the first entry infodyn did not write ("" when the folder has no marker at all).
 */
function strayEntry(dir: string): string | undefined {
  const { files, odd } = walk(dir);
  if (odd !== undefined) return odd;
  if (files.length === 0) return undefined;
  const listed = markerFiles(dir) ?? legacyFiles(dir, files);
  if (!listed) return "";
  const known = new Set([...listed, OUTPUT_MARKER]);
  return files.find((f) => !known.has(f));
}

/** The files a marker lists, or undefined when there is no (valid) marker. */
function markerFiles(dir: string): string[] | undefined {
  const st = lstatOrUndefined(join(dir, OUTPUT_MARKER));
  if (!st?.isFile()) return undefined;
  try {
    const m = JSON.parse(new TextDecoder().decode(readBounded(join(dir, OUTPUT_MARKER), 2 ** 20, "marker"))) as { infodyn?: unknown; files?: unknown };
    if (typeof m.infodyn !== "string" || !Array.isArray(m.files) || !m.files.every((f) => typeof f === "string")) return undefined;
    return m.files as string[];
  } catch {
    return undefined;
  }
}

/**
 * A report or figures folder written before markers existed: exactly `index.html`, `results.json` (of a report) and
 * `figures/*.{svg,png,vl.json}`, or `index.html` (of the figures) beside `*.{svg,png,vl.json}`.
 */
function legacyFiles(dir: string, files: string[]): string[] | undefined {
  const figure = (f: string) => /\.(svg|png|vl\.json)$/.test(f);
  const read = (f: string) => {
    try {
      return new TextDecoder().decode(readBounded(join(dir, f), 64 * 2 ** 20, f));
    } catch {
      return "";
    }
  };
  if (!files.includes("index.html")) return undefined;
  if (files.includes("results.json")) {
    const others = files.filter((f) => f !== "index.html" && f !== "results.json");
    if (!others.every((f) => f.startsWith("figures/") && !f.slice(8).includes("/") && figure(f))) return undefined;
    try {
      if ((JSON.parse(read("results.json")) as { command?: unknown }).command !== "report") return undefined;
    } catch {
      return undefined;
    }
    return files;
  }
  const others = files.filter((f) => f !== "index.html");
  if (!others.every((f) => !f.includes("/") && figure(f))) return undefined;
  return read("index.html").includes("reproduced by infodyn") ? files : undefined;
}

/**
 * Writes a command's output folder: {@link checkOutputFolder} again (the folder may have changed during the work),
 * then every file into `.DIR.infodyn-PID.tmp` beside DIR, the marker, and a rename into place (an old infodyn
 * folder is moved aside first and removed after). On any failure the temp folder goes and DIR is as it was.
 */
export async function writeOutputFolder(dir: string, command: string, fill: FolderWriter, option = "--out"): Promise<string> {
  checkOutputFolder(dir, command, option);
  const out = resolve(dir);
  const parent = dirname(out);
  const tmp = join(parent, `.${basename(out)}.infodyn-${process.pid}.tmp`);
  const written: string[] = [];
  try {
    makeParents(parent);
  } catch (e) {
    throw writeError(option, dir, e);
  }
  trackTemp(tmp);
  try {
    rmSync(tmp, { recursive: true, force: true });
    mkdirSync(tmp);
    await fill((rel, data) => {
      const path = join(tmp, rel);
      mkdirSync(dirname(path), { recursive: true });
      const fd = openSync(path, "wx");
      try {
        writeAll(fd, bytesOf(data));
      } finally {
        closeSync(fd);
      }
      written.push(rel);
    });
    const marker = { infodyn: command, version: VERSION, files: [...written].sort() };
    const fd = openSync(join(tmp, OUTPUT_MARKER), "wx");
    try {
      writeAll(fd, bytesOf(JSON.stringify(marker, null, 1) + "\n"));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    checkOutputFolder(dir, command, option);
    const old = lstatOrUndefined(out) ? join(parent, `.${basename(out)}.infodyn-${process.pid}.old`) : undefined;
    if (old) renameSync(out, old);
    try {
      renameSync(tmp, out);
    } catch (e) {
      if (old) renameSync(old, out);
      throw e;
    }
    if (old) rmSync(old, { recursive: true, force: true });
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw writeError(option, dir, e);
  } finally {
    untrackTemp(tmp);
  }
  return out;
}
