import type { DataModel } from "../../models/types.js";
import type { NoiseProcess } from "../../noise/process.js";
import { entropicProfile, type EntropicProfile } from "./entropic-profile.js";
import { scheduleSigmas, type Schedule, type ScheduleKind } from "./schedules.js";
import { mmseRoute, type MmseRoute } from "./mmse.js";
import { modelMmse, nodeMmse, type MmseSource } from "./source.js";

/** Log-uniform intervals of an exact profile (Gauss–Legendre per interval: at the rounding floor). */
export const EXACT_INTERVALS = 128;

/**
 * Log-uniform intervals of a profile tabulated on its nodes (quadrature or Monte Carlo mmse, {@link nodeRule}'s
 * 4-point cubic between nodes). Measured with test/schedule-nodes-study.mjs (16 steps, both clocks): the rule's
 * own error at 32 intervals, against the exact route, is ≤ 3e-4 relative on the levels of two deltas (the sharpest
 * case), ≤ 1e-4 on the 1-D GMM and ≤ 3e-4 on the 2-D four deltas (fourth order: 1.4e-5 at 64); on the digits with
 * 4000 draws per node the levels' SE is 0.4–2.3e-3 relative, and 32, 48, 64 and 128 intervals agree within it
 * (|Δ| ≤ 1.2 combined SE, no trend in N; the trapezoid had a 1/N² bias of 3 SE at 32). 33 nodes × 4000 draws on
 * the digits: ≈ 8 s.
 */
export const NODE_INTERVALS = 32;

/** Default Monte Carlo draws per node (`infodyn schedule --samples`). */
export const NODE_SAMPLES = 4000;

/** How a model's entropic profile is computed: its mmse route, the source, and the grid's interval count. */
export interface ProfilePlan extends MmseRoute {
  source: MmseSource;
  intervals: number;
  /** Monte Carlo draws per node (the `monte-carlo` route only). */
  samples?: number;
}

/**
 * The profile plan of a model on a range starting at σ_min ({@link mmseRoute}): the exact source on 128
 * Gauss–Legendre intervals (closed forms, 1-D quadrature); exact node values on {@link NODE_INTERVALS} intervals
 * (2-D quadrature, the sphere); or Monte Carlo on {@link NODE_INTERVALS} intervals with `samples` draws per node
 * and seed `seed + k` at node k. Pass `source` and `intervals` to {@link entropicProfile}. Builds no profile.
 *
 * @example
 * const plan = profilePlan(digits, 1.2, { samples: 4000 }); // { route: "monte-carlo", intervals: 48, … }
 * entropicProfile(plan.source, 1.2, 347, { intervals: plan.intervals });
 */
export function profilePlan(model: DataModel, sigmaMin: number, options: { samples?: number; seed?: number } = {}): ProfilePlan {
  const route = mmseRoute(model, sigmaMin);
  if (route.route === "exact") return { ...route, source: modelMmse(model), intervals: EXACT_INTERVALS };
  if (route.route === "quadrature") return { ...route, source: nodeMmse(model, { seed: options.seed ?? 0 }), intervals: NODE_INTERVALS };
  const samples = options.samples ?? NODE_SAMPLES;
  const source = nodeMmse(model, { samples, seed: options.seed ?? 0, monteCarlo: true });
  return { ...route, source, intervals: NODE_INTERVALS, samples };
}

/** Options of {@link modelSchedule}. */
export interface ModelScheduleOptions {
  process: NoiseProcess;
  /** EDM's ρ (default 7). */
  rho?: number;
  /** Monte Carlo draws per node (default {@link NODE_SAMPLES}). */
  samples?: number;
  seed?: number;
  /** Called with the plan before a profile is computed; returns the profile's progress callback. */
  progress?: (plan: ProfilePlan) => ((done: number, total: number) => void) | undefined;
}

/**
 * A schedule of an exact model with the profile it needs and no more (`infodyn schedule MODEL`): the entropic kinds
 * always compute the profile ({@link profilePlan}); the baselines (edm, log, uniform, cosine) compute it, for their
 * entropy column, only when the model's mmse is exact and cheap (route `exact`), and otherwise leave `entropy`
 * out without evaluating a single posterior (a dataset's EDM grid is instant).
 *
 * @example
 * modelSchedule(digits, "edm", 16, 1.2, 347, { process: edm() }).profile; // undefined (mmse needs Monte Carlo)
 */
export function modelSchedule(
  model: DataModel,
  kind: ScheduleKind,
  n: number,
  sigmaMin: number,
  sigmaMax: number,
  options: ModelScheduleOptions,
): { schedule: Schedule; plan: ProfilePlan; profile?: EntropicProfile } {
  const plan = profilePlan(model, sigmaMin, options);
  const needed = kind === "entropic" || kind === "rescaled-entropic" || plan.route === "exact";
  const profile = needed ? entropicProfile(plan.source, sigmaMin, sigmaMax, { intervals: plan.intervals, onProgress: options.progress?.(plan) }) : undefined;
  return { schedule: scheduleSigmas(kind, n, sigmaMin, sigmaMax, { process: options.process, profile, rho: options.rho }), plan, profile };
}
