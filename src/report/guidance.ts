import type { Batch } from "../batch.js";
import type { InformationProfile } from "../analysis/info/grid.js";
import { findPeak } from "../analysis/info/peak.js";
import type { SemanticProfile } from "../analysis/info/semantics.js";
import { classMoments, classSample } from "../analysis/guidance/class-law.js";
import { decisionInterval, type ClassDecision } from "../analysis/guidance/decision.js";
import { guidedGaussianLaw, type GaussianPair } from "../analysis/guidance/gaussian.js";
import { paretoFront } from "../analysis/guidance/search.js";
import type { GuidanceSchedule } from "../analysis/guidance/schedule.js";
import { guidanceScheduleJson, type GuidanceScheduleJson } from "../contracts/guidance.js";
import type { DataModel } from "../models/types.js";
import { logSigmas } from "../noise/grid.js";
import { edm, vpLinear } from "../noise/process.js";
import { createRng } from "../numeric/rng.js";
import { Welford } from "../numeric/welford.js";
import { guidanceRateFigure, paretoFigure } from "./figures/guidance.js";
import type { VegaLiteSpec } from "./theme.js";
import { withError } from "./peaks.js";

/*
 * The numbers of the report's guidance section (THEORY.md §9.2–9.3; issue 17 item 5): where the class is decided,
 * how guidance scales the class-information rate (`1+2γ`), and what a window costs against constant guidance.
 * New analysis functions live here (not in src/analysis/guidance) by the division of files.
 */

/** One Monte Carlo mean with its standard error. */
export interface Measured {
  value: number;
  standardError: number;
}

/** Options of {@link guidedClassRate}. */
export interface GuidedClassRateOptions {
  /** The papers' extra guidance γ = w − 1 (γ = 0: conditional sampling). */
  gamma: number;
  /** Paths (ignored with `start`). @default 1000 */
  n?: number;
  /** States at `sigmas[0]`: default n draws of the class-c noisy law p_σ(·|c) (y ∼ p(y|c), x = y + σz). */
  start?: Batch;
  /** Seed of the start draws and the path noise (the same for every γ: common random numbers). @default 0 */
  seed?: number;
}

/** Per step of {@link guidedClassRate}: paths × steps increments, and their mean per unit log σ. */
export interface GuidedClassRate {
  sigma: number[];
  /** Control-variated increments of log p(c|x) along each path and step (paths × steps, row-major). */
  increments: Float64Array;
  /** Mean increment of log p(c|x) per unit log σ on each step, with its SE over paths. */
  rateLogSigma: Measured[];
}

/**
 * The class information gained along guided reverse-SDE paths (THEORY.md §9.3, "Guidance and commitment"): paths
 * driven by `s_c + γ g_c`, `g_c = ∇log p(c|x) = (m_c − m)/σ²`, by Euler–Maruyama on the descending grid `sigmas`,
 * `x' = x + Δ s_w + √Δ ξ`, `Δ = σ_i² − σ_{i+1}²`, `s_w = (m + (1+γ)(m_c − m) − x)/σ²`; on each step the increment of
 * the exact log p(c|x) minus its martingale part `g_c(x_i)·√Δ ξ` (a zero-mean control variate: ξ is independent of
 * x_i), per unit log σ. Itô's formula gives `E[d log p(c|x)] = (1+2γ) σ‖g_c‖²|dσ|`, so at states distributed as
 * p_σ(·|c) the rate is `(1+2γ) σ r_c(σ)`, `r_c = E_{x|c}‖m_c − m‖²/σ³` (the semantics section's per-class rate).
 *
 * @example
 * guidedClassRate(model, 0, [2, 1.9], { gamma: 1 }).rateLogSigma[0]; // ≈ 3 σ r_0(σ)
 */
