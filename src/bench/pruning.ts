/**
 * The pruning table of `npm run bench` (issue 18 item 2): the exact pruned kernel (src/engine/pruned.ts) around the
 * default kernel against that kernel dense and against numpy, on the scikit-learn digits (examples/digits.npy,
 * 1797 × 64) and on an MNIST-sized synthetic set (60 000 × 784: ten class centres in [0, 1]^784, each point its
 * centre plus a 12-dimensional latent variation and pixel noise, clipped to [0, 1]; seeded), at σ across the
 * decision range. Queries: B data points + σ·noise (seeded). Per σ: the mean posterior entropy (nats), the points
 * a row kept, dense / pruned / numpy milliseconds (best of 3), the speed-ups, and the pruned result's error against
 * the dense one in units of the backends' 1e-12 tolerance (≤ 1 agrees) with the largest skipped-mass bound.
 */
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { kernelBackendName, posteriorKernel } from "../engine/backends.js";
import { prunedPosteriorKernel, pruneReport } from "../engine/pruned.js";
import type { DeltaSet } from "../engine/types.js";
import { nativeThreads } from "../node/native.js";
import { createRng } from "../numeric/rng.js";
import { NUMPY, readDigits, timeKernel, toleranceUnits } from "./numpy.js";

/** The synthetic MNIST-sized set (see the file's comment). */
function synthetic(N: number, D: number): DeltaSet {
  const rng = createRng(60_784);
  const classes = 10;
  const latent = 12;
  const centres = Float64Array.from({ length: classes * D }, () => rng.uniform());
  const loadings = Float64Array.from({ length: classes * latent * D }, () => 0.08 * rng.normal());
  const points = new Float64Array(N * D);
  const labels = new Int32Array(N);
  const u = new Float64Array(latent);
  for (let j = 0; j < N; j++) {
    const c = j % classes;
    labels[j] = c;
    for (let a = 0; a < latent; a++) u[a] = rng.normal();
    for (let d = 0; d < D; d++) {
      let v = centres[c * D + d] + 0.05 * rng.normal();
      for (let a = 0; a < latent; a++) v += u[a] * loadings[(c * latent + a) * D + d];
      points[j * D + d] = Math.min(1, Math.max(0, v));
    }
  }
  return { n: N, dim: D, points, logWeights: new Float64Array(N).fill(-Math.log(N)), labels, numClasses: classes };
}


function table(name: string, data: DeltaSet, B: number, sigmas: number[], dir: string): { minDense: number; lowEntropyNumpy: number } {
  const { n: N, dim: D, points } = data;
  const dense = posteriorKernel();
  const pruned = prunedPosteriorKernel(dense);
  let scale = 0;
  for (const v of points) scale = Math.max(scale, Math.abs(v));
  writeFileSync(join(dir, "points.f64"), new Uint8Array(points.buffer));
  writeFileSync(join(dir, "logw.f64"), new Uint8Array(data.logWeights.buffer));
  // The index is built once per set (cached by the pruned kernel): build it here, outside the timings.
  const warm = new Float64Array(4 * D);
  warm.set(points.subarray(0, 4 * D));
  const t0 = performance.now();
  pruned(data, { rows: 4, dim: D, data: warm }, 1, {});
  console.log(`pruning: ${name} (N = ${N}, D = ${D}), B = ${B} queries = data points + σ·noise; dense = ${kernelBackendName(dense)}; index built once in ${(performance.now() - t0).toFixed(0)} ms`);
  console.log("      σ   mean h  kept/row   dense ms  pruned ms   numpy ms  pruned/dense  pruned/numpy  error  max skipped mass");
  let minDense = Infinity;
  let lowEntropyNumpy = Infinity;
  for (const sigma of sigmas) {
    const rng = createRng(Math.round(sigma * 1000) + N);
    const q = new Float64Array(B * D);
    const step = Math.max(1, Math.floor(N / B));
    for (let b = 0; b < B; b++) for (let d = 0; d < D; d++) q[b * D + d] = points[((b * step) % N) * D + d] + sigma * rng.normal();
    writeFileSync(join(dir, "queries.f64"), new Uint8Array(q.buffer));
    const env = { ...process.env, OPENBLAS_NUM_THREADS: String(nativeThreads()), OMP_NUM_THREADS: String(nativeThreads()) };
    const py = spawnSync("python3", ["-c", NUMPY, dir, String(B), String(N), String(D), String(sigma)], { encoding: "utf8", env });
    if (py.status !== 0) throw new Error(`numpy run failed: ${py.stderr}`);
    const numpy = Number(py.stdout.trim());
    timeKernel(dense, data, q.subarray(0, 4 * D), 4, sigma, 1);
    const [td, rd] = timeKernel(dense, data, q, B, sigma, 3);
    const [tp, rp] = timeKernel(pruned, data, q, B, sigma, 3);
    const rep = pruneReport(rp)!;
    let h = 0;
    for (const v of rd.entropy!) h += v / B;
    let kept = 0;
    let skipped = 0;
    for (let b = 0; b < B; b++) (kept += rep.survivors[b] / B), (skipped = Math.max(skipped, rep.skippedMass[b]));
    const err = toleranceUnits(rp, rd, scale);
    minDense = Math.min(minDense, td / tp);
    if (h < 1) lowEntropyNumpy = Math.min(lowEntropyNumpy, numpy / tp);
    console.log(
      `  ${String(sigma).padStart(5)} ${h.toFixed(3).padStart(8)} ${kept.toFixed(1).padStart(9)} ${(1000 * td).toFixed(1).padStart(10)} ${(1000 * tp).toFixed(1).padStart(10)} ${(1000 * numpy).toFixed(1).padStart(10)} ${(td / tp).toFixed(2).padStart(13)} ${(numpy / tp).toFixed(2).padStart(13)} ${err.toFixed(2).padStart(6)}  ${skipped.toExponential(1)}`,
    );
  }
  return { minDense, lowEntropyNumpy };
}

/**
 * Runs both tables; prints the summary lines `pruning speed-up vs dense (min over σ): R` and `pruning speed vs numpy
 * where mean h < 1 nat (min): R`.
 */
export function runPruning(dir: string, quick: boolean): void {
  const results: { minDense: number; lowEntropyNumpy: number }[] = [];
  const digits = readDigits();
  if (digits) {
    const set: DeltaSet = { n: digits.n, dim: digits.dim, points: digits.points, logWeights: new Float64Array(digits.n).fill(-Math.log(digits.n)), numClasses: 0 };
    results.push(table("scikit-learn digits", set, quick ? 256 : 1797, quick ? [0.5, 8] : [0.2, 0.5, 1, 2, 4, 8, 16, 32], dir));
  }
  if (!quick) results.push(table("synthetic MNIST-sized", synthetic(60_000, 784), 256, [0.05, 0.1, 0.2, 0.4, 0.8, 1.6, 3.2], dir));
  const minDense = Math.min(...results.map((r) => r.minDense));
  const lowNumpy = Math.min(...results.map((r) => r.lowEntropyNumpy));
  console.log(`pruning speed-up vs dense (min over σ): ${minDense.toFixed(2)}`);
  console.log(`pruning speed vs numpy where mean h < 1 nat (min): ${Number.isFinite(lowNumpy) ? lowNumpy.toFixed(2) : "—"}`);
}
