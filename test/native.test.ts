import { existsSync } from "node:fs";
import { describe, expect, it, vi } from "vitest";
import { kernelBackendName, kernelBackends } from "../src/engine/backends.js";
import { SMALL } from "../src/engine/blocked.js";
import { jsPosteriorKernel, posteriorKernel, setPosteriorKernel, type DeltaSet, type PosteriorKernel } from "../src/engine/kernel.js";
import { NATIVE_ADDON_PATHS, NATIVE_BUILDS, installNativeBackend, nativeAddon as loadAddon, nativeKernel as loadKernel, type NativeBuild } from "../src/node/native.js";
import { nativePosteriorKernel, type NativeAddon } from "../src/node/nativeKernel.js";
import { createRng } from "../src/numeric/rng.js";
import { ALL, digitsSet, expectNaNRows, expectSame, queriesFor, randomSet, SIGMAS } from "./backend-cases.js";

// The TypeScript reference, wrapped to count its calls (every importer — the blocked and screened kernels, the
// native one — gets the wrapper), so that a test can say that the native kernel never called it.
vi.mock("../src/engine/reference.js", async (importOriginal) => {
  const original = await importOriginal<typeof import("../src/engine/reference.js")>();
  return { ...original, jsPosteriorKernel: vi.fn(original.jsPosteriorKernel) };
});


/**
 * `kernel`, checked on every call to have handed no row to the TypeScript reference kernel: no call, except one
 * with the whole set for a toy set (N·D < SMALL, as the TypeScript blocked kernel does).
 */
function noTypeScript(kernel: PosteriorKernel, label = "native"): PosteriorKernel {
  return (data, queries, sigma, want) => {
    const spy = vi.mocked(jsPosteriorKernel);
    spy.mockClear();
    const r = kernel(data, queries, sigma, want);
    const toy = data.n * data.dim < SMALL;
    expect(spy.mock.calls.length, `${label} N=${data.n} D=${data.dim}: calls of the TypeScript reference`).toBe(toy ? 1 : 0);
    if (toy) expect(spy.mock.calls[0][0], `${label}: the toy set goes whole`).toBe(data);
    return r;
  };
}

/** The addon, counting the rows handed to each entry point and the exact route's screening statistics. */
function countingAddon(addon: NativeAddon) {
  const calls = { fast: 0, exact: 0, candidates: 0, full: 0 };
  const stats = new Float64Array(4);
  const spy: NativeAddon = {
    fastRows: (...args) => {
      calls.fast += args[1].length;
      addon.fastRows(...args);
    },
    exactRows: (...args) => {
      calls.exact += args[9].length;
      args[21] = stats;
      addon.exactRows(...args);
      calls.candidates += stats[1];
      calls.full += stats[3];
    },
  };
  const reset = () => Object.assign(calls, { fast: 0, exact: 0, candidates: 0, full: 0 });
  return { spy, calls, reset };
}

/** `rows` digits (every `step`-th) + σ·noise, seeded. */
function digitQueries(set: DeltaSet, rows: number, step: number, sigma: number, seed: number): { rows: number; dim: number; data: Float64Array } {
  const rng = createRng(seed);
  const D = set.dim;
  const data = new Float64Array(rows * D);
  for (let b = 0; b < rows; b++) for (let k = 0; k < D; k++) data[b * D + k] = set.points[((b * step) % set.n) * D + k] + sigma * rng.normal();
  return { rows, dim: D, data };
}

