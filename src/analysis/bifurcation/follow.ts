import type { DataModel } from "../../models/types.js";
import { symmetricEigenvalues } from "../../numeric/eigen.js";
import { throwIfAborted } from "../../score/program.js";
import { newtonFixedPoints } from "./newton.js";
import type { TreeNode } from "./tree.js";

/*
 * The decision tree of a dataset by following its modes up in σ (THEORY.md §5; seed 000 §5.1): at σ_min every data
 * point flows (mean-shift) to a mode; each mode is followed to the next level up by mean-shift from where it was;
 * modes that flow together merge. Read downward — the direction of generation — each merge is a split.
 * Every mean-shift of a stage (a grid level, or one bisection round of every merge bracket at once) is one batched
 * kernel call per iteration with one σ per row, so the work is rows × iterations × N·D and nothing is D².
 */

/** Two groups of data points whose modes merge going up in σ (a split, read downward). */
export interface ModeMerge {
  /** √(low · high): the bracket's geometric middle. */
  sigma: number;
  /** The merge happens between these σ's (relative width ≤ rtol). */
  low: number;
  high: number;
  /** The data points (indices) of the two groups whose modes merge. */
  groups: [number[], number[]];
  /** Their modes at `low`, and the merged mode at `high`. */
  modes: [Float64Array, Float64Array];
  merged: Float64Array;
  /**
   * `saddle-node` when one mode stays put and the other travels to it (distances to the merged mode differ by more
   * than 2×: generically a mode and a saddle annihilate), `pitchfork` when both travel alike (a symmetric merge).
   */
  kind: "saddle-node" | "pitchfork";
  /** Where: the vanishing mode (saddle-node) or the merged one (pitchfork). */
  location: Float64Array;
}

/** Options of {@link followModes}. */
export interface FollowOptions {
  /**
   * Relative width of each merge's σ bracket. @default 0.02 — σ to ±1 %: every bisection round evaluates the
   * merging modes next to their folds, where mean-shift slows down (λ_max(C/σ²) → 1), so each halving costs more
   * than the last (on the digits, 2 rounds ≈ the whole sweep up the grid).
   */
  rtol?: number;
  /** Mean-shift stops a row once its step is ≤ tol·σ (limits within 1e-3·σ are one mode). @default 1e-5 */
  tol?: number;
  /** Mean-shift iterations per stage before the rows still moving get Newton. @default 200 */
  maxIter?: number;
  /** Called with (done, total) after each grid level and each bisection round. */
  onProgress?: (done: number, total: number) => void;
  /** Checked between kernel calls. */
  signal?: AbortSignal;
}

/** What {@link followModes} found. */
export interface FollowedModes {
  /** The ascending grid and the number of modes followed at each level. */
  sigma: number[];
  modeCounts: number[];
  /** Every merge, ascending in σ. */
  merges: ModeMerge[];
  /** Read downward from σ_max: `sigma` of a node is where it splits (null at leaves). */
  tree: TreeNode;
  /** Mean-shift starts at σ_min (the points), σ levels visited (grid and bisection), and the bracket width. */
  starts: number;
  levels: number;
  rtol: number;
  /** Rows whose mean-shift hit maxIter (attached to the nearest mode found): 0 when every row converged. */
  unconverged: number;
}

/**
 * The modes of p_σ that a set of points flow to, followed up an ascending σ grid, and the decision tree they give.
 *
 * Method: at `sigmas[0]` mean-shift `x ← m(x)` from every point (an ascent of log p_σ: its limits are maxima from
 * almost every start), limits merged within 1e-3·σ; at each next level mean-shift from each mode of the level below;
 * modes whose limits coincide merge (groups of points joined). A merge between two levels is bracketed by bisection
 * in log σ to a relative width `rtol`, every open bracket of every interval advancing in the same batched round:
 * at σ_mid the lower modes of a bracket are followed to σ_mid and grouped by (their limit, their group above), so
 * the partitions stay nested; the brackets (low, mid) and (mid, high) that still merge go on. A row that reaches no
 * limit within `maxIter` (a mode at the edge of a fold, crawling) joins the nearest limit of its bracket.
 *
 * Special cases: identical points share a leaf. Modes that appear going up (creation, possible for D ≥ 2) and
 * modes that no point flows to are not seen: the search is not exhaustive (see `search` of the bifurcation
 * report). When several modes remain at σ_max the root splits at σ_max.
 *
 * @example
 * followModes(deltas(fromRows([[-1], [1]])), logSigmas(41, 0.2, 5).reverse()).merges[0].sigma; // ≈ 1 (±1 %)
 */
