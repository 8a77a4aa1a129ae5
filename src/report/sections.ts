import { bifurcationReport, type Branching, type TreeNode } from "../analysis/bifurcation/index.js";
import { entropicProfile } from "../analysis/schedule/entropic-profile.js";
import { scheduleSigmas, type Schedule } from "../analysis/schedule/schedules.js";
import type { MmseSource } from "../analysis/schedule/source.js";
import { freeEnergyGrid, regularizedFreeEnergy } from "../analysis/thermo/free-energy.js";
import { deltas } from "../models/deltas.js";
import type { DataModel } from "../models/types.js";
import { ascending, logSigmas } from "../noise/grid.js";
import { edm } from "../noise/process.js";
import { landscapeFigure, lineLandscapeFigure, treeFigure } from "./figures/landscape.js";
import { followModes, type ModeMerge } from "../analysis/bifurcation/follow.js";
import { labelledSample } from "../analysis/scale.js";
import type { ReportPlan } from "./plan.js";
import type { ReportSection } from "./report.js";
import type { VegaLiteSpec } from "./theme.js";

/**
 * Branchings and the decision tree of the model itself when it has at most `maxPoints` points or components; of its
 * class centres (weighted by class size) when it is a larger labelled dataset — a cheap, readable summary of when
 * the classes split — over the report's σ range.
 *
 * - D ≤ 2: `bifurcationReport` (every branching located and classified) and the free-energy landscape of the full
 *   model at (up to `landscapes` of) the branching levels.
 * - D > 2: the decision tree by following modes up in σ ({@link followModes}: splits bracketed to 0.1 %), and −F̃ of the
 *   branching model along the line through the two modes that split last (the smallest split σ), at that σ and a
 *   factor 1.15 either side. Completeness is stated: the starts, and that a mean-shift search in D > 3 follows only
 *   the modes the points flow to.
 *
 * Special cases: undefined for a model without a mixture structure, or one with more than `maxPoints` points and
 * no classes.
 */
export function branchingSection(
  model: DataModel,
  points: Float64Array,
  add: (name: string, spec: VegaLiteSpec | undefined) => string[],
  plan: ReportPlan["branchings"],
  range: { min: number; max: number },
  signal?: AbortSignal,
): { section: ReportSection; results: BranchingResults } | undefined {
  const chosen = branchingTarget(model, plan.maxPoints);
  if (!chosen) return undefined;
  const { target, what, names } = chosen;
  const lo = range.min;
  const hi = range.max;
  const D = model.dim;
  const title = "Symmetry breaking: branchings and the decision tree";
  if (D > 2) {
    const sigmas = Array.from(ascending(logSigmas(plan.steps + 1, lo, hi)));
    const st = target.structure;
    const points = st?.type === "mixture" ? st.means.data : labelledSample(target, plan.maxPoints, 0).points;
    const mt = followModes(target, points, sigmas, { rtol: 1e-3, signal });
    const splits = mt.merges.map((m) => ({ sigma: m.sigma, low: m.low, high: m.high, groups: m.groups }));
    const list = [...mt.merges]
      .reverse()
      .map((m) => `σ ≈ ${fmt3(m.sigma)}: {${m.groups[0].map(names).join(", ")}} | {${m.groups[1].map(names).join(", ")}}`)
      .join("; ");
    const last = mt.merges[0];
    const line = last ? lineLandscape(target, last, [last.sigma * 1.15, last.sigma, last.sigma / 1.15], plan.grid1d) : undefined;
    const exhaustive = D <= 3 ? "" : ` In D = ${D} a mean-shift search follows only the modes that the ${mt.starts} starting points flow to: p_σ may have further modes that none of them reaches (the search is not exhaustive; complete: false), which do not change this tree.`;
    return {
      section: {
        id: "branchings",
        title,
        text:
          `The decision tree of ${what}: the modes of p_σ that the ${mt.starts} points flow to at σ = ${fmt3(lo)} (mean-shift from each, polished by Newton), followed up in σ to ${fmt3(hi)} ` +
          `on ${plan.steps + 1} levels, merges bracketed by bisection to ${100 * mt.rtol}% in σ (${mt.levels} levels in all). Read downward (the direction of generation), the groups split at ` +
          (list ? `${list}.` : "no σ in this range: one mode throughout.") +
          exhaustive +
          (line ? ` The landscape shows −F̃ of the ${target === model ? "model" : "class-centre model"} along the line through the two modes that split last (${line.names.join(" and ")}).` : ""),
        figures: [
          ...add("decision-tree", treeFigure(mt.tree, lo, names, target === model ? "the data" : "the class centres")),
          ...(line ? add("free-energy", lineLandscapeFigure(line.curves, line.names)) : []),
        ],
      },
      results: { of: what, sigmaMin: lo, sigmaMax: hi, method: "mode-tree", starts: mt.starts, complete: D <= 3 ? undefined : false, splits, tree: mt.tree },
    };
  }
  const r = bifurcationReport(target, lo, hi, plan.steps, undefined, 0, signal);
  const levels = r.branchings.map((b) => b.sigma).sort((a, b) => b - a).slice(0, plan.landscapes);
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
      title,
      text:
        `Fixed points of the score (modes of p_σ) of ${what}, followed from σ = ${fmt(hi)} down to ${fmt(lo)}: ` +
        (list ? `${list}.` : "no branching in this range.") +
        (levels.length ? ` The landscapes show the full model's −F̃ at the ${levels.length} highest branching levels.` : ""),
      figures: [
        ...(r.tree ? add("decision-tree", treeFigure(r.tree, lo, names)) : []),
        ...add("free-energy", landscapeFigure(grids, D)),
      ],
    },
    results: { of: what, sigmaMin: lo, sigmaMax: hi, method: "bifurcations", branchings: r.branchings, tree: r.tree },
  };
}

