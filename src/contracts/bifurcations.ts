import type { BifurcationReport } from "../analysis/bifurcation/report.js";
import type { CriticalExponents } from "../analysis/bifurcation/curie-weiss.js";
import type { TreeNode } from "../analysis/bifurcation/tree.js";
import type { SearchInfo } from "../analysis/bifurcation/search.js";
import { type Envelope, withEnvelope } from "./envelope.js";

/** The parameters of `infodyn bifurcations` (the σ range resolved: the data's default, README "Default noise levels"). */
export interface BifurcationsParams {
  sigmaMin: number;
  sigmaMax: number;
  steps: number;
  seed: number;
  /** `--rtol`, when the route follows modes up in σ. */
  rtol?: number;
}

/** One branching in the JSON. */
export interface BranchingJson {
  sigma: number;
  modesAbove: number;
  modesBelow: number;
  kind: string;
  location: number[];
  /** Every symmetric copy of the branching. */
  locations: number[][];
  /** Where σ was bracketed (modes followed up in σ; σ is the bracket's geometric middle). */
  bracket?: [number, number];
}

/** The payload of `infodyn bifurcations --json` (issue 5). */
export interface BifurcationsPayload {
  sigmaMin: number;
  sigmaMax: number;
  steps: number;
  /** Ascending in σ. */
  branchings: BranchingJson[];
  /** `{sigma, members, children}`, `sigma: null` at leaves; null without a mixture structure. */
  tree: TreeNode | null;
  /** Two-delta models only. */
  criticalExponents?: CriticalExponents;
  /** `fixed points on a grid` (D ≤ 3, few points) or `modes followed up in σ`. */
  method?: string;
  /** The starts, and whether (and why) the search can have missed a branching. */
  search?: SearchInfo;
  /** Modes followed at each level of the ascending grid (`modes followed up in σ`). */
  modeCounts?: { sigma: number[]; counts: number[] };
  /** Relative width of the σ brackets (`modes followed up in σ`). */
  rtol?: number;
}

export type BifurcationsJson = Envelope<"bifurcations", BifurcationsParams> & BifurcationsPayload;

/** The payload of {@link bifurcationsContract}. */
export function bifurcationsPayload(report: BifurcationReport): BifurcationsPayload {
  const out: BifurcationsPayload = {
    sigmaMin: report.sigmaMin,
    sigmaMax: report.sigmaMax,
    steps: report.steps,
    branchings: report.branchings.map((b) => ({
      sigma: b.sigma,
      modesAbove: b.modesAbove,
      modesBelow: b.modesBelow,
      kind: b.kind,
      location: Array.from(b.location),
      locations: b.locations.map((x) => Array.from(x)),
      ...(b.bracket ? { bracket: b.bracket } : {}),
    })),
    tree: report.tree ?? null,
  };
  if (report.criticalExponents) out.criticalExponents = report.criticalExponents;
  if (report.method) out.method = report.method;
  if (report.search) out.search = report.search;
  if (report.modeCounts) out.modeCounts = report.modeCounts;
  if (report.rtol !== undefined) out.rtol = report.rtol;
  return out;
}

/**
 * The JSON contract of `infodyn bifurcations --json`: `{…envelope, sigmaMin, sigmaMax, steps, branchings: [{sigma,
 * modesAbove, modesBelow, kind, location, locations, bracket?}], tree, criticalExponents?, method, search, modeCounts?,
 * rtol?}`.
 */
export function bifurcationsContract(report: BifurcationReport, env: Envelope<"bifurcations", BifurcationsParams>): BifurcationsJson {
  return withEnvelope(env, bifurcationsPayload(report));
}
