import type { Batch } from "../batch.js";
import { fastSetup, finishCentred, routedKernel } from "./blocked.js";
import type { PreparedSet } from "./prepared.js";
import { jsPosteriorKernel } from "./reference.js";
import { screenedRow } from "./screened.js";
import type { DeltaSet, KernelRequest, KernelResult, PosteriorKernel } from "./types.js";

/** What wasm/kernel.ts exports (built to dist/wasm/kernel.wasm by `npm run build`). */
export interface WasmKernelExports {
  readonly memory: WebAssembly.Memory;
  heapBase(): number;
  fastRows(
    X: number, inv: number, Q: number, Y: number, norms: number, logW: number, labels: number, N: number, D: number,
    K: number, flags: number, P: number, M: number, ref: number, rest: number, s2: number, eLog: number, eSq: number,
    classRest: number, acc: number, G: number,
  ): void;
}

/** Resident point sets may fill this much linear memory before the cache starts over (copies are then redone). */
const SET_ARENA_BYTES = 1 << 30;
const PAGE = 65536;

/** A point set copied into linear memory: byte offsets of its centred points, norms, log π and labels. */
interface Resident {
  readonly generation: number;
  readonly Y: number;
  readonly norms: number;
  readonly logW: number;
  readonly labels: number;
}

/**
 * The posterior kernel on WebAssembly SIMD (wasm/kernel.ts compiled by AssemblyScript): the same outputs as
 * {@link jsPosteriorKernel} (THEORY.md §3) to ~1e-13, the blocked kernel's routing and finish.
 *
 * Method, as {@link blockedPosteriorKernel} (src/engine/blocked.ts) with its fast route in WebAssembly:
 * - sets of fewer than 4096 numbers (N·D) go to the reference whole, so toy models give the same bits everywhere;
 * - rows whose matrix-product logits are good to 2e-12 nats (`routeRows`) and need no full covariance: the module's
 *   `fastRows` — `G = (X−c)(Y−c)ᵀ` in f64x2 tiles of 4 queries × 2 points over blocks of ~128 kB, online softmax
 *   (running max M, rescale by `exp(M_old − M_new)`), `Σ e (y−c)` (per class for class means) in f64x2 — returns the
 *   sums, finished here by {@link finishCentred} (`m = c + s₁/S`, `Tr C = s₂/S − ‖s₁/S‖²`, …);
 * - every other row (σ small against the data's spread, Tr C cancelled, full covariance, σ ≤ 0 or a non-finite
 *   query — NaN rows) by {@link screenedRow}, the reference on the points within reach.
 * Memory: one linear memory, grown as needed; each DeltaSet's centred points, norms, log π and labels are copied
 * in once (cached by object identity), the queries and sums per call above them.
 *
 * @example
 * const kernel = wasmPosteriorKernel(await WebAssembly.instantiate(bytes).then((r) => r.instance));
 * kernel(set, queries, 1, { entropy: true }).entropy; // the same as jsPosteriorKernel's to ~1e-13
 */
