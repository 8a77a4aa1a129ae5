import { spawn } from "node:child_process";
import { join } from "node:path";
import { expect } from "vitest";

export const root = join(import.meta.dirname, "..");
/** The CLI under test: the built one, or another build named by $INFODYN_CLI (to check tests fail on old code). */
export const CLI = process.env.INFODYN_CLI ?? join(root, "dist", "cli", "main.js");

/** What a CLI run did. */
export interface Result {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Wall time of the run, ms. */
  ms: number;
}

/** Options of {@link runCli}. */
export interface RunOptions {
  cwd?: string;
  /** SIGKILL after this long (a refusal must come at once). @default 30 000 */
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
  /**
   * As root, run without the capabilities that bypass file permissions (util-linux setpriv drops CAP_DAC_OVERRIDE
   * and CAP_DAC_READ_SEARCH from the bounding set), so a read-only folder is read-only.
   */
  withoutOverride?: boolean;
}

/** Runs the built CLI with `args` and collects its exit, output and wall time. */
export function runCli(args: string[], o: RunOptions = {}): Promise<Result> {
  const t0 = Date.now();
  return new Promise((resolve) => {
    const [cmd, argv] = o.withoutOverride
      ? ["setpriv", ["--bounding-set=-dac_override,-dac_read_search", process.execPath, CLI, ...args]]
      : [process.execPath, [CLI, ...args]];
    const p = spawn(cmd, argv, { cwd: o.cwd ?? root, env: { ...process.env, ...o.env }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    p.stdout.on("data", (d) => (stdout += d));
    p.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => p.kill("SIGKILL"), o.timeoutMs ?? 30_000);
    p.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, ms: Date.now() - t0 });
    });
  });
}

/**
 * Exit code 2, exactly one line on stderr starting `infodyn: ` and matching `pattern`, no stack trace; with
 * `emptyStdout`, nothing on stdout either.
 */
export function expectOneLine(r: Result, pattern: RegExp, { emptyStdout = false } = {}): void {
  expect(r.code, `exit code after ${r.ms} ms (stderr: ${r.stderr.slice(0, 400)})`).toBe(2);
  const lines = r.stderr.trimEnd().split("\n");
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^infodyn: /);
  expect(lines[0]).toMatch(pattern);
  expect(r.stderr).not.toMatch(/\n\s+at /);
  if (emptyStdout) expect(r.stdout).toBe("");
}
