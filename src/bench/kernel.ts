/**
 * `npm run bench`: the posterior kernel against numpy (float64, run here through `python3` on the same data in
 * the same run), one line per case; then the scikit-learn digits (examples/digits.npy, 1797 × 64) at
 * σ ∈ {0.05, 0.2, 0.5, 2}: the native kernel, the TypeScript blocked kernel and numpy, with the rows each native
 * route took and the error against the reference kernel; then one `infodyn profile` on a 10 000 × 784 dataset
 * and one `infodyn report`; then every command with its defaults on the digits and their 0-vs-1 subset against the
 * targets of issue 14 (src/bench/commands.ts; `node dist/bench/kernel.js commands` alone); then the digits network's
 * denoiser calls per second against torch (src/bench/network.ts; `node dist/bench/kernel.js network` alone). Flops are counted as 4·B·N·D (the distance product and the mean product, 2·B·N·D each).
 * Last lines: `network ratio vs torch (batch 256): R`, `kernel ratio vs numpy f64 (min over cases): R`. `node dist/bench/kernel.js digits` runs the digits case alone.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { kernelBackendName, posteriorKernel } from "../engine/backends.js";
import { blockedPosteriorKernel } from "../engine/blocked.js";
import { jsPosteriorKernel } from "../engine/reference.js";
import type { DeltaSet, KernelResult } from "../engine/types.js";
import { installKernel } from "../node/kernels.js";
import { nativeAddon, nativeThreads } from "../node/native.js";
import { nativePosteriorKernel, type NativeAddon } from "../node/nativeKernel.js";
import { createRng } from "../numeric/rng.js";
import { runBackends } from "./backends.js";
import { runCommands } from "./commands.js";
import { runMixtures } from "./mixtures.js";
import { runPruning } from "./pruning.js";
import { maxRelativeDifference, NUMPY, readDigits, timeKernel, toleranceUnits } from "./numpy.js";
import { runNetwork } from "./network.js";

const CASES: [number, number, number][] = [
  [256, 10_000, 64],
  [64, 60_000, 784],
];



/** One case: seeded N(0, 1) points, queries = points + σ·noise with σ = √D/2 (a spread posterior, every point counts). */
function runCase(B: number, N: number, D: number, dir: string): number {
  const rng = createRng(B * 7 + N + D);
  const points = new Float64Array(N * D);
  rng.fillNormal(points);
  const sigma = Math.sqrt(D) / 2;
  const queries = new Float64Array(B * D);
  for (let i = 0; i < B * D; i++) queries[i] = points[i] + sigma * rng.normal();
  const logWeights = new Float64Array(N).fill(-Math.log(N));
  const data: DeltaSet = { n: N, dim: D, points, logWeights, numClasses: 0 };
  const want = { entropy: true, participation: true };
  const kernel = posteriorKernel();
  kernel(data, { rows: 4, dim: D, data: queries.subarray(0, 4 * D) }, sigma, want); // warm-up (JIT)
  // Best of 5, as the numpy side is timed.
  let ours = Infinity;
  let r: KernelResult | undefined;
  for (let rep = 0; rep < 5; rep++) {
    const t0 = performance.now();
    r = kernel(data, { rows: B, dim: D, data: queries }, sigma, want);
    ours = Math.min(ours, (performance.now() - t0) / 1000);
  }

  writeFileSync(join(dir, "points.f64"), new Uint8Array(points.buffer));
  writeFileSync(join(dir, "queries.f64"), new Uint8Array(queries.buffer));
  writeFileSync(join(dir, "logw.f64"), new Uint8Array(logWeights.buffer));
  const py = spawnSync("python3", ["-c", NUMPY, dir, String(B), String(N), String(D), String(sigma)], { encoding: "utf8" });
  if (py.status !== 0) throw new Error(`numpy run failed: ${py.stderr}`);
  const theirs = Number(py.stdout.trim());
  const ref = new Float64Array(new Uint8Array(readFileSync(join(dir, "numpy.f64"))).buffer);
  const diff = maxRelativeDifference(r!, ref, B, D);

  const flops = 4 * B * N * D;
  const x = flops / ours / 1e9;
  const y = flops / theirs / 1e9;
  console.log(`kernel B=${B} N=${N} D=${D}  infodyn ${x.toFixed(2)} GFLOP/s  numpy ${y.toFixed(2)} GFLOP/s  ratio ${(x / y).toFixed(3)}`);
  console.log(`  σ = ${sigma}, max relative difference vs numpy ${diff.toExponential(2)}${diff < 1e-10 ? "" : "  (ABOVE 1e-10)"}`);
  return x / y;
}