// Both native builds (OpenBLAS's dgemm and infodyn's own, native/gemm.c) go through the same cases.
for (const build of NATIVE_BUILDS) describe(`the native kernel ${build} agrees with the reference jsPosteriorKernel`, () => {
  const built = existsSync(NATIVE_ADDON_PATHS[build]);
  const nativeAddon = () => loadAddon(build);
  const nativeKernel = () => loadKernel(build);

  it("is built wherever CI runs (CI installs libopenblas-dev and a compiler; npm ci runs scripts/build-native.mjs)", () => {
    if (process.env.CI) expect(built, `${NATIVE_ADDON_PATHS[build]} missing under CI`).toBe(true);
    if (built) expect(nativeKernel(), "the built addon loads").toBeDefined();
  });

  it.runIf(built)(`registers '${build}' under its name; installNativeBackend makes the fastest built one the default`, () => {
    const previous = posteriorKernel();
    try {
      const k = nativeKernel()!;
      expect(kernelBackendName(k)).toBe(build);
      expect(installNativeBackend()).toBe(true);
      const fastest = NATIVE_BUILDS.find((b) => existsSync(NATIVE_ADDON_PATHS[b]));
      expect(kernelBackendName()).toBe(fastest);
    } finally {
      setPosteriorKernel(previous);
    }
  });

  it.runIf(built)("says which matrix product it runs (gemm, gemmIsa)", () => {
    const a = nativeAddon()!;
    expect(a.gemm).toBe(build === "native-own" ? "own" : "openblas");
    if (build === "native-own") expect(["avx512", "avx2", "generic"]).toContain(a.gemmIsa);
  });

  it.runIf(built)("random weighted, labelled data, N ∈ {1, 2, 37, 1500}, D ∈ {1, 3, 64, 300}, σ from 1e-6 to ∞, to 1e-12, no row to TypeScript", () => {
    const kernel = noTypeScript(nativeKernel()!);
    let seed = 10;
    for (const [N, D] of [[1, 3], [2, 1], [37, 3], [1500, 1], [1500, 64], [200, 300], [3000, 40]]) {
      for (const offset of [0, 10]) {
        const set = randomSet(N, D, 3, offset, seed++);
        for (const sigma of SIGMAS) {
          const q = { rows: 9, dim: D, data: queriesFor(set, 9, sigma, seed++) };
          const label = `native N=${N} D=${D} offset=${offset} σ=${sigma}`;
          expectSame(kernel(set, q, sigma, ALL), jsPosteriorKernel(set, q, sigma, ALL), set, label);
          expectSame(kernel(set, q, sigma, {}), jsPosteriorKernel(set, q, sigma, {}), set, label + " (no extras)");
        }
      }
    }
  });

  it.runIf(built)("per-row σ with NaN, 0 and ∞ rows, a non-finite query, and the full covariance", () => {
    const kernel = noTypeScript(nativeKernel()!);
    const set = randomSet(400, 5, 2, 1, 99);
    const q = { rows: 8, dim: 5, data: queriesFor(set, 8, 1, 100) };
    q.data[3 * 5 + 2] = NaN;
    const sigma = Float64Array.from([0.5, NaN, 0, Infinity, 2, 1e-6, 1e6, 4]);
    expectSame(kernel(set, q, sigma, ALL), jsPosteriorKernel(set, q, sigma, ALL), set, "native per-row σ");
    const cov = { covariance: true, entropy: true };
    expectSame(kernel(set, q, sigma, cov), jsPosteriorKernel(set, q, sigma, cov), set, "native covariance");
  });

  it.runIf(built)("a row with σ ≤ 0, NaN σ or a non-finite query is NaN in every output array", () => {
    expectNaNRows(noTypeScript(nativeKernel()!), "native");
  });

  it.runIf(built)("more queries than one 256-row block, split between threads, per-row σ: the same to 1e-12", () => {
    const kernel = noTypeScript(nativeKernel()!);
    const set = randomSet(2000, 16, 4, 0, 7);
    const B = 601;
    const rng = createRng(8);
    const q = { rows: B, dim: 16, data: queriesFor(set, B, 2, 9) };
    const sigma = Float64Array.from({ length: B }, () => 0.5 + 4 * rng.uniform());
    expectSame(kernel(set, q, sigma, ALL), jsPosteriorKernel(set, q, sigma, ALL), set, "native 601 rows");
  });

  it.runIf(built)("two threads split the points and merge their partial sums (1 and 2 threads, every row fast): the same to 1e-12", () => {
    // native/kernel.c cuts the points into 4 shards (whatever the thread count) when Q ≤ 256 and N ≥ 2 · 4 · P,
    // P = 512 points per block at D = 8; 6000 points and 9 queries take that route. The queries sit near points spread over the whole
    // set, so that the heaviest point lies in the first thread's half for some rows and in the second's for others.
    // Two sets put zero weight on one half, so that one thread's partial is empty (M = −∞) for every row.
    const addon = nativeAddon()!;
    const calls = { fast: 0, reference: 0 };
    const spy: NativeAddon = {
      fastRows: (...args) => {
        calls.fast += args[1].length;
        addon.fastRows(...args);
      },
      exactRows: (...args) => {
        calls.reference += args[9].length;
        addon.exactRows(...args);
      },
    };
    const N = 6000;
    const D = 8;
    const B = 9;
    const base = randomSet(N, D, 3, 2, 21);
    const zeroFirst = Float64Array.from(base.logWeights, (w, j) => (j < N / 2 ? -Infinity : w + Math.LN2));
    const zeroSecond = Float64Array.from(base.logWeights, (w, j) => (j >= N / 2 ? -Infinity : w + Math.LN2));
    const rng = createRng(22);
    for (const [name, logWeights] of [["all weighted", base.logWeights], ["first half weightless", zeroFirst], ["second half weightless", zeroSecond]] as const) {
      const set = { ...base, logWeights };
      for (const sigma of [1, 3, Infinity]) {
        const q = { rows: B, dim: D, data: new Float64Array(B * D) };
        for (let b = 0; b < B; b++) {
          const j = Math.floor(((b + 0.5) * N) / B);
          for (let k = 0; k < D; k++) q.data[b * D + k] = set.points[j * D + k] + 0.3 * rng.normal();
        }
        for (const threads of [1, 2]) {
          calls.fast = calls.reference = 0;
          const label = `native ${threads} threads, ${name}, σ=${sigma}`;
          expectSame(nativePosteriorKernel(spy, threads)(set, q, sigma, ALL), jsPosteriorKernel(set, q, sigma, ALL), set, label);
          expect(calls, `${label}: every row on the fast route, none redone`).toEqual({ fast: B, reference: 0 });
        }
      }
    }
  });

  it.runIf(built)("results are bit for bit the same for 1, 2, 3 and 4 threads, on the sharded, the query-split and the exact routes (issue 13)", () => {
    const addon = nativeAddon()!;
    const keys = ["mean", "traceCov", "logPartition", "entropy", "participation", "classProbs", "classMeans", "classEntropy"] as const;
    for (const [N, B] of [[6000, 9], [2000, 601]]) {
      const set = randomSet(N, 8, 3, 2, 31);
      const q = { rows: B, dim: 8, data: queriesFor(set, B, 2, 32) };
      const runs = [1, 2, 3, 4].map((t) => nativePosteriorKernel(addon, t)(set, q, 0.8, ALL));
      for (const r of runs.slice(1)) for (const key of keys) expect(Array.from(r[key] ?? []), `N=${N} B=${B} ${key}`).toEqual(Array.from(runs[0][key] ?? []));
    }
    // The exact route (every digits row at σ ≤ 2), with the screened margin (no class means) and the full one.
    const digits = digitsSet();
    for (const sigma of [0.2, 2])
      for (const want of [{ entropy: true, participation: true, classProbs: true }, ALL]) {
        const q = digitQueries(digits, 301, 6, sigma, 33);
        const runs = [1, 2, 3, 4].map((t) => nativePosteriorKernel(addon, t)(digits, q, sigma, want));
        for (const r of runs.slice(1)) for (const key of keys) expect(Array.from(r[key] ?? []), `digits σ=${sigma} ${key}`).toEqual(Array.from(runs[0][key] ?? []));
      }
  });

  it.runIf(built)("the scikit-learn digits at σ = 0.05, 0.2, 0.5, 2: every row in C (none to TypeScript), screened to a few points, to 1e-12 (issue 14)", () => {
    // Below σ ≈ 2 the posterior of a noisy digit sits on one or a few digits, the matrix-product logits are not
    // accurate enough for the fast route (σ = 0.05 … 0.5) or its Tr C cancels (σ = 2): every row takes the exact
    // route, on the points the screening keeps.
    const digits = digitsSet();
    const { spy, calls, reset } = countingAddon(nativeAddon()!);
    const kernel = noTypeScript(nativePosteriorKernel(spy, 2), "native digits");
    const B = 300;
    // Points per row the exact pass may visit (measured: 1, 1, 2.1, 24.5 — with class means 1, 1, 10.5, 144).
    const most: Record<number, number> = { 0.05: 2, 0.2: 2, 0.5: 8, 2: 120 };
    // With class means, also the points near the top of each of the ten classes (below σ = 0.5 every class but
    // the heaviest point's is more than 750 below it, left out by the reference itself).
    const mostWithClassMeans: Record<number, number> = { 0.05: 2, 0.2: 2, 0.5: 20, 2: 250 };
    for (const sigma of [0.05, 0.2, 0.5, 2]) {
      const q = digitQueries(digits, B, 6, sigma, 40 + sigma);
      for (const [name, want] of [["h, Σw²", { entropy: true, participation: true }], ["classes", { entropy: true, classProbs: true }], ["all", ALL], ["none", {}]] as const) {
        reset();
        const label = `digits σ=${sigma} ${name}`;
        expectSame(kernel(digits, q, sigma, want), jsPosteriorKernel(digits, q, sigma, want), digits, label);
        expect(calls.exact, `${label}: every row on the exact route`).toBe(B);
        expect(calls.candidates / B, `${label}: points per row on the exact route`).toBeLessThanOrEqual(("classMeans" in want ? mostWithClassMeans : most)[sigma]);
        expect(calls.full, `${label}: rows redone with the full margin`).toBe(0);
      }
    }
  });

  it.runIf(built)("σ = 1e-6, queries 1000 away from a cap of points all as far from them (to rounding): the screening's rounding bound keeps what the reference keeps", () => {
    // Here the matrix-product logits are off by hundreds of nats (‖x − c‖² ≈ 1e6 at 1/(2σ²) = 5e11) while the
    // reference's direct logits spread the points over a few hundred nats: only the bound β_j makes the
    // screening keep every point within the margin.
    const rng = createRng(60);
    const N = 600;
    const D = 16;
    const R = 1000;
    const points = new Float64Array(N * D);
    for (let j = 0; j < N; j++) {
      const u = Float64Array.from({ length: D }, (_, k) => (k === 0 ? 1 : 0.01 * rng.normal()));
      const norm = Math.hypot(...u);
      for (let k = 0; k < D; k++) points[j * D + k] = (R * u[k]) / norm;
    }
    const set: DeltaSet = { n: N, dim: D, points, logWeights: new Float64Array(N).fill(-Math.log(N)), labels: Int32Array.from({ length: N }, (_, j) => j % 2), numClasses: 2 };
    const q = { rows: 4, dim: D, data: new Float64Array(4 * D) };
    for (let b = 1; b < 4; b++) for (let k = 0; k < D; k++) q.data[b * D + k] = 1e-9 * b * rng.normal();
    const kernel = noTypeScript(nativePosteriorKernel(nativeAddon()!, 2), "native shell");
    for (const sigma of [1e-6, 3e-7])
      for (const want of [{ entropy: true, participation: true }, ALL]) expectSame(kernel(set, q, sigma, want), jsPosteriorKernel(set, q, sigma, want), set, `shell σ=${sigma}`);
  });

  it.runIf(built)("the exact route on a synthetic 2000 × 64 set of integers 0–16, duplicated points (ties), weighted, far queries: to 1e-12, none to TypeScript", () => {
    const rng = createRng(50);
    const N = 2000;
    const D = 64;
    const points = new Float64Array(N * D).map(() => Math.floor(17 * rng.uniform()));
    for (let j = 1000; j < 1100; j++) points.copyWithin(j * D, (j - 1000) * D, (j - 999) * D); // 100 exact duplicates
    const raw = Array.from({ length: N }, (_, j) => (j === 7 ? 0 : 0.2 + rng.uniform()));
    const total = raw.reduce((a, b) => a + b, 0);
    const set: DeltaSet = { n: N, dim: D, points, logWeights: Float64Array.from(raw, (w) => Math.log(w / total)), labels: Int32Array.from({ length: N }, (_, j) => j % 5), numClasses: 5 };
    const { spy, calls, reset } = countingAddon(nativeAddon()!);
    const kernel = noTypeScript(nativePosteriorKernel(spy, 3), "native synthetic");
    for (const sigma of [0.05, 0.2, 0.5, 2, 8]) {
      const q = digitQueries(set, 120, 17, sigma, 51);
      for (let b = 110; b < 120; b++) for (let k = 0; k < D; k++) q.data[b * D + k] = 8 + 40 * rng.normal(); // far from the data
      for (let b = 100; b < 105; b++) q.data.set(points.subarray((1000 + b) * D, (1001 + b) * D), b * D); // on a duplicated point
      for (const want of [{ entropy: true, participation: true }, ALL, ...(sigma === 0.5 || sigma === 2 ? [{ covariance: true }] : [])]) {
        reset();
        const label = `synthetic σ=${sigma} ${JSON.stringify(want)}`;
        expectSame(kernel(set, q, sigma, want), jsPosteriorKernel(set, q, sigma, want), set, label);
      }
    }
  });
});

