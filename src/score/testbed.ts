import type { Batch } from "../batch.js";
import { InfodynError } from "../errors.js";
import type { Conditioning, DataModel, Denoiser } from "../models/types.js";
import { createRng } from "../numeric/rng.js";

/** How {@link networkTestbed} perturbs the exact denoiser, each by a stated amount (all default to none). */
export interface TestbedPerturbation {
  /**
   * Shrinkage α ∈ [0, 1] toward the centre c: `D = c + (1 − α)(m − c)` (an under-fitted network). The denoising
   * loss becomes `mmse + α² E‖m − c‖²` (the cross term vanishes: E[(y − m)·(m − c)] = 0).
   */
  shrink?: number;
  /** Centre of the shrinkage (default the origin), one value per coordinate. */
  centre?: ArrayLike<number>;
  /** A constant bias b added to every output, one value per coordinate (loss + ‖b‖²). */
  bias?: ArrayLike<number>;
  /** Standard deviation τ of independent Gaussian noise added to every output coordinate (loss + D τ²). */
  noise?: number;
  /** Seed of the output noise; call k of the testbed draws from stream k, so results do not depend on timing. */
  seed?: number;
}

/** Options of {@link networkTestbed}. */
export interface TestbedOptions extends TestbedPerturbation {
  /** Round every output to float32, as a float32 network does (default true). */
  float32?: boolean;
  /** Answer synchronously (a plain Batch) instead of a promise (default false: a network is asynchronous). */
  sync?: boolean;
  /** Largest batch the "network" accepts; larger calls are an error, as a fixed-shape export would be. */
  maxBatch?: number;
}

/** A denoiser that behaves like a trained network: asynchronous, float32, perturbed; counts its calls. */
export interface TestbedDenoiser extends Denoiser {
  readonly numClasses: number;
  /** Denoiser calls and rows denoised so far. */
  readonly calls: number;
  readonly rows: number;
}

/**
 * A network test bed without ONNX: wraps an exact model as a denoiser that answers as a trained network would —
 * asynchronously (a promise per call), rounded to float32, and optionally shrunk, biased and noisy by stated
 * amounts (see {@link TestbedPerturbation} for the exact effect of each on the denoising loss, which tests use as
 * their oracle). It exposes only `denoise`: no posterior, so every analysis takes its network path on it.
 * Conditional calls (`cond.labels`) reach the model's exact conditional denoiser.
 *
 * @example
 * const net = networkTestbed(model, { shrink: 0.1 });
 * await denoiserRates(net, model.sample(4096, createRng(1)), 1); // loss = mmse + 0.01 E‖m‖² (± SE, ± float32)
 */
export function networkTestbed(model: DataModel, options: TestbedOptions = {}): TestbedDenoiser {
  const D = model.dim;
  const alpha = options.shrink ?? 0;
  const tau = options.noise ?? 0;
  if (!(alpha >= 0 && alpha <= 1)) throw new InfodynError(`shrink: ${alpha} is not in [0, 1]`);
  if (!(tau >= 0 && Number.isFinite(tau))) throw new InfodynError(`noise: ${tau} is not a standard deviation ≥ 0`);
  const centre = vector(options.centre, D, "centre");
  const bias = vector(options.bias, D, "bias");
  const float32 = options.float32 ?? true;
  const parent = createRng(options.seed ?? 0);
  let calls = 0;
  let rows = 0;

  function answer(x: Batch, sigma: number | Float64Array, cond?: Conditioning): Batch {
    if (options.maxBatch !== undefined && x.rows > options.maxBatch)
      throw new InfodynError(`testbed: batch of ${x.rows} rows exceeds the network's maximum ${options.maxBatch}`);
    const m = model.denoise(x, sigma, cond);
    const rng = parent.fork();
    calls++;
    rows += x.rows;
    const out = new Float64Array(m.data.length);
    for (let i = 0; i < x.rows; i++)
      for (let k = 0; k < D; k++) {
        const p = i * D + k;
        let v = centre[k] + (1 - alpha) * (m.data[p] - centre[k]) + bias[k];
        if (tau > 0) v += tau * rng.normal();
        out[p] = float32 ? Math.fround(v) : v;
      }
    return { rows: x.rows, dim: D, data: out };
  }

  return {
    dim: D,
    numClasses: model.numClasses,
    get calls() {
      return calls;
    },
    get rows() {
      return rows;
    },
    denoise(x, sigma, cond) {
      if (options.sync) return answer(x, sigma, cond);
      // Copy the inputs: a caller may reuse its buffers before the promise settles (a network reads them later).
      const xc: Batch = { rows: x.rows, dim: x.dim, data: Float64Array.from(x.data) };
      const sc = typeof sigma === "number" ? sigma : Float64Array.from(sigma);
      const cc = cond?.labels ? { labels: Int32Array.from(cond.labels) } : undefined;
      return Promise.resolve().then(() => answer(xc, sc, cc));
    },
  };
}

function vector(v: ArrayLike<number> | undefined, D: number, name: string): Float64Array {
  if (v === undefined) return new Float64Array(D);
  if (v.length !== D) throw new InfodynError(`${name}: has ${v.length} values, the model has dimension ${D}`);
  const out = Float64Array.from(v);
  for (let k = 0; k < D; k++) if (!Number.isFinite(out[k])) throw new InfodynError(`${name}[${k}]: ${out[k]} is not finite`);
  return out;
}
