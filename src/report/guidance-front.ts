import { classMoments } from "../analysis/guidance/class-law.js";
import { guidedGaussianLaw, type GaussianPair } from "../analysis/guidance/gaussian.js";
import { paretoFront } from "../analysis/guidance/search.js";
import type { GuidanceSchedule } from "../analysis/guidance/schedule.js";
import { guidanceScheduleJson, type GuidanceScheduleJson } from "../contracts/guidance.js";
import type { DataModel } from "../models/types.js";
import { createRng } from "../numeric/rng.js";

/*
 * The guidance section's Pareto front (THEORY.md §9.2): σ-window schedules against constant guidance in the jointly
 * Gaussian closed forms, separability against KL.
 */

/** One schedule of the Gaussian front: its separability (mean p(c|x) at σ_min) and KL to the class law. */
export interface FrontPoint {
  schedule: GuidanceSchedule;
  separability: number;
  kl: number;
}

/** The Pareto front of the Gaussian closed forms, constant guidance, and the comparison at one separability. */
export interface GaussianFront {
  front: FrontPoint[];
  constant: FrontPoint[];
  /** Constant w = {@link TARGET_W}'s separability, and the least-KL window schedule reaching it. */
  target: { separability: number; constant: FrontPoint; window: FrontPoint | undefined };
  candidates: number;
}

/** Our weight of the constant guidance that sets the comparison's separability (a common CFG scale). */
export const TARGET_W = 3;
const WEIGHTS_INSIDE = [1.5, 2, 3, 4, 6, 8];
const FRONT_EDGES = 6;
const CLASSIFIER_DRAWS = 1000;

/**
 * Separability against KL from THEORY.md §9.2's jointly Gaussian closed forms (the window search on the model
 * itself costs ≥ 20 s at its smallest budget): the class law N(μ_c, diag Σ_c) and the unconditional law
 * N(μ, diag Cov y) (the data's moments, per coordinate axis), guided by the probability-flow ODE from σ_max to
 * σ_min ({@link guidedGaussianLaw}); KL to the class Gaussian exact; separability the mean over the guided
 * Gaussian (fixed-seed draws) of p(c|x) of the class-vs-rest Gaussian classifier at σ_min. Candidates: constant w on
 * [1, 8]; windows (a, b] with w_in ∈ {1.5 … 8} and w = 1 outside, alone or with w = 0 on (0, a] (negative
 * guidance), the edges `FRONT_EDGES` log levels inside the range.
 *
 * Special cases: undefined when class c or the rest of the data has no variance along an axis (a class of one
 * point): the KL to a point mass is infinite.
 */
export function gaussianFront(model: DataModel, label: number, sigmaMin: number, sigmaMax: number, seed: number): GaussianFront | undefined {
  const D = model.dim;
  const cls = classMoments(model, label);
  const all = { mean: new Float64Array(D), cov: new Float64Array(D) };
  const rest = { mean: new Float64Array(D), cov: new Float64Array(D) };
  const others = Array.from({ length: model.numClasses }, (_, c) => c).filter((c) => c !== label).map((c) => classMoments(model, c));
  const piRest = others.reduce((a, m) => a + m.weight, 0);
  const mix = (out: typeof all, parts: { mean: Float64Array; cov: Float64Array; weight: number }[], total: number) => {
    for (let d = 0; d < D; d++) {
      for (const m of parts) out.mean[d] += (m.weight / total) * m.mean[d];
      for (const m of parts) out.cov[d] += (m.weight / total) * (m.cov[d * D + d] + (m.mean[d] - out.mean[d]) ** 2);
    }
  };
  mix(all, [cls, ...others], 1);
  mix(rest, others, piRest);
  const lambdaC = Float64Array.from({ length: D }, (_, d) => cls.cov[d * D + d]);
  // a class (or the rest) without spread along an axis: the Gaussian KL is infinite and p(c|x) degenerate
  for (let d = 0; d < D; d++) if (!(lambdaC[d] > 0 && rest.cov[d] > 0)) return undefined;
  const pair: GaussianPair = { muC: cls.mean, lambdaC, muU: all.mean, lambdaU: all.cov };
  const rng = createRng(seed + 0x3f2);
  const z = Float64Array.from({ length: CLASSIFIER_DRAWS * D }, () => rng.normal());
  const s2 = sigmaMin * sigmaMin;
  const separability = (mean: number[], variance: number[]) => {
    let total = 0;
    for (let i = 0; i < CLASSIFIER_DRAWS; i++) {
      // log-odds of class c against the rest: Gaussians with the noise σ_min² added
      let odds = Math.log(cls.weight / piRest);
      for (let d = 0; d < D; d++) {
        const x = mean[d] + Math.sqrt(variance[d]) * z[i * D + d];
        const vc = lambdaC[d] + s2;
        const vr = rest.cov[d] + s2;
        odds += -0.5 * ((x - cls.mean[d]) ** 2 / vc + Math.log(vc)) + 0.5 * ((x - rest.mean[d]) ** 2 / vr + Math.log(vr));
      }
      total += 1 / (1 + Math.exp(-odds));
    }
    return total / CLASSIFIER_DRAWS;
  };
  const evaluate = (schedule: GuidanceSchedule): FrontPoint => {
    const law = guidedGaussianLaw(pair, schedule, { sigmaMin, sigmaMax });
    return { schedule, separability: separability(law.mean, law.variance), kl: law.kl };
  };
  const edges = Array.from({ length: FRONT_EDGES }, (_, i) => sigmaMin * (sigmaMax / sigmaMin) ** ((i + 1) / (FRONT_EDGES + 1)));
  const windows: FrontPoint[] = [];
  for (const lo of [0, ...edges])
    for (const hi of [...edges, Infinity]) {
      if (!(lo < hi) || (lo === 0 && hi === Infinity)) continue;
      for (const w of WEIGHTS_INSIDE) {
        windows.push(evaluate({ type: "windows", w: 1, windows: [{ lo, hi, w }] }));
        if (lo > 0) windows.push(evaluate({ type: "windows", w: 1, windows: [{ lo: 0, hi: lo, w: 0 }, { lo, hi, w }] }));
      }
    }
  const constant = Array.from({ length: 15 }, (_, i) => evaluate({ type: "constant", w: 1 + i / 2 }));
  const at = constant.find((c) => c.schedule.type === "constant" && c.schedule.w === TARGET_W)!;
  const reaching = windows.filter((c) => c.separability >= at.separability).sort((a, b) => a.kl - b.kl);
  return {
    front: paretoFront([...windows, ...constant]),
    constant,
    target: { separability: at.separability, constant: at, window: reaching[0] },
    candidates: windows.length + constant.length,
  };
}

/** A {@link FrontPoint} as JSON (an open window end `hi = ∞` left out, as in `infodyn guidance --json`). */
export type FrontJson = Omit<FrontPoint, "schedule"> & { schedule: GuidanceScheduleJson };
export const frontJson = (p: FrontPoint): FrontJson => ({ ...p, schedule: guidanceScheduleJson(p.schedule) });
