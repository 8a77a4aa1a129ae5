import type { Peak } from "../analysis/info/peak.js";
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
  classEntropyRate: Curve;
  /** Per partition: its groups, H(G|x), H(c|G,x), dH(G|x)/dσ and the peak of σ·dH(G|x)/dσ. */
  partitions: { groups: number[][]; groupEntropy: Curve; withinEntropy: Curve; groupEntropyRate: Curve; peak?: Peak }[];
  /** Per class: r_c(σ) with SEs, the class's share of the data, and its critical window (peak of σ r_c). */
  perClass: { rate: Curve; weight: number; window?: Peak }[];
  samples: number;
  method: string;
}

export type SemanticsJson = Envelope<"semantics", SemanticsParams> & SemanticsPayload;

const curve = (e: { value: number; standardError: number }[]): Curve => ({ value: e.map((x) => x.value), standardError: e.map((x) => x.standardError) });

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

/**
 * The JSON contract of `semantics` (every number checked finite).
 *
 * @example
 * semanticsContract(semanticsPayload(semanticProfile(model, sigmas, [[[0, 1], [2, 3]]])), envelope("semantics", info, params));
 */
export function semanticsContract(payload: SemanticsPayload, env: Envelope<"semantics", SemanticsParams>): SemanticsJson {
  return withEnvelope(env, payload);
}