export function followModes(model: DataModel, points: Float64Array, sigmas: ArrayLike<number>, options: FollowOptions = {}): FollowedModes {
  const D = model.dim;
  const n = points.length / D;
  const rtol = options.rtol ?? 0.02;
  const shift = (x: Float64Array, sigma: Float64Array) => meanShiftRows(model, x, sigma, options);
  const K = sigmas.length;
  const rounds = Math.max(1, Math.ceil(Math.log2(Math.log(sigmas[K - 1] / sigmas[0]) / Math.max(1, K - 1) / Math.log1p(rtol))));
  const total = K + rounds;
  let unconverged = 0;
  let levels = 0;

  // Level 0: every point's mode.
  const first = shift(Float64Array.from(points), new Float64Array(n).fill(sigmas[0]));
  unconverged += first.unconverged;
  const leaf = groupRows(first.x, D, n, sigmas[0], first.converged);
  let modes = leaf.reps;
  let group = leaf.label; // the mode (index into `modes`) of each point
  const leafOf = Int32Array.from(group);
  const modeCounts = [modes.length / D];
  levels++;
  options.onProgress?.(1, total);

  // The sweep up the grid: each mode followed; the intervals where some merge.
  let tasks: Bracket[] = [];
  for (let k = 1; k < K; k++) {
    throwIfAborted(options.signal);
    const G = modes.length / D;
    const next = shift(Float64Array.from(modes), new Float64Array(G).fill(sigmas[k]));
    unconverged += next.unconverged;
    const g = groupRows(next.x, D, G, sigmas[k], next.converged);
    // modes of level k−1 by their mode at level k: a bracket for every mode above that receives two or more
    const by = new Map<number, number[]>();
    for (let j = 0; j < G; j++) by.set(g.label[j], [...(by.get(g.label[j]) ?? []), j]);
    const lower: number[] = [];
    for (const js of by.values()) if (js.length > 1) lower.push(...js);
    if (lower.length > 0)
      tasks.push({
        low: sigmas[k - 1],
        high: sigmas[k],
        starts: gather(modes, lower, D),
        members: lower.map((j) => membersOf(group, j)),
        above: Int32Array.from(lower, (j) => g.label[j]),
        aboveModes: g.reps,
      });
    group = Int32Array.from(group, (j) => g.label[j]);
    modes = g.reps;
    modeCounts.push(modes.length / D);
    levels++;
    options.onProgress?.(k + 1, total);
  }

  // Bisection rounds: every open bracket advances at once.
  const merges: ModeMerge[] = [];
  for (let round = 0; tasks.length > 0; round++) {
    throwIfAborted(options.signal);
    const open = tasks.filter((t) => !(t.high / t.low - 1 <= rtol));
    for (const t of tasks) if (t.high / t.low - 1 <= rtol) merges.push(...mergesOf(t, D));
    tasks = [];
    if (open.length === 0) break;
    const rows = open.reduce((s, t) => s + t.members.length, 0);
    const x = new Float64Array(rows * D);
    const sig = new Float64Array(rows);
    let o = 0;
    for (const t of open) {
      x.set(t.starts, o * D);
      sig.fill(Math.sqrt(t.low * t.high), o, o + t.members.length);
      o += t.members.length;
    }
    const mid = shift(x, sig);
    unconverged += mid.unconverged;
    levels += open.length;
    o = 0;
    for (const t of open) {
      const m = t.members.length;
      const s = Math.sqrt(t.low * t.high);
      tasks.push(...bisect(t, mid.x.subarray(o * D, (o + m) * D), mid.converged.subarray(o, o + m), s, D));
      o += m;
    }
    options.onProgress?.(Math.min(total, K + round + 1), total);
  }
  merges.sort((a, b) => a.sigma - b.sigma);
  options.onProgress?.(total, total);
  const ascending = Array.from(sigmas);
  return { sigma: ascending, modeCounts, merges, tree: treeOf(leafOf, merges, ascending[K - 1]), starts: n, levels, rtol, unconverged };
}

