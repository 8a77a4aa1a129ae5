import type { Batch } from "../../batch.js";
import { InfodynError } from "../../errors.js";
import { createRng, type Rng } from "../../numeric/rng.js";
import { Welford } from "../../numeric/welford.js";
import type { DenoiseProgram } from "../../score/program.js";
import { levelSeed } from "../info/design.js";
import { DEFAULT_NODES, pointwiseErrors, QUADRATURE_MAX_DIM, tensorGaussHermite, type NoiseRule } from "./pointwise-mmse.js";

/** How the pointwise mmse's expectation over z is taken. */
export interface MmseProfileOptions {
  /** `quadrature` (tensor Gauss–Hermite, deterministic) or `monte-carlo` (seeded draws); default by dimension. */
  method?: "quadrature" | "monte-carlo";
  /** Gauss–Hermite nodes per coordinate (quadrature); default {@link DEFAULT_NODES}. */
  nodes?: number;
  /** Noise draws per point and level (Monte Carlo). @default 64 */
  samples?: number;
  /** Seed of the draws: point i draws from `createRng(levelSeed(seed, i))`, level after level. @default 0 */
  seed?: number;
  /** Smoothing s of the law whose likelihood is computed (`y + s z'`; 0: y itself). @default 0 */
  smoothing?: number;
  /** Class of each point: the class-conditional denoiser `D(x, σ, c)`. */
  labels?: Int32Array;
  /** With labels: also the unconditional denoiser on the same x (for the pointwise mutual information). */
  paired?: boolean;
  /** With `paired`: also each coordinate's mean paired difference (unconditional − conditional squared error). */
  perDimension?: boolean;
  /** Most rows per denoiser call (points are split between calls). @default 65536 */
  maxRows?: number;
  /** Called after each level. */
  onProgress?: (done: number, total: number) => void;
}

/** Per point i and level l (index i·L + l): the mean over z of the squared error and the variance of that mean. */
export interface MmseProfile {
  mmse: Float64Array;
  /** Var of the Monte Carlo mean (0 for quadrature). */
  variance: Float64Array;
  /** With `paired`: the conditional mmse, and the variance of the paired difference (unconditional − conditional). */
  conditional?: Float64Array;
  differenceVariance?: Float64Array;
  /** With `perDimension`: the paired difference per coordinate, point i, level l, coordinate k at (i·L + l)·D + k. */
  differenceByDimension?: Float64Array;
  method: "quadrature" | "monte-carlo";
  /** Draws (or nodes) per point and level. */
  draws: number;
  denoiserCalls: number;
  denoiserRows: number;
}

/**
 * The pointwise mmse `mmse(y_i, σ_l) = E_z ‖y_i − E[y'|y_i + σ_l z]‖²` (THEORY.md §8; y' = y + s z' the smoothed law,
 * pointwise-mmse.ts) at every point and level, as a program: on an exact model synchronous, on a network a promise.
 *
 * Method: quadrature — the tensor Gauss–Hermite rule in z (D ≤ 3 by default), the same nodes at every level, no
 * randomness; Monte Carlo — `samples` fresh draws z ~ N(0, I) per point and level, the mean and its variance
 * `s²/n` by {@link Welford}. One denoiser call per level and group of points (at most `maxRows` rows).
 */
