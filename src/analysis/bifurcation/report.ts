import type { DataModel } from "../../models/types.js";
import { ascending, logSigmas } from "../../noise/grid.js";
import { defaultSigmaRange as dataSigmaRange } from "../scale.js";
import { checkComputable } from "../validity.js";
import { type Branching, branchings } from "./branchings.js";
import { anchorPoints } from "./critical-points.js";
import { type CriticalExponents, criticalExponents } from "./curie-weiss.js";
import { type FollowedModes, followModes, type ModeMerge } from "./follow.js";
import type { SearchInfo } from "./search.js";
import { type TreeNode, decisionTree } from "./tree.js";

/** Everything `infodyn bifurcations` reports for one model. */
export interface BifurcationReport {
  sigmaMin: number;
  sigmaMax: number;
  steps: number;
  branchings: Branching[];
  /** Undefined for models without a mixture structure. */
  tree?: TreeNode;
  /** Only for two-delta models: the exponents of the symmetric (equal-weight) problem with the same a. */
  criticalExponents?: CriticalExponents;
  /**
   * How the branchings were found: `fixed points on a grid` (every critical point at each level, D ≤ 3 and at most
   * {@link EXHAUSTIVE_ANCHORS} anchors) or `modes followed up in σ` ({@link followModes}).
   */
  method?: "fixed points on a grid" | "modes followed up in σ";
  /** The starts, and whether (and why) the search can have missed a branching. */
  search?: SearchInfo;
  /** Modes followed: the number at each level of the ascending grid (`modes followed up in σ` only). */
  modeCounts?: { sigma: number[]; counts: number[] };
  /** Relative width of each located branching's σ bracket (`modes followed up in σ`; the grid route is ~1e-15). */
  rtol?: number;
}

/** Up to this many anchors in D ≤ 3, the branchings come from every critical point on a grid (exact to ~1e-15). */
export const EXHAUSTIVE_ANCHORS = 40;

/**
 * The default σ range of a model as `[min, max]`: the range of every command ({@link dataSigmaRange},
 * src/analysis/scale.ts; README "Default noise levels") — 10 √Tr Cov(y) down to a tenth of the data's resolution.
 * @deprecated Use `defaultSigmaRange` of analysis/scale.ts, which also gives the scales it came from.
 */
export function defaultSigmaRange(model: DataModel): [number, number] {
  const r = dataSigmaRange(model);
  return [r.min, r.max];
}

/** Options of {@link bifurcationReport} beyond its positional arguments. */
export interface BifurcationReportOptions {
  /** Relative width of the σ brackets of followed merges. @default 0.02 ({@link followModes}) */
  rtol?: number;
  /** Force a route (default: fixed points on a grid for D ≤ 3 with ≤ 40 anchors, else modes followed up in σ). */
  method?: "fixed points on a grid" | "modes followed up in σ";
}

/**
 * Branchings, decision tree and (for two deltas) critical exponents of a model over [σ_min, σ_max]
 * (THEORY.md §5), by one of two routes:
 *
 * - D ≤ 3 with at most {@link EXHAUSTIVE_ANCHORS} anchors: {@link branchings} on a log grid of `steps` intervals
 *   (every critical point at each level, counts bisected, each branching located by Brent / augmented Newton to
 *   ~1e-15), then {@link decisionTree} on the same grid snapped to those branchings, then
 *   {@link criticalExponents}.
 * - otherwise (high D, many points — the digits): the decision tree of the data by following its modes up in σ
 *   ({@link followModes}: mean-shift from every point at σ_min, each mode followed level by level, merges bracketed
 *   by bisection to `rtol`); every merge is a branching (read downward, a mode appears: `modesAbove` = modes
 *   just above its σ, `modesBelow` = just below), its σ the bracket's geometric middle.
 *
 * `search` says what each route can miss: the grid route two events cancelling inside one grid interval (and, off
 * 1-D point masses, a fixed point the Newton starts miss); the followed route modes that no data point flows to and
 * modes created going up in σ.
 *
 * @example
 * bifurcationReport(deltas(fromRows([[-1], [1]])), 0.2, 5, 40).branchings[0].sigma; // returns ≈ 1
 */
