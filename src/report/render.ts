import * as vega from "vega";
import * as vl from "vega-lite";
import type { VegaLiteSpec } from "./theme.js";

/**
 * Renders a Vega-Lite spec to an SVG string, headless (no DOM, no canvas), with the same compiler that the
 * browser explorer will use.
 */
export async function renderSvg(spec: VegaLiteSpec): Promise<string> {
  const compiled = vl.compile(spec as unknown as vl.TopLevelSpec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: "none" });
  const svg = await view.toSVG();
  view.finalize();
  return svg;
}
