import type { BifurcationReport } from "../analysis/bifurcation/report.js";
import type { CriticalExponents } from "../analysis/bifurcation/curie-weiss.js";
import type { TreeNode } from "../analysis/bifurcation/tree.js";
import { type Envelope, withEnvelope } from "./envelope.js";

/** The parameters of `infodyn bifurcations` (the σ range resolved: default [E/20, 2E]). */
export interface BifurcationsParams {
  sigmaMin: number;
  sigmaMax: number;
  steps: number;
  seed: number;
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
    })),
    tree: report.tree ?? null,
  };
  if (report.criticalExponents) out.criticalExponents = report.criticalExponents;
  return out;
}

/**
 * The JSON contract of `infodyn bifurcations --json`: `{…envelope, sigmaMin, sigmaMax, steps, branchings: [{sigma,
 * modesAbove, modesBelow, kind, location, locations}], tree, criticalExponents}`.
 */
export function bifurcationsContract(report: BifurcationReport, env: Envelope<"bifurcations", BifurcationsParams>): BifurcationsJson {
  return withEnvelope(env, bifurcationsPayload(report));
}
