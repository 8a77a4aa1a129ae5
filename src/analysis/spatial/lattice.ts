import { InfodynError } from "../../errors.js";

/** A periodic lattice Z_L^d (d = 1: shape [L]; d = 2: shape [H, W]) and the patch P = {δ: ‖δ‖_∞ ≤ r} (THEORY.md §9.4). */
export interface Lattice {
  shape: number[];
  /** Sites, L^d (H·W in 2-D). */
  size: number;
  /** Patch half-width r; K = 2r + 1 ≤ every side so that the offsets are distinct mod L. */
  r: number;
  /** Flattened patch offsets: offsets[u * P + p] is the site u + δ_p (periodic). */
  offsets: Int32Array;
  /** The offsets δ_p themselves, [P][d]. */
  deltas: number[][];
}

/** Builds the lattice and its patch-offset table; `r` must give K = 2r+1 ≤ each side. */
export function makeLattice(shape: number[], r: number): Lattice {
  if (shape.length < 1 || shape.length > 2 || shape.some((s) => !Number.isInteger(s) || s < 1))
    throw new InfodynError(`shape: expected 1 or 2 positive integer sides, got [${shape.join(",")}]`);
  if (!Number.isInteger(r) || r < 0 || shape.some((s) => 2 * r + 1 > s))
    throw new InfodynError(`patch: K = 2r+1 = ${2 * r + 1} must be an odd integer ≤ every side of [${shape.join(",")}]`);
  const H = shape.length === 2 ? shape[0] : 1;
  const W = shape[shape.length - 1];
  const deltas: number[][] = [];
  for (let a = shape.length === 2 ? -r : 0; a <= (shape.length === 2 ? r : 0); a++)
    for (let b = -r; b <= r; b++) deltas.push(shape.length === 2 ? [a, b] : [b]);
  const size = H * W;
  const P = deltas.length;
  const offsets = new Int32Array(size * P);
  for (let i = 0; i < H; i++)
    for (let j = 0; j < W; j++)
      for (let p = 0; p < P; p++) {
        const d = deltas[p];
        const di = shape.length === 2 ? d[0] : 0;
        const dj = d[d.length - 1];
        offsets[(i * W + j) * P + p] = (((i + di) % H) + H) % H * W + ((((j + dj) % W) + W) % W);
      }
  return { shape, size, r, offsets, deltas };
}
