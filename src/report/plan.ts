import type { DataModel } from "../models/types.js";
import { labelledSample, dataScale } from "../analysis/scale.js";

/**
 * Every choice the report makes, decided once from the model and the options (σ range and levels, samples,
 * paths, steps, seed …), passed to {@link buildReport} and echoed in results.json under `params`.
 */
export interface ReportPlan {
  seed: number;
  /** Points shown and measured: the model's own points (discrete mixtures ≤ 5000 points), else this many draws. */
  dataSample: number;
  /** √(Tr Cov(y)/D) of those points: the σ scale of the data. */
  dataScale: number;
  /** The σ grid of every curve: `levels` log-uniform levels over [dataScale/50, 10·dataScale]. */
  sigma: { min: number; max: number; levels: number };
  /** The information profile: Monte Carlo samples per σ where no quadrature applies, and the quadrature budget. */
  profile: { samples: number; budget: number };
  /** Reverse trajectories over the σ range: count, log steps, kept in full, and those followed for Lyapunov rates. */
  paths: { n: number; steps: number; keep: number; lyapunovPaths: number };
  /** Branchings (1-D and 2-D mixtures): of the model up to `maxPoints` points, else of its class centres. */
  branchings: { steps: number; maxPoints: number; landscapes: number; grid1d: number; grid2d: number };
  /** Participation ratio (discrete models): queries per σ and the condensation level of 1/Y. */
  participation: { samples: number; threshold: number };
  /** Sampling schedules compared on the σ range, and the factor around the rate peak counted as its window. */
  schedules: { steps: number; kinds: ("entropic" | "rescaled-entropic" | "edm")[]; window: number };
}

/** Options of {@link reportPlan}. */
export interface ReportPlanOptions {
  /** Monte Carlo samples per σ where no quadrature applies (default 4000). */
  samples?: number;
  seed?: number;
}

/**
 * The report's plan for a model: the σ range spans the data scale √(Tr Cov/D) from /50 to ×10 on 41 levels;
 * quadrature where it is cheap (small mixtures), Monte Carlo for large datasets, so the report stays under a minute.
 *
 * @example
 * reportPlan(parseModel({ kind: "deltas", points: [[-1], [1]] })).sigma; // { min: 0.02, max: 10, levels: 41 }
 */
export function reportPlan(model: DataModel, options: ReportPlanOptions = {}): ReportPlan {
  const seed = options.seed ?? 0;
  const dataSample = 2000;
  const sample = labelledSample(model, dataSample, seed);
  const scale = dataScale(sample.points, model.dim);
  return {
    seed,
    dataSample,
    dataScale: scale,
    sigma: { min: scale / 50, max: scale * 10, levels: 41 },
    profile: { samples: options.samples ?? 4000, budget: 2e7 },
    paths: { n: 200, steps: 100, keep: 12, lyapunovPaths: 32 },
    branchings: { steps: 40, maxPoints: 12, landscapes: 3, grid1d: 200, grid2d: 48 },
    participation: { samples: 500, threshold: 1.5 },
    schedules: { steps: 16, kinds: ["entropic", "rescaled-entropic", "edm"], window: 2 },
  };
}

export { labelledSample, dataScale } from "../analysis/scale.js";
