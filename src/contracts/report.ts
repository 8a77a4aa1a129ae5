import type { InformationProfile } from "../analysis/info/grid.js";
import type { ProfilePoint } from "../analysis/info/profile.js";
import type { ParticipationStats } from "../analysis/thermo/participation.js";
import type { GuidancePayload } from "../report/guidance.js";
import type { NetworkReportPayload, NetworkReportPlan } from "../report/network.js";
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
  /**
   * The information profile on the plan's σ grid (ascending), its peaks (with their σ brackets), the independent
   * routes among its rate estimators and those left out.
   */
  profile: { sigma: number[]; points: ProfilePoint[]; peaks: InformationProfile["peaks"]; independent: InformationProfile["independent"]; omitted?: InformationProfile["omitted"] };
  /** Reverse trajectories: levels (descending), decision histogram (discrete models), Lyapunov rates. */
  paths: { sigma: number[]; decisionSigma?: { edges: number[]; counts: number[] }; lyapunov: Omit<LyapunovSeries, "jacobian"> };
  /** D > 2: the variance of the data along its top two principal axes (the projection of the figures) and its share of Tr Cov. */
  projection?: { variance: number[]; explained: number[] };
  /**
   * Image-shaped data (`shape` in the model file): the shape, the generated samples drawn as images and, for
   * discrete models, how many of them sit on one training point at σ_min (1/Σ w² < 1.5).
   */
  images?: { shape: number[]; samplesShown: number; copiesOfOnePoint?: number };
  /** Participation ratio vs σ (discrete models). */
  participation?: ParticipationStats;
  /**
   * Labelled models: each class's critical window (grid peak of σ r_c with its bracket), from `samples` draws per σ;
   * with three classes or more, the splits of the classes' Ward tree, coarsest first, each with the grid peak (and
   * bracket) of σ · dH(G_k | G_{k+1}, x_σ)/dσ: when that split is decided.
   */
  semantics?: {
    samples: number;
    windows: { class: string; sigma?: number; low?: number; high?: number; atBoundary?: boolean }[];
    splits?: { groups: string[][]; sigma?: number; low?: number; high?: number }[];
  };
  /**
   * Labelled models: the guidance section for the largest class — the decision interval of the profile's class rate
   * (σ, EDM t, VP-linear t and timesteps), the class-information rate with and without guidance (exact σ r_c, measured
   * along guided SDE paths), and the Pareto front of the Gaussian closed forms.
   */
  guidance?: GuidancePayload;
  /** Branchings and the decision tree (D ≤ 2: every branching; D > 2: the tree by following modes up in σ). */
  bifurcations?: BranchingResults;
  /** The compared schedules' levels, ascending, by kind. */
  schedules: Record<string, number[]>;
  /** The critical windows in plain words. */
  summary: string[];
}

/** results.json of `infodyn report`: the envelope (its `params` are the report's plan), then the payload. */
export type ReportJson = Envelope<"report", ReportPlan> & ReportPayload;

/** results.json of `infodyn report` on a network (src/report/network.ts): its plan, then its payload. */
export type NetworkReportJson = Envelope<"report", NetworkReportPlan> & NetworkReportPayload;

/**
 * The JSON contract of `report`'s results.json.
 *
 * @example
 * const plan = reportPlan(model); const report = buildReport(model, plan, { source });
 * reportContract(report.results, envelope("report", modelInfo({ type: "exact", model, source }), plan));
 */
export function reportContract(results: ReportPayload, env: Envelope<"report", ReportPlan>): ReportJson;
export function reportContract(results: NetworkReportPayload, env: Envelope<"report", NetworkReportPlan>): NetworkReportJson;
export function reportContract(results: ReportPayload | NetworkReportPayload, env: Envelope<"report", ReportPlan | NetworkReportPlan>): ReportJson | NetworkReportJson {
  return withEnvelope(env, results) as ReportJson | NetworkReportJson;
}
