/**
 * The backends table of `npm run bench`: every posterior kernel this process loaded (native-openblas, native-own,
 * wasm-simd, ts-blocked) on the same seeded cases, each as a ratio to numpy float64 run in the same process tree
 * with the same thread count (OPENBLAS_NUM_THREADS = the native kernel's threads). Flops are 4·B·N·D. Each
 * backend's outputs are compared with numpy's (max relative difference per output; above 1e-10 is flagged).
 * `--quick` runs one small case (CI smoke).
 */
import { spawnSync } from "node:child_process";
import { cpus } from "node:os";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { kernelBackendName, kernelBackends } from "../engine/backends.js";
import type { DeltaSet } from "../engine/types.js";
import { nativeThreads } from "../node/native.js";
import { createRng } from "../numeric/rng.js";
import { maxRelativeDifference, NUMPY, timeKernel } from "./numpy.js";

/** The backends timed: the fast ones (the reference and the sharded TypeScript kernel are for tests, not speed). */
const TIMED = ["native-openblas", "native-own", "wasm-simd", "ts-blocked"];


/**
 * Runs the table; returns each backend's smallest ratio to numpy over the cases.
 *
 * @example
 * runBackends(dir, true); // one 64 × 4000 × 64 case: { "native-openblas": 2.1, "wasm-simd": 0.6, "ts-blocked": 0.3 }
 */
export function runBackends(dir: string, quick: boolean): Record<string, number> {
  const cases: [number, number, number][] = quick ? [[64, 4000, 64]] : [[256, 10_000, 64], [64, 60_000, 784], [1797, 1797, 64]];
  const threads = nativeThreads();
  const present = TIMED.filter((n) => kernelBackends().some((b) => b.name === n));
  console.log(`backends vs numpy f64 (${cpus()[0]?.model ?? "?"}, ${cpus().length} cores; native and numpy on ${threads} threads; default here: ${kernelBackendName()})`);
  const worst: Record<string, number> = {};
  for (const [B, N, D] of cases) {
    const rng = createRng(B * 7 + N + D);
    const points = new Float64Array(N * D);
    rng.fillNormal(points);
    const sigma = Math.sqrt(D) / 2; // a spread posterior: every point counts
    const queries = new Float64Array(B * D);
    for (let i = 0; i < B * D; i++) queries[i] = points[i % (N * D)] + sigma * rng.normal();
    const logWeights = new Float64Array(N).fill(-Math.log(N));
    const data: DeltaSet = { n: N, dim: D, points, logWeights, numClasses: 0 };
    writeFileSync(join(dir, "points.f64"), new Uint8Array(points.buffer));
    writeFileSync(join(dir, "queries.f64"), new Uint8Array(queries.buffer));
    writeFileSync(join(dir, "logw.f64"), new Uint8Array(logWeights.buffer));
    const env = { ...process.env, OPENBLAS_NUM_THREADS: String(threads), OMP_NUM_THREADS: String(threads) };
    const py = spawnSync("python3", ["-c", NUMPY, dir, String(B), String(N), String(D), String(sigma)], { encoding: "utf8", env });
    if (py.status !== 0) throw new Error(`numpy run failed: ${py.stderr}`);
    const numpy = Number(py.stdout.trim());
    const ref = new Float64Array(new Uint8Array(readFileSync(join(dir, "numpy.f64"))).buffer);
    const gflops = (s: number) => (4 * B * N * D) / s / 1e9;
    console.log(`  B=${B} N=${N} D=${D} σ=${sigma.toFixed(2)}: numpy ${gflops(numpy).toFixed(2)} GFLOP/s`);
    for (const name of present) {
      const kernel = kernelBackends().find((b) => b.name === name)!.kernel;
      const reps = name === "ts-blocked" && N * D > 1e6 ? 2 : 5;
      timeKernel(kernel, data, queries.subarray(0, 4 * D), 4, sigma, 1); // warm-up
      const [seconds, result] = timeKernel(kernel, data, queries, B, sigma, reps);
      const diff = maxRelativeDifference(result, ref, B, D);
      const ratio = numpy / seconds;
      worst[name] = Math.min(worst[name] ?? Infinity, ratio);
      console.log(
        `    ${name.padEnd(16)} ${gflops(seconds).toFixed(2).padStart(7)} GFLOP/s  ratio ${ratio.toFixed(3)}  max rel diff vs numpy ${diff.toExponential(1)}${diff < 1e-10 ? "" : " (ABOVE 1e-10)"}`,
      );
    }
  }
  console.log(`backend ratio vs numpy f64 (min over cases): ${present.map((n) => `${n} ${worst[n].toFixed(3)}`).join(", ")}`);
  return worst;
}
