/**
 * In-memory arrays produced by the file readers in `src/io`.
 *
 * Everything here is plain data; the readers take bytes or strings (the caller reads files), so the
 * module runs unchanged in the browser.
 */

/** A dense numeric array, converted to float64 and laid out in C (row-major) order. */
export interface NumericArray {
  /** Dimensions, outermost first; `[]` for a 0-d scalar (then `data.length === 1`). */
  shape: number[];
  /** The values in C order, converted exactly to float64 (every supported source dtype fits). */
  data: Float64Array;
  /**
   * The element type as stored in the source: a numpy descr such as `'<f8'`, `'>i4'` or `'|u1'` for
   * .npy/.npz, `'text'` for CSV and whitespace-separated tables.
   */
  dtype: string;
}

/** A dense array of strings (numpy `<U…`/`|S…` arrays), in C order. */
export interface TextArray {
  shape: number[];
  data: string[];
  /** The numpy descr, e.g. `'<U5'` or `'|S3'`. */
  dtype: string;
}

/** Number of elements of an array with this shape (1 for a 0-d scalar). */
export function shapeSize(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** `(7, 3)`-style text for messages; `(5,)` for 1-D and `()` for 0-d, as numpy prints shapes. */
export function formatShape(shape: readonly number[]): string {
  return shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(", ")})`;
}
