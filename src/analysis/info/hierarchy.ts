import { InfodynError } from "../../errors.js";
import type { DataModel } from "../../models/types.js";
import type { Estimate } from "./expect.js";
import { levelSeed } from "./design.js";
import { findPeak, type Peak } from "./peak.js";
import { semanticProfile, type SemanticOptions, type SemanticProfile } from "./semantics.js";

/** How two groups of classes are compared when they are merged. */
export type Linkage = "ward" | "average";
const LINKAGES: readonly Linkage[] = ["ward", "average"];

/** Options of {@link classHierarchy}. */
export interface HierarchyOptions {
  /** Merge criterion (default "ward": the loss of between-group variance, see {@link classHierarchy}). */
  linkage?: Linkage;
}

/** A binary tree over the classes as nested partitions. */
export interface ClassHierarchy {
  /** `levels[k]` has K − k groups: `levels[0]` every class alone, `levels[K−1]` one group. Groups sorted by their first class. */
  levels: number[][][];
  /** `merges[k]`: the two groups of `levels[k]` joined in `levels[k+1]`, and the linkage's cost of joining them. */
  merges: { groups: [number[], number[]]; cost: number }[];
  /** Class centres μ_c = E[y | c] (K × D) and class priors π_c (summing to 1). */
  centres: Float64Array;
  weights: number[];
  linkage: Linkage;
}

/**
 * The class centres of a labelled mixture (THEORY.md §2b): `π_c = Σ_{k∈c} π_k`, `μ_c = Σ_{k∈c} π_k μ_k / π_c` (the
 * components' means: exact for deltas and labelled GMMs, as in `classMoments`).
 */
export function classCentres(model: DataModel): { centres: Float64Array; weights: number[] } {
  const st = model.structure;
  const C = model.numClasses;
  if (!(C >= 2) || st?.type !== "mixture" || !st.labels)
    throw new InfodynError(`model: a class hierarchy needs a labelled mixture (deltas with labels, or a gmm) with at least 2 classes (${model.kind} has ${C})`);
  const D = model.dim;
  const centres = new Float64Array(C * D);
  const w = new Float64Array(C);
  for (let k = 0; k < st.labels.length; k++) {
    const c = st.labels[k];
    w[c] += st.weights[k];
    for (let d = 0; d < D; d++) centres[c * D + d] += st.weights[k] * st.means.data[k * D + d];
  }
  const total = w.reduce((a, b) => a + b, 0);
  for (let c = 0; c < C; c++) {
    if (!(w[c] > 0)) throw new InfodynError(`model: class ${model.classNames?.[c] ?? c} has no data (weight 0); a class hierarchy needs every class`);
    for (let d = 0; d < D; d++) centres[c * D + d] /= w[c];
  }
  return { centres, weights: Array.from(w, (v) => v / total) };
}

/**
 * Agglomerative merging of the class centres, weighted by the class priors, into a binary tree, returned as nested
 * partitions from the K singletons to one group.
 *
 * Method: start from the classes; repeatedly join the two groups of least cost (ties: the pair listed first, groups
 * ordered by their first class). Ward (default): `Δ(A, B) = π_A π_B/(π_A + π_B) ‖μ_A − μ_B‖²`, μ_G the prior-weighted
 * mean of G's centres — the loss of between-group variance `B(P) = Σ_{G∈P} π_G ‖μ_G − μ‖²` by the merge, so the costs
 * of the K − 1 merges sum to B of the classes. Why Ward: at low signal-to-noise `I(G; x_σ) = B(P)/(2σ²) + O(σ⁻⁴)`
 * (I-MMSE at snr → 0: `I(y;x) − I(y;x|G)` to first order), so each Ward merge gives up the least information about the
 * groups at high noise, where the coarse decisions are made: every level is (greedily) the partition the noisy state
 * learns first. "average": the prior-weighted mean distance between the two groups' centres,
 * `Σ_{a∈A,b∈B} π_a π_b ‖μ_a − μ_b‖/(π_A π_B)` (UPGMA; Lance–Williams update); it ignores the information argument.
 *
 * Special cases: throws {@link InfodynError} for a model that is not a labelled mixture, a class of weight 0, or an
 * unknown `linkage`. O(K³) time: meant for K up to a few hundred classes.
 *
 * @example
 * classHierarchy(model).levels; // e.g. [[[0],[1],[2],[3]], [[0],[1],[2,3]], [[0,1],[2,3]], [[0,1,2,3]]]
 */