export function guidedClassRate(model: DataModel, label: number, sigmas: readonly number[], options: GuidedClassRateOptions): GuidedClassRate {
  const { gamma, n = 1000, seed = 0 } = options;
  const D = model.dim;
  const C = model.numClasses;
  const rng = createRng(seed);
  const x = options.start ? Float64Array.from(options.start.data) : classSample(model, label, n, rng).data;
  const N = x.length / D;
  if (!options.start) for (let k = 0; k < x.length; k++) x[k] += sigmas[0] * rng.normal();
  const noiseRng = createRng(seed + 0x6a1d);
  const steps = sigmas.length - 1;
  const increments = new Float64Array(N * steps);
  const state: Batch = { rows: N, dim: D, data: x };
  const logp = (p: Float64Array, i: number) => Math.log(Math.max(p[i * C + label], Number.MIN_VALUE));
  let post = model.posterior(state, sigmas[0], { classProbs: true, classMeans: true });
  const xi = new Float64Array(D);
  for (let s = 0; s < steps; s++) {
    const s2 = sigmas[s] ** 2;
    const delta = s2 - sigmas[s + 1] ** 2;
    const root = Math.sqrt(delta);
    const before = Float64Array.from({ length: N }, (_, i) => logp(post.classProbs!, i));
    const control = new Float64Array(N);
    for (let i = 0; i < N; i++) {
      for (let d = 0; d < D; d++) xi[d] = noiseRng.normal();
      for (let d = 0; d < D; d++) {
        const m = post.mean.data[i * D + d];
        const gc = (post.classMeans![(i * C + label) * D + d] - m) / s2;
        const score = (m - x[i * D + d]) / s2 + (1 + gamma) * gc;
        x[i * D + d] += delta * score + root * xi[d];
        control[i] += gc * root * xi[d];
      }
    }
    post = model.posterior(state, sigmas[s + 1], { classProbs: true, classMeans: true });
    for (let i = 0; i < N; i++) increments[i * steps + s] = logp(post.classProbs!, i) - before[i] - control[i];
  }
  const rateLogSigma = Array.from({ length: steps }, (_, s) => blockRate(increments, steps, s, s + 1, Math.log(sigmas[s] / sigmas[s + 1])));
  return { sigma: [...sigmas], increments, rateLogSigma };
}

/** Mean over paths of the increments summed over steps [a, b), divided by the block's span in log σ (± SE). */
export function blockRate(increments: Float64Array, steps: number, a: number, b: number, span: number): Measured {
  const w = new Welford();
  for (let i = 0; i < increments.length / steps; i++) {
    let sum = 0;
    for (let s = a; s < b; s++) sum += increments[i * steps + s];
    w.push(sum / span);
  }
  return { value: w.mean, standardError: w.standardError };
}

/**
 * Guidance strengths γ of the rate figure, paths, blocks and Euler–Maruyama steps per block of the measurement:
 * 12 steps a block (d log σ ≈ 0.033 on the default model) keep the scheme's bias of the mean increment near −5%
 * (measured there at σ ≈ 1.5, class west, 3000 paths: 0.707, 0.731, 0.755 ± 0.021 at d log σ = 0.051, 0.017,
 * 0.006: it shrinks like √d log σ), where 4 steps a block lost a quarter; 300 paths keep the section near 1 s.
 */
export const RATE_GAMMAS = [0, 1, 3] as const;
export const RATE_PATHS = 300;
export const RATE_BLOCKS = 6;
export const RATE_STEPS_PER_BLOCK = 12;

/** The rates of the figure: unguided σ r_c, the prediction (1+2γ)σ r_c, and the measurement along guided paths. */
export interface GuidanceRates {
  /** The semantics section's levels (ascending) and σ r_c there (exact posteriors, Monte Carlo over x). */
  sigma: number[];
  unguided: Measured[];
  gammas: number[];
  /** Where the guided paths start, from p_σ(·|c) (guidance switched on there), and where they stop. */
  sigmaStart: number;
  sigmaEnd: number;
  /**
   * Per γ: the block midpoints (geometric, descending) and the measured mean d log p(c|x)/d log σ there; and the
   * ratio of the γ paths' to the γ = 0 paths' increment over the first {@link FIRST_STEPS} steps (`firstSigma`),
   * where every γ's state is still distributed as p_σ(·|c): 1+2γ by THEORY.md §9.3.
   */
  measured: { gamma: number; sigma: number[]; rate: Measured[]; firstRatio: Measured }[];
  firstSigma: number[];
  paths: number;
  stepsPerBlock: number;
}

