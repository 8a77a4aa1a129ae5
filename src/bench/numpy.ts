import type { KernelResult } from "../engine/types.js";

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
