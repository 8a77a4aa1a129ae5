import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "vitest";
import type { DeltaSet, KernelRequest, KernelResult, PosteriorKernel } from "../src/engine/kernel.js";
import { createRng } from "../src/numeric/rng.js";
import { expectClose } from "./helpers.js";

// Cases and tolerances shared by the backend tests (test/backends.test.ts, test/native.test.ts).

/** Random weighted, labelled data (one point of weight zero), centred at `offset`. */
export function randomSet(N: number, D: number, K: number, offset: number, seed: number): DeltaSet {
  const rng = createRng(seed);
  const points = new Float64Array(N * D).map(() => offset + rng.normal());
  const raw = Array.from({ length: N }, (_, j) => (j === 1 ? 0 : rng.uniform() + 0.05));
  const total = raw.reduce((a, b) => a + b, 0);
  const logWeights = Float64Array.from(raw, (w) => Math.log(w / total));
  const labels = Int32Array.from({ length: N }, (_, j) => j % K);
  return { n: N, dim: D, points, logWeights, labels, numClasses: K };
}

/** A C-order .npy matrix of float64 ('<f8') or int64 ('<i8') as numbers, with its shape. */
function readNpy(path: string): { values: Float64Array; shape: number[] } {
  const bytes = readFileSync(path);
  const headerLength = bytes.readUInt16LE(8);
  const header = bytes.toString("latin1", 10, 10 + headerLength);
  const shape = /'shape': \(([\d, ]*)\)/.exec(header)![1].split(",").filter((t) => t.trim() !== "").map(Number);
  const count = shape.reduce((a, b) => a * b, 1);
  const body = bytes.subarray(10 + headerLength);
  const view = new DataView(body.buffer, body.byteOffset, 8 * count);
  const values = new Float64Array(count);
  if (header.includes("'<f8'")) for (let i = 0; i < count; i++) values[i] = view.getFloat64(8 * i, true);
  else if (header.includes("'<i8'")) for (let i = 0; i < count; i++) values[i] = Number(view.getBigInt64(8 * i, true));
  else throw new Error(`${path}: not <f8 or <i8`);
  return { values, shape };
}

/**
 * The scikit-learn digits committed in examples/ (examples/make_digits.py: 1797 × 64, values 0–16, ten labelled
 * classes), or the 0-vs-1 subset (360 points), as an equally weighted labelled set.
 */
export function digitsSet(subset: "digits" | "digits01" = "digits"): DeltaSet {
  const dir = join(import.meta.dirname, "..", "examples");
  const { values: points, shape } = readNpy(join(dir, `${subset}.npy`));
  const labels = Int32Array.from(readNpy(join(dir, `${subset}-labels.npy`)).values);
  const [n, dim] = shape;
  const numClasses = Math.max(...labels) + 1;
  return { n, dim, points, logWeights: new Float64Array(n).fill(-Math.log(n)), labels, numClasses };
}

/** Queries near the data (a point + σ·noise, capped so that huge σ stays near), and two far ones. */
export function queriesFor(set: DeltaSet, B: number, sigma: number, seed: number): Float64Array {
  const rng = createRng(seed);
  const D = set.dim;
  const spread = Number.isFinite(sigma) ? Math.min(sigma, 3) : 1;
  const q = new Float64Array(B * D);
  for (let b = 0; b < B; b++)
    for (let k = 0; k < D; k++) q[b * D + k] = set.points[((b * 7) % set.n) * D + k] + spread * rng.normal() * (b >= B - 2 ? 30 : 1);
  return q;
}

/**
 * Every output against the reference, with test/backends.test.ts's tolerances: 1e-12 relative (Tr C, Σw²); class
 * probabilities plus 1e-15 absolute (e^{−A} carries the rounding of A); means within 1e-12 of max|y|; entropies
 * and log Z plus 1e-13 absolute (sums of terms of order log N that may cancel).
 */
