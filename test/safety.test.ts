/**
 * Issue 13, item 1 and the pipes of item 4: nothing a user had is removed or overwritten by a failed run; output is
 * never half-written; special files are written, not replaced; write errors, signals and closed pipes end in one line
 * (or none) and the usual exit code; the same seed gives the same bytes.
 *
 * Every case spawns the built CLI (`node dist/cli/main.js`, or `$INFODYN_CLI`) on tiny models with a timeout. The
 * cases that would damage this machine on a CLI that replaces special files (`--out /dev/null`, `/dev/stdout`,
 * `/dev/full`) are skipped when `$INFODYN_CLI` points at another build; private copies (`mknod`, `/dev/fd/1`) test
 * the same behaviour there.
 */
import { spawn, spawnSync } from "node:child_process";
import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectOneLine, CLI, root, runCli, type Result, type RunOptions } from "./cli-run.js";

const OTHER_CLI = process.env.INFODYN_CLI !== undefined;
const ex = (name: string) => join(root, "examples", name);
const TWO = ex("two-deltas.json");
const IS_ROOT = process.getuid?.() === 0;

const run = (args: string[], o: RunOptions = {}) => runCli(args, o);

/** Every path under `dir`, sorted, with file contents: what a user had. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (rel: string) => {
    for (const e of readdirSync(join(dir, rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) {
        out[r + "/"] = "";
        walk(r);
      } else out[r] = e.isSymbolicLink() ? `-> ${readlinkSync(join(dir, r))}` : readFileSync(join(dir, r), "latin1");
    }
  };
  walk("");
  return out;
}

const tmps = (dir: string) => readdirSync(dir).filter((f) => f.includes(".tmp") || f.includes(".old"));

const work = mkdtempSync(join(tmpdir(), "infodyn-safety-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const fresh = (name: string) => {
  const d = join(work, name);
  mkdirSync(d, { recursive: true });
  return d;
};

describe("data loss: report/figures --out never remove what a user had", () => {
  it("report --out an existing regular file: one line, exit 2, the file untouched (was: removed)", async () => {
    const d = fresh("file");
    writeFileSync(join(d, "thesis.tex"), "my thesis\n");
    expectOneLine(await run(["report", TWO, "--out", "thesis.tex"], { cwd: d }), /--out: thesis\.tex exists and is not a folder/);
    expect(snapshot(d)).toEqual({ "thesis.tex": "my thesis\n" });
  });
  it("report --out a folder of other files: refused, every file kept (was: removed)", async () => {
    const d = fresh("folder");
    mkdirSync(join(d, "notes", "sub"), { recursive: true });
    writeFileSync(join(d, "notes", "a.txt"), "a");
    writeFileSync(join(d, "notes", "sub", "b.txt"), "b");
    const before = snapshot(d);
    expectOneLine(await run(["report", TWO, "--out", "notes"], { cwd: d }), /--out: notes is a folder of other files .*left as it is/);
    expect(snapshot(d)).toEqual(before);
  });
  it("report --out . and --out .. are refused, the current folder kept (was: removed)", async () => {
    const d = fresh("dot/inner");
    writeFileSync(join(d, "data.csv"), "1,2\n");
    for (const out of [".", "..", d]) {
      expectOneLine(await run(["report", TWO, "--out", out], { cwd: d }), /--out: '.*' is (the current folder|a folder above the current one)/);
      expect(snapshot(d)).toEqual({ "data.csv": "1,2\n" });
    }
  });
  it("figures --out a folder of other files: refused before any work, files kept (was: removed)", async () => {
    const d = fresh("figs");
    mkdirSync(join(d, "paper"));
    writeFileSync(join(d, "paper", "draft.md"), "draft");
    expectOneLine(await run(["figures", "--out", "paper"], { cwd: d, timeoutMs: 60_000 }), /--out: paper is a folder of other files/);
    expect(snapshot(d)).toEqual({ "paper/": "", "paper/draft.md": "draft" });
  }, 70_000);
  it("a symlink or a FIFO as --out DIR is refused, left as it is", async () => {
    const d = fresh("dirlink");
    mkdirSync(join(d, "real"));
    writeFileSync(join(d, "real", "keep.txt"), "k");
    symlinkSync("real", join(d, "link"));
    expectOneLine(await run(["report", TWO, "--out", "link"], { cwd: d }), /--out: link is a symbolic link/);
    spawnSync("mkfifo", [join(d, "pipe")]);
    expectOneLine(await run(["report", TWO, "--out", "pipe"], { cwd: d }), /--out: pipe exists and is not a folder/);
    expect(lstatSync(join(d, "link")).isSymbolicLink()).toBe(true);
    expect(lstatSync(join(d, "pipe")).isFIFO()).toBe(true);
    expect(readFileSync(join(d, "real", "keep.txt"), "utf8")).toBe("k");
  });
  it("a previous report (marker .infodyn-output) is replaced; with a file added by the user it is refused", async () => {
    const d = fresh("again");
    const a = await run(["report", TWO, "--out", "r"], { cwd: d, timeoutMs: 60_000 });
    expect(a.code, a.stderr).toBe(0);
    const marker = JSON.parse(readFileSync(join(d, "r", ".infodyn-output"), "utf8"));
    expect(marker).toMatchObject({ infodyn: "report" });
    expect(marker.files).toContain("results.json");
    expect(marker.files).toContain("index.html");
    const b = await run(["report", TWO, "--out", "r", "--seed", "1"], { cwd: d, timeoutMs: 60_000 });
    expect(b.code, b.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(d, "r", "results.json"), "utf8")).params.seed).toBe(1);
    writeFileSync(join(d, "r", "my-notes.txt"), "mine");
    expectOneLine(await run(["report", TWO, "--out", "r"], { cwd: d }), /--out: r is a folder of other files \(my-notes\.txt was not written by infodyn\)/);
    expect(readFileSync(join(d, "r", "my-notes.txt"), "utf8")).toBe("mine");
    expect(tmps(d)).toEqual([]);
  }, 130_000);
  it("an empty folder is filled; a failed run (bad model) leaves the previous report as it was", async () => {
    const d = fresh("empty");
    mkdirSync(join(d, "r"));
    expect((await run(["report", TWO, "--out", "r"], { cwd: d, timeoutMs: 60_000 })).code).toBe(0);
    const before = snapshot(join(d, "r"));
    writeFileSync(join(d, "bad.json"), '{"kind":"deltas","points":[[0]],"weights":[-1]}');
    expectOneLine(await run(["report", "bad.json", "--out", "r"], { cwd: d }), /bad\.json: weights\[0\]/);
    expect(snapshot(join(d, "r"))).toEqual(before);
    expect(tmps(d)).toEqual([]);
  }, 70_000);
});

describe("signals: SIGINT/SIGTERM leave no temporary output and exit 130/143", () => {
  /** Starts `report` and sends `sig` once its temp folder exists (the asynchronous rendering phase). */
  async function interruptReport(sig: NodeJS.Signals, dir: string): Promise<Result & { sawTemp: boolean }> {
    return new Promise((resolve) => {
      const p = spawn(process.execPath, [CLI, "report", TWO, "--out", "r"], { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
      let stdout = "";
      let stderr = "";
      let sawTemp = false;
      p.stdout.on("data", (x) => (stdout += x));
      p.stderr.on("data", (x) => (stderr += x));
      const poll = setInterval(() => {
        if (readdirSync(dir).some((f) => f.startsWith(".r.") && f.endsWith(".tmp"))) {
          sawTemp = true;
          clearInterval(poll);
          p.kill(sig);
        }
      }, 2);
      const timer = setTimeout(() => p.kill("SIGKILL"), 60_000);
      p.on("close", (code, signal) => {
        clearInterval(poll);
        clearTimeout(timer);
        resolve({ code, signal, stdout, stderr, sawTemp, ms: 0 });
      });
    });
  }
  for (const [sig, code] of [["SIGINT", 130], ["SIGTERM", 143]] as const)
    it(`${sig} while report renders: exit ${code}, temp folder gone, the previous report kept`, async () => {
      const d = fresh(`sig-${sig}`);
      expect((await run(["report", TWO, "--out", "r"], { cwd: d, timeoutMs: 60_000 })).code).toBe(0);
      const before = snapshot(join(d, "r"));
      const r = await interruptReport(sig, d);
      if (r.sawTemp) {
        expect(r.code, r.stderr).toBe(code);
        expect(r.stderr).toMatch(new RegExp(`interrupted \\(${sig}\\)`));
      } else expect(r.code).toBe(0); // finished before the poll saw its temp folder: then the report is complete
      expect(tmps(d)).toEqual([]);
      if (r.sawTemp) expect(snapshot(join(d, "r"))).toEqual(before);
    }, 130_000);
  it("SIGTERM during a synchronous computation: the process ends at once (128 + 15 to a shell), nothing written", async () => {
    const d = fresh("sig-sync");
    const p = spawn(process.execPath, [CLI, "paths", "default", "--n", "2000", "--steps", "500", "--json", "--out", "o.json"], { cwd: d, stdio: "ignore" });
    await new Promise((r) => setTimeout(r, 700));
    p.kill("SIGTERM");
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((r) => p.on("close", (c, s) => r([c, s])));
    expect(code === 143 || signal === "SIGTERM").toBe(true);
    expect(readdirSync(d)).toEqual([]);
  }, 30_000);
});

