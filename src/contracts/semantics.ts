import type { DecisionLevels } from "../analysis/info/hierarchy.js";
import type { Peak } from "../analysis/info/peak.js";
import { steepestFall, type OnlineClassification } from "../analysis/info/online-classifier.js";
import type { SemanticProfile } from "../analysis/info/semantics.js";
import { type Envelope, withEnvelope } from "./envelope.js";

/** The parameters of `infodyn semantics`. */
export interface SemanticsParams {
  partitions: number[][][];
  sigmaMin: number;
  sigmaMax: number;
  steps: number;
  samples: number;
  seed: number;
  /** `--hierarchy`: the levels in `partitions` are the class hierarchy's (finest first), merged by this linkage. */
  hierarchy?: { linkage: string };
}

/** A curve over σ with its standard errors. */
interface Curve {
  value: number[];
  standardError: number[];
}

/** The payload of `infodyn semantics --json`: curves aligned with `sigma` (ascending). */
export interface SemanticsPayload {
  sigma: number[];
  numClasses: number;
  classNames?: string[];
  classEntropy: Curve;
  /** Exact models only (a denoiser: see `omitted`). */
  classEntropyRate?: Curve;
  /**
   * Per partition: its groups, H(G|x), H(c|G,x), and on exact models dH(G|x)/dσ and the peak of σ·dH(G|x)/dσ; on a
   * denoiser the σ where the classifier's H(G|x) falls fastest per unit log σ.
   */
  partitions: { groups: number[][]; groupEntropy: Curve; withinEntropy: Curve; groupEntropyRate?: Curve; peak?: Peak; steepestFall?: { sigma: number; value: number } }[];
  /** Per class: r_c(σ) with SEs, the class's share of the data, and its critical window (peak of σ r_c); exact models. */
  perClass?: { rate: Curve; weight: number; window?: Peak }[];
  /**
   * `--hierarchy` (exact models): per level of the class hierarchy, finest (K groups) to coarsest (2 groups), aligned
   * with `partitions`: its groups, `decision` (the peak of σ·dH(G|x_σ)/dσ with its bracket), and the split it adds to
   * the next coarser level with that split's own decision (peak of σ·dH(G_k|G_{k+1},x_σ)/dσ, G_{k+1} the next coarser level; SE from 16 batches).
   */
  levels?: { partition: number[][]; decision?: Peak; split: { groups: [number[], number[]]; rate: Curve; decision?: Peak } }[];
  /** `--hierarchy`: the tree's merges, finest first (`merges[k]` joins two groups of `levels[k]`), with the linkage's cost. */
  hierarchy?: { linkage: string; merges: { groups: [number[], number[]]; cost: number }[] };
  /** Draws per σ (exact models), or the classifier's paths (a denoiser). */
  samples: number;
  method: string;
  /** A denoiser: the keys left out, each with the reason. */
  omitted?: Record<string, string>;
}

export type SemanticsJson = Envelope<"semantics", SemanticsParams> & SemanticsPayload;

const curve = (e: { value: number; standardError: number }[]): Curve => ({ value: e.map((x) => x.value), standardError: e.map((x) => x.standardError) });

/**
 * The payload of the online Bayes classifier's route (a conditional denoiser): its path averages reordered to ascending
 * σ; H(c|G,x) = H(c|x) − H(G|x) level by level (the chain rule, here a definition).
 */
export function classifierSemanticsPayload(r: OnlineClassification, partitions: number[][][], method: string, classNames?: readonly string[]): SemanticsPayload {
  const rev = <T>(a: readonly T[]) => [...a].reverse();
  const classEntropy = curve(rev(r.classEntropy));
  return {
    sigma: rev(r.sigma),
    numClasses: r.numClasses,
    ...(classNames ? { classNames: [...classNames] } : {}),
    classEntropy,
    partitions: partitions.map((groups, k) => {
      const h = curve(rev(r.groupEntropy[k]));
      return {
        groups,
        groupEntropy: h,
        withinEntropy: { value: h.value.map((v, i) => classEntropy.value[i] - v), standardError: h.standardError.map((e, i) => Math.hypot(e, classEntropy.standardError[i])) },
        steepestFall: steepestFall({ sigma: r.sigma, classEntropy: r.groupEntropy[k] }),
      };
    }),
    samples: r.paths,
    method,
    omitted: {
      classEntropyRate: "the rates need the exact class posterior and class means; on a denoiser the σ where H(G|x) falls fastest stands for the peak",
      perClass: "the per-class profile needs the exact class posterior",
    },
  };
}

/** The payload of a {@link SemanticProfile}. */
export function semanticsPayload(p: SemanticProfile, classNames?: readonly string[]): SemanticsPayload {
  return {
    sigma: p.sigma,
    numClasses: p.numClasses,
    ...(classNames ? { classNames: [...classNames] } : {}),
    classEntropy: curve(p.classEntropy),
    classEntropyRate: curve(p.classRate),
    partitions: p.partitions.map((q) => ({
      groups: q.groups,
      groupEntropy: curve(q.groupEntropy),
      withinEntropy: curve(q.withinEntropy),
      groupEntropyRate: curve(q.groupRate),
      ...(q.peak ? { peak: q.peak } : {}),
    })),
    perClass: p.perClass.rate.map((r, c) => ({ rate: curve(r), weight: p.perClass.weight[c], ...(p.perClass.window[c] ? { window: p.perClass.window[c] } : {}) })),
    samples: p.samples,
    method: p.method,
  };
}

/** The `levels` and `hierarchy` keys of `semantics --hierarchy`. */
export function decisionLevelsPayload(d: DecisionLevels): Pick<SemanticsPayload, "levels" | "hierarchy"> {
  return {
    levels: d.levels.map((l) => ({
      partition: l.partition,
      ...(l.decision ? { decision: l.decision } : {}),
      split: { groups: l.split.groups, rate: curve(l.split.rate), ...(l.split.decision ? { decision: l.split.decision } : {}) },
    })),
    hierarchy: { linkage: d.hierarchy.linkage, merges: d.hierarchy.merges },
  };
}

/**
 * The JSON contract of `semantics` (every number checked finite).
 *
 * @example
 * semanticsContract(semanticsPayload(semanticProfile(model, sigmas, [[[0, 1], [2, 3]]])), envelope("semantics", info, params));
 */
export function semanticsContract(payload: SemanticsPayload, env: Envelope<"semantics", SemanticsParams>): SemanticsJson {
  return withEnvelope(env, payload);
}
