import type { Batch } from "../../batch.js";
import type { DataModel } from "../../models/types.js";
import { symmetricEigenvalues } from "../../numeric/eigen.js";
import { logSigmas } from "../../noise/grid.js";
import type { Branching } from "./branchings.js";
import { distance } from "./critical-points.js";
import { lengthScale, meanShift, newtonFixedPoints } from "./newton.js";
import { throwIfAborted } from "../../score/program.js";
import { checkComputable } from "../validity.js";

/** A node of the decision tree: a group of data points that share one mode for σ above `sigma`. */
export interface TreeNode {
  /** The σ at which this group splits into `children`; null for a leaf (no split above σ_min). */
  sigma: number | null;
  /** Indices of the data points in the group. */
  members: number[];
  children: TreeNode[];
}

/** Options of {@link decisionTree}. */
export interface DecisionTreeOptions {
  /** Intervals of the log-uniform σ grid (default 60). */
  steps?: number;
  /** Branchings already located (e.g. by `branchings`): a split inside a bracket takes the branching's σ. */
  branchings?: readonly Branching[];
  /** Called with (done, total) after each σ of the grid. */
  onProgress?: (done: number, total: number) => void;
  /** Checked between units of work: an aborted signal ends the run with an `AbortedError`. */
  signal?: AbortSignal;
}

/**
 * The decision tree of a finite dataset (seed 000 §5.1, THEORY.md §5): the data points grouped by the mode of
 * `p_σ` that each one flows to under mean-shift, followed from σ_max (one group when σ_max is large) down to
 * σ_min; each internal node is a group and the σ at which it splits.
 *
 * Method: on a descending log σ grid, each data point's mode by mean-shift from the point (polished by Newton), modes merged within 1e-6·max(σ, extent); between levels whose partitions differ,
 * bisection in σ to a relative width of 1e-9 (splits closer than that are one simultaneous split); the split σ
 * is then snapped to the nearest located branching within 1e-3 relative, if any (exact to ~1e-15). Without
 * branchings the split σ's are good to ~1e-5 only: near a saddle-node mean-shift crawls through the bottleneck
 * of the vanished mode and the partition is misjudged there.
 *
 * Special cases: undefined for models without a mixture structure. Points whose mode changes without a split
 * (a basin boundary crossing a data point) stay in their group. Identical points never split (one leaf).
 *
 * @example
 * decisionTree(deltas(fromRows([[-1], [1]])), 0.2, 5); // { sigma: 1, members: [0, 1], children: [leaf 0, leaf 1] }
 */
export function decisionTree(model: DataModel, sigmaMin: number, sigmaMax: number, options: DecisionTreeOptions = {}): TreeNode | undefined {
  const s = model.structure;
  if (s?.type !== "mixture") return undefined;
  checkComputable(model, [sigmaMax, sigmaMin], "sigma range");
  const points = s.means;
  const n = points.rows;
  const levels = logSigmas((options.steps ?? 60) + 1, sigmaMin, sigmaMax);
  const parts: { sigma: number; labels: Int32Array }[] = [];
  levels.forEach((sigma, i) => {
    throwIfAborted(options.signal);
    parts.push({ sigma, labels: partition(model, points, sigma) });
    options.onProgress?.(i + 1, levels.length);
  });
  const splits: { sigma: number; labels: Int32Array }[] = [];
  const refine = (hi: { sigma: number; labels: Int32Array }, lo: { sigma: number; labels: Int32Array }): void => {
    const count = splitCount(hi.labels, lo.labels);
    if (count === 0) return;
    const width = hi.sigma / lo.sigma - 1;
    if ((count === 1 && width <= 1e-9) || width <= 1e-9) {
      const sigma = Math.sqrt(hi.sigma * lo.sigma);
      const near = options.branchings?.filter((b) => Math.abs(b.sigma / sigma - 1) <= 1e-3);
      near?.sort((a, b) => Math.abs(a.sigma - sigma) - Math.abs(b.sigma - sigma));
      splits.push({ sigma: near && near.length > 0 ? near[0].sigma : sigma, labels: lo.labels });
      return;
    }
    const sigma = Math.sqrt(hi.sigma * lo.sigma);
    const mid = { sigma, labels: partition(model, points, sigma) };
    refine(hi, mid);
    refine(mid, lo);
  };
  for (let k = 0; k + 1 < parts.length; k++) refine(parts[k], parts[k + 1]);
  return buildTree(n, parts[0].labels, sigmaMax, splits);
}