describe("--out FILE: links followed, special files written in place, write errors one line", () => {
  const args = ["posterior", TWO, "--sigma", "0.5", "--points", "[[0.2]]", "--json"];
  it("writes through a symlink: the target gets the output, the link stays a link (was: replaced by a file)", async () => {
    const d = fresh("symlink");
    writeFileSync(join(d, "target.json"), "old");
    symlinkSync("target.json", join(d, "link.json"));
    symlinkSync("nowhere/new.json", join(d, "dangling.json"));
    expect((await run([...args, "--out", "link.json"], { cwd: d })).code).toBe(0);
    expect(lstatSync(join(d, "link.json")).isSymbolicLink()).toBe(true);
    expect(JSON.parse(readFileSync(join(d, "target.json"), "utf8")).command).toBe("posterior");
    expect((await run([...args, "--out", "dangling.json"], { cwd: d })).code).toBe(0);
    expect(lstatSync(join(d, "dangling.json")).isSymbolicLink()).toBe(true);
    expect(JSON.parse(readFileSync(join(d, "nowhere", "new.json"), "utf8")).command).toBe("posterior");
    expect(tmps(d)).toEqual([]);
  });
  it("writes into a FIFO (a reader gets the output; the FIFO stays a FIFO)", () => {
    const d = fresh("fifo");
    const script = `mkfifo f && (cat f > got &) && "${process.execPath}" "${CLI}" ${args.map((a) => `'${a}'`).join(" ")} --out f; echo rc=$?; sleep 0.2; test -p f && echo fifo`;
    const r = spawnSync("bash", ["-c", script], { cwd: d, encoding: "utf8", timeout: 15_000 });
    expect(r.stdout).toMatch(/rc=0/);
    expect(r.stdout).toMatch(/fifo/);
    expect(JSON.parse(readFileSync(join(d, "got"), "utf8")).command).toBe("posterior");
  });
  it.skipIf(!IS_ROOT)("writes into a character device (a private copy of /dev/null made with mknod) without replacing it", async () => {
    const d = fresh("chardev");
    const mk = spawnSync("mknod", [join(d, "null"), "c", "1", "3"]);
    if (mk.status !== 0) return; // no mknod here: the /dev/null case below still runs
    expect((await run([...args, "--out", "null"], { cwd: d })).code).toBe(0);
    expect(lstatSync(join(d, "null")).isCharacterDevice()).toBe(true);
    expect(tmps(d)).toEqual([]);
  });
  it("--out /dev/fd/1 and /proc/self/fd/1 write to standard output (was: a stack trace)", async () => {
    for (const out of ["/dev/fd/1", "/proc/self/fd/1"]) {
      const r = await run([...args, "--out", out]);
      expect(r.code, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout).command).toBe("posterior");
    }
  });
  it.skipIf(OTHER_CLI)("--out /dev/stdout and /dev/null: written, never replaced", async () => {
    const r = await run([...args, "--out", "/dev/stdout"]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).command).toBe("posterior");
    expect((await run([...args, "--out", "/dev/null"])).code).toBe(0);
    expect(lstatSync("/dev/null").isCharacterDevice()).toBe(true);
  });
  it.skipIf(OTHER_CLI)("--out /dev/full: ENOSPC is one line, exit 2", async () => {
    if (!existsSync("/dev/full")) return;
    expectOneLine(await run([...args, "--out", "/dev/full"]), /--out: cannot write \/dev\/full \(no space left on device\)/);
    expect(lstatSync("/dev/full").isCharacterDevice()).toBe(true);
  });
  it("--out a directory: one line, exit 2, no .tmp left (was: a stack trace and a .tmp)", async () => {
    const d = fresh("outdir");
    mkdirSync(join(d, "x.json"));
    expectOneLine(await run([...args, "--out", "x.json"], { cwd: d }), /--out: x\.json is a directory/);
    expect(readdirSync(d)).toEqual(["x.json"]);
  });
  it("--out a file that cannot be written even by root (/proc/version, /sys/…): one line, exit 2", async () => {
    expectOneLine(await run([...args, "--out", "/proc/version"]), /--out: cannot write \/proc\/version/);
    expectOneLine(await run([...args, "--out", "/proc/no-such-dir/x.json"], { timeoutMs: 10_000 }), /--out: cannot write \/proc\/no-such-dir\/x\.json/);
  });
  it("--out into a read-only folder (as root: without the permission-bypassing capabilities): one line, exit 2, nothing left", async () => {
    const d = fresh("ro");
    chmodSync(d, 0o555);
    expectOneLine(await run([...args, "--out", join(d, "o.json")], { withoutOverride: IS_ROOT }), /--out: cannot write .*permission denied/);
    chmodSync(d, 0o700);
    expect(readdirSync(d)).toEqual([]);
  });
  it("stdout to a full device (> /dev/full) is one line and exit 2, not a stack trace", () => {
    if (!existsSync("/dev/full")) return;
    const r = spawnSync("bash", ["-c", `"${process.execPath}" "${CLI}" ${args.map((a) => `'${a}'`).join(" ")} > /dev/full`], { encoding: "utf8", timeout: 15_000 });
    expect(r.status).toBe(2);
    expect(r.stderr.trimEnd().split("\n")).toEqual(["infodyn: cannot write to standard output (no space left on device)"]);
  });
});

