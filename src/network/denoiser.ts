import type { Batch } from "../batch.js";
import { InfodynError } from "../errors.js";
import type { Conditioning, Denoiser } from "../models/types.js";
import { sigmaAt } from "../models/types.js";
import { bindNetwork, type Binding } from "./binding.js";
import { noiseInputValue, type NoiseInput } from "./noise-input.js";
import { networkMap, type Parameterization } from "./parameterization.js";
import type { NetworkProcess } from "./process.js";
import type { FeedTensor, NetworkSession } from "./session.js";

/** How a network is called: the conventions of its export (the onnx model file, src/network/schema.ts). */
export interface NetworkConventions {
  parameterization: Parameterization;
  process: NetworkProcess;
  noiseInput: NoiseInput;
  /** Names of the graph's inputs (default: its inputs in order x, noise, class). */
  inputs?: { x?: string; noise?: string; class?: string };
  /** Name of the output read (default: the first). */
  output?: string;
  /** Dimension D of a data point (the product of `shape`). */
  dim: number;
  /** Shape of one sample as the network takes it, e.g. [C, H, W] (default: the graph's, else [D]). */
  shape?: readonly number[];
  /** Classes of a class input (0 or absent: an unconditional network). */
  numClasses?: number;
  /** The class fed for an unconditional row (label −1 or no labels), e.g. K for classifier-free guidance training. */
  nullClass?: number;
  /** σ_data of EDM preconditioning. @default 0.5 */
  sigmaData?: number;
  /** A `t` input is `timeScale · t`. @default 1 */
  timeScale?: number;
  /** Relative σ error accepted at the nearest integer timestep. @default 0.01 */
  timestepTolerance?: number;
  /** Largest batch per run (a graph with a fixed batch dimension caps it, and short batches are padded). @default 256 */
  maxBatch?: number;
  /** Name in error messages (the model file). */
  source?: string;
}

/** A network as a {@link Denoiser}: asynchronous, counting its calls; `ready` loads and checks the graph. */
export interface NetworkDenoiser extends Denoiser {
  readonly numClasses: number;
  readonly calls: number;
  readonly rows: number;
  /** Loads the graph and checks its inputs and outputs against the conventions (the first call does it too). */
  ready(): Promise<void>;
  release(): Promise<void>;
}

/**
 * A trained network exported to ONNX as a denoiser in the VE convention (THEORY.md §1): at σ, row i of x
 * (`x = y + σ z`) is fed as `c_in(σ) x_i` with the noise input of σ (noise-input.ts) and its class, and the output
 * F gives `D(x, σ) = a(σ) x + b(σ) F` (parameterization.ts: eps, x0, v, score, EDM preconditioning). The network
 * runs in its own precision (float32 or float64 inputs, as the graph declares); the maps to and from it are
 * float64, applied to the float64 x. Batches are cut into runs of at most `maxBatch` rows, one run at a time.
 * A row labelled −1 (or a call without labels) is fed `nullClass`.
 *
 * @example
 * const net = networkDenoiser(() => openOnnxSession("net.onnx"), { parameterization: "edm", process: networkProcess("edm"), noiseInput: "c_noise", dim: 64 });
 * await net.denoise(x, 0.5); // E[y | x] at σ = 0.5
 */