/** Each data point's mode at σ (mean-shift from the point, Newton-polished), as labels in first-seen order. */
function partition(model: DataModel, points: Batch, sigma: number): Int32Array {
  const D = points.dim;
  const L = lengthScale(points, sigma);
  const modes = meanShift(model, points, sigma, { maxIter: 2000, tol: 1e-9 * L });
  const polished = newtonFixedPoints(model, modes, sigma);
  const atMax = new Uint8Array(points.rows);
  for (let i = 0; i < points.rows; i++) {
    // mean-shift slows down critically near a branching: accept Newton's point when it is a maximum
    if (polished.converged[i] && isMaximum(polished.covariance.subarray(i * D * D, (i + 1) * D * D), D, sigma)) {
      modes.data.set(polished.x.data.subarray(i * D, (i + 1) * D), i * D);
      atMax[i] = 1;
    }
  }
  const reps: Float64Array[] = [];
  const labels = new Int32Array(points.rows).fill(-1);
  for (let i = 0; i < points.rows; i++) {
    if (!atMax[i]) continue;
    const x = modes.data.subarray(i * D, (i + 1) * D);
    let j = reps.findIndex((r) => distance(r, x) <= 1e-6 * L);
    if (j < 0) {
      j = reps.length;
      reps.push(x);
    }
    labels[i] = j;
  }
  // a point whose mean-shift did not reach a verified maximum (stalled near a saddle) joins the nearest one
  for (let i = 0; i < points.rows; i++) {
    if (labels[i] >= 0) continue;
    const x = modes.data.subarray(i * D, (i + 1) * D);
    let best = 0;
    reps.forEach((r, j) => {
      if (distance(r, x) < distance(reps[best], x)) best = j;
    });
    labels[i] = reps.length > 0 ? best : 0;
  }
  return labels;
}

/** Number of extra groups that appear when going from partition `hi` to the finer `lo` (within each hi group). */
function splitCount(hi: Int32Array, lo: Int32Array): number {
  const seen = new Map<number, Set<number>>();
  for (let i = 0; i < hi.length; i++) {
    if (!seen.has(hi[i])) seen.set(hi[i], new Set());
    seen.get(hi[i])!.add(lo[i]);
  }
  let c = 0;
  for (const s of seen.values()) c += s.size - 1;
  return c;
}

function buildTree(n: number, top: Int32Array, sigmaMax: number, splits: { sigma: number; labels: Int32Array }[]): TreeNode {
  const groupsOf = (labels: Int32Array, members: number[]) => {
    const m = new Map<number, number[]>();
    for (const i of members) {
      if (!m.has(labels[i])) m.set(labels[i], []);
      m.get(labels[i])!.push(i);
    }
    return [...m.values()];
  };
  const all = Array.from({ length: n }, (_, i) => i);
  const first = groupsOf(top, all);
  const root: TreeNode = { sigma: null, members: all, children: [] };
  let leaves: TreeNode[] = [root];
  if (first.length > 1) {
    root.sigma = sigmaMax;
    root.children = first.map((members) => ({ sigma: null, members, children: [] }));
    leaves = root.children;
  }
  for (const split of splits.sort((a, b) => b.sigma - a.sigma)) {
    const next: TreeNode[] = [];
    for (const leaf of leaves) {
      const groups = groupsOf(split.labels, leaf.members);
      if (groups.length > 1) {
        leaf.sigma = split.sigma;
        leaf.children = groups.map((members) => ({ sigma: null, members, children: [] }));
        next.push(...leaf.children);
      } else next.push(leaf);
    }
    leaves = next;
  }
  return root;
}

/** λ_max(C)/σ² < 1: the fixed point with posterior covariance C is a maximum of p_σ (THEORY.md §5). */
function isMaximum(cov: Float64Array, D: number, sigma: number): boolean {
  const ev = symmetricEigenvalues(cov, D);
  return ev[D - 1] < sigma * sigma;
}