describe("a small full or read-only file system (tmpfs, mounted for the test)", () => {
  const mnt = join(work, "mnt");
  const ro = join(work, "mnt-ro");
  let mounted = false;
  let mountedRo = false;
  beforeAll(() => {
    mkdirSync(mnt, { recursive: true });
    mkdirSync(ro, { recursive: true });
    mounted = IS_ROOT && spawnSync("mount", ["-t", "tmpfs", "-o", "size=64k", "tmpfs", mnt]).status === 0;
    mountedRo = IS_ROOT && spawnSync("mount", ["-t", "tmpfs", "-o", "size=64k,ro", "tmpfs", ro]).status === 0;
    if (!mounted) console.warn("safety.test.ts: cannot mount a tmpfs here (needs root): the ENOSPC and EROFS cases are skipped");
  });
  afterAll(() => {
    if (mounted) spawnSync("umount", [mnt]);
    if (mountedRo) spawnSync("umount", [ro]);
  });
  it("ENOSPC: paths --out on a 64 KiB file system is exit 2, one line, no truncated file, no .tmp (was: exit 0 or a stack trace)", async (ctx) => {
    if (!mounted) ctx.skip();
    const out = join(mnt, "paths.json");
    const r = await run(["paths", TWO, "--n", "50", "--steps", "3000", "--json", "--out", out]);
    expectOneLine(r, /--out: cannot write .*paths\.json \(no space left on device\)/);
    expect(readdirSync(mnt)).toEqual([]);
  });
  it("ENOSPC: report --out on a 64 KiB file system: one line, exit 2, no folder left", async (ctx) => {
    if (!mounted) ctx.skip();
    const r = await run(["report", TWO, "--out", join(mnt, "r")], { timeoutMs: 60_000 });
    expectOneLine(r, /--out: cannot write .*\(no space left on device\)/);
    expect(readdirSync(mnt)).toEqual([]);
  }, 70_000);
  it("EROFS: --out on a read-only file system is one line, exit 2", async (ctx) => {
    if (!mountedRo) ctx.skip();
    expectOneLine(await run(["posterior", TWO, "--sigma", "1", "--points", "[[0]]", "--out", join(ro, "o.txt")]), /--out: cannot write .*\(read-only file system\)/);
  });
});

