import { InfodynError } from "../../errors.js";
import type { DataModel } from "../../models/types.js";
import { brentRoot } from "../../numeric/brent.js";
import { exactNoisy } from "../dynamics/initial.js";
import { defaultSigmaRange } from "../scale.js";
import { classSeparability, guidanceDistortion, guidedKl, guidedRun, type DistortionOptions, type GuidanceDistortion } from "./distortion.js";
import type { Estimate } from "../info/expect.js";
import type { GuidanceSchedule, GuidanceWindow } from "./schedule.js";
import { jackknife } from "./stats.js";

/** Options of {@link searchWindow}. */
export interface WindowSearchOptions extends Omit<DistortionOptions, "schedule" | "start"> {
  /** The separability to reach: mean exact p(c | x_out) at σ_min, in (0, 1). */
  separability: number;
  /** Candidate window edges, log-uniform strictly inside (σ_min, σ_max); windows (a, b] with a ∈ {0} ∪ edges, b ∈ edges ∪ {∞}. @default 6 */
  edges?: number;
  /** Our weight outside the window (1 = conditional, the guidance-interval convention). @default [1] */
  wOutside?: readonly number[];
  /** Weights of an optional late window (0, a] below the main window (w < 1: negative guidance, γ = w − 1 < 0). @default [0] */
  wLate?: readonly number[];
  /** Largest weight inside the window the root search may use. @default 30 */
  wMax?: number;
  /** Paths per evaluation during the search (common random numbers: the same starts for every candidate). @default 400 */
  searchN?: number;
  /** Tolerance in w of the root search. @default 1e-3 */
  wTol?: number;
  onProgress?: (done: number, total: number) => void;
}

/** One evaluated schedule: its separability and KL on the search's paths. */
export interface WindowCandidate {
  schedule: GuidanceSchedule;
  separability: number;
  kl: number;
}

/** What {@link searchWindow} found. */
export interface WindowSearch {
  target: number;
  /** The least-KL schedule at the target separability, re-measured on fresh paths (seed + 1, n paths) with SEs. */
  optimum: { schedule: GuidanceSchedule; search: WindowCandidate; distortion: GuidanceDistortion };
  /** Constant guidance at the same separability, re-measured the same way. */
  constant: { schedule: GuidanceSchedule; search: WindowCandidate; distortion: GuidanceDistortion } | undefined;
  /**
   * KL(optimum) − KL(constant) on the same fresh paths (the same starts: a paired difference), with its jackknife SE:
   * far less noisy than the two KLs' own errors.
   */
  klDifference?: Estimate;
  /** Every schedule at the target (one per window structure whose root was bracketed), least KL first. */
  atTarget: WindowCandidate[];
  /** The Pareto front of every evaluation: no other has both higher separability and lower KL; by separability. */
  front: WindowCandidate[];
  evaluations: number;
}

/**
 * The guidance window that reaches a separability with the least distortion (THEORY.md §9.2, issue 17 item 3): for
 * every structure — a window (a, b] with our weight w_in inside, w_out outside, optionally a late window (0, a] with
 * w_late (negative guidance) — Brent's root finder sets w_in ∈ [0, wMax] so that the mean exact p(c | x_out) equals
 * the target; the least KL ({@link guidedKl}) among these roots and every schedule evaluated on the way with a
 * separability at or above the target wins; constant guidance is the structure with no window. Every candidate runs on the same `searchN` starts (and em noise), so separability is a smooth function
 * of w_in and candidates compare without Monte Carlo noise between them; the optimum and the constant baseline are
 * then re-measured on n fresh paths (seed + 1) with standard errors, free of the selection's optimism.
 *
 * Special cases: throws {@link InfodynError} for a target outside (0, 1), or when no structure reaches it.
 *
 * @example
 * const s = searchWindow(model, { label: 0, separability: 0.99 });
 * s.optimum.distortion.kl.value < s.constant!.distortion.kl.value; // the window distorts less
 */
