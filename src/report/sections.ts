import { bifurcationReport, defaultSigmaRange, type Branching, type TreeNode } from "../analysis/bifurcation/index.js";
import type { InformationProfile } from "../analysis/info/grid.js";
import { entropicProfile } from "../analysis/schedule/entropic-profile.js";
import { scheduleSigmas, type Schedule } from "../analysis/schedule/schedules.js";
import type { MmseSource } from "../analysis/schedule/source.js";
import { freeEnergyGrid } from "../analysis/thermo/free-energy.js";
import { deltas } from "../models/deltas.js";
import type { DataModel } from "../models/types.js";
import { edm } from "../noise/process.js";
import { landscapeFigure, treeFigure } from "./figures/landscape.js";
import type { ReportPlan } from "./plan.js";
import type { ReportSection } from "./report.js";
import type { VegaLiteSpec } from "./theme.js";

/**
 * Branchings and the decision tree of the model itself when it has at most 12 points or components; of its class
 * centres (weighted by class size) when it is a larger labelled dataset — a cheap, readable summary of when the
 * classes split; the free-energy landscape of the full model at (up to three of) those σ's.
 */
export function branchingSection(
  model: DataModel,
  points: Float64Array,
  add: (name: string, spec: VegaLiteSpec | undefined) => string[],
  plan: ReportPlan["branchings"],
): { section: ReportSection; results: BranchingResults } | undefined {
  const st = model.structure;
  if (st?.type !== "mixture" || model.dim > 2) return undefined;
  let target: DataModel | undefined;
  let what: string;
  let names: (i: number) => string;
  if (st.means.rows <= plan.maxPoints) {
    target = model;
    what = `the ${st.means.rows} ${model.discrete ? "data points" : "components"}`;
    names = (i) => String(i);
  } else if (model.numClasses > 1 && "set" in model) {
    const labels = (model as unknown as { set: { labels: Int32Array } }).set.labels;
    const K = model.numClasses;
    const D = model.dim;
    const centres = new Float64Array(K * D);
    const w = new Float64Array(K);
    for (let j = 0; j < st.means.rows; j++) {
      w[labels[j]] += st.weights[j];
      for (let k = 0; k < D; k++) centres[labels[j] * D + k] += st.weights[j] * st.means.data[j * D + k];
    }
    for (let c = 0; c < K; c++) for (let k = 0; k < D; k++) centres[c * D + k] /= w[c];
    target = deltas({ rows: K, dim: D, data: centres }, { weights: w, labels: Array.from({ length: K }, (_, c) => c), classNames: model.classNames });
    what = `the ${K} class centres (weighted by class size; the full dataset has ${st.means.rows} points)`;
    names = (i) => model.classNames?.[i] ?? String(i);
  } else return undefined;
  const [lo, hi] = defaultSigmaRange(target);
  const r = bifurcationReport(target, lo, hi, plan.steps);
  const levels = r.branchings.map((b) => b.sigma).sort((a, b) => b - a).slice(0, plan.landscapes);
  const D = model.dim;
  const extent = (k: number) => {
    let a = Infinity;
    let b = -Infinity;
    for (let i = k; i < points.length; i += D) {
      a = Math.min(a, points[i]);
      b = Math.max(b, points[i]);
    }
    const pad = 0.15 * (b - a || 1);
    return [a - pad, b + pad];
  };
  const [x0, x1] = extent(0);
  const [y0, y1] = D === 2 ? extent(1) : [0, 0];
  const grids = levels.map((sigma) => ({ sigma, grid: freeEnergyGrid(model, sigma, { x0, x1, y0, y1, n: D === 2 ? plan.grid2d : plan.grid1d }) }));
  const list = r.branchings.map((b) => `σ = ${fmt(b.sigma)} (${b.kind}, ${b.modesAbove} → ${b.modesBelow} modes)`).join("; ");
  return {
    section: {
      id: "branchings",
      title: "Symmetry breaking: branchings and the decision tree",
      text:
        `Fixed points of the score (modes of p_σ) of ${what}, followed from σ = ${fmt(hi)} down to ${fmt(lo)}: ` +
        (list ? `${list}.` : "no branching in this range.") +
        (levels.length ? ` The landscapes show the full model's −F̃ at the ${levels.length} highest branching levels.` : ""),
      figures: [
        ...(r.tree ? add("decision-tree", treeFigure(r.tree, lo, names)) : []),
        ...add("free-energy", landscapeFigure(grids, D)),
      ],
    },
    results: { of: what, sigmaMin: lo, sigmaMax: hi, branchings: r.branchings, tree: r.tree },
  };
}

/** The branchings of the report's results.json. */
export interface BranchingResults {
  /** What branches: the model's points or components, or its class centres. */
  of: string;
  sigmaMin: number;
  sigmaMax: number;
  branchings: Branching[];
  tree?: TreeNode;
}

/** Entropic, rescaled-entropic and EDM levels (the plan's steps) from the profile's mmse, log-log interpolated. */
export function scheduleSection(profile: InformationProfile, sigmas: readonly number[], plan: ReportPlan["schedules"]) {
  const ls = sigmas.map(Math.log);
  const lm = profile.points.map((p) => Math.log(Math.max(p.mmse, 1e-300)));
  const source: MmseSource = {
    exact: false,
    method: "report profile (log-log interpolation)",
    at(sigma) {
      const u = Math.log(sigma);
      let i = 1;
      while (i < ls.length - 1 && ls[i] < u) i++;
      const t = (u - ls[i - 1]) / (ls[i] - ls[i - 1]);
      return { mmse: Math.exp(lm[i - 1] + t * (lm[i] - lm[i - 1])), standardError: 0 };
    },
  };
  const lo = sigmas[0];
  const hi = sigmas[sigmas.length - 1];
  const phi = entropicProfile(source, lo, hi);
  const options = { process: edm(), profile: phi };
  const list: { kind: string; schedule: Schedule }[] = plan.kinds.map((kind) => ({
    kind,
    schedule: scheduleSigmas(kind, plan.steps, lo, hi, options),
  }));
  const peak = profile.peaks.entropyRateLogSigma?.sigma ?? Math.sqrt(lo * hi);
  const w = plan.window;
  const count = (s: Schedule) => Array.from(s.sigma).filter((v) => v >= peak / w && v <= peak * w).length;
  const of = (kind: string) => list.find((l) => l.kind === kind)?.schedule;
  return { list, inWindow: count(of("entropic") ?? list[0].schedule), inWindowEdm: count(of("edm") ?? list[list.length - 1].schedule) };
}

/** The largest x where y (decreasing towards small x) crosses the level, log-interpolated; undefined if never. */
export function crossing(xs: number[], ys: number[], level: number): number | undefined {
  for (let i = xs.length - 1; i > 0; i--) {
    if (ys[i] >= level && ys[i - 1] < level) {
      const t = (ys[i] - level) / (ys[i] - ys[i - 1]);
      return Math.exp(Math.log(xs[i]) + t * (Math.log(xs[i - 1]) - Math.log(xs[i])));
    }
  }
  return undefined;
}

/** A number for prose: four significant digits, "–" when absent. */
export const fmt = (v: number | undefined) => (v === undefined ? "–" : Number(v.toPrecision(4)).toString());