export function networkDenoiser(open: () => Promise<NetworkSession>, c: NetworkConventions): NetworkDenoiser {
  const K = c.numClasses ?? 0;
  const where = c.source ? `${c.source}: ` : "";
  let bound: Promise<Binding> | undefined;
  let queue: Promise<unknown> = Promise.resolve();
  let calls = 0;
  let rows = 0;
  const ready = () => (bound ??= open().then((session) => bindNetwork(session, c)));

  async function answer(x: Batch, sigma: number | Float64Array, labels: Int32Array | undefined): Promise<Batch> {
    const b = await ready();
    const D = c.dim;
    const out = new Float64Array(x.rows * D);
    const maps = new Float64Array(3 * x.rows);
    const noise = new Float64Array(x.rows);
    for (let i = 0; i < x.rows; i++) {
      const s = sigmaAt(sigma, i);
      const nv = noiseInputValue(c.noiseInput, c.process, s, { timeScale: c.timeScale, integer: b.noise.integer, tolerance: c.timestepTolerance });
      if (Number.isNaN(nv.value)) throw new InfodynError(`${where}${nv.why}`);
      const m = networkMap(c.parameterization, c.process.family, nv.sigma, c.sigmaData)!;
      noise[i] = nv.value;
      maps[3 * i] = m.cIn;
      maps[3 * i + 1] = m.a;
      maps[3 * i + 2] = m.b;
    }
    for (let start = 0; start < x.rows; ) {
      let end = Math.min(x.rows, start + b.maxBatch);
      // A scalar noise input takes one level per run.
      if (b.noise.scalar) for (let i = start + 1; i < end; i++) if (noise[i] !== noise[start]) end = i;
      const rowsIn = b.batch ?? end - start;
      const feeds: Record<string, FeedTensor> = {};
      const xs = b.x.type === "float32" ? new Float32Array(rowsIn * D) : new Float64Array(rowsIn * D);
      for (let i = start; i < end; i++) {
        const cin = maps[3 * i];
        for (let k = 0; k < D; k++) xs[(i - start) * D + k] = cin * x.data[i * D + k];
      }
      feeds[b.x.name] = { type: b.x.type, data: xs, dims: [rowsIn, ...b.x.sampleDims] };
      feeds[b.noise.name] = b.noise.scalar ? b.noise.feed([noise[start]], 1) : b.noise.feed(padded(noise, start, end, rowsIn), rowsIn);
      if (b.label) {
        const ids = new Float64Array(rowsIn);
        for (let i = start; i < end; i++) ids[i - start] = classFed(labels ? labels[i] : -1, i);
        for (let i = end - start; i < rowsIn; i++) ids[i] = ids[0];
        feeds[b.label.name] = b.label.feed(ids, rowsIn);
      }
      const result = await b.session.run(feeds);
      const F = result[b.output];
      if (!F || F.data.length !== rowsIn * D)
        throw new InfodynError(`${where}output '${b.output}' has ${F ? F.data.length : 0} values for a batch of ${rowsIn}, expected ${rowsIn * D} (${rowsIn} × ${D})`);
      for (let i = start; i < end; i++) {
        const a = maps[3 * i + 1];
        const bb = maps[3 * i + 2];
        for (let k = 0; k < D; k++) {
          const p = i * D + k;
          out[p] = a * x.data[p] + bb * Number(F.data[(i - start) * D + k]);
        }
      }
      start = end;
    }
    return { rows: x.rows, dim: D, data: out };
  }

  function classFed(label: number, i: number): number {
    if (label === -1) {
      if (c.nullClass === undefined)
        throw new InfodynError(`${where}row ${i} asks for the unconditional denoiser, but this class-conditional network has no "nullClass"`);
      return c.nullClass;
    }
    if (!(Number.isInteger(label) && label >= 0 && label < K))
      throw new InfodynError(`${where}row ${i}: label ${label} is not a class of this network (0 … ${K - 1}, or −1 for the null class)`);
    return label;
  }

  return {
    dim: c.dim,
    numClasses: K,
    get calls() {
      return calls;
    },
    get rows() {
      return rows;
    },
    ready: async () => {
      await ready();
    },
    release: async () => {
      if (bound) await (await bound).session.release?.();
      bound = undefined;
    },
    denoise(x: Batch, sigma: number | Float64Array, cond?: Conditioning): Promise<Batch> {
      if (x.dim !== c.dim) return Promise.reject(new InfodynError(`${where}points have dimension ${x.dim}, the network takes ${c.dim}`));
      const labels = cond?.labels;
      if (labels && K === 0 && labels.some((l) => l !== -1))
        return Promise.reject(new InfodynError(`${where}class labels given to an unconditional network (no class input)`));
      for (let i = 0; i < x.rows; i++) {
        const s = sigmaAt(sigma, i);
        if (!(s > 0 && Number.isFinite(s))) return Promise.reject(new InfodynError(`${where}σ = ${s} (row ${i}) is not a positive finite noise level`));
      }
      calls++;
      rows += x.rows;
      // Copy the inputs now: the caller may reuse its buffers before the run, which waits for the ones before it.
      const xc: Batch = { rows: x.rows, dim: x.dim, data: Float64Array.from(x.data) };
      const sc = typeof sigma === "number" ? sigma : Float64Array.from(sigma);
      const lc = labels && K > 0 ? Int32Array.from(labels) : undefined;
      const run = queue.then(() => answer(xc, sc, lc));
      queue = run.catch(() => undefined);
      return run;
    },
  };
}

/** values[start, end) padded to `rows` with the first value (the padding rows' outputs are dropped). */
function padded(values: Float64Array, start: number, end: number, rows: number): Float64Array {
  const out = new Float64Array(rows).fill(values[start]);
  out.set(values.subarray(start, end));
  return out;
}
