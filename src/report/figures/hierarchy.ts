import type { DecisionLevels } from "../../analysis/info/hierarchy.js";
import type { Peak } from "../../analysis/info/peak.js";
import { figure, PANEL, sigmaAxis, type VegaLiteSpec } from "../theme.js";
import { BAND_LEGEND, BAND_NOTE, bandedLines, captioned, row, type Row } from "./info.js";

/**
 * Decision levels of the class hierarchy: per level (K groups down to 2), σ · dH(G|x_σ)/dσ (the rate at which the
 * noisy state learns the level's group, per unit log σ) with ±2 SE bands, and its peak marked — a point at the peak
 * and a horizontal bar over its bracket [low, high]. Series are named by the split each level adds to the next
 * coarser one. Undefined when no level has a finite curve.
 */
export function decisionLevelsFigure(d: DecisionLevels, names: (c: number) => string = String): VegaLiteSpec | undefined {
  const braces = (g: readonly number[]) => `{${g.map(names).join(",")}}`;
  const label = (k: number) => `${d.levels[k].partition.length} groups: ${braces(d.levels[k].split.groups[0])}|${braces(d.levels[k].split.groups[1])}`;
  const rows: Row[] = [];
  const peaks: { sigma: number; value: number; low: number; high: number; series: string }[] = [];
  d.levels.forEach((l, k) => {
    l.groupRate.forEach((e, i) => {
      if (Number.isFinite(e.value)) rows.push(row(d.sigma[i], label(k), d.sigma[i] * e.value, d.sigma[i] * e.standardError));
    });
    const p: Peak | undefined = l.decision;
    if (p) peaks.push({ sigma: p.sigma, value: p.value, low: p.low, high: p.high, series: label(k) });
  });
  if (!rows.length) return undefined;
  const color = { field: "series", type: "nominal", title: null };
  const marks: VegaLiteSpec[] = [
    { data: { values: peaks }, mark: { type: "rule", strokeWidth: 2 }, encoding: { x: { ...sigmaAxis(), field: "low" }, x2: { field: "high" }, y: { field: "value", type: "quantitative" }, color } },
    { data: { values: peaks }, mark: { type: "point", filled: true, size: 60 }, encoding: { x: sigmaAxis(), y: { field: "value", type: "quantitative" }, color } },
  ];
  return figure("", {
    title: captioned("When each level of the class hierarchy is decided: σ · dH(G|x_σ)/dσ", [
      "One curve per level of the hierarchy (named by the split it adds to the next coarser level); the rate at which the noisy state learns its group, per unit log σ.",
      "Points: each level's peak (where it is decided); bars: the σ range its errors allow (grid neighbours of the levels within 2 SE of the maximum).",
      "A level's entropy holds every coarser split too, so its peak may sit at a coarser split.",
      BAND_NOTE,
    ]),
    ...PANEL,
    resolve: BAND_LEGEND,
    layer: [...bandedLines(rows, "σ · dH(G|x_σ)/dσ (nats)"), ...marks],
  });
}