// native/gemm.c, the own build's matrix product: every micro-kernel this CPU runs against a naive triple loop, and
// the whole kernel on each against the reference. Oracle: the naive product in a different summation order; each
// entry within 4·k·ε·Σ|a||b| (the standard forward bound for a k-term dot product, both sides rounding).
describe.runIf(existsSync(NATIVE_ADDON_PATHS["native-own"]))("native/gemm.c: every micro-kernel this CPU runs", () => {
  const addon = loadAddon("native-own")!;
  const isas = ["generic", "avx2", "avx512"].filter((isa) => addon.setGemmIsa!(isa) === isa);
  const initial = addon.gemmIsa!;
  const restore = () => addon.setGemmIsa!(initial);

  it("offers the generic kernel everywhere and starts on the fastest this CPU runs", () => {
    expect(isas).toContain("generic");
    expect(initial).toBe(isas[isas.length - 1]);
    restore();
  });

  it("dgemm: odd shapes (edges of every register block), both transposes, beta 0 and 1, on each ISA", () => {
    const rng = createRng(71);
    try {
      for (const isa of isas) {
        expect(addon.setGemmIsa!(isa)).toBe(isa);
        for (const [m, n, k] of [[1, 1, 1], [5, 7, 3], [13, 17, 64], [37, 129, 300], [256, 31, 785]])
          for (const transB of [0, 1])
            for (const beta of [0, 1]) {
              const A = Float64Array.from({ length: m * k }, () => rng.normal());
              const B = Float64Array.from({ length: k * n }, () => rng.normal());
              const C0 = Float64Array.from({ length: m * n }, () => rng.normal());
              const C = C0.slice();
              addon.dgemm!(transB, m, n, k, A, B, beta, C);
              let worst = 0;
              for (let i = 0; i < m; i++)
                for (let j = 0; j < n; j++) {
                  let s = beta * C0[i * n + j];
                  let abs = Math.abs(s);
                  for (let p = k - 1; p >= 0; p--) {
                    const t = A[i * k + p] * (transB ? B[j * k + p] : B[p * n + j]);
                    s += t;
                    abs += Math.abs(t);
                  }
                  worst = Math.max(worst, Math.abs(C[i * n + j] - s) / (4 * (k + 1) * Number.EPSILON * abs));
                }
              expect(worst, `${isa} m=${m} n=${n} k=${k} transB=${transB} beta=${beta}`).toBeLessThanOrEqual(1);
            }
      }
    } finally {
      restore();
    }
  });

  it("the kernel on each ISA agrees with the reference (random sets and the digits) to 1e-12", () => {
    try {
      for (const isa of isas) {
        addon.setGemmIsa!(isa);
        const kernel = nativePosteriorKernel(addon, 2);
        let seed = 80;
        for (const [N, D] of [[1500, 64], [3000, 40]])
          for (const sigma of [0.5, 3, 30]) {
            const set = randomSet(N, D, 3, 0, seed++);
            const q = { rows: 40, dim: D, data: queriesFor(set, 40, sigma, seed++) };
            expectSame(kernel(set, q, sigma, ALL), jsPosteriorKernel(set, q, sigma, ALL), set, `${isa} N=${N} D=${D} σ=${sigma}`);
          }
        const digits = digitsSet();
        for (const sigma of [0.5, 2, 8]) {
          const q = digitQueries(digits, 200, 9, sigma, 90);
          expectSame(kernel(digits, q, sigma, ALL), jsPosteriorKernel(digits, q, sigma, ALL), digits, `${isa} digits σ=${sigma}`);
        }
      }
    } finally {
      restore();
    }
  });
});
