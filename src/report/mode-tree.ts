import type { Batch } from "../batch.js";
import { lengthScale, meanShift, newtonFixedPoints } from "../analysis/bifurcation/newton.js";
import type { TreeNode } from "../analysis/bifurcation/tree.js";
import type { DataModel } from "../models/types.js";
import { symmetricEigenvalues } from "../numeric/eigen.js";
import { throwIfAborted } from "../score/program.js";

/** Two groups of points whose modes merge (read upward in σ), i.e. one group that splits in two (read downward). */
export interface ModeMerge {
  /** Geometric middle of the bracket. */
  sigma: number;
  /** The merge happens between these σ's (bisection to `rtol`). */
  low: number;
  high: number;
  /** The groups (point indices) whose modes merge, and their modes just below the merge (at `low`). */
  groups: [number[], number[]];
  modes: [Float64Array, Float64Array];
}

/** The decision tree of a finite set of points, found by following their modes up in σ. */
export interface ModeTree {
  tree: TreeNode;
  /** Merges in increasing σ (splits, read downward, in decreasing order from the end). */
  merges: ModeMerge[];
  /** Mean-shift starts at σ_min (the points), and σ levels visited (grid and bisection). */
  starts: number;
  levels: number;
  /** Relative width of each merge's σ bracket. */
  rtol: number;
}

interface Level {
  sigma: number;
  /** Group of each point (labels 0 … G−1). */
  group: Int32Array;
  /** One mode per group, G × D. */
  modes: Float64Array;
}

/**
 * The decision tree of the points of a mixture model (seed 000 §5.1, THEORY.md §5), by following modes up in σ:
 * at σ_min = sigmas[0] each point's mode by mean-shift from the point (points sharing a mode are one leaf); at each
 * next level of the ascending grid `sigmas`, mean-shift from each group's mode at the level below, polished by Newton;
 * groups whose modes coincide (within 1e-6·max(σ, extent)) merge, and a mode that no longer exists (its
 * mean-shift stalls or Newton finds no maximum) joins the nearest surviving one. Between levels whose groups
 * differ, bisection in log σ to the relative width `rtol`, each time following up from the lower level's modes.
 *
 * Why not `decisionTree` (analysis/bifurcation): it locates every split to 1e-9 relative and costs ≈ 28 s on
 * the 10 class centres of the scikit-learn digits (D = 64) on 2 shared cores; a report reads the tree to 0.1 %.
 *
 * Completeness: only the modes that the points flow to are followed; in D > 3 p_σ may have further modes that no
 * point flows to (a mean-shift search is not exhaustive), which do not change the tree of the points.
 *
 * Special cases: a tree with one leaf when all points share one mode at σ_min; when several modes remain at
 * σ_max the root carries `sigma = σ_max` (split above the range).
 *
 * @example
 * modeTree(deltas(fromRows([[-1], [1]])), logSigmas(41, 0.2, 5).reverse()).merges[0].sigma; // ≈ 1 (the pitchfork)
 */
export function modeTree(model: DataModel, sigmas: readonly number[], options: { rtol?: number; signal?: AbortSignal } = {}): ModeTree | undefined {
  const st = model.structure;
  if (st?.type !== "mixture") return undefined;
  const rtol = options.rtol ?? 1e-3;
  const points = st.means;
  const n = points.rows;
  let levels = 0;
  const first = groupModes(model, points, sigmas[0]);
  levels++;
  const merges: ModeMerge[] = [];
  // returns the level it ended at (hi, followed up from the bisection's last level)
  const refine = (lo: Level, hi: Level): Level => {
    if (count(lo) === count(hi)) return hi;
    if (hi.sigma / lo.sigma - 1 <= rtol) {
      merges.push(...mergesBetween(lo, hi, model.dim));
      return hi;
    }
    throwIfAborted(options.signal);
    levels += 2;
    const mid = refine(lo, follow(model, lo, Math.sqrt(lo.sigma * hi.sigma)));
    return refine(mid, follow(model, mid, hi.sigma));
  };
  let lo = first;
  for (let k = 1; k < sigmas.length; k++) {
    throwIfAborted(options.signal);
    levels++;
    lo = refine(lo, follow(model, lo, sigmas[k]));
  }
  merges.sort((a, b) => a.sigma - b.sigma);
  return { tree: buildTree(first.group, merges, sigmas[sigmas.length - 1]), merges, starts: n, levels, rtol };
}

/** Number of groups (modes) of a level: its labels are 0 … G−1. */
function count(l: Level): number {
  let m = -1;
  for (const v of l.group) m = Math.max(m, v);
  return m + 1;
}