const DIGITS_SIGMAS = [0.05, 0.2, 0.5, 2];




/**
 * The addon with its entry points counting the query rows each was handed (`fast`, `exact`), and the exact route's
 * screening statistics (`candidates`: points the screening kept for the exact pass, summed over rows).
 */
function countingAddon(addon: NativeAddon, counts: Record<string, number>): NativeAddon {
  const stats = new Float64Array(4);
  return {
    fastRows: (...args) => {
      counts.fast += args[1].length;
      addon.fastRows(...args);
    },
    exactRows: (...args) => {
      counts.exact += args[9].length;
      args[21] = stats;
      addon.exactRows(...args);
      counts.candidates += stats[1];
    },
  };
}

/**
 * The digits case: B = 1797 queries (every digit + σ·noise, seeded) at each σ of {@link DIGITS_SIGMAS}, against the
 * 1797 digits with equal weights. Times (best of 5) of the native kernel, the TypeScript blocked kernel and numpy
 * (the same matrix-product float64 posterior as the other cases), the rows each native entry point took, and the
 * error of both kernels against the reference kernel. Returns the smallest native/numpy speed ratio, or undefined.
 */
function runDigits(dir: string): number | undefined {
  const digits = readDigits();
  if (!digits) {
    console.log("digits: examples/digits.npy missing (examples/make_digits.py writes it); skipped");
    return undefined;
  }
  const { points, n: N, dim: D } = digits;
  const B = N;
  const logWeights = new Float64Array(N).fill(-Math.log(N));
  const data: DeltaSet = { n: N, dim: D, points, logWeights, numClasses: 0 };
  let scale = 0;
  for (const v of points) scale = Math.max(scale, Math.abs(v));
  const addon = nativeAddon();
  const counts: Record<string, number> = { fast: 0, exact: 0, candidates: 0 };
  const native = addon ? nativePosteriorKernel(countingAddon(addon, counts), nativeThreads()) : undefined;
  writeFileSync(join(dir, "points.f64"), new Uint8Array(points.buffer));
  writeFileSync(join(dir, "logw.f64"), new Uint8Array(logWeights.buffer));
  console.log(`digits (scikit-learn, N = ${N}, D = ${D}, equal weights), B = ${B} queries = digits + σ·noise; best of 5, ms`);
  console.log(`  error: max over outputs against the reference kernel, in units of the backends' tolerance (≤ 1 agrees)`);
  console.log(`      σ    native  ts-blocked     numpy  native/numpy  native rows by route                    error native  ts-blocked`);
  let R = Infinity;
  for (const sigma of DIGITS_SIGMAS) {
    const rng = createRng(Math.round(1000 * sigma) + 1797);
    const queries = new Float64Array(B * D);
    for (let i = 0; i < B * D; i++) queries[i] = points[i] + sigma * rng.normal();
    writeFileSync(join(dir, "queries.f64"), new Uint8Array(queries.buffer));
    const py = spawnSync("python3", ["-c", NUMPY, dir, String(B), String(N), String(D), String(sigma)], { encoding: "utf8" });
    if (py.status !== 0) throw new Error(`numpy run failed: ${py.stderr}`);
    const theirs = Number(py.stdout.trim());
    const ref = jsPosteriorKernel(data, { rows: B, dim: D, data: queries }, sigma, { entropy: true, participation: true });
    const [ts, tsOut] = timeKernel(blockedPosteriorKernel, data, queries, B, sigma, 5);
    let nativeCell = "        —";
    let ratioCell = "           —";
    let routes = "(not built)";
    let nativeError = "—";
    if (native) {
      native(data, { rows: 4, dim: D, data: queries.subarray(0, 4 * D) }, sigma, {});
      for (const k of Object.keys(counts)) counts[k] = 0;
      const [t, out] = timeKernel(native, data, queries, B, sigma, 1);
      routes = `fast ${counts.fast}, exact ${counts.exact} (${(counts.candidates / Math.max(1, counts.exact)).toFixed(1)} points/row)`;
      const [best] = timeKernel(native, data, queries, B, sigma, 4);
      const tn = Math.min(t, best);
      nativeCell = (1000 * tn).toFixed(1).padStart(9);
      ratioCell = (theirs / tn).toFixed(2).padStart(12);
      nativeError = toleranceUnits(out, ref, scale).toFixed(2);
      R = Math.min(R, theirs / tn);
    }
    console.log(
      `  ${String(sigma).padStart(5)} ${nativeCell}  ${(1000 * ts).toFixed(1).padStart(10)} ${(1000 * theirs).toFixed(1).padStart(9)}  ${ratioCell}  ${routes.padEnd(38)} ${nativeError.padStart(12)}  ${toleranceUnits(tsOut, ref, scale).toFixed(2).padStart(10)}`,
    );
  }
  return Number.isFinite(R) ? R : undefined;
}


