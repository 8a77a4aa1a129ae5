import type { DataModel } from "../models/types.js";
import { labelledSample, dataScale, defaultSigmaRange } from "../analysis/scale.js";

/**
 * Every choice the report makes, decided once from the model and the options (σ range and levels, samples,
 * paths, steps, seed …), passed to {@link buildReport} and echoed in results.json under `params`.
 */
export interface ReportPlan {
  seed: number;
  /** Points shown and measured: the model's own points (discrete mixtures ≤ 5000 points), else this many draws. */
  dataSample: number;
  /** √(Tr Cov(y)/D) of those points: the per-coordinate scale of the data (quoted in the model's text). */
  dataScale: number;
  /**
   * The σ grid of every curve: `levels` log-uniform levels over the default range of every command
   * (`defaultSigmaRange`, README "Default noise levels"): `max = 10 √Tr Cov(y)`, `min` a tenth of the data's
   * resolution; `rule` says how the resolution was measured; `given` when the caller chose either end.
   */
  sigma: { min: number; max: number; levels: number; rule: string; given: boolean };
  /**
   * The information profile: Monte Carlo samples per σ where no quadrature applies, the quadrature budget, and
   * whether peaks are refined between grid levels (only where the profile is exact and cheap: a 1-D mixture's
   * quadrature, a Gaussian's or a sphere's closed forms; elsewhere a peak is its grid level and bracket).
   */
  profile: { samples: number; budget: number; refinePeaks: boolean };
  /**
   * Reverse trajectories over the σ range: count, log steps, kept in full, and those followed for Lyapunov rates
   * (32, fewer — at least 8 — where each costs more than {@link LYAPUNOV_WORK}/32 of posterior-covariance work) on
   * their own grid of `lyapunovSteps` log steps.
   */
  paths: { n: number; steps: number; keep: number; lyapunovPaths: number; lyapunovSteps: number };
  /**
   * Branchings of the model up to `maxPoints` points, else of its class centres: `steps` σ intervals;
   * landscapes at up to `landscapes` levels on grids of `grid1d` / `grid2d`² nodes (a line for D > 2).
   */
  branchings: { steps: number; maxPoints: number; landscapes: number; grid1d: number; grid2d: number };
  /** Participation ratio (discrete models): queries per σ and the condensation level of 1/Y. */
  participation: { samples: number; threshold: number };
  /** Labelled draws per σ of the per-class decision profiles (labelled models). */
  semantics: { samples: number };
  /** Sampling schedules compared on the σ range, and the factor around the rate peak counted as its window. */
  schedules: { steps: number; kinds: ("entropic" | "rescaled-entropic" | "edm")[]; window: number };
}

/** Options of {@link reportPlan}. */
export interface ReportPlanOptions {
  /** Monte Carlo samples per σ where no quadrature applies (default 4000). */
  samples?: number;
  seed?: number;
  /** Ends of the σ range instead of the data's defaults (validated by the caller: 0 < sigmaMin < sigmaMax). */
  sigmaMin?: number;
  sigmaMax?: number;
}

/**
 * Posterior-covariance work (multiply-adds, N·D² per state and stage, two stages per Heun step) the Lyapunov paths
 * of a report may take: 1.2·10¹⁰, ≈ 5 s of the native kernel on 2 cores (the scikit-learn digits, N = 1797,
 * D = 64, 50 steps: 16 paths; its 0-vs-1 subset, N = 360: 32).
 */
export const LYAPUNOV_WORK = 1.2e10;

/**
 * The report's plan for a model: the σ range of every command (`defaultSigmaRange`: 10 √Tr Cov(y) down to a tenth
 * of the data's resolution) on 41 log-uniform levels; quadrature where it is cheap (small mixtures), Monte Carlo
 * for large datasets; Lyapunov paths within {@link LYAPUNOV_WORK}, so the report stays within half a minute.
 *
 * @example
 * reportPlan(parseModel({ kind: "deltas", points: [[-1], [1]] })).sigma; // { min: 0.2, max: 10, levels: 41, rule: … }
 */
export function reportPlan(model: DataModel, options: ReportPlanOptions = {}): ReportPlan {
  const seed = options.seed ?? 0;
  const dataSample = 2000;
  const sample = labelledSample(model, dataSample, seed);
  const range = defaultSigmaRange(model, seed);
  const steps = 100;
  const lyapunovSteps = 50;
  return {
    seed,
    dataSample,
    dataScale: dataScale(sample.points, model.dim),
    sigma: {
      min: options.sigmaMin ?? range.min,
      max: options.sigmaMax ?? range.max,
      levels: 41,
      rule: range.rule,
      given: options.sigmaMin !== undefined || options.sigmaMax !== undefined,
    },
    profile: { samples: options.samples ?? 4000, budget: 2e7, refinePeaks: model.dim === 1 || model.structure?.type === "gaussian" || model.structure?.type === "sphere" },
    paths: { n: 200, steps, keep: 12, lyapunovPaths: lyapunovPaths(model, lyapunovSteps), lyapunovSteps },
    branchings: { steps: 40, maxPoints: 12, landscapes: 3, grid1d: 200, grid2d: 48 },
    participation: { samples: 500, threshold: 1.5 },
    semantics: { samples: 1000 },
    schedules: { steps: 16, kinds: ["entropic", "rescaled-entropic", "edm"], window: 2 },
  };
}

/** 32 Lyapunov paths, fewer (≥ 8) when 32 would exceed {@link LYAPUNOV_WORK}: N·D² per state, 2 per Heun step. */
function lyapunovPaths(model: DataModel, steps: number): number {
  const st = model.structure;
  const N = st?.type === "mixture" ? st.means.rows : 1;
  const perPath = 2 * steps * N * model.dim * model.dim;
  return Math.max(8, Math.min(32, Math.floor(LYAPUNOV_WORK / perPath)));
}

export { labelledSample, dataScale } from "../analysis/scale.js";