/** The level at σ, following each group's mode of `from` upward; point groups relabelled as their modes merge. */
function follow(model: DataModel, from: Level, sigma: number): Level {
  const starts: Batch = { rows: count(from), dim: model.dim, data: from.modes };
  const next = groupModes(model, starts, sigma);
  return { sigma, group: Int32Array.from(from.group, (g) => next.group[g]), modes: next.modes };
}

/**
 * The modes of p_σ reached from the starts (mean-shift, then Newton where it lands on a maximum), deduplicated:
 * `group[i]` is the mode of start i, labels in first-seen order.
 */
function groupModes(model: DataModel, starts: Batch, sigma: number): Level {
  const D = starts.dim;
  const L = lengthScale(starts, sigma);
  const shifted = meanShift(model, starts, sigma, { maxIter: 300, tol: 1e-9 * L });
  const polished = newtonFixedPoints(model, shifted, sigma);
  const atMax = new Uint8Array(starts.rows);
  for (let i = 0; i < starts.rows; i++) {
    const cov = polished.covariance.subarray(i * D * D, (i + 1) * D * D);
    if (polished.converged[i] && symmetricEigenvalues(cov, D)[D - 1] < sigma * sigma) {
      shifted.data.set(polished.x.data.subarray(i * D, (i + 1) * D), i * D);
      atMax[i] = 1;
    }
  }
  const reps: Float64Array[] = [];
  const group = new Int32Array(starts.rows).fill(-1);
  for (let i = 0; i < starts.rows; i++) {
    if (!atMax[i]) continue;
    const x = shifted.data.subarray(i * D, (i + 1) * D);
    let j = reps.findIndex((r) => distance(r, x) <= 1e-6 * L);
    if (j < 0) {
      j = reps.length;
      reps.push(Float64Array.from(x));
    }
    group[i] = j;
  }
  // a start whose mean-shift reached no verified maximum (a mode that has just vanished) joins the nearest one
  for (let i = 0; i < starts.rows; i++) {
    if (group[i] >= 0) continue;
    const x = shifted.data.subarray(i * D, (i + 1) * D);
    if (!reps.length) reps.push(Float64Array.from(x));
    let best = 0;
    reps.forEach((r, j) => {
      if (distance(r, x) < distance(reps[best], x)) best = j;
    });
    group[i] = best;
  }
  const modes = new Float64Array(reps.length * D);
  reps.forEach((r, j) => modes.set(r, j * D));
  return { sigma, group, modes };
}

function distance(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let k = 0; k < a.length; k++) s += (a[k] - b[k]) ** 2;
  return Math.sqrt(s);
}

/** The pairs of lo-groups that share a hi-group (a merge of three is two merges at the same σ). */
function mergesBetween(lo: Level, hi: Level, D: number): ModeMerge[] {
  const sigma = Math.sqrt(lo.sigma * hi.sigma);
  const loToHi = new Map<number, number>();
  lo.group.forEach((g, i) => loToHi.set(g, hi.group[i]));
  const byHi = new Map<number, number[]>();
  for (const [g, h] of [...loToHi].sort((a, b) => a[0] - b[0])) byHi.set(h, [...(byHi.get(h) ?? []), g]);
  const members = (g: number) => Array.from(lo.group.keys()).filter((i) => lo.group[i] === g);
  const out: ModeMerge[] = [];
  for (const gs of byHi.values())
    for (let k = 1; k < gs.length; k++) {
      const a = gs.slice(0, k).flatMap(members);
      out.push({
        sigma,
        low: lo.sigma,
        high: hi.sigma,
        groups: [a, members(gs[k])],
        modes: [lo.modes.slice(gs[0] * D, (gs[0] + 1) * D), lo.modes.slice(gs[k] * D, (gs[k] + 1) * D)],
      });
    }
  return out;
}

/** The tree read downward: the leaves (groups at σ_min), joined by each merge in increasing σ (a split, read down). */
function buildTree(leafGroup: Int32Array, merges: ModeMerge[], sigmaMax: number): TreeNode {
  const leaves = new Map<number, number[]>();
  leafGroup.forEach((g, i) => leaves.set(g, [...(leaves.get(g) ?? []), i]));
  const alive = new Set<TreeNode>([...leaves.values()].map((members) => ({ sigma: null, members, children: [] })));
  const find = (i: number) => [...alive].find((t) => t.members.includes(i))!;
  for (const m of merges) {
    const a = find(m.groups[0][0]);
    const b = find(m.groups[1][0]);
    if (a === b) continue;
    alive.delete(a);
    alive.delete(b);
    alive.add({ sigma: m.sigma, members: [...a.members, ...b.members].sort((x, y) => x - y), children: [a, b] });
  }
  const roots = [...alive];
  if (roots.length === 1) return roots[0];
  return { sigma: sigmaMax, members: roots.flatMap((r) => r.members).sort((x, y) => x - y), children: roots };
}
