import { InfodynError } from "../../errors.js";
import type { DenoiseProgram } from "../../score/program.js";

/*
 * One explicit Runge–Kutta driver in σ for every ODE of the project: the probability-flow ODE of the samplers
 * (THEORY.md §4), the tangent flow of the Lyapunov exponents (state and tangent vectors side by side), and any
 * augmented state (a likelihood's log-density change). The right-hand side may ask a denoiser, so each
 * evaluation is a DenoiseProgram: the same step serves exact models (synchronously) and networks.
 */

/**
 * A Butcher tableau: stage nodes `c`, coefficients `a` (row s lists the stages before s), weights `b`, and for
 * embedded pairs the weights `bHat` of the lower-order solution (error estimate `h Σ (b − b̂) k`).
 */
export interface Tableau {
  readonly name: string;
  /** Order of the `b` solution. */
  readonly order: number;
  readonly c: readonly number[];
  readonly a: readonly (readonly number[])[];
  readonly b: readonly number[];
  readonly bHat?: readonly number[];
  /** First same as last: the last stage is f at the new state and σ, reusable as the next step's first. */
  readonly fsal?: boolean;
}

/** Euler's method (order 1). */
export const EULER: Tableau = { name: "euler", order: 1, c: [0], a: [[]], b: [1] };

/** Heun's method, the explicit trapezoid (order 2): EDM's Algorithm 2 without churn. */
export const HEUN: Tableau = { name: "heun", order: 2, c: [0, 1], a: [[], [1]], b: [0.5, 0.5] };

/** The classical 4th-order Runge–Kutta method. */
export const RK4: Tableau = {
  name: "rk4",
  order: 4,
  c: [0, 0.5, 0.5, 1],
  a: [[], [0.5], [0, 0.5], [0, 0, 1]],
  b: [1 / 6, 1 / 3, 1 / 3, 1 / 6],
};

/**
 * Dormand–Prince 5(4) (Dormand & Prince 1980; Hairer, Nørsett & Wanner, Solving ODEs I, Table 5.2): order 5
 * with an embedded order-4 solution for the error, FSAL.
 */
export const DOPRI5: Tableau = {
  name: "dopri5",
  order: 5,
  c: [0, 1 / 5, 3 / 10, 4 / 5, 8 / 9, 1, 1],
  a: [
    [],
    [1 / 5],
    [3 / 40, 9 / 40],
    [44 / 45, -56 / 15, 32 / 9],
    [19372 / 6561, -25360 / 2187, 64448 / 6561, -212 / 729],
    [9017 / 3168, -355 / 33, 46732 / 5247, 49 / 176, -5103 / 18656],
    [35 / 384, 0, 500 / 1113, 125 / 192, -2187 / 6784, 11 / 84],
  ],
  b: [35 / 384, 0, 500 / 1113, 125 / 192, -2187 / 6784, 11 / 84, 0],
  bHat: [5179 / 57600, 0, 7571 / 16695, 393 / 640, -92097 / 339200, 187 / 2100, 1 / 40],
  fsal: true,
};

/** The right-hand side `dy/dσ = f(y, σ)`, written into `out`; it may ask a denoiser (yield a call). */
export type Derivative = (y: Float64Array, sigma: number, out: Float64Array) => DenoiseProgram<void>;

/** Scratch arrays of a tableau for states of length n (one per stage, plus the stage state). */
export interface RkWork {
  readonly k: Float64Array[];
  readonly stage: Float64Array;
}

/** Scratch for `tab` on states of length n. */
export function rkWork(tab: Tableau, n: number): RkWork {
  return { k: tab.c.map(() => new Float64Array(n)), stage: new Float64Array(n) };
}

/** Options of {@link rkStep}. */
export interface RkStepOptions {
  /** `work.k[0]` already holds f(y, σ) (a sampler's callback needed the denoised state first, or FSAL). */
  firstStageDone?: boolean;
  /** Take only the Euler step (k₁): the rule for a final σ = 0, where f is singular. */
  eulerOnly?: boolean;
  /** For embedded pairs: write `h Σ (b − b̂) k` here (the local error estimate). */
  error?: Float64Array;
}

/**
 * One explicit Runge–Kutta step from σ to σ' (h = σ' − σ, negative for the reverse dynamics), in place on `y`:
 * stage s at `y + h Σ_{q<s} a_sq k_q` and `σ + c_s h` (σ' exactly where c_s = 1), then `y ← y + h Σ_s b_s k_s`.
 * Each weighted sum is formed before the product with h, so Heun's step is EDM's `x + h(½d + ½d')` to the bit.
 */
export function* rkStep(
  tab: Tableau,
  f: Derivative,
  y: Float64Array,
  sigma: number,
  sigmaNext: number,
  work: RkWork,
  options: RkStepOptions = {},
): DenoiseProgram<void> {
  const h = sigmaNext - sigma;
  const { k, stage } = work;
  const n = y.length;
  if (!options.firstStageDone) yield* f(y, sigma, k[0]);
  if (options.eulerOnly) {
    for (let p = 0; p < n; p++) y[p] += h * k[0][p];
    return;
  }
  const S = tab.b.length;
  for (let s = 1; s < S; s++) {
    const row = tab.a[s];
    for (let p = 0; p < n; p++) {
      let acc = 0;
      for (let q = 0; q < s; q++) if (row[q]) acc += row[q] * k[q][p];
      stage[p] = y[p] + h * acc;
    }
    yield* f(stage, tab.c[s] === 1 ? sigmaNext : sigma + tab.c[s] * h, k[s]);
  }
  const err = options.error;
  for (let p = 0; p < n; p++) {
    let acc = 0;
    for (let s = 0; s < S; s++) if (tab.b[s]) acc += tab.b[s] * k[s][p];
    if (err && tab.bHat) {
      let e = 0;
      for (let s = 0; s < S; s++) e += (tab.b[s] - tab.bHat[s]) * k[s][p];
      err[p] = h * e;
    }
    y[p] += h * acc;
  }
}