export function expectSame(got: KernelResult, want: KernelResult, set: DeltaSet, label: string): void {
  let scale = 0;
  for (const v of set.points) scale = Math.max(scale, Math.abs(v));
  const each = (g: Float64Array | undefined, w: Float64Array | undefined, tol: { rtol?: number; atol?: number }, name: string) => {
    expect(g === undefined, `${label} ${name} presence`).toBe(w === undefined);
    if (!g || !w) return;
    expect(g.length).toBe(w.length);
    for (let i = 0; i < w.length; i++) {
      if (Number.isNaN(w[i])) expect(Number.isNaN(g[i]), `${label} ${name}[${i}] NaN`).toBe(true);
      else expectClose(g[i], w[i], tol, `${label} ${name}[${i}]`);
    }
  };
  each(got.mean, want.mean, { atol: 1e-12 * scale }, "mean");
  each(got.traceCov, want.traceCov, { rtol: 1e-12, atol: 1e-300 }, "traceCov");
  each(got.logPartition, want.logPartition, { rtol: 1e-12, atol: 1e-13 }, "logPartition");
  each(got.entropy, want.entropy, { rtol: 1e-12, atol: 1e-13 }, "entropy");
  each(got.participation, want.participation, { rtol: 1e-12 }, "participation");
  each(got.classProbs, want.classProbs, { rtol: 1e-12, atol: 1e-15 }, "classProbs");
  each(got.classEntropy, want.classEntropy, { rtol: 1e-12, atol: 1e-13 }, "classEntropy");
  each(got.classMeans, want.classMeans, { atol: 1e-12 * scale }, "classMeans");
  each(got.covariance, want.covariance, { rtol: 1e-12, atol: 1e-12 * scale * scale }, "covariance");
}

export const ALL: KernelRequest = { entropy: true, participation: true, classProbs: true, classMeans: true };
export const SIGMAS = [1e-6, 0.05, 0.3, 1, 3, 30, 1e6, Infinity];

/** Every output array of a kernel result, with its width per row (D, D², K, K·D or 1). */
const FIELDS: [keyof KernelResult, (D: number, K: number) => number][] = [
  ["mean", (D) => D],
  ["traceCov", () => 1],
  ["logPartition", () => 1],
  ["covariance", (D) => D * D],
  ["entropy", () => 1],
  ["participation", () => 1],
  ["classProbs", (_, K) => K],
  ["classMeans", (D, K) => K * D],
  ["classEntropy", () => 1],
];

/**
 * Rows with σ = 0, −1, NaN, −∞ or a NaN/±∞ coordinate must be NaN in every output array, for every request, on
 * a set the blocked kernels run whole through the reference (37 × 3) and one they route (1500 × 4); the valid
 * rows beside them (σ = 0.7, 3, ∞) stay NaN-free.
 */
export function expectNaNRows(kernel: PosteriorKernel, label: string): void {
  const sigma = Float64Array.from([0.7, 0, -1, NaN, -Infinity, 3, 0.7, 0.7, 0.7, Infinity]);
  const badQuery: Record<number, number> = { 6: NaN, 7: Infinity, 8: -Infinity };
  const bad = (b: number) => !(sigma[b] > 0) || b in badQuery;
  const requests: [string, KernelRequest][] = [
    ["all + covariance", { ...ALL, covariance: true }],
    ["all", ALL],
    ["class means only", { classMeans: true }],
    ["none", {}],
  ];
  for (const [N, D] of [[37, 3], [1500, 4]]) {
    const set = randomSet(N, D, 3, 1, N + D);
    const q = { rows: sigma.length, dim: D, data: queriesFor(set, sigma.length, 1, N) };
    for (const [b, v] of Object.entries(badQuery)) q.data[Number(b) * D + 1] = v;
    for (const [name, want] of requests) {
      const r = kernel(set, q, sigma, want);
      if (name === "all + covariance") for (const [f] of FIELDS) expect(r[f], `${label} N=${N} ${name}: ${f} present`).toBeDefined();
      for (const [f, width] of FIELDS) {
        const a = r[f];
        if (!a) continue;
        const w = width(D, set.numClasses);
        expect(a.length, `${label} ${f} length`).toBe(sigma.length * w);
        for (let b = 0; b < sigma.length; b++)
          for (let k = b * w; k < (b + 1) * w; k++)
            expect(Number.isNaN(a[k]), `${label} N=${N} ${name}: ${f}[${k}] (row ${b}, σ=${sigma[b]}) ${bad(b) ? "is NaN" : "is not NaN"}`).toBe(bad(b));
      }
    }
  }
}