/** Wall time of one CLI run (`node dist/cli/main.js …`), in seconds. */
function timeCli(args: string[], cwd: string): number {
  const main = fileURLToPath(new URL("../cli/main.js", import.meta.url));
  const t0 = performance.now();
  const p = spawnSync(process.execPath, [main, ...args], { cwd, encoding: "utf8" });
  if (p.status !== 0) throw new Error(`infodyn ${args.join(" ")} failed: ${p.stderr}`);
  return (performance.now() - t0) / 1000;
}

/** A seeded 10 000 × 784 float64 .npy dataset (values in [0, 1), like scaled pixels) and its model file. */
function writeDataset(dir: string, N: number, D: number): string {
  const rng = createRng(784);
  const header = `{'descr': '<f8', 'fortran_order': False, 'shape': (${N}, ${D}), }`;
  const pad = 64 - ((10 + header.length + 1) % 64);
  const head = `\x93NUMPY\x01\x00` + String.fromCharCode((header.length + pad + 1) & 255, (header.length + pad + 1) >> 8) + header + " ".repeat(pad) + "\n";
  const data = new Float64Array(N * D);
  for (let i = 0; i < data.length; i++) data[i] = rng.uniform();
  writeFileSync(join(dir, "x.npy"), Buffer.concat([Buffer.from(head, "latin1"), Buffer.from(data.buffer)]));
  writeFileSync(join(dir, "model.json"), JSON.stringify({ kind: "dataset", path: "x.npy" }));
  return join(dir, "model.json");
}

async function main(): Promise<void> {
  installKernel(); // the fastest kernel `npm ci` built, or INFODYN_KERNEL's; every backend is registered for the table
  const dir = mkdtempSync(join(tmpdir(), "infodyn-bench-"));
  try {
    if (process.argv[2] === "backends" || process.argv[2] === "--quick") {
      // `npm run bench -- --quick` (CI smoke) or `node dist/bench/kernel.js backends [--quick]`: the backends table alone
      runBackends(dir, process.argv.includes("--quick"));
      if (process.argv.includes("--quick")) runPruning(dir, true);
      return;
    }
    if (process.argv[2] === "mixtures") {
      // `node dist/bench/kernel.js mixtures`: the mixtures table alone
      runMixtures(dir);
      return;
    }
    if (process.argv[2] === "pruning") {
      // `node dist/bench/kernel.js pruning`: the pruning tables alone
      runPruning(dir, false);
      return;
    }
    if (process.argv[2] === "digits") {
      // `node dist/bench/kernel.js digits`: the digits case alone
      runDigits(dir);
      return;
    }
    if (process.argv[2] === "commands") {
      // `node dist/bench/kernel.js commands`: the per-command table alone
      if (!runCommands(dir)) process.exitCode = 1;
      return;
    }
    if (process.argv[2] === "network") {
      // `node dist/bench/kernel.js network`: the digits network against torch alone
      if (!(await runNetwork(dir)).ok) process.exitCode = 1;
      return;
    }
    runBackends(dir, false);
    runPruning(dir, false);
    runMixtures(dir);
    console.log(`backend: ${kernelBackendName()} (float64)`);
    let R = Infinity;
    for (const [B, N, D] of CASES) R = Math.min(R, runCase(B, N, D, dir));
    const digits = runDigits(dir);
    if (digits !== undefined) console.log(`digits: native speed vs numpy f64 (min over σ): ${digits.toFixed(3)}`);
    const model = writeDataset(dir, 10_000, 784);
    const profileArgs = ["profile", model, "--sigma", "1,3,10", "--samples", "100", "--json", "--out", join(dir, "profile.json")];
    console.log(`infodyn profile (10000 × 784, σ = 1,3,10, --samples 100): ${timeCli(profileArgs, dir).toFixed(2)} s`);
    console.log(`infodyn report (default model): ${timeCli(["report", "--out", join(dir, "report")], dir).toFixed(2)} s`);
    const targets = runCommands(dir);
    const network = await runNetwork(dir); // ends with its line `network ratio vs torch (batch 256): R`
    if (!network.ok) process.exitCode = 1;
    console.log(`kernel ratio vs numpy f64 (min over cases): ${R.toFixed(3)}`);
    if (!targets) console.log("commands: a target of issue 14 was missed or a command failed (see the table above)");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