export function* mmseProfileProgram(points: Batch, sigmas: ArrayLike<number>, options: MmseProfileOptions = {}): DenoiseProgram<MmseProfile> {
  const D = points.dim;
  const L = sigmas.length;
  const method = options.method ?? (D <= QUADRATURE_MAX_DIM ? "quadrature" : "monte-carlo");
  const smoothing = options.smoothing ?? 0;
  const labels = options.labels;
  const paired = Boolean(labels && options.paired);
  if (!(smoothing >= 0 && Number.isFinite(smoothing))) throw new InfodynError(`smoothing: must be ≥ 0 and finite (got ${smoothing})`);
  if (labels && labels.length !== points.rows) throw new InfodynError(`labels: ${labels.length} labels for ${points.rows} points`);
  let rule: NoiseRule | undefined;
  let n: number;
  if (method === "quadrature") {
    const q = options.nodes ?? DEFAULT_NODES[D] ?? 2;
    if (!(Number.isInteger(q) && q >= 1)) throw new InfodynError(`nodes: must be a positive integer (got ${q})`);
    if (q ** D > 1e6) throw new InfodynError(`nodes: ${q}^${D} quadrature nodes are too many; use Monte Carlo in D = ${D}`);
    rule = tensorGaussHermite(D, q);
    n = rule.weights.length;
  } else {
    n = options.samples ?? 64;
    if (!(Number.isInteger(n) && n >= 2)) throw new InfodynError(`samples: must be an integer ≥ 2 (got ${n})`);
  }
  const perCall = Math.max(1, Math.floor((options.maxRows ?? 65536) / (n * (paired ? 2 : 1))));
  const rngs: Rng[] = Array.from({ length: points.rows }, (_, i) => createRng(levelSeed(options.seed ?? 0, i)));
  const out: MmseProfile = {
    mmse: new Float64Array(points.rows * L),
    variance: new Float64Array(points.rows * L),
    ...(paired ? { conditional: new Float64Array(points.rows * L), differenceVariance: new Float64Array(points.rows * L) } : {}),
    ...(paired && options.perDimension ? { differenceByDimension: new Float64Array(points.rows * L * D) } : {}),
    method,
    draws: n,
    denoiserCalls: 0,
    denoiserRows: 0,
  };
  for (let l = 0; l < L; l++) {
    for (let start = 0; start < points.rows; start += perCall) {
      const c = Math.min(perCall, points.rows - start);
      const group: Batch = { rows: c, dim: D, data: points.data.subarray(start * D, (start + c) * D) };
      const z = new Float64Array(c * n * D);
      for (let i = 0; i < c; i++) {
        if (rule) z.set(rule.nodes, i * n * D);
        else for (let p = i * n * D; p < (i + 1) * n * D; p++) z[p] = rngs[start + i].normal();
      }
      const byDim = out.differenceByDimension ? new Float64Array(2 * c * n * D) : undefined;
      const e = yield* pointwiseErrors(group, sigmas[l], z, n, smoothing, labels?.subarray(start, start + c), paired, byDim);
      out.denoiserCalls++;
      out.denoiserRows += e.length;
      for (let i = 0; i < c; i++) {
        const at = (start + i) * L + l;
        const cond = paired ? c * n : 0;
        if (byDim) {
          // the same weights as the totals below: quadrature weights, or 1/n for Monte Carlo
          const o = at * D;
          for (let j = 0; j < n; j++) {
            const w = rule ? rule.weights[j] : 1 / n;
            const u = (i * n + j) * D;
            const v = (cond + i * n + j) * D;
            for (let k = 0; k < D; k++) out.differenceByDimension![o + k] += w * (byDim[u + k] - byDim[v + k]);
          }
        }
        if (rule) {
          let a = 0;
          let b = 0;
          for (let j = 0; j < n; j++) {
            a += rule.weights[j] * e[i * n + j];
            if (paired) b += rule.weights[j] * e[cond + i * n + j];
          }
          out.mmse[at] = a;
          if (out.conditional) out.conditional[at] = b;
        } else {
          const w = new Welford();
          const wc = new Welford();
          const wd = new Welford();
          for (let j = 0; j < n; j++) {
            w.push(e[i * n + j]);
            if (paired) {
              wc.push(e[cond + i * n + j]);
              wd.push(e[i * n + j] - e[cond + i * n + j]);
            }
          }
          out.mmse[at] = w.mean;
          out.variance[at] = w.variance / n;
          if (out.conditional && out.differenceVariance) {
            out.conditional[at] = wc.mean;
            out.differenceVariance[at] = wd.variance / n;
          }
        }
      }
    }
    options.onProgress?.(l + 1, L);
  }
  return out;
}
