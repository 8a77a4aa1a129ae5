/**
 * `npm run bench`: the posterior kernel against numpy (float64, run here through `python3` on the same data in
 * the same run), one line per case, then one `infodyn profile` on a 10 000 × 784 dataset and one `infodyn report`.
 * Flops are counted as 4·B·N·D (the distance product and the mean product, 2·B·N·D each).
 * Last line: `kernel ratio vs numpy f64 (min over cases): R`.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { kernelBackendName, posteriorKernel } from "../engine/backends.js";
import type { DeltaSet, KernelResult } from "../engine/types.js";
import { installNativeBackend } from "../node/native.js";
import { createRng } from "../numeric/rng.js";

const CASES: [number, number, number][] = [
  [256, 10_000, 64],
  [64, 60_000, 784],
];

const NUMPY = String.raw`
import sys, time, numpy as np
d, B, N, D, sigma = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5])
Y = np.fromfile(d + "/points.f64").reshape(N, D)
X = np.fromfile(d + "/queries.f64").reshape(B, D)
lw = np.fromfile(d + "/logw.f64")
def kernel(X, Y, lw, inv):
    c = Y.mean(0); Yc = Y - c; Xc = X - c
    y2 = np.einsum("ij,ij->i", Yc, Yc); x2 = np.einsum("ij,ij->i", Xc, Xc)
    L = lw[None, :] - (x2[:, None] + y2[None, :] - 2.0 * (Xc @ Yc.T)) * inv
    M = L.max(1); A = L - M[:, None]; E = np.exp(A); S = E.sum(1)
    s1 = E @ Yc; mean = c + s1 / S[:, None]
    tr = (E @ y2) / S - np.einsum("ij,ij->i", s1, s1) / S**2
    h = np.log(S) - np.einsum("ij,ij->i", E, A) / S
    part = np.einsum("ij,ij->i", E, E) / S**2
    return np.concatenate([mean.ravel(), tr, h, part, M + np.log(S)])
inv = 1.0 / (2.0 * sigma * sigma)
best = float("inf")
for _ in range(5):
    t = time.perf_counter(); out = kernel(X, Y, lw, inv); best = min(best, time.perf_counter() - t)
out.tofile(d + "/numpy.f64")
print(best)
`;

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

/** Max over outputs of |a − b| / max|b| per output (mean as a whole, then Tr C, h, Σw², log Z). */
function maxRelativeDifference(r: KernelResult, ref: Float64Array, B: number, D: number): number {
  const parts: [Float64Array, number][] = [
    [r.mean, 0],
    [r.traceCov, B * D],
    [r.entropy!, B * D + B],
    [r.participation!, B * D + 2 * B],
    [r.logPartition, B * D + 3 * B],
  ];
  let worst = 0;
  for (const [ours, off] of parts) {
    let scale = 0;
    for (let i = 0; i < ours.length; i++) scale = Math.max(scale, Math.abs(ref[off + i]));
    for (let i = 0; i < ours.length; i++) worst = Math.max(worst, Math.abs(ours[i] - ref[off + i]) / scale);
  }
  return worst;
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

function main(): void {
  installNativeBackend(); // the C/OpenBLAS kernel when `npm ci` built it; else the TypeScript one
  const dir = mkdtempSync(join(tmpdir(), "infodyn-bench-"));
  try {
    console.log(`backend: ${kernelBackendName()} (float64)`);
    let R = Infinity;
    for (const [B, N, D] of CASES) R = Math.min(R, runCase(B, N, D, dir));
    const model = writeDataset(dir, 10_000, 784);
    const profileArgs = ["profile", model, "--sigma", "1,3,10", "--samples", "100", "--json", "--out", join(dir, "profile.json")];
    console.log(`infodyn profile (10000 × 784, σ = 1,3,10, --samples 100): ${timeCli(profileArgs, dir).toFixed(2)} s`);
    console.log(`infodyn report (default model): ${timeCli(["report", "--out", join(dir, "report")], dir).toFixed(2)} s`);
    console.log(`kernel ratio vs numpy f64 (min over cases): ${R.toFixed(3)}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main();