/** Steps from the start over which the guided/unguided ratio is read (d log σ ≈ 0.05: the law has not moved yet). */
export const FIRST_STEPS = 2;

/**
 * ā/b̄ of the increments summed over the first `k` steps of two runs on the same paths (same starts and noise), with
 * its delta-method SE `√(Var(a − R b)/n)/|b̄|` (the pairing cancels the shared noise).
 */
export function pairedRatio(a: Float64Array, b: Float64Array, steps: number, k: number): Measured {
  const n = a.length / steps;
  const sum = (x: Float64Array, i: number) => {
    let t = 0;
    for (let s = 0; s < k; s++) t += x[i * steps + s];
    return t;
  };
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) [ma, mb] = [ma + sum(a, i) / n, mb + sum(b, i) / n];
  const R = ma / mb;
  let v = 0;
  for (let i = 0; i < n; i++) v += (sum(a, i) - R * sum(b, i)) ** 2 / (n - 1);
  return { value: R, standardError: Math.sqrt(v / n) / Math.abs(mb) };
}

/**
 * The figure's rates for class `label`: σ r_c from the semantic profile (reused), and {@link guidedClassRate} for
 * each γ of {@link RATE_GAMMAS} from σ = hi, starting from p_hi(·|c), down to lo in `RATE_BLOCKS` blocks of equal
 * log span, the same starts and noise for every γ (common random numbers).
 */
export function guidanceRates(model: DataModel, label: number, sem: SemanticProfile, lo: number, hi: number, seed: number): GuidanceRates {
  const unguided = sem.perClass.rate[label].map((e, i) => ({ value: sem.sigma[i] * e.value, standardError: sem.sigma[i] * e.standardError }));
  const sigmas = Array.from(logSigmas(RATE_BLOCKS * RATE_STEPS_PER_BLOCK + 1, lo, hi));
  const steps = sigmas.length - 1;
  let base: Float64Array | undefined;
  const measured = RATE_GAMMAS.map((gamma) => {
    const r = guidedClassRate(model, label, sigmas, { gamma, n: RATE_PATHS, seed });
    base ??= r.increments; // γ = 0 comes first
    const mids: number[] = [];
    const rate: Measured[] = [];
    for (let a = 0; a < steps; a += RATE_STEPS_PER_BLOCK) {
      const e = a + RATE_STEPS_PER_BLOCK;
      mids.push(Math.sqrt(sigmas[a] * sigmas[e]));
      rate.push(blockRate(r.increments, steps, a, e, Math.log(sigmas[a] / sigmas[e])));
    }
    return { gamma, sigma: mids, rate, firstRatio: pairedRatio(r.increments, base, steps, FIRST_STEPS) };
  });
  const firstSigma = [sigmas[0], sigmas[FIRST_STEPS]];
  return { sigma: [...sem.sigma], unguided, gammas: [...RATE_GAMMAS], sigmaStart: hi, sigmaEnd: lo, measured, firstSigma, paths: RATE_PATHS, stepsPerBlock: RATE_STEPS_PER_BLOCK };
}

/**
 * The decision interval of the report's own profile: g = σ·dH(c|x_σ)/dσ on its grid (ascending), its grid peak
 * ({@link findPeak} with the Monte Carlo errors), and {@link decisionInterval} in the EDM process (t = σ) and in
 * DDPM's VP-linear process (t, timestep = 1000 t). Undefined when the profile has no class rate.
 */