export function searchWindow(model: DataModel, options: WindowSearchOptions): WindowSearch {
  const { separability: target, edges = 6, wOutside = [1], wLate = [0], wMax = 30, searchN = 400, wTol = 1e-3, seed = 0 } = options;
  if (!(target > 0 && target < 1)) throw new InfodynError(`separability: ${target} is not in (0, 1)`);
  const range = options.sigmaMin === undefined || options.sigmaMax === undefined ? defaultSigmaRange(model) : undefined;
  const sigmaMin = options.sigmaMin ?? range!.min;
  const sigmaMax = options.sigmaMax ?? range!.max;
  const start = exactNoisy(model, searchN, sigmaMax, seed);
  const levels = Array.from({ length: edges }, (_, i) => sigmaMin * (sigmaMax / sigmaMin) ** ((i + 1) / (edges + 1)));

  const structures: ((w: number) => GuidanceSchedule)[] = [(w) => ({ type: "constant", w })];
  for (const lo of [0, ...levels])
    for (const hi of [...levels, Infinity]) {
      if (!(lo < hi) || (lo === 0 && hi === Infinity)) continue;
      for (const wOut of wOutside) {
        structures.push((w) => ({ type: "windows", w: wOut, windows: [{ lo, hi, w }] }));
        if (lo > 0) for (const wl of wLate) structures.push((w) => ({ type: "windows", w: wOut, windows: [{ lo: 0, hi: lo, w: wl }, { lo, hi, w }] }));
      }
    }

  const evaluated: WindowCandidate[] = [];
  const evaluate = (schedule: GuidanceSchedule): WindowCandidate => {
    const { x } = guidedRun(model, { ...options, schedule, sigmaMin, sigmaMax, start });
    const c = { schedule, separability: classSeparability(model, x, options.label, sigmaMin).separability.value, kl: guidedKl(model, x, options.label, undefined, options.epsilon) };
    evaluated.push(c);
    return c;
  };
  const atTarget: WindowCandidate[] = [];
  let constantAt: WindowCandidate | undefined;
  structures.forEach((make, j) => {
    const f = (w: number) => evaluate(make(w)).separability - target;
    const lo = f(0);
    const hi = f(wMax);
    if (lo < 0 && hi > 0) {
      const w = brentRoot(f, 0, wMax, { xtol: wTol });
      if (Number.isFinite(w)) {
        const c = evaluate(make(w));
        atTarget.push(c);
        if (j === 0) constantAt = c;
      }
    }
    options.onProgress?.(j + 1, structures.length);
  });
  if (atTarget.length === 0) throw new InfodynError(`separability: no schedule with w ≤ ${wMax} reaches ${target} (raise wMax, or ask for less)`);
  atTarget.sort((a, b) => a.kl - b.kl);
  // The optimum: least KL among the roots and every evaluated schedule at or above the target (as the network
  // search does) — a schedule that overshoots the separability with less distortion is better than any root.
  const feasible = evaluated.filter((c) => atTarget.includes(c) || c.separability >= target).sort((a, b) => a.kl - b.kl);
  const remeasure = (c: WindowCandidate) => ({ schedule: c.schedule, search: c, distortion: guidanceDistortion(model, { ...options, schedule: c.schedule, sigmaMin, sigmaMax, seed: seed + 1 }) });
  const optimum = remeasure(feasible[0]);
  const constant = constantAt ? remeasure(constantAt) : undefined;
  const a = optimum.distortion.samples;
  const b = constant?.distortion.samples;
  const klDifference = b
    ? jackknife(a.rows, options.groups ?? 20, (idx) => guidedKl(model, a, options.label, idx, options.epsilon) - guidedKl(model, b, options.label, idx, options.epsilon))
    : undefined;
  return {
    target,
    optimum,
    constant,
    ...(klDifference ? { klDifference } : {}),
    atTarget,
    front: paretoFront(evaluated),
    evaluations: evaluated.length,
  };
}

/**
 * The candidates no other dominates (higher separability and lower cost — KL by default, or `cost(c)` such as a
 * network's sliced W₂ — one of them strictly), by increasing
 * separability.
 *
 * @example
 * paretoFront([{ separability: 0.9, kl: 0.1 }, { separability: 0.95, kl: 0.05 }, { separability: 0.99, kl: 0.3 }]); // the last two
 */
export function paretoFront<T extends { separability: number }>(candidates: readonly T[], cost: (c: T) => number = (c) => (c as T & { kl: number }).kl): T[] {
  const sorted = [...candidates].filter((c) => Number.isFinite(cost(c)) && Number.isFinite(c.separability)).sort((a, b) => b.separability - a.separability || cost(a) - cost(b));
  const front: T[] = [];
  let best = Infinity;
  for (const c of sorted)
    if (cost(c) < best) {
      front.push(c);
      best = cost(c);
    }
  return front.reverse();
}

/** The window of a schedule in words, for tables: `(a, b]: w_in; outside w_out; late (0, a]: w_late`. */
export function windowsOf(schedule: GuidanceSchedule): readonly GuidanceWindow[] {
  return schedule.type === "windows" ? schedule.windows : [];
}