export function classHierarchy(model: DataModel, options: HierarchyOptions = {}): ClassHierarchy {
  const linkage = checkLinkage(options.linkage);
  const { centres, weights } = classCentres(model);
  return mergeCentres(centres, weights, model.dim, linkage);
}

/** The tree of {@link classHierarchy} from centres (K × D, row-major) and priors π (the kernel; never throws). */
export function mergeCentres(centres: Float64Array, weights: readonly number[], D: number, linkage: Linkage = "ward"): ClassHierarchy {
  const K = weights.length;
  // the live groups: members, prior π_G and centre μ_G; `dist[a][b]` the average linkage's distance
  let groups = Array.from({ length: K }, (_, c) => ({ members: [c], weight: weights[c], centre: centres.slice(c * D, (c + 1) * D) }));
  const euclid = (a: Float64Array, b: Float64Array) => Math.sqrt(a.reduce((s, v, d) => s + (v - b[d]) ** 2, 0));
  let dist = groups.map((a) => groups.map((b) => euclid(a.centre, b.centre)));
  const cost = (i: number, j: number) => {
    const a = groups[i];
    const b = groups[j];
    if (linkage === "average") return dist[i][j];
    return ((a.weight * b.weight) / (a.weight + b.weight)) * euclid(a.centre, b.centre) ** 2;
  };
  const snapshot = () => groups.map((g) => [...g.members].sort((x, y) => x - y)).sort((x, y) => x[0] - y[0]);
  const levels = [snapshot()];
  const merges: ClassHierarchy["merges"] = [];
  while (groups.length > 1) {
    let best = [0, 1];
    let least = Infinity;
    for (let i = 0; i < groups.length; i++)
      for (let j = i + 1; j < groups.length; j++) {
        const c = cost(i, j);
        if (c < least) [least, best] = [c, [i, j]];
      }
    const [i, j] = best;
    const a = groups[i];
    const b = groups[j];
    const weight = a.weight + b.weight;
    const centre = a.centre.map((v, d) => (a.weight * v + b.weight * b.centre[d]) / weight);
    const sorted = (m: number[]) => [...m].sort((x, y) => x - y);
    merges.push({ groups: [sorted(a.members), sorted(b.members)].sort((x, y) => x[0] - y[0]) as [number[], number[]], cost: least });
    // Lance–Williams for the prior-weighted average: d(A∪B, C) = (π_A d(A,C) + π_B d(B,C))/(π_A + π_B)
    const joined = groups.map((_, k) => (a.weight * dist[i][k] + b.weight * dist[j][k]) / weight);
    const keep = groups.map((_, k) => k).filter((k) => k !== i && k !== j);
    const next = [...keep.map((k) => groups[k]), { members: [...a.members, ...b.members], weight, centre }];
    dist = [...keep.map((k) => [...keep.map((l) => dist[k][l]), joined[k]]), [...keep.map((k) => joined[k]), 0]];
    // keep the live groups ordered by their first class, so ties break the same way at every level
    const order = next.map((_, k) => k).sort((x, y) => Math.min(...next[x].members) - Math.min(...next[y].members));
    groups = order.map((k) => next[k]);
    dist = order.map((k) => order.map((l) => dist[k][l]));
    levels.push(snapshot());
  }
  return { levels, merges, centres, weights: [...weights], linkage };
}

function checkLinkage(linkage: unknown): Linkage {
  if (linkage === undefined) return "ward";
  if (!LINKAGES.includes(linkage as Linkage)) throw new InfodynError(`linkage: must be one of ${LINKAGES.join(", ")} (got ${JSON.stringify(linkage)})`);
  return linkage as Linkage;
}