/** The model the branchings are of: the model (≤ maxPoints points) or its class centres weighted by class size. */
export function branchingTarget(model: DataModel, maxPoints: number): { target: DataModel; what: string; names: (i: number) => string } | undefined {
  const st = model.structure;
  if (st?.type !== "mixture") return undefined;
  if (st.means.rows <= maxPoints)
    return { target: model, what: `the ${st.means.rows} ${model.discrete ? "data points" : "components"}`, names: (i) => String(i) };
  if (!(model.numClasses > 1 && "set" in model)) return undefined;
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
  return {
    target: deltas({ rows: K, dim: D, data: centres }, { weights: w, labels: Array.from({ length: K }, (_, c) => c), classNames: model.classNames }),
    what: `the ${K} class centres (weighted by class size; the full dataset has ${st.means.rows} points)`,
    names: (i) => model.classNames?.[i] ?? String(i),
  };
}

/**
 * −F̃(x) = σ² log p_σ(x) + c of `model` on the line x(t) = a + t(b − a) through the two modes a, b of a merge
 * (t ∈ [−1, 2], `n` points: the modes move apart below the merge), at each σ, each curve shifted so that its maximum is 0.
 */
function lineLandscape(model: DataModel, merge: ModeMerge, sigmas: number[], n: number) {
  const D = model.dim;
  const [a, b] = merge.modes;
  const t = Array.from({ length: n }, (_, i) => -1 + (3 * i) / (n - 1));
  const x = new Float64Array(n * D);
  t.forEach((u, i) => {
    for (let k = 0; k < D; k++) x[i * D + k] = a[k] + u * (b[k] - a[k]);
  });
  const curves = sigmas.map((sigma) => {
    const f = regularizedFreeEnergy(model, { rows: n, dim: D, data: x }, sigma);
    let top = -Infinity;
    for (const v of f) top = Math.max(top, -v);
    return { sigma, t, value: Array.from(f, (v) => -v - top) };
  });
  const groupName = (g: number[]) => (g.length === 1 ? String(g[0]) : `{${g.join(", ")}}`);
  return { curves, names: [groupName(merge.groups[0]), groupName(merge.groups[1])] as [string, string] };
}

const fmt3 = (v: number) => v.toPrecision(3);

/** The branchings of the report's results.json. */
export interface BranchingResults {
  /** What branches: the model's points or components, or its class centres. */
  of: string;
  sigmaMin: number;
  sigmaMax: number;
  /** `bifurcations` (D ≤ 2: every branching located and classified) or `mode-tree` (D > 2: modes followed up in σ). */
  method: "bifurcations" | "mode-tree";
  branchings?: Branching[];
  /** D > 2: each split read downward, with its σ bracket and the two groups (point indices) it separates. */
  splits?: { sigma: number; low: number; high: number; groups: [number[], number[]] }[];
  /** D > 2: mean-shift starts (the points). */
  starts?: number;
  /** False where the mode search is not exhaustive (D > 3). */
  complete?: boolean;
  tree?: TreeNode;
}

/**
 * Entropic, rescaled-entropic and EDM levels (the plan's steps) from an mmse curve on ascending σ's, log-log
 * interpolated; `peak` (default: the geometric middle of the range) is the σ whose window the steps are counted in.
 */
export function scheduleSection(mmse: readonly number[], sigmas: readonly number[], plan: ReportPlan["schedules"], peak = Math.sqrt(sigmas[0] * sigmas[sigmas.length - 1])) {
  const ls = sigmas.map(Math.log);
  const lm = mmse.map((m) => Math.log(Math.max(m, 1e-300)));
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
