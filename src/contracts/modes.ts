import type { CriticalPointSet } from "../analysis/bifurcation/critical-points.js";
import { type Envelope, withEnvelope } from "./envelope.js";

/** The parameters of `infodyn modes`. */
export interface ModesParams {
  sigma: number;
  seed: number;
}

/** The payload of `infodyn modes --json` (issue 5). */
export interface ModesPayload {
  sigma: number;
  criticalPoints: { x: number[]; kind: "max" | "saddle" | "min"; hessianEigenvalues: number[] }[];
  /** True when the search is exhaustive (D ≤ 3), no point is degenerate and the Morse sum is 1. */
  complete: boolean;
  morseSum: number;
}

export type ModesJson = Envelope<"modes", ModesParams> & ModesPayload;

/** The payload of {@link modesContract}. */
export function modesPayload(set: CriticalPointSet): ModesPayload {
  return {
    sigma: set.sigma,
    criticalPoints: set.points.map((p) => ({ x: Array.from(p.x), kind: p.kind, hessianEigenvalues: Array.from(p.hessianEigenvalues) })),
    complete: set.complete,
    morseSum: set.morseSum,
  };
}

/**
 * The JSON contract of `infodyn modes --json`: `{…envelope, sigma, criticalPoints: [{x, kind, hessianEigenvalues}],
 * complete, morseSum}`.
 */
export function modesContract(set: CriticalPointSet, env: Envelope<"modes", ModesParams>): ModesJson {
  return withEnvelope(env, modesPayload(set));
}
