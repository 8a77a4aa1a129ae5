import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { DeltaSet, KernelResult, PosteriorKernel } from "../engine/types.js";

/**
 * The numpy reference of every kernel figure in the bench: the same float64 posterior (centred matrix products,
 * per-row maximum, exp, sums: mean, Tr C, h, Σw², log Z) on the same data, best of 5, run through `python3`.
 * Argument order: directory (points.f64, queries.f64, logw.f64; writes numpy.f64), B, N, D, σ; prints seconds.
 */
export const NUMPY = String.raw`
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

/** Max over outputs of |a − b| / max|b| per output (mean as a whole, then Tr C, h, Σw², log Z). */
export function maxRelativeDifference(r: KernelResult, ref: Float64Array, B: number, D: number): number {
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

/** examples/digits.npy (float64, C order) as a row-major array and its shape; undefined when it is missing. */
export function readDigits(): { points: Float64Array; n: number; dim: number } | undefined {
  const path = fileURLToPath(new URL("../../examples/digits.npy", import.meta.url));
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch {
    return undefined;
  }
  const headerLength = bytes.readUInt16LE(8);
  const header = bytes.toString("latin1", 10, 10 + headerLength);
  const shape = /'shape': \((\d+), (\d+)\)/.exec(header);
  if (!header.includes("'<f8'") || header.includes("'fortran_order': True") || !shape) throw new Error(`${path}: not a C-order float64 matrix`);
  const n = Number(shape[1]);
  const dim = Number(shape[2]);
  const body = bytes.subarray(10 + headerLength, 10 + headerLength + 8 * n * dim);
  return { points: new Float64Array(body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength)), n, dim };
}

/**
 * Max error of `r` against the reference `ref`, in units of the backends' tolerances (test/backend-cases.ts):
 * means within 1e-12 of max|y|; Tr C and Σw² 1e-12 relative; h and log Z 1e-12 relative + 1e-13 absolute.
 * At most 1 where every output agrees.
 */
export function toleranceUnits(r: KernelResult, ref: KernelResult, scale: number): number {
  let worst = 0;
  const each = (a: Float64Array, b: Float64Array, rtol: number, atol: number) => {
    for (let i = 0; i < b.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]) / (rtol * Math.abs(b[i]) + atol));
  };
  each(r.mean, ref.mean, 0, 1e-12 * scale);
  each(r.traceCov, ref.traceCov, 1e-12, 1e-300);
  each(r.participation!, ref.participation!, 1e-12, 1e-300);
  each(r.entropy!, ref.entropy!, 1e-12, 1e-13);
  each(r.logPartition, ref.logPartition, 1e-12, 1e-13);
  return worst;
}

/** Best of `reps` wall times (s) of one kernel call, and the last result. */
export function timeKernel(kernel: PosteriorKernel, data: DeltaSet, queries: Float64Array, B: number, sigma: number, reps: number): [number, KernelResult] {
  const want = { entropy: true, participation: true };
  let best = Infinity;
  let r: KernelResult | undefined;
  for (let rep = 0; rep < reps; rep++) {
    const t0 = performance.now();
    r = kernel(data, { rows: B, dim: data.dim, data: queries }, sigma, want);
    best = Math.min(best, (performance.now() - t0) / 1000);
  }
  return [best, r!];
}