describe("pipes and unknown commands", () => {
  const sh = (script: string) => spawnSync("bash", ["-c", `set -o pipefail; ${script}`], { cwd: root, encoding: "utf8", timeout: 30_000 });
  const cli = `"${process.execPath}" "${CLI}"`;
  it("infodyn profile --help | head -2: silent, exit 0 (was: an EPIPE stack trace)", () => {
    const r = sh(`${cli} profile --help | head -2`);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout.split("\n")[0]).toMatch(/^Usage: infodyn profile/);
    // a reader that is gone before the first write (the help fits in a pipe's buffer, so head -2 may not close first)
    const gone = sh(`${cli} profile --help | true`);
    expect(gone.stderr).toBe("");
    expect(gone.status).toBe(0);
  });
  it("infodyn profile MODEL | head -1 and a large --json output into head -c: silent, usual exit code", () => {
    const a = sh(`${cli} profile examples/two-deltas.json | head -1`);
    expect(a.stderr).toBe("");
    expect(a.status).toBe(0);
    expect(a.stdout).toMatch(/^information profile of examples\/two-deltas\.json/);
    const b = sh(`${cli} paths examples/two-deltas.json --n 20 --steps 4000 --json | head -c 100`);
    expect(b.stderr).toBe("");
    expect(b.status).toBe(0);
    expect(b.stdout).toHaveLength(100);
  });
  it("an unknown command is an error even with --help: one line naming it and the known ones, exit 2 (was: main help, exit 0)", async () => {
    for (const args of [["spatial", "--help"], ["spatial"], ["help", "spatial"]]) {
      const r = await run(args);
      expectOneLine(r, /unknown command 'spatial' \(commands: posterior, profile, .*figures, semantics, guidance, likelihood, pmi\)/);
      expect(r.stdout).toBe("");
    }
    const ok = await run(["profile", "--help"]);
    expect(ok.code).toBe(0);
  });
});