export function bifurcationReport(
  model: DataModel,
  sigmaMin: number,
  sigmaMax: number,
  steps: number,
  onProgress?: (done: number, total: number) => void,
  seed = 0,
  signal?: AbortSignal,
  options: BifurcationReportOptions = {},
): BifurcationReport {
  const anchors = anchorPoints(model, seed);
  const method = options.method ?? (model.dim <= 3 && anchors.rows <= EXHAUSTIVE_ANCHORS ? "fixed points on a grid" : "modes followed up in σ");
  if (method === "modes followed up in σ") return followedReport(model, anchors.data, sigmaMin, sigmaMax, steps, { rtol: options.rtol, onProgress, signal });
  const total = 2 * (steps + 1);
  // The seed only matters for models without data points (sphere, Gaussian), whose search is anchored by draws.
  const sets: { complete: boolean }[] = [];
  const found = branchings(model, sigmaMin, sigmaMax, { steps, seed, signal, onProgress: (d) => onProgress?.(d, total), onSet: (set) => sets.push(set) });
  const tree = decisionTree(model, sigmaMin, sigmaMax, {
    steps,
    branchings: found,
    signal,
    onProgress: (d) => onProgress?.(steps + 1 + d, total),
  });
  const s = model.structure;
  const twoDeltas = model.kind === "deltas" && s?.type === "mixture" && s.means.rows === 2 && !s.components;
  const proven = sets.every((x) => x.complete);
  return {
    sigmaMin,
    sigmaMax,
    steps,
    branchings: found,
    tree,
    criticalExponents: twoDeltas ? criticalExponents(s.means) : undefined,
    method,
    search: {
      starts: sets.length,
      kinds: [`every critical point at ${sets.length} σ levels (${steps + 1} on the grid, the rest bisecting count changes)`],
      complete: false,
      why:
        `not proven: mode counts on a grid of ${steps} log intervals, bisected where they change; a mode born and gone again inside one interval is missed` +
        (proven ? " (each level's fixed points are proven complete: 1-D point masses)" : "; the levels' fixed-point searches are not proven complete either (Newton from many starts)"),
    },
  };
}

/** The `modes followed up in σ` route of {@link bifurcationReport}. */
function followedReport(
  model: DataModel,
  points: Float64Array,
  sigmaMin: number,
  sigmaMax: number,
  steps: number,
  o: { rtol?: number; onProgress?: (done: number, total: number) => void; signal?: AbortSignal },
): BifurcationReport {
  checkComputable(model, [sigmaMax, sigmaMin], "sigma range");
  const grid = ascending(logSigmas(steps + 1, sigmaMin, sigmaMax));
  const f = followModes(model, points, grid, { rtol: o.rtol, onProgress: o.onProgress, signal: o.signal });
  const mixture = model.structure?.type === "mixture";
  return {
    sigmaMin,
    sigmaMax,
    steps,
    branchings: mergeBranchings(f),
    tree: mixture ? f.tree : undefined,
    method: "modes followed up in σ",
    search: {
      starts: f.starts,
      kinds: [`${f.starts} ${mixture ? (model.discrete ? "data points" : "component means") : "anchor points"} at σ_min, their modes followed up ${steps + 1} levels by mean-shift; ${f.levels} σ levels in all with the bisections`],
      complete: false,
      why:
        `not proven: only the modes that the starts flow to are followed (in D = ${model.dim} p_σ may have modes no start reaches, and modes created going up in σ are not seen); each merge bracketed to ${f.rtol} relative (σ to ±${(50 * f.rtol).toPrecision(2)} %)` +
        (f.unconverged > 0 ? `; ${f.unconverged} mean-shift rows did not converge and joined the nearest mode` : ""),
    },
    modeCounts: { sigma: f.sigma, counts: f.modeCounts },
    rtol: f.rtol,
  };
}

/**
 * The branchings of followed modes: each merge, read downward (a mode appears below its σ); merges of one bracket
 * and kind are one branching with several locations. `modesBelow` counts the modes just below (the followed count).
 */
export function mergeBranchings(f: FollowedModes): Branching[] {
  let modes = f.modeCounts[0];
  const out: Branching[] = [];
  let group: ModeMerge[] = [];
  const flush = () => {
    if (group.length === 0) return;
    const g = group[0];
    out.push({
      sigma: g.sigma,
      modesAbove: modes - group.length,
      modesBelow: modes,
      kind: g.kind,
      location: g.location,
      locations: group.map((m) => m.location),
      bracket: [g.low, g.high],
    });
    modes -= group.length;
    group = [];
  };
  for (const m of f.merges) {
    if (group.length > 0 && !(group[0].low === m.low && group[0].high === m.high && group[0].kind === m.kind)) flush();
    group.push(m);
  }
  flush();
  return out;
}
