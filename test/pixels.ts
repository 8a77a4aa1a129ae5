import { Resvg } from "@resvg/resvg-js";

/** Variance of the grey level over all pixels of an SVG rendered by resvg: 0 for a blank image. */
export function pixelVariance(svg: string): number {
  const px = new Resvg(svg, { font: { loadSystemFonts: true }, background: "white" }).render().pixels;
  let s = 0;
  let s2 = 0;
  const n = px.length / 4;
  for (let i = 0; i < px.length; i += 4) {
    const g = (px[i] + px[i + 1] + px[i + 2]) / 3;
    s += g;
    s2 += g * g;
  }
  return s2 / n - (s / n) ** 2;
}
