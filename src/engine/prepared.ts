import type { Batch } from "../batch.js";
import type { DeltaSet } from "./types.js";

/**
 * A point set prepared once for the blocked kernels: points centred on their mean `c`, their squared norms, and
 * the largest of them. Centring makes `‖x − y‖² = ‖x − c‖² + ‖y − c‖² − 2 (x − c)·(y − c)` lose as little as
 * possible to cancellation: its rounding error is about `ε √D (‖x−c‖ + ‖y−c‖)²`.
 */
export interface PreparedSet {
  readonly center: Float64Array;
  /** (y_j − c), row-major N × D. */
  readonly centered: Float64Array;
  /** ‖y_j − c‖². */
  readonly norms: Float64Array;
  readonly maxNorm: number;
}

const cache = new WeakMap<DeltaSet, PreparedSet>();

/** The prepared form of a point set, computed on first use and cached per DeltaSet object. */
export function prepared(data: DeltaSet): PreparedSet {
  let p = cache.get(data);
  if (!p) {
    p = prepare(data);
    cache.set(data, p);
  }
  return p;
}

function prepare(data: DeltaSet): PreparedSet {
  const { n, dim: D, points } = data;
  const center = new Float64Array(D);
  for (let j = 0; j < n; j++) for (let k = 0; k < D; k++) center[k] += points[j * D + k];
  for (let k = 0; k < D; k++) center[k] = n > 0 ? center[k] / n : 0;
  const centered = new Float64Array(n * D);
  const norms = new Float64Array(n);
  let maxNorm = 0;
  for (let j = 0; j < n; j++) {
    let s = 0;
    for (let k = 0; k < D; k++) {
      const v = points[j * D + k] - center[k];
      centered[j * D + k] = v;
      s += v * v;
    }
    norms[j] = s;
    if (s > maxNorm) maxNorm = s;
  }
  return { center, centered, norms, maxNorm };
}

/**
 * The listed queries centred like the data, `X_i = x − c`, with `‖x − c‖²` and `1/(2σ²)`, for the matrix-product
 * route; `length` ≥ rows.length pads with copies of the last row (the TypeScript tiles work four rows at a time).
 */
export function centredQueries(
  prep: PreparedSet,
  queries: Batch,
  sigma: number | Float64Array,
  rows: readonly number[],
  length = rows.length,
): { X: Float64Array; nx: Float64Array; inv: Float64Array } {
  const D = queries.dim;
  const X = new Float64Array(length * D);
  const nx = new Float64Array(length);
  const inv = new Float64Array(length);
  for (let i = 0; i < length; i++) {
    const b = rows[Math.min(i, rows.length - 1)];
    const s = typeof sigma === "number" ? sigma : sigma[b];
    inv[i] = 1 / (2 * s * s);
    let t = 0;
    for (let k = 0; k < D; k++) {
      const v = queries.data[b * D + k] - prep.center[k];
      X[i * D + k] = v;
      t += v * v;
    }
    nx[i] = t;
  }
  return { X, nx, inv };
}