describe("no silent non-finite numbers at the command line", () => {
  for (const s of ["1e-300", "1e-155", "1e155", "1e300"]) {
    it(`posterior and profile of two deltas at σ = ${s}: exit 2, one line naming σ and the computable range (posterior was: NaN or exit 0)`, async () => {
      const [a, b, c, d] = await Promise.all([
        run(["posterior", TWO, "--sigma", s, "--points", "[[0.1]]"]),
        run(["posterior", TWO, "--sigma", s, "--points", "[[0.1]]", "--json"]),
        run(["profile", TWO, "--sigma", s]),
        run(["thermo", TWO, "--sigma", s, "--grid", "-2,2,5"]),
      ]);
      for (const r of [a, b]) expectOneLine(r, /--sigma: .* is outside the range that can be computed/);
      for (const r of [c, d]) expectOneLine(r, /sigma.* is outside the range that can be computed/);
      for (const r of [a, b, c, d]) expect(r.stdout).toBe("");
    });
  }
});

describe("determinism: the same seed gives the same bytes", () => {
  it("profile --json and paths --json twice: byte-identical", async () => {
    const p = ["profile", ex("ising.json"), "--sigma", "0.5,1", "--samples", "300", "--seed", "7", "--json"];
    const q = ["paths", TWO, "--n", "40", "--steps", "30", "--seed", "4294967295", "--json"];
    const [a, b, c, d] = await Promise.all([run(p), run(p), run(q), run(q)]);
    expect(a.code).toBe(0);
    expect(c.code).toBe(0);
    expect(b.stdout).toBe(a.stdout);
    expect(d.stdout).toBe(c.stdout);
  });
  it("report twice (same relative --out, so the echoed command is the same): every file byte-identical", async () => {
    const [d1, d2] = [fresh("det1"), fresh("det2")];
    const [a, b] = await Promise.all([run(["report", TWO, "--out", "r", "--seed", "3"], { cwd: d1, timeoutMs: 60_000 }), run(["report", TWO, "--out", "r", "--seed", "3"], { cwd: d2, timeoutMs: 60_000 })]);
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    const s1 = snapshot(join(d1, "r"));
    const s2 = snapshot(join(d2, "r"));
    expect(Object.keys(s2)).toEqual(Object.keys(s1));
    for (const k of Object.keys(s1)) expect(s2[k] === s1[k], `${k} differs`).toBe(true);
  }, 70_000);
});
