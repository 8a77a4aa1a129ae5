import { figure, type VegaLiteSpec } from "../theme.js";
import { named, round, type Row } from "./paper-helpers.js";

/** One image of a tile grid: its pixels (D values, row-major as the model's `shape`) and its cell. */
export interface Tile {
  row: number;
  col: number;
  pixels: ArrayLike<number>;
}

/** Options of {@link tileFigure}. */
export interface TileOptions {
  /** Text left of each row and above each column ("" for none). */
  rowLabels: string[];
  colLabels: string[];
  /** The data values drawn black and white (the same for every tile, so tiles compare). */
  domain: [number, number];
  /** Screen px per image pixel (default: about 56 px per tile side). */
  unit?: number;
  /** A line under the title. */
  subtitle?: string;
}

/**
 * A grid of images (rows × columns of tiles) as one Vega-Lite layer of rects: image pixel (i, j) of the tile in
 * cell (r, c) is the unit square at (c·(W + gap) + j, r·(H + gap) + i), y downward. Shapes: `[H, W]` grey
 * (black = domain[0], white = domain[1], values outside clamped); `[3, H, W]` as RGB; `[C, H, W]` otherwise
 * as its C channels side by side in grey. The pixels are the named data set `pixels` (`row`, `col`, `i`, `j`, `v`).
 *
 * @example
 * tileFigure("Data", [8, 8], [{ row: 0, col: 0, pixels: image }], { rowLabels: ["0"], colLabels: [""], domain: [0, 16] });
 */
export function tileFigure(title: string, shape: readonly number[], tiles: Tile[], options: TileOptions): VegaLiteSpec {
  const [C, H, W] = shape.length === 3 ? shape : [1, shape[0], shape[1]];
  const rgb = C === 3;
  const width = rgb ? W : C * W + (C - 1); // channels side by side, one pixel apart
  const gap = Math.max(1, Math.round(Math.max(H, width) / 6));
  const [lo, hi] = options.domain;
  const scale = (v: number) => Math.min(1, Math.max(0, hi > lo ? (v - lo) / (hi - lo) : 0.5));
  const pixels: Row[] = [];
  for (const t of tiles) {
    const x0 = t.col * (width + gap);
    const y0 = t.row * (H + gap);
    for (let i = 0; i < H; i++)
      for (let j = 0; j < W; j++) {
        if (rgb) {
          const ch = [0, 1, 2].map((c) => Math.round(255 * scale(t.pixels[(c * H + i) * W + j])));
          pixels.push({ row: t.row, col: t.col, i, j, x: x0 + j, y: y0 + i, v: round(ch[0] / 255, 3), rgb: `rgb(${ch.join(",")})` });
        } else
          for (let c = 0; c < C; c++)
            pixels.push({ row: t.row, col: t.col, i, j, x: x0 + c * (W + 1) + j, y: y0 + i, v: round(scale(t.pixels[(c * H + i) * W + j]), 3) });
      }
  }
  const rows = Math.max(...tiles.map((t) => t.row)) + 1;
  const cols = Math.max(...tiles.map((t) => t.col)) + 1;
  const unit = options.unit ?? Math.max(2, Math.round(56 / Math.max(H, width)));
  const xDomain = [-0.5, cols * (width + gap) - gap - 0.5];
  const yDomain = [-0.5, rows * (H + gap) - gap - 0.5];
  const x = { field: "x", type: "quantitative", axis: null, scale: { domain: xDomain, nice: false, zero: false } };
  const y = { field: "y", type: "quantitative", axis: null, scale: { domain: yDomain, nice: false, zero: false, reverse: true } };
  const color = rgb
    ? { field: "rgb", type: "nominal", scale: null, legend: null }
    : { field: "v", type: "quantitative", scale: { domain: [0, 1], range: ["black", "white"] }, legend: null };
  return figure(options.subtitle ? { text: title, subtitle: options.subtitle } : title, {
    view: { stroke: null },
    width: (xDomain[1] - xDomain[0]) * unit,
    height: (yDomain[1] - yDomain[0]) * unit,
    layer: [
      {
        data: named("pixels", pixels),
        mark: { type: "rect" },
        transform: [
          { calculate: "datum.x - 0.5", as: "x0" },
          { calculate: "datum.x + 0.5", as: "x1" },
          { calculate: "datum.y - 0.5", as: "y0" },
          { calculate: "datum.y + 0.5", as: "y1" },
        ],
        encoding: { x: { ...x, field: "x0" }, x2: { field: "x1" }, y: { ...y, field: "y0" }, y2: { field: "y1" }, color },
      },
      {
        data: { values: options.colLabels.map((text, c) => ({ x: c * (width + gap) + (width - 1) / 2, y: -0.8, text })) },
        mark: { type: "text", baseline: "bottom", fontSize: 11 },
        encoding: { x, y, text: { field: "text" } },
      },
      {
        data: { values: options.rowLabels.map((text, r) => ({ x: -1, y: r * (H + gap) + (H - 1) / 2, text })) },
        mark: { type: "text", align: "right", baseline: "middle", fontSize: 11 },
        encoding: { x, y, text: { field: "text" } },
      },
    ],
  });
}
