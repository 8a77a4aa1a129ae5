/**
 * The one look of every infodyn figure (Vega-Lite `config`): a quiet grid, readable 12–13 px type, a
 * colour-blind-safe categorical palette (Tableau 10) and thin lines.
 */
export const THEME = {
  font: "DejaVu Sans, Helvetica, Arial, sans-serif",
  background: "white",
  view: { stroke: "#bbb" },
  axis: { labelFontSize: 12, titleFontSize: 13, titleFontWeight: "normal", gridColor: "#e8e8e8", tickColor: "#999", domainColor: "#999" },
  legend: { labelFontSize: 12, titleFontSize: 12, titleFontWeight: "normal", orient: "right", labelLimit: 320 },
  title: { fontSize: 14, fontWeight: "normal", anchor: "start" },
  range: { category: { scheme: "tableau10" } },
  line: { strokeWidth: 2 },
  point: { size: 30 },
} as const;

/** Width and height of a standard panel in px. */
export const PANEL = { width: 420, height: 260 } as const;

/** A Vega-Lite spec (kept loose on purpose: specs are data, validated by Vega-Lite when compiled). */
export type VegaLiteSpec = Record<string, unknown>;

/** Wraps a spec with the schema, the theme and a title (a string, or a title with a subtitle line). */
export function figure(title: string | { text: string; subtitle: string }, spec: VegaLiteSpec): VegaLiteSpec {
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title,
    config: THEME,
    ...spec,
  };
}

/** A log-σ x axis with its title. */
export const sigmaAxis = (title = "noise level σ") => ({ field: "sigma", type: "quantitative", scale: { type: "log", nice: false }, title });

/** A vertical dashed rule at a σ with a small label at the top (peaks, branchings, condensation). */
export function sigmaRule(sigma: number | undefined, label: string): VegaLiteSpec[] {
  if (sigma === undefined) return [];
  return [
    { data: { values: [{ sigma, label }] }, mark: { type: "rule", strokeDash: [5, 4], color: "#555" }, encoding: { x: sigmaAxis() } },
    {
      data: { values: [{ sigma, label }] },
      mark: { type: "text", align: "left", dx: 4, dy: -6, baseline: "top", fontSize: 11, color: "#333", y: 0 },
      encoding: { x: sigmaAxis(), text: { field: "label" } },
    },
  ];
}

/** A layer of lines against log σ, one line per value of the field `series` (legend without a title). */
export function sigmaLines(values: Record<string, unknown>[], y: { field: string; title: string }, series: string): VegaLiteSpec {
  return {
    data: { values },
    mark: "line",
    encoding: {
      x: sigmaAxis(),
      y: { field: y.field, type: "quantitative", title: y.title },
      color: { field: series, type: "nominal", title: null },
    },
  };
}