export function wasmPosteriorKernel(instance: WebAssembly.Instance): PosteriorKernel {
  const wasm = instance.exports as unknown as WasmKernelExports;
  const base = align(wasm.heapBase());
  const sets = new WeakMap<DeltaSet, Resident>();
  let generation = 0;
  let setTop = base;

  const ensure = (end: number) => {
    const have = wasm.memory.buffer.byteLength;
    if (end > have) wasm.memory.grow(Math.ceil((end - have) / PAGE));
  };
  const resident = (data: DeltaSet, prep: PreparedSet): Resident => {
    const hit = sets.get(data);
    if (hit && hit.generation === generation) return hit;
    const { n, dim: D } = data;
    const bytes = align(8 * n * D) + 2 * align(8 * n) + align(4 * n);
    if (setTop + bytes - base > SET_ARENA_BYTES) {
      generation++;
      setTop = base;
    }
    const Y = setTop;
    const norms = Y + align(8 * n * D);
    const logW = norms + align(8 * n);
    const labels = logW + align(8 * n);
    setTop = labels + align(4 * n);
    ensure(setTop);
    const buf = wasm.memory.buffer;
    new Float64Array(buf, Y, n * D).set(prep.centered.subarray(0, n * D));
    new Float64Array(buf, norms, n).set(prep.norms);
    new Float64Array(buf, logW, n).set(data.logWeights.subarray(0, n));
    if (data.labels) new Int32Array(buf, labels, n).set(data.labels.subarray(0, n));
    const r = { generation, Y, norms, logW, labels };
    sets.set(data, r);
    return r;
  };

  /** The fast route on the listed rows; writes them into `out` and returns the rows whose Tr C cancelled. */
  const fastRows = (data: DeltaSet, prep: PreparedSet, queries: Batch, sigma: number | Float64Array, want: KernelRequest, rows: number[], out: KernelResult): number[] => {
    const { n, dim: D, numClasses: K } = data;
    const { classes, perClass, Q, X, nx, inv, st, acc, P } = fastSetup(data, prep, queries, sigma, want, rows, out);
    const set = resident(data, prep);
    // Per-call arrays above the resident sets: inputs X, inv; state M, ref, rest, s2, eLog, eSq, classRest, acc; G.
    const layout: [string, number][] = [
      ["X", 8 * Q * D], ["inv", 8 * Q], ["M", 8 * Q], ["ref", 4 * Q], ["rest", 8 * Q], ["s2", 8 * Q], ["eLog", 8 * Q],
      ["eSq", 8 * Q], ["classRest", 8 * Q * K], ["acc", 8 * acc.length], ["G", 8 * 4 * P],
    ];
    const at: Record<string, number> = {};
    let top = setTop;
    for (const [name, bytes] of layout) {
      at[name] = top;
      top += align(bytes);
    }
    ensure(top);
    const buf = wasm.memory.buffer;
    const f64 = (name: string, length: number) => new Float64Array(buf, at[name], length);
    f64("X", Q * D).set(X);
    f64("inv", Q).set(inv);
    f64("M", Q).fill(-Infinity);
    new Int32Array(buf, at.ref, Q).fill(-1);
    for (const name of ["rest", "s2", "eLog", "eSq"]) f64(name, Q).fill(0);
    f64("classRest", Q * K).fill(0);
    f64("acc", acc.length).fill(0);
    const flags = (classes ? 1 : 0) | (perClass ? 2 : 0);
    wasm.fastRows(at.X, at.inv, Q, set.Y, set.norms, set.logW, set.labels, n, D, K, flags, P, at.M, at.ref, at.rest, at.s2, at.eLog, at.eSq, at.classRest, at.acc, at.G);
    const back = wasm.memory.buffer; // the same buffer: fastRows does not grow memory
    st.M.set(new Float64Array(back, at.M, Q));
    st.ref.set(new Int32Array(back, at.ref, Q));
    st.rest.set(new Float64Array(back, at.rest, Q));
    st.s2.set(new Float64Array(back, at.s2, Q));
    st.eLog.set(new Float64Array(back, at.eLog, Q));
    st.eSq.set(new Float64Array(back, at.eSq, Q));
    st.classRest?.set(new Float64Array(back, at.classRest, Q * K));
    acc.set(new Float64Array(back, at.acc, acc.length));
    return finishCentred(data, st, rows, nx, inv, prep, out);
  };

  return routedKernel(fastRows);
}

/** The wasm kernel from the module's bytes (fetched in a browser, read from dist/wasm/kernel.wasm in Node). */
export async function instantiateWasmKernel(bytes: BufferSource): Promise<PosteriorKernel> {
  const { instance } = await WebAssembly.instantiate(bytes);
  return wasmPosteriorKernel(instance);
}

/** As {@link instantiateWasmKernel}, synchronously (Node, workers; browsers limit sync compiles on the main thread). */
export function wasmKernelSync(bytes: BufferSource): PosteriorKernel {
  return wasmPosteriorKernel(new WebAssembly.Instance(new WebAssembly.Module(bytes)));
}

/** Rounds a byte offset up to 16 (v128 alignment). */
function align(bytes: number): number {
  return Math.ceil(bytes / 16) * 16;
}