/** One level of the hierarchy with at least 2 groups, and when it is decided. */
export interface DecisionLevel {
  /** The level's groups (a partition of the classes). */
  partition: number[][];
  /** H(G|x_σ), H(c|G, x_σ) and dH(G|x_σ)/dσ over σ (ascending), as in {@link semanticProfile}. */
  groupEntropy: Estimate[];
  withinEntropy: Estimate[];
  groupRate: Estimate[];
  /** Grid maximum of σ · dH(G|x_σ)/dσ with its bracket: where this level's group entropy falls fastest. */
  decision?: Peak;
  /**
   * The split this level adds to the next coarser one: its two groups (joined there) and the rate of
   * `H(G_k|x) − H(G_{k+1}|x) = H(G_k | G_{k+1}, x)` (the chain rule of §9.3 one level up), with the peak of σ times it.
   * Its standard error is the batch-means one ({@link SPLIT_BATCHES} batches: the two levels share their draws).
   */
  split: { groups: [number[], number[]]; rate: Estimate[]; decision?: Peak };
}

/** What {@link decisionLevels} returns. */
export interface DecisionLevels {
  sigma: number[];
  hierarchy: ClassHierarchy;
  /** From the finest (K groups) to the coarsest non-trivial level (2 groups); the one-group level is never undecided. */
  levels: DecisionLevel[];
  /** The semantic profile of every level at once (`partitions[k]` is `levels[k]`), pooled over the batches. */
  profile: SemanticProfile;
}

/** Independent batches of draws (seeds `levelSeed(seed, b)`) whose spread gives the splits' standard errors. */
export const SPLIT_BATCHES = 16;

/**
 * Decision levels of a partition hierarchy (THEORY.md §9.3; issue 17 item 4): {@link semanticProfile} on every level
 * of {@link classHierarchy} at once (the same draws for all levels), and per level the σ where its group entropy falls
 * fastest, the grid peak of `σ · dH(G|x_σ)/dσ` with its 2-SE bracket; per split, the peak of `σ · dH(G_k|G_{k+1},x_σ)/dσ`.
 *
 * A level's entropy holds every coarser split too (`H(G_k|x) = Σ_{j≥k} H(G_j | G_{j+1}, x)`), so its peak sits at a
 * coarser split whenever that one's bump is higher (with equal priors every level peaks at the top split); the split's
 * own peak says when that split is made.
 *
 * Method: `samples` draws per σ in {@link SPLIT_BATCHES} batches, each a {@link semanticProfile} run with its own seed;
 * the levels' means and standard errors pooled over all draws, the splits' (a difference of two levels on shared
 * draws) from the spread of the batch means. The per-class profile pools the batches that drew a class at least twice
 * (NaN where none did: give more samples).
 *
 * Special cases: throws {@link InfodynError} as {@link classHierarchy} and {@link semanticProfile} do, for fewer than 2
 * noise levels, and for `samples` below 2 per batch.
 *
 * @example
 * decisionLevels(model, logSigmas(31, 0.1, 30), { samples: 4000 }).levels.map((l) => l.split.decision?.sigma);
 */