/**
 * A merge bracket: the modes at `low` (rows of `starts`) that share a mode at `high` with another one; `above[i]`
 * is start i's mode at `high` (a row of `aboveModes`), `members[i]` its data points.
 */
interface Bracket {
  low: number;
  high: number;
  starts: Float64Array;
  members: number[][];
  above: Int32Array;
  aboveModes: Float64Array;
}

/** The brackets (low, mid) and (mid, high) that still hold a merge, from the starts' limits at mid. */
function bisect(t: Bracket, limits: Float64Array, converged: Uint8Array, mid: number, D: number): Bracket[] {
  const m = t.members.length;
  const g = groupRows(limits, D, m, mid, converged, t.above);
  const out: Bracket[] = [];
  // (low, mid): starts that share a mode at mid
  const byMid = new Map<number, number[]>();
  for (let i = 0; i < m; i++) byMid.set(g.label[i], [...(byMid.get(g.label[i]) ?? []), i]);
  const lower: number[] = [];
  for (const is of byMid.values()) if (is.length > 1) lower.push(...is);
  if (lower.length > 0)
    out.push({ low: t.low, high: mid, starts: gather(t.starts, lower, D), members: lower.map((i) => t.members[i]), above: Int32Array.from(lower, (i) => g.label[i]), aboveModes: g.reps });
  // (mid, high): the modes at mid, by their mode at high
  const G = g.reps.length / D;
  const members: number[][] = Array.from({ length: G }, () => []);
  const aboveOf = new Int32Array(G);
  for (let i = 0; i < m; i++) {
    members[g.label[i]].push(...t.members[i]);
    aboveOf[g.label[i]] = t.above[i];
  }
  const byAbove = new Map<number, number[]>();
  for (let j = 0; j < G; j++) byAbove.set(aboveOf[j], [...(byAbove.get(aboveOf[j]) ?? []), j]);
  const upper: number[] = [];
  for (const js of byAbove.values()) if (js.length > 1) upper.push(...js);
  if (upper.length > 0)
    out.push({ low: mid, high: t.high, starts: gather(g.reps, upper, D), members: upper.map((j) => members[j]), above: Int32Array.from(upper, (j) => aboveOf[j]), aboveModes: t.aboveModes });
  return out;
}

/** The merges of a closed bracket: per mode above, its lower modes joined one by one (a triple is two merges). */
function mergesOf(t: Bracket, D: number): ModeMerge[] {
  const sigma = Math.sqrt(t.low * t.high);
  const by = new Map<number, number[]>();
  t.above.forEach((a, i) => by.set(a, [...(by.get(a) ?? []), i]));
  const out: ModeMerge[] = [];
  for (const [a, is] of by) {
    const merged = t.aboveModes.slice(a * D, (a + 1) * D);
    let joined = [...t.members[is[0]]];
    let base = t.starts.slice(is[0] * D, (is[0] + 1) * D);
    for (let q = 1; q < is.length; q++) {
      const other = t.starts.slice(is[q] * D, (is[q] + 1) * D);
      const da = distance(base, merged);
      const db = distance(other, merged);
      const kind = Math.min(da, db) * 2 >= Math.max(da, db) ? "pitchfork" : "saddle-node";
      const location = kind === "pitchfork" ? merged : da > db ? base : other;
      out.push({ sigma, low: t.low, high: t.high, groups: [[...joined].sort((x, y) => x - y), [...t.members[is[q]]].sort((x, y) => x - y)], modes: [base, other], merged, kind, location });
      joined = [...joined, ...t.members[is[q]]];
      if (db < da) base = other; // the one nearer the merged mode stands for the joined group
    }
  }
  return out;
}