export function profileDecision(profile: InformationProfile): { edm: ClassDecision; vp: ClassDecision } | undefined {
  const sigma = profile.points.map((p) => p.sigma);
  const g = profile.points.map((p) => p.sigma * (p.classEntropyRate ?? NaN));
  if (!g.every(Number.isFinite)) return undefined;
  const errors = profile.points.map((p) => p.sigma * (p.standardError?.classEntropyRate ?? 0));
  const peak = findPeak(() => NaN, sigma, g, { errors });
  if (!peak || !(peak.value > 0)) return undefined;
  return { edm: decisionInterval(sigma, g, peak, edm()), vp: decisionInterval(sigma, g, peak, vpLinear()) };
}

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

/** results.json's `guidance`: every number the guidance section shows. */
export interface GuidancePayload {
  class: string;
  /** The decision interval of the report's profile, in σ and in the EDM and VP-linear processes (absent: no class rate). */
  interval?: { edm: ClassDecision; vp: ClassDecision };
  rates: GuidanceRates;
  /** The Pareto front (separability vs KL) of the Gaussian closed forms, and constant guidance (absent: a class without spread). */
  front?: {
    method: "gaussian closed forms, probability-flow ODE";
    candidates: number;
    front: FrontJson[];
    constant: FrontJson[];
    target: { separability: number; constant: FrontJson; window?: FrontJson };
  };
}

/** A {@link FrontPoint} as JSON (an open window end `hi = ∞` left out, as in `infodyn guidance --json`). */
export type FrontJson = Omit<FrontPoint, "schedule"> & { schedule: GuidanceScheduleJson };
const frontJson = (p: FrontPoint): FrontJson => ({ ...p, schedule: guidanceScheduleJson(p.schedule) });

/** What the report needs of its own analyses to build the guidance section. */
export interface GuidanceContext {
  profile: InformationProfile;
  semantics: SemanticProfile;
  seed: number;
  names: (c: number) => string;
}

const f3 = (v: number) => (Number.isFinite(v) ? Number(v.toPrecision(3)).toString() : "–");

/**
 * The report's section "Guidance: where it acts and what it costs" for the largest class (labelled exact models):
 * the decision interval of the profile's class rate in σ, EDM t and DDPM timesteps; the class-information rate with
 * and without guidance ({@link guidanceRates}); the Pareto front of the Gaussian closed forms ({@link gaussianFront}).
 * Figures are registered through `add` (the report's), which returns the names it kept.
 */