export function decisionLevels(model: DataModel, sigmas: readonly number[], options: SemanticOptions & HierarchyOptions = {}): DecisionLevels {
  if (!(sigmas.length >= 2)) throw new InfodynError(`sigmas: need at least 2 noise levels to locate a decision (got ${sigmas.length})`);
  const n = options.samples ?? 4000;
  const B = SPLIT_BATCHES;
  if (!(Number.isInteger(n) && n >= 2 * B)) throw new InfodynError(`samples: must be an integer ≥ ${2 * B} for a hierarchy (${B} batches of at least 2 draws; got ${n})`);
  const hierarchy = classHierarchy(model, options);
  const parts = hierarchy.levels.slice(0, -1);
  const L = sigmas.length;
  const sizes = Array.from({ length: B }, (_, b) => Math.floor(n / B) + (b < n % B ? 1 : 0));
  const seed = options.seed ?? 0;
  const runs = sizes.map((size, b) =>
    semanticProfile(model, sigmas, parts, { samples: size, seed: levelSeed(seed, b), signal: options.signal, onProgress: (done) => options.onProgress?.(b * L + done, B * L) }),
  );
  const pooled = (get: (r: SemanticProfile) => Estimate[], w = sizes) => poolEstimates(runs.map(get), w);
  const sigma = [...sigmas];
  const peak = (rate: Estimate[]) =>
    rate.some((r) => !Number.isFinite(r.value))
      ? undefined
      : findPeak(() => NaN, sigma, rate.map((r, i) => sigma[i] * r.value), { errors: rate.map((r, i) => sigma[i] * r.standardError) });
  const partitions = parts.map((groups, k) => {
    const groupRate = pooled((r) => r.partitions[k].groupRate);
    const p = peak(groupRate);
    return { groups, groupEntropy: pooled((r) => r.partitions[k].groupEntropy), withinEntropy: pooled((r) => r.partitions[k].withinEntropy), groupRate, ...(p ? { peak: p } : {}) };
  });
  const C = model.numClasses;
  const classCounts = Array.from({ length: C }, (_, c) => runs.map((r, b) => r.perClass.weight[c] * sizes[b]));
  const perClassRate = Array.from({ length: C }, (_, c) => pooled((r) => r.perClass.rate[c], classCounts[c]));
  const profile: SemanticProfile = {
    sigma,
    numClasses: C,
    classEntropy: pooled((r) => r.classEntropy),
    classRate: pooled((r) => r.classRate),
    partitions,
    perClass: { rate: perClassRate, window: perClassRate.map(peak), weight: classCounts.map((w) => w.reduce((a, b) => a + b, 0) / n) },
    samples: n,
    method: `${runs[0].method.replace(/^Monte Carlo: \d+/, `Monte Carlo: ${n}`)}; in ${B} seeded batches (the splits' standard errors from their spread)`,
  };
  const levels = partitions.map((p, k): DecisionLevel => {
    const rate = sigma.map((_, i) => batchMean(runs.map((r) => r.partitions[k].groupRate[i].value - (r.partitions[k + 1]?.groupRate[i].value ?? 0)), sizes));
    const split = peak(rate);
    return {
      partition: p.groups,
      groupEntropy: p.groupEntropy,
      withinEntropy: p.withinEntropy,
      groupRate: p.groupRate,
      ...(p.peak ? { decision: p.peak } : {}),
      split: { groups: hierarchy.merges[k].groups, rate, ...(split ? { decision: split } : {}) },
    };
  });
  return { sigma, hierarchy, levels, profile };
}

/** Per σ: the mean over all draws of batches of `w[b]` draws, `Σ w_b v_b/Σ w_b`, SE `√(Σ w_b² se_b²)/Σ w_b` (NaN-free batches only). */
function poolEstimates(batches: Estimate[][], w: readonly number[]): Estimate[] {
  return batches[0].map((_, i) => {
    let W = 0;
    let sum = 0;
    let v2 = 0;
    batches.forEach((e, b) => {
      if (!(w[b] > 0) || !Number.isFinite(e[i].value)) return;
      W += w[b];
      sum += w[b] * e[i].value;
      v2 += (w[b] * e[i].standardError) ** 2;
    });
    return W > 0 ? { value: sum / W, standardError: Math.sqrt(v2) / W } : { value: NaN, standardError: NaN };
  });
}

/** The weighted mean of batch means `v_b` (weights `w_b`) and its batch-means SE `√(B/(B−1) Σ w_b² (v_b − v̄)²)/Σ w_b`. */
function batchMean(v: readonly number[], w: readonly number[]): Estimate {
  const W = w.reduce((a, b) => a + b, 0);
  const mean = v.reduce((a, x, b) => a + w[b] * x, 0) / W;
  const ss = v.reduce((a, x, b) => a + (w[b] * (x - mean)) ** 2, 0);
  return { value: mean, standardError: Math.sqrt((v.length / (v.length - 1)) * ss) / W };
}