/**
 * Batched mean-shift with one σ per row: each iteration one kernel call on the rows still moving; a row stops once
 * its step is ≤ tol·σ. Rows still moving after `maxIter` iterations (critical slowing down next to a fold, where
 * λ_max(C/σ²) → 1) get damped Newton ({@link newtonFixedPoints}) from where they are: a maximum found there
 * (λ_max(C)/σ² < 1) is their limit; otherwise the mode has gone (a ghost: the row is crawling past it) and the row
 * stays unconverged, to join the nearest limit. Returns the limits, which rows converged, and how many did not.
 */
function meanShiftRows(model: DataModel, x: Float64Array, sigma: Float64Array, options: FollowOptions): { x: Float64Array; converged: Uint8Array; unconverged: number } {
  const D = model.dim;
  const n = sigma.length;
  const tol = options.tol ?? 1e-5;
  const maxIter = options.maxIter ?? 200;
  const converged = new Uint8Array(n);
  let active = Array.from({ length: n }, (_, i) => i);
  for (let it = 0; it < maxIter && active.length > 0; it++) {
    throwIfAborted(options.signal);
    const q = gather(x, active, D);
    const s = Float64Array.from(active, (i) => sigma[i]);
    const m = model.denoise({ rows: active.length, dim: D, data: q }, s).data;
    const next: number[] = [];
    active.forEach((i, k) => {
      let d2 = 0;
      for (let p = 0; p < D; p++) {
        const d = m[k * D + p] - x[i * D + p];
        d2 += d * d;
        x[i * D + p] = m[k * D + p];
      }
      if (Math.sqrt(d2) <= tol * sigma[i]) converged[i] = 1;
      else next.push(i);
    });
    active = next;
  }
  // Newton for the slow rows, one call per σ among them
  const bySigma = new Map<number, number[]>();
  for (const i of active) bySigma.set(sigma[i], [...(bySigma.get(sigma[i]) ?? []), i]);
  let left = 0;
  for (const [s, rows] of bySigma) {
    throwIfAborted(options.signal);
    const r = newtonFixedPoints(model, { rows: rows.length, dim: D, data: gather(x, rows, D) }, s, { maxIter: 12, tol: 1e-9 * s, stepTol: 1e-7 * s });
    rows.forEach((i, k) => {
      const cov = r.covariance.subarray(k * D * D, (k + 1) * D * D);
      if (r.converged[k] && symmetricEigenvalues(cov, D)[D - 1] < s * s) {
        x.set(r.x.data.subarray(k * D, (k + 1) * D), i * D);
        converged[i] = 1;
      } else left++;
    });
  }
  return { x, converged, unconverged: left };
}

/**
 * Rows grouped by their position: rows within 1e-3·σ of a representative (and with the same `key`, when given)
 * share its label; representatives in first-seen order, converged rows first; an unconverged row joins the nearest
 * representative of its key (or founds one when there is none). Candidates are found by sorting the rows'
 * projections on a fixed direction, so the cost is n log n plus the near pairs.
 */
