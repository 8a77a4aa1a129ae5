import { zeros } from "../batch.js";
import { createRng, type Rng } from "../numeric/rng.js";
import { deltas } from "./deltas.js";
import type { DataModel } from "./types.js";

/** A stroke: a polyline in the unit box (x to the right, y downward). */
type Stroke = readonly (readonly [number, number])[];

/** A closed ellipse as a polyline of `n` segments. */
function ellipse(cx: number, cy: number, rx: number, ry: number, from = 0, to = 2 * Math.PI, n = 20): Stroke {
  return Array.from({ length: n + 1 }, (_, i) => {
    const a = from + ((to - from) * i) / n;
    return [cx + rx * Math.cos(a), cy + ry * Math.sin(a)] as const;
  });
}

/** Hand-drawn templates of the digits 0–9 (a few strokes each, unit box). */
export const DIGIT_STROKES: readonly (readonly Stroke[])[] = [
  [ellipse(0.5, 0.5, 0.26, 0.38)],
  [[[0.34, 0.26], [0.52, 0.1], [0.52, 0.9]]],
  [[[0.26, 0.3], [0.36, 0.15], [0.55, 0.1], [0.72, 0.2], [0.72, 0.38], [0.26, 0.88], [0.78, 0.88]]],
  [[[0.26, 0.16], [0.55, 0.1], [0.72, 0.24], [0.62, 0.44], [0.45, 0.48], [0.7, 0.58], [0.74, 0.76], [0.55, 0.9], [0.25, 0.84]]],
  [[[0.64, 0.9], [0.64, 0.1], [0.22, 0.64], [0.8, 0.64]]],
  [[[0.74, 0.1], [0.32, 0.1], [0.28, 0.46], [0.55, 0.4], [0.74, 0.56], [0.72, 0.8], [0.52, 0.9], [0.26, 0.84]]],
  [[[0.7, 0.12], [0.45, 0.28], [0.3, 0.55], [0.32, 0.8], [0.5, 0.9], [0.68, 0.8], [0.7, 0.6], [0.52, 0.5], [0.32, 0.6]]],
  [[[0.22, 0.12], [0.78, 0.12], [0.44, 0.9]]],
  [ellipse(0.5, 0.29, 0.19, 0.18), ellipse(0.5, 0.69, 0.23, 0.21)],
  [ellipse(0.48, 0.33, 0.2, 0.21), [[0.68, 0.33], [0.64, 0.6], [0.56, 0.9]]],
];

/** Options of {@link digitImages} and {@link digitsModel}. */
export interface DigitOptions {
  /** Image side in pixels. @default 12 */
  size?: number;
  /** Images per digit. @default 20 */
  perDigit?: number;
  /** Seed of the jitter. @default 2024 */
  seed?: number;
}

/** Squared distance from (px, py) to the segment (ax, ay)–(bx, by). */
function segmentDistance2(px: number, py: number, ax: number, ay: number, bx: number, by: number): number {
  const dx = bx - ax;
  const dy = by - ay;
  const len2 = dx * dx + dy * dy;
  const t = len2 > 0 ? Math.min(1, Math.max(0, ((px - ax) * dx + (py - ay) * dy) / len2)) : 0;
  const ex = px - ax - t * dx;
  const ey = py - ay - t * dy;
  return ex * ex + ey * ey;
}

/**
 * Renders one jittered digit into `out` (size² grey levels in [0, 1], row-major, row 0 at the top): the template's
 * strokes go through a random affine map (rotation ±0.15 rad, scale 0.85–1.05, slant ±0.2, shift ±0.05 of the box)
 * with vertex jitter ±0.025, and are drawn with a random pen width (0.09–0.15 of the box) and a one-pixel linear edge.
 */
function drawDigit(digit: number, size: number, rng: Rng, out: Float64Array): void {
  const u = (lo: number, hi: number) => lo + (hi - lo) * rng.uniform();
  const rot = u(-0.15, 0.15);
  const scale = u(0.85, 1.05);
  const slant = u(-0.2, 0.2);
  const [tx, ty] = [u(-0.05, 0.05), u(-0.05, 0.05)];
  const halfWidth = u(0.09, 0.15) / 2;
  const [c, s] = [Math.cos(rot), Math.sin(rot)];
  const map = ([x, y]: readonly [number, number]): [number, number] => {
    const jx = x - 0.5 + u(-0.025, 0.025) + slant * (0.5 - y);
    const jy = y - 0.5 + u(-0.025, 0.025);
    return [0.5 + tx + scale * (c * jx - s * jy), 0.5 + ty + scale * (s * jx + c * jy)];
  };
  const strokes = DIGIT_STROKES[digit].map((st) => st.map(map));
  const edge = 1 / size;
  for (let r = 0; r < size; r++)
    for (let q = 0; q < size; q++) {
      const px = (q + 0.5) / size;
      const py = (r + 0.5) / size;
      let d2 = Infinity;
      for (const st of strokes)
        for (let k = 0; k + 1 < st.length; k++) d2 = Math.min(d2, segmentDistance2(px, py, st[k][0], st[k][1], st[k + 1][0], st[k + 1][1]));
      out[r * size + q] = Math.min(1, Math.max(0, (halfWidth + edge / 2 - Math.sqrt(d2)) / edge));
    }
}

/**
 * A small self-generated digit dataset: `perDigit` grey `size × size` images of each digit 0–9, drawn from the
 * hand-coded stroke templates {@link DIGIT_STROKES} with seeded jitter of shape, slant, position and pen width.
 * Images are ordered by digit (labels 0,…,0,1,…); pixel values in [0, 1] (ink = 1).
 *
 * @example
 * const { points, labels } = digitImages({ size: 12, perDigit: 20 }); // points: 200 × 144
 */
export function digitImages(options: DigitOptions = {}): { points: ReturnType<typeof zeros>; labels: Int32Array; size: number } {
  const size = options.size ?? 12;
  const perDigit = options.perDigit ?? 20;
  const rng = createRng(options.seed ?? 2024);
  const D = size * size;
  const points = zeros(10 * perDigit, D);
  const labels = new Int32Array(10 * perDigit);
  for (let d = 0, i = 0; d < 10; d++)
    for (let k = 0; k < perDigit; k++, i++) {
      drawDigit(d, size, rng, points.data.subarray(i * D, (i + 1) * D));
      labels[i] = d;
    }
  return { points, labels, size };
}

/**
 * The digit images of {@link digitImages} as a labelled mixture of deltas (an empirical dataset in dimension
 * size², classes "0"…"9"): its exact score is the empirical score of the images.
 *
 * @example
 * digitsModel().dim; // returns 144
 */
export function digitsModel(options: DigitOptions = {}): DataModel {
  const { points, labels } = digitImages(options);
  return deltas(points, { labels, classNames: Array.from({ length: 10 }, (_, d) => String(d)) });
}
