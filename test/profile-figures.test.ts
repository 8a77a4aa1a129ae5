import { describe, expect, it } from "vitest";
import { compile } from "vega-lite";
import { informationProfile } from "../src/analysis/info/grid.js";
import { deltas } from "../src/models/deltas.js";
import { gaussian } from "../src/models/gaussian.js";
import { parseModel } from "../src/models/parse.js";
import { createRng } from "../src/numeric/rng.js";
import { sigmaGrid } from "../src/noise/grid.js";
import { classEntropyFigure, entropyProfileFigure, pathwiseVarianceFigure, rateEstimatorsFigure } from "../src/report/figures/info.js";
import type { VegaLiteSpec } from "../src/report/theme.js";
import { expectClose } from "./helpers.js";

type Layer = { data?: { values: Record<string, number | string>[] }; mark: string | { type: string }; encoding?: Record<string, unknown> };
const layers = (spec: VegaLiteSpec) => spec.layer as Layer[];
const markOf = (l: Layer) => (typeof l.mark === "string" ? l.mark : l.mark.type);
const subtitle = (spec: VegaLiteSpec) => ((spec.title as { subtitle?: string[] }).subtitle ?? []).join(" ");

describe("the profile figures draw independent routes once and Monte Carlo errors as ±2 SE bands", () => {
  const rng = createRng(8);
  const labels = Array.from({ length: 30 }, (_, i) => i % 3);
  const high = deltas({ rows: 30, dim: 64, data: Float64Array.from({ length: 30 * 64 }, () => 3 * rng.normal()) }, { labels: Int32Array.from(labels), classNames: ["a", "b", "c"] });
  const mc = informationProfile(high, sigmaGrid([2, 4, 8, 16]), { samples: 400, seed: 1 });

  it("D = 64: three curves (one per route), the kernel's named together, bands of ±2 SE, the omission said", () => {
    const spec = rateEstimatorsFigure(mc);
    expect(() => compile(spec as never)).not.toThrow();
    const [band, line] = layers(spec);
    expect(markOf(band)).toBe("area");
    expect(markOf(line)).toBe("line");
    const series = [...new Set(line.data!.values.map((r) => r.series))];
    expect(series).toEqual(["mmse/σ³ = Fisher trace", "divergence", "score norm"]);
    // the band is σ·(estimate ± 2 SE) of the route's first estimator
    const q = mc.points[1];
    const row = band.data!.values.find((r) => r.sigma === q.sigma && r.series === "divergence")!;
    expectClose(Number(row.hi) - Number(row.lo), 4 * q.sigma * q.standardError!.entropyRateEstimators!.divergence!, { rtol: 1e-12 });
    expect(subtitle(spec)).toMatch(/One curve per independent route \(3\)/);
    expect(subtitle(spec)).toMatch(/Jacobian spectrum omitted/);
    expect(subtitle(spec)).toMatch(/±2 standard errors/);
    expect(subtitle(spec)).not.toMatch(/coincid/);
  });

  it("the entropy, Var h and class figures carry bands and the peak's bracket", () => {
    for (const spec of [entropyProfileFigure(mc), pathwiseVarianceFigure(mc)!, classEntropyFigure(mc)!]) {
      expect(() => compile(spec as never)).not.toThrow();
      const marks = layers(spec).map(markOf);
      expect(marks.slice(0, 2)).toEqual(["area", "line"]);
      expect(marks).toContain("rect"); // the bracket [low, high]
      expect(subtitle(spec)).toMatch(/±2 standard errors/);
    }
  });

  it("exact models: no bands; a Gaussian's five estimators are one closed-form curve", () => {
    const two = informationProfile(parseModel({ kind: "deltas", points: [[-1], [1]] }), sigmaGrid([0.5, 1, 2]));
    const spec = rateEstimatorsFigure(two);
    expect(layers(spec).map(markOf)[0]).toBe("line");
    expect(subtitle(spec)).not.toMatch(/standard errors/);
    const g = rateEstimatorsFigure(informationProfile(gaussian(Float64Array.from([0]), Float64Array.from([1])), sigmaGrid([0.5, 1, 2])));
    const series = new Set(layers(g)[0].data!.values.map((r) => r.series));
    expect(series.size).toBe(1);
    expect(subtitle(g)).toMatch(/Closed forms: the five estimators are one formula/);
  });
});