function groupRows(x: Float64Array, D: number, n: number, sigma: number, converged: Uint8Array, key?: Int32Array): { label: Int32Array; reps: Float64Array } {
  const eps = 1e-3 * sigma;
  const dir = Float64Array.from({ length: D }, (_, p) => 1 / Math.sqrt(D) + (p % 2 ? 1e-3 : -1e-3) * (p + 1) / D);
  const proj = (row: Float64Array | number[], o = 0) => {
    let s = 0;
    for (let p = 0; p < D; p++) s += dir[p] * row[o + p];
    return s;
  };
  const label = new Int32Array(n).fill(-1);
  const repRows: number[] = [];
  const order = Array.from({ length: n }, (_, i) => i).filter((i) => converged[i]);
  const pr = new Float64Array(n);
  for (let i = 0; i < n; i++) pr[i] = proj(x, i * D);
  const dnorm = Math.sqrt(dir.reduce((s, v) => s + v * v, 0));
  order.sort((a, b) => pr[a] - pr[b]);
  // sweep: a row joins an earlier representative whose projection is within eps·|dir| and distance within eps
  const window: number[] = []; // representatives, in projection order, from index `first` on
  let first = 0;
  for (const i of order) {
    while (first < window.length && pr[i] - pr[repRows[window[first]]] > eps * dnorm) first++;
    let found = -1;
    for (let w = first; w < window.length; w++) {
      const r = window[w];
      const j = repRows[r];
      if ((!key || key[j] === key[i]) && rowDistance(x, i, j, D) <= eps) {
        found = r;
        break;
      }
    }
    if (found < 0) {
      found = repRows.length;
      repRows.push(i);
      window.push(found);
    }
    label[i] = found;
  }
  for (let i = 0; i < n; i++) {
    if (label[i] >= 0) continue;
    let best = -1;
    for (let r = 0; r < repRows.length; r++) {
      if (key && key[repRows[r]] !== key[i]) continue;
      if (best < 0 || rowDistance(x, i, repRows[r], D) < rowDistance(x, i, repRows[best], D)) best = r;
    }
    if (best < 0) {
      best = repRows.length;
      repRows.push(i);
    }
    label[i] = best;
  }
  // relabel in first-seen (row) order, so labels do not depend on the projection
  const order2 = new Int32Array(repRows.length).fill(-1);
  let next = 0;
  for (let i = 0; i < n; i++) if (order2[label[i]] < 0) order2[label[i]] = next++;
  const reps = new Float64Array(repRows.length * D);
  repRows.forEach((row, r) => reps.set(x.subarray(row * D, (row + 1) * D), order2[r] * D));
  return { label: Int32Array.from(label, (l) => order2[l]), reps };
}

function rowDistance(x: Float64Array, i: number, j: number, D: number): number {
  let s = 0;
  for (let p = 0; p < D; p++) s += (x[i * D + p] - x[j * D + p]) ** 2;
  return Math.sqrt(s);
}

function distance(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let k = 0; k < a.length; k++) s += (a[k] - b[k]) ** 2;
  return Math.sqrt(s);
}

function gather(x: Float64Array, rows: number[], D: number): Float64Array {
  const out = new Float64Array(rows.length * D);
  rows.forEach((r, k) => out.set(x.subarray(r * D, (r + 1) * D), k * D));
  return out;
}

function membersOf(group: Int32Array, g: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < group.length; i++) if (group[i] === g) out.push(i);
  return out;
}

/** The tree read downward: the leaves (modes at σ_min), joined by each merge in increasing σ. */
function treeOf(leafOf: Int32Array, merges: ModeMerge[], sigmaMax: number): TreeNode {
  const leaves = new Map<number, number[]>();
  leafOf.forEach((g, i) => leaves.set(g, [...(leaves.get(g) ?? []), i]));
  const nodeOf = new Array<TreeNode>(leafOf.length);
  for (const members of leaves.values()) {
    const node: TreeNode = { sigma: null, members, children: [] };
    for (const i of members) nodeOf[i] = node;
  }
  for (const m of merges) {
    const a = nodeOf[m.groups[0][0]];
    const b = nodeOf[m.groups[1][0]];
    if (a === b) continue;
    const node: TreeNode = { sigma: m.sigma, members: [...a.members, ...b.members].sort((x, y) => x - y), children: [a, b] };
    for (const i of node.members) nodeOf[i] = node;
  }
  const roots = [...new Set(nodeOf)];
  if (roots.length === 1) return roots[0];
  return { sigma: sigmaMax, members: roots.flatMap((r) => r.members).sort((x, y) => x - y), children: roots };
}