/** Options of {@link rkAdaptive}. */
export interface AdaptiveOptions {
  /** Relative tolerance of the local error. @default 1e-6 */
  rtol?: number;
  /** Absolute tolerance of the local error. @default 1e-9 */
  atol?: number;
  /** First step size |h| (default: 1% of the interval). */
  initialStep?: number;
  /** Refuse to take more than this many steps (accepted + rejected). @default 100000 */
  maxSteps?: number;
  /** Called after every accepted step with the new σ (and `y` at it). */
  onStep?: (sigma: number, y: Float64Array) => void;
  /** Checked between steps. */
  signal?: AbortSignal;
}

/** What {@link rkAdaptive} did. */
export interface AdaptiveReport {
  accepted: number;
  rejected: number;
  /** Evaluations of f (each possibly one denoiser call). */
  evaluations: number;
  /** σ after every accepted step, starting with σ_0. */
  sigmas: number[];
}

/**
 * Adaptive integration with an embedded pair (default {@link DOPRI5}) from σ_0 to σ_1, in place on `y`.
 *
 * Method (Hairer, Nørsett & Wanner I, §II.4): error norm `‖e‖ = √(mean((e_p/(atol + rtol·max(|y_p|, |y'_p|)))²))`;
 * accept when ≤ 1; next `|h| ← |h| · min(5, max(0.2, 0.9 ‖e‖^{−1/(q+1)}))`, q the lower order; the last step
 * lands on σ_1 exactly. FSAL reuses the last stage as the next step's first.
 *
 * Special cases: throws {@link InfodynError} when the step count exceeds `maxSteps` or the step size
 * underflows (a singular right-hand side, e.g. σ_1 = 0 for the probability-flow ODE).
 */
export function* rkAdaptive(
  f: Derivative,
  y: Float64Array,
  sigma0: number,
  sigma1: number,
  options: AdaptiveOptions = {},
  tab: Tableau = DOPRI5,
): DenoiseProgram<AdaptiveReport> {
  if (!tab.bHat) throw new InfodynError(`${tab.name}: not an embedded pair (no error estimate)`);
  const rtol = options.rtol ?? 1e-6;
  const atol = options.atol ?? 1e-9;
  const maxSteps = options.maxSteps ?? 100_000;
  const n = y.length;
  const work = rkWork(tab, n);
  const err = new Float64Array(n);
  const trial = new Float64Array(n);
  const dir = Math.sign(sigma1 - sigma0);
  const span = Math.abs(sigma1 - sigma0);
  let h = Math.min(options.initialStep ?? 0.01 * span, span);
  const report: AdaptiveReport = { accepted: 0, rejected: 0, evaluations: 0, sigmas: [sigma0] };
  if (span === 0) return report;
  const S = tab.b.length;
  let sigma = sigma0;
  let firstDone = false;
  const q = tab.order - 1;
  while (dir * (sigma1 - sigma) > 0) {
    if (options.signal?.aborted) throw new InfodynError("aborted");
    if (report.accepted + report.rejected >= maxSteps)
      throw new InfodynError(`adaptive ${tab.name}: more than ${maxSteps} steps between σ = ${sigma0} and ${sigma1} (tolerance too tight or a singular right-hand side)`);
    const last = h >= Math.abs(sigma1 - sigma) * (1 - 1e-12);
    const next = last ? sigma1 : sigma + dir * h;
    if (next === sigma) throw new InfodynError(`adaptive ${tab.name}: step size underflow at σ = ${sigma}`);
    trial.set(y);
    yield* rkStep(tab, f, trial, sigma, next, work, { firstStageDone: firstDone, error: err });
    report.evaluations += firstDone ? S - 1 : S;
    let norm = 0;
    for (let p = 0; p < n; p++) {
      const scale = atol + rtol * Math.max(Math.abs(y[p]), Math.abs(trial[p]));
      norm += (err[p] / scale) ** 2;
    }
    norm = Math.sqrt(norm / Math.max(1, n));
    if (!Number.isFinite(norm)) norm = Infinity;
    const factor = norm === 0 ? 5 : Math.min(5, Math.max(0.2, 0.9 * norm ** (-1 / (q + 1))));
    if (norm <= 1) {
      y.set(trial);
      sigma = next;
      report.accepted++;
      report.sigmas.push(sigma);
      options.onStep?.(sigma, y);
      if (tab.fsal) {
        work.k[0].set(work.k[S - 1]);
        firstDone = true;
      }
      h *= factor;
    } else {
      report.rejected++;
      h *= Math.min(1, factor);
      // the first stage at (y, σ) is still valid after a rejection
      firstDone = true;
    }
  }
  return report;
}
