import type { CriticalPointSet } from "../analysis/bifurcation/critical-points.js";
import type { SearchInfo } from "../analysis/bifurcation/search.js";
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
  /** True only where the set is proven complete (1-D point masses, every fixed point bracketed; a Gaussian). */
  complete: boolean;
  morseSum: number;
  /** D ≤ 3: every kind of start tried, no point degenerate and the Morse sum 1 (necessary, not sufficient). */
  morseConsistent: boolean;
  /** The starts, their kinds, and why the search is or is not complete. */
  search: SearchInfo;
}

export type ModesJson = Envelope<"modes", ModesParams> & ModesPayload;

/** The payload of {@link modesContract}. */
export function modesPayload(set: CriticalPointSet): ModesPayload {
  return {
    sigma: set.sigma,
    criticalPoints: set.points.map((p) => ({ x: Array.from(p.x), kind: p.kind, hessianEigenvalues: Array.from(p.hessianEigenvalues) })),
    complete: set.complete,
    morseSum: set.morseSum,
    morseConsistent: set.morseConsistent,
    search: set.search,
  };
}

/**
 * The JSON contract of `infodyn modes --json`: `{…envelope, sigma, criticalPoints: [{x, kind, hessianEigenvalues}],
 * complete, morseSum, morseConsistent, search: {starts, kinds, complete, why}}`.
 */
export function modesContract(set: CriticalPointSet, env: Envelope<"modes", ModesParams>): ModesJson {
  return withEnvelope(env, modesPayload(set));
}
