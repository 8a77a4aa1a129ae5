/**
 * A batch of points: `rows` points of dimension `dim`, stored row-major in one `Float64Array`
 * (`data[i * dim + k]` is coordinate k of point i). One allocation per batch, no arrays of arrays.
 */
export interface Batch {
  readonly rows: number;
  readonly dim: number;
  readonly data: Float64Array;
}

/** A zero-filled batch. */
export function zeros(rows: number, dim: number): Batch {
  return { rows, dim, data: new Float64Array(rows * dim) };
}

/** A batch from nested arrays (boundary helper; never use in hot code). */
export function fromRows(rows: ArrayLike<ArrayLike<number>>, dim?: number): Batch {
  const d = dim ?? (rows.length > 0 ? rows[0].length : 0);
  const out = zeros(rows.length, d);
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    for (let k = 0; k < d; k++) out.data[i * d + k] = r[k];
  }
  return out;
}

/** Nested arrays from a batch (for JSON output). */
export function toRows(b: Batch): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < b.rows; i++) out.push(Array.from(b.data.subarray(i * b.dim, (i + 1) * b.dim)));
  return out;
}

/** Row i as a view (no copy). */
export function row(b: Batch, i: number): Float64Array {
  return b.data.subarray(i * b.dim, (i + 1) * b.dim);
}

/** A batch holding one copy of `x` per row. */
export function repeatRow(x: ArrayLike<number>, rows: number): Batch {
  const d = x.length;
  const out = zeros(rows, d);
  for (let i = 0; i < rows; i++) for (let k = 0; k < d; k++) out.data[i * d + k] = x[k];
  return out;
}
