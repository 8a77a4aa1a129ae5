import type { VegaLiteSpec } from "../theme.js";

/** One row of a figure's data table. */
export type Row = Record<string, number | string | boolean>;

/**
 * Named inline data (`{ name, values }`): Vega-Lite draws the values and tests find them again by name with
 * {@link specData}, so every number drawn can be checked against the library.
 */
export function named(name: string, values: Row[]): { name: string; values: Row[] } {
  return { name, values };
}

/** The values of the named data set `name` anywhere in a spec (layers, concatenations), or undefined. */
export function specData(spec: unknown, name: string): Row[] | undefined {
  if (Array.isArray(spec)) {
    for (const s of spec) {
      const found = specData(s, name);
      if (found) return found;
    }
    return undefined;
  }
  if (spec === null || typeof spec !== "object") return undefined;
  const o = spec as Record<string, unknown>;
  const data = o.data as { name?: string; values?: Row[] } | undefined;
  if (data?.name === name && data.values) return data.values;
  for (const key of ["layer", "hconcat", "vconcat", "concat", "spec"]) {
    if (o[key] !== undefined) {
      const found = specData(o[key], name);
      if (found) return found;
    }
  }
  return undefined;
}

/** Cell edges of a grid of centres: midpoints (geometric when `log`), the ends extended by half a step. */
export function cellEdges(centres: readonly number[], log = false): number[] {
  const f = log ? Math.log : (v: number) => v;
  const g = log ? Math.exp : (v: number) => v;
  const c = centres.map(f);
  const n = c.length;
  const edges = [c[0] - (c[1] - c[0]) / 2];
  for (let i = 0; i + 1 < n; i++) edges.push((c[i] + c[i + 1]) / 2);
  edges.push(c[n - 1] + (c[n - 1] - c[n - 2]) / 2);
  return edges.map(g);
}

/**
 * A vertical dashed rule at `value` of the field `field` with a text label at the top, sharing the panel's x
 * encoding `x` (pass the same encoding object so the scales agree).
 */
export function dashedRule(name: string, field: string, value: number, label: string, x: Record<string, unknown>): VegaLiteSpec[] {
  const values = [{ [field]: value, label }];
  return [
    { data: named(name, values), mark: { type: "rule", strokeDash: [6, 4], color: "#222", strokeWidth: 1.5 }, encoding: { x } },
    {
      data: { values },
      mark: { type: "text", align: "left", dx: 4, baseline: "top", fontSize: 12, color: "#222", y: 2 },
      encoding: { x, text: { field: "label" } },
    },
  ];
}

/** n evenly spaced values from a to b inclusive. */
export function linspace(a: number, b: number, n: number): number[] {
  return Array.from({ length: n }, (_, i) => (n === 1 ? a : a + ((b - a) * i) / (n - 1)));
}

/** n log-uniform values from a to b inclusive. */
export function logspace(a: number, b: number, n: number): number[] {
  return linspace(Math.log(a), Math.log(b), n).map(Math.exp);
}

/** Rounds for display in data tables (keeps SVG and spec files small; the tests compare at this precision). */
export function round(v: number, digits = 6): number {
  return Number.isFinite(v) ? Number(v.toPrecision(digits)) : v;
}
