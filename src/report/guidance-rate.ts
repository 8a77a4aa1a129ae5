import type { Batch } from "../batch.js";
import type { SemanticProfile } from "../analysis/info/semantics.js";
import { classSample } from "../analysis/guidance/class-law.js";
import type { DataModel } from "../models/types.js";
import { logSigmas } from "../noise/grid.js";
import { createRng } from "../numeric/rng.js";
import { Welford } from "../numeric/welford.js";

/*
 * The guidance section's class-information rates (THEORY.md §9.3, "Guidance and commitment"): guided reverse-SDE
 * paths on the exact model, and how much class information they gain per unit log σ against the (1+2γ) prediction.
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