export function guidanceSection(
  model: DataModel,
  ctx: GuidanceContext,
  add: (name: string, spec: VegaLiteSpec | undefined) => string[],
): { section: { id: string; title: string; text: string; figures: string[] }; results: GuidancePayload } {
  const { profile, semantics: sem, seed } = ctx;
  const weights = sem.perClass.weight;
  const label = weights.reduce((best, w, c) => (w > weights[best] ? c : best), 0);
  const name = ctx.names(label);
  const sigma = profile.points.map((p) => p.sigma);
  const sigmaMin = sigma[0];
  const sigmaMax = sigma[sigma.length - 1];
  const interval = profileDecision(profile);
  // the measurement: the decision interval widened by 1.5 each way (the whole range when there is none)
  const lo = Math.max(sigmaMin, (interval?.edm.low.sigma ?? sigmaMin) / 1.5);
  const hi = Math.min(sigmaMax, (interval?.edm.high.sigma ?? sigmaMax) * 1.5);
  const rates = guidanceRates(model, label, sem, lo, hi, seed + 17);
  // the closed forms need the class moments of a labelled mixture (deltas with labels, GMM)
  const mixture = model.structure?.type === "mixture" && model.structure.labels !== undefined;
  const front = mixture ? gaussianFront(model, label, sigmaMin, sigmaMax, seed) : undefined;
  const parts: string[] = [];
  if (interval) {
    const { edm: e, vp } = interval;
    const steps = (d: ClassDecision) => `${Math.round(d.low.timestep!)}–${Math.round(d.high.timestep!)}`;
    parts.push(
      `The class is decided where σ·dH(c|x_σ)/dσ (this report's profile) exceeds half its peak: σ ∈ [${f3(e.low.sigma)}, ${f3(e.high.sigma)}], peak σ ≈ ${f3(e.peak.sigma)}, ` +
        `${(100 * e.fractionInside).toFixed(0)}% of the class information gained on the grid. As a guidance interval: EDM (t = σ) (${f3(e.low.sigma)}, ${f3(e.high.sigma)}]; ` +
        `DDPM's VP-linear process (β 0.1–20) t ∈ [${f3(vp.low.t)}, ${f3(vp.high.t)}], timesteps ${steps(vp)} of 1000 (peak ${Math.round(vp.peak.timestep!)}). Outside it ∇log p(c|x) ≈ 0: guidance there only distorts.`,
    );
  } else parts.push("The decision interval is left out: the profile's class rate has no positive peak in the range.");
  const ratios = rates.measured.slice(1).map((m) => m.firstRatio);
  const shown = rates.measured.slice(1).map((m, k) => `γ = ${m.gamma}: ${withError(ratios[k].value, ratios[k].standardError)} (1+2γ = ${1 + 2 * m.gamma})`);
  const [s0, s1] = rates.firstSigma;
  parts.push(
    `Guidance s_c + γ∇log p(c|x) multiplies the rate at which a state learns its class by 1+2γ (THEORY.md §9.3). For class ${name} (the largest), ${rates.paths} guided reverse-SDE paths per γ ` +
      `from σ = ${f3(s0)} (drawn from p_σ(·|c), guidance on below; the same starts and noise for every γ) measure the mean increment of the exact log p(c|x) per log σ. ` +
      (ratios.every((r) => Number.isFinite(r.value) && Number.isFinite(r.standardError))
        ? `Over the first ${FIRST_STEPS} steps (σ ${f3(s0)} → ${f3(s1)}), where every γ's paths are still distributed as p_σ(·|c), guided/unguided = ${shown.join(", ")}; ` +
          `below, the guided paths leave p_σ(·|c) and fall under the first-order line (1+2γ)σ r_c.`
        : "The guided/unguided ratio is left out: the unguided increment is 0 at the start (the class is already decided there)."),
  );
  const t = front?.target;
  const w = t?.window;
  const win = w?.schedule.type === "windows" ? w.schedule.windows[w.schedule.windows.length - 1] : undefined;
  if (!mixture) parts.push(`The Pareto front is left out: its Gaussian closed forms need the class moments of a labelled mixture, and this is a ${model.kind} model.`);
  else if (!front || !t) parts.push(`The Pareto front is left out: class ${name} or the rest of the data has no spread along an axis, so the KL of any guided law to it is infinite.`);
  else
    parts.push(
      `The window search on the model itself costs ≥ 20 s at its smallest budget, so the Pareto front is from THEORY.md §9.2's Gaussian closed forms (class and data as Gaussians with their moments; ${front.candidates} schedules): ` +
        `constant w = ${TARGET_W} reaches separability ${t.separability.toFixed(4)} at KL ${f3(t.constant.kl)} nats; ` +
        (w && win
          ? `the least-KL window reaching it, w = ${f3(win.w)} on (${f3(win.lo)}, ${f3(win.hi)}]${w.schedule.type === "windows" && w.schedule.windows.length > 1 ? " and w = 0 below" : ""}, costs KL ${f3(w.kl)} nats.`
          : "no window schedule reaches it."),
    );
  return {
    section: {
      id: "guidance",
      title: "Guidance: where it acts and what it costs",
      text: parts.join(" "),
      figures: [...add("guidance-rate", guidanceRateFigure(rates, name)), ...(front ? add("guidance-front", paretoFigure(front)) : [])],
    },
    results: {
      class: name,
      ...(interval ? { interval } : {}),
      rates,
      ...(front && t
        ? {
            front: {
              method: "gaussian closed forms, probability-flow ODE" as const,
              candidates: front.candidates,
              front: front.front.map(frontJson),
              constant: front.constant.map(frontJson),
              target: { separability: t.separability, constant: frontJson(t.constant), ...(w ? { window: frontJson(w) } : {}) },
            },
          }
        : {}),
    },
  };
}
