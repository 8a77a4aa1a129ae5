import type { InformationProfile } from "../analysis/info/grid.js";
import type { ProfilePoint } from "../analysis/info/profile.js";
import type { ParticipationStats } from "../analysis/thermo/participation.js";
import type { ReportPlan } from "../report/plan.js";
import type { BranchingResults } from "../report/sections.js";
import { type Envelope, withEnvelope } from "./envelope.js";
import type { LyapunovSeries } from "./paths.js";

/** The payload of `report`'s results.json: every number the report shows. */
export interface ReportPayload {
  seed: number;
  /** The command line that produced the report ("" when built through the API). */
  commandLine: string;
  /** √(Tr Cov(y)/D), the σ scale of the data. */
  dataScale: number;
  /** The information profile on the plan's σ grid (ascending) and its peaks. */
  profile: { sigma: number[]; points: ProfilePoint[]; peaks: InformationProfile["peaks"] };
  /** Reverse trajectories: levels (descending), decision histogram (discrete models), Lyapunov rates. */
  paths: { sigma: number[]; decisionSigma?: { edges: number[]; counts: number[] }; lyapunov: Omit<LyapunovSeries, "jacobian"> };
  /** Participation ratio vs σ (discrete models). */
  participation?: ParticipationStats;
  /** Branchings and the decision tree (1-D and 2-D mixtures). */
  bifurcations?: BranchingResults;
  /** The compared schedules' levels, ascending, by kind. */
  schedules: Record<string, number[]>;
  /** The critical windows in plain words. */
  summary: string[];
}

/** results.json of `infodyn report`: the envelope (its `params` are the report's plan), then the payload. */
export type ReportJson = Envelope<"report", ReportPlan> & ReportPayload;

/**
 * The JSON contract of `report`'s results.json.
 *
 * @example
 * const plan = reportPlan(model); const report = buildReport(model, plan, { source });
 * reportContract(report.results, envelope("report", modelInfo({ type: "exact", model, source }), plan));
 */
export function reportContract(results: ReportPayload, env: Envelope<"report", ReportPlan>): ReportJson {
  return withEnvelope(env, results);
}
