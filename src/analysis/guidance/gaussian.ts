import { type Batch, zeros } from "../../batch.js";
import { conditionalLabels } from "../../models/deltas.js";
import { sigmaAt, type SyncDenoiser } from "../../models/types.js";
import { integrate } from "../../numeric/quadrature.js";
import { guidanceWeight, scheduleEdges, type GuidanceSchedule } from "./schedule.js";

/*
 * The jointly Gaussian model of THEORY.md §9.2 (Ventura, Achilli, Ambrogioni, Lucibello): per shared eigendirection
 * (here the coordinate axes) a class law N(μ_c, λ_c) and an unconditional law N(μ_u, λ_u), λ_c < λ_u. The guided
 * score is linear, `s_w = −a x + b`, `a = w/A + (1−w)/B`, `b = wμ_c/A + (1−w)μ_u/B`, `A = λ_c + σ²`, `B = λ_u + σ²`
 * (our w; γ = w − 1), so guided sampling keeps the law Gaussian and its moments solve linear ODEs exactly.
 */

/** Class and unconditional Gaussians with diagonal covariances (one entry per direction). */
export interface GaussianPair {
  muC: Float64Array;
  lambdaC: Float64Array;
  muU: Float64Array;
  lambdaU: Float64Array;
}

/** One shared eigendirection of a {@link GaussianPair}. */
export interface PairDirection {
  lambdaC: number;
  lambdaU: number;
  muC: number;
  muU: number;
}

/** Direction k of a pair. */
export function pairDirection(pair: GaussianPair, k: number): PairDirection {
  return { lambdaC: pair.lambdaC[k], lambdaU: pair.lambdaU[k], muC: pair.muC[k], muU: pair.muU[k] };
}

/**
 * The pair as a conditional denoiser with one class (label 0: the class law, −1: the unconditional law), the
 * posterior means of THEORY.md §2b per direction: `m = μ + λ(x − μ)/(λ + σ²)`. The guided samplers run on it as on
 * any labelled model; note that the unconditional law is *not* the mixture of its one class (the paper's model).
 *
 * @example
 * const pair = { muC: Float64Array.of(1), lambdaC: Float64Array.of(0.5), muU: Float64Array.of(0), lambdaU: Float64Array.of(2) };
 * gaussianPairDenoiser(pair).denoise(fromRows([[1]]), 1, { labels: Int32Array.of(0) }).data[0]; // returns 1
 */
export function gaussianPairDenoiser(pair: GaussianPair): SyncDenoiser {
  const D = pair.muC.length;
  return {
    dim: D,
    numClasses: 1,
    denoise(x: Batch, sigma: number | Float64Array, cond) {
      const labels = conditionalLabels(cond, x.rows, 1);
      const out = zeros(x.rows, D);
      for (let i = 0; i < x.rows; i++) {
        const s2 = sigmaAt(sigma, i) ** 2;
        const c = labels !== undefined && labels[i] === 0;
        const mu = c ? pair.muC : pair.muU;
        const lam = c ? pair.lambdaC : pair.lambdaU;
        for (let k = 0; k < D; k++) out.data[i * D + k] = mu[k] + (lam[k] * (x.data[i * D + k] - mu[k])) / (lam[k] + s2);
      }
      return out;
    },
  };
}

/** log((λ + hi²)/(λ + lo²)) without cancellation; hi = ∞ gives the regularised −log(λ + lo²) (log hi² dropped). */
function ell(lambda: number, lo: number, hi: number): number {
  if (hi === Infinity) return -Math.log(lambda + lo * lo);
  return Math.log1p((hi * hi - lo * lo) / (lambda + lo * lo));
}

/**
 * `Λ(lo, hi) = ∫_lo^hi 2σ a(σ) dσ = ∫ a dr` (r = σ²), the log-contraction of the guided flow between two noise
 * levels (THEORY.md §9.2), exact: on a piece of constant w, `w ℓ_c + (1 − w) ℓ_u` with `ℓ_λ = log((λ + hi²)/(λ + lo²))`;
 * for the linear schedule `γ = γ₀ + ωr`: `(1 + γ₀ − ωλ_c) ℓ_c − (γ₀ − ωλ_u) ℓ_u` (derived here: the ω r terms of the
 * two logs cancel).
 *
 * Special cases: hi = ∞ gives the value regularised by dropping the common `log hi²` (coefficient w + 1 − w = 1):
 * what the limit σ_max → ∞ needs; NaN for the linear schedule with ω ≠ 0 there (it diverges).
 */
export function logContraction(dir: PairDirection, schedule: GuidanceSchedule, lo: number, hi: number): number {
  const { lambdaC: lc, lambdaU: lu } = dir;
  if (schedule.type === "linear") {
    const { gamma0: g0, omega: om } = schedule;
    if (hi === Infinity && om !== 0) return NaN;
    return (1 + g0 - om * lc) * ell(lc, lo, hi) - (g0 - om * lu) * ell(lu, lo, hi);
  }
  const cuts = [lo, ...scheduleEdges(schedule).filter((e) => e > lo && e < hi), hi];
  let total = 0;
  for (let j = 0; j + 1 < cuts.length; j++) {
    const a = cuts[j];
    const b = cuts[j + 1];
    // the weight of the open piece (a, b): at a point strictly inside it
    const w = guidanceWeight(schedule, b === Infinity ? a + 1 + 2 * a : 0.5 * (a + b));
    total += w * ell(lc, a, b) + (1 - w) * ell(lu, a, b);
  }
  return total;
}

/** Which dynamics the guided score drives: the probability-flow ODE or the reverse SDE (Euler–Maruyama's limit). */
export type GuidedDynamics = "ode" | "sde";

/** Options of {@link guidedGaussianMoments}. */
export interface GuidedGaussianOptions {
  /** @default "ode" */
  dynamics?: GuidedDynamics;
  /** Where the dynamics stop (≥ 0). @default 0 */
  sigmaMin?: number;
  /** Where they start; ∞ gives the limit, independent of the start. @default Infinity */
  sigmaMax?: number;
  /** Mean and variance of the state at σ_max (finite σ_max). @default the unconditional noisy law N(μ_u, λ_u + σ_max²) */
  start?: { mean: number; variance: number };
}

/**
 * Mean and variance, at σ_min, of guided sampling on one direction of the jointly Gaussian model (THEORY.md §9.2),
 * from σ_max. With `u = m − μ_c`, `Δμ = μ_c − μ_u`, `γ = w − 1`, `Λ(σ) = Λ(σ_min, σ)` ({@link logContraction}),
 * `r = σ²`, `R = σ_max²`:
 * - ODE (`dm/dσ = σ(am − b)`, `dv/dσ = 2σav`): `v = v₀ e^{−Λ(σ_max)}`,
 *   `u = e^{−Λ(σ_max)/2} u₀ + Δμ ∫ γ e^{−Λ/2} dr / (2(λ_u + r))`;
 * - SDE (`dm/dσ = 2σ(am − b)`, `dv/dσ = 4σav − 2σ`): `v = v₀ e^{−2Λ(σ_max)} + ∫ e^{−2Λ} dr`,
 *   `u = e^{−Λ(σ_max)} u₀ + Δμ ∫ γ e^{−Λ} dr / (λ_u + r)`;
 * the r-integrals over [σ_min², R] (integrating factors of the linear moment ODEs, derived here; σ_max = ∞ and
 * constant γ give the paper's `v = λ_c κ^{2γ}` and ₂F₁ mean). Λ is exact, the r-integrals by adaptive
 * Gauss–Kronrod split at the window edges (relative error ~1e-11).
 *
 * Special cases: σ_max = ∞ drops the start (`v₀ e^{−Λ}` → e^{−Λ_reg} for the ODE, 0 for the SDE); the linear
 * schedule with ω ≠ 0 there gives NaN.
 *
 * @example
 * guidedGaussianMoments({ lambdaC: 1, lambdaU: 4, muC: 1, muU: 0 }, { type: "constant", w: 2 }).variance; // 1·(1/4)¹ = 0.25
 */
export function guidedGaussianMoments(dir: PairDirection, schedule: GuidanceSchedule, options: GuidedGaussianOptions = {}): { mean: number; variance: number } {
  const { dynamics = "ode", sigmaMin = 0, sigmaMax = Infinity } = options;
  const { lambdaU: lu, muC, muU } = dir;
  const dmu = muC - muU;
  const start = options.start ?? { mean: muU, variance: lu + sigmaMax * sigmaMax };
  const u0 = start.mean - muC;
  const Lambda = (sigma: number) => logContraction(dir, schedule, sigmaMin, sigma);
  const gamma = (r: number) => guidanceWeight(schedule, Math.sqrt(r)) - 1;
  const rMin = sigmaMin * sigmaMin;
  const R = sigmaMax * sigmaMax;
  const cuts = [rMin, ...scheduleEdges(schedule).map((e) => e * e).filter((r) => r > rMin && r < R), R];
  const quad = (f: (r: number) => number) => {
    let total = 0;
    for (let j = 0; j + 1 < cuts.length; j++) total += integrate(f, cuts[j], cuts[j + 1], { epsabs: 0, epsrel: 1e-12 }).value;
    return total;
  };
  const L = Lambda(sigmaMax);
  const finite = sigmaMax < Infinity;
  if (dynamics === "ode") {
    const variance = finite ? start.variance * Math.exp(-L) : Math.exp(-L);
    const u = (finite ? Math.exp(-L / 2) * u0 : 0) + dmu * quad((r) => (gamma(r) * Math.exp(-Lambda(Math.sqrt(r)) / 2)) / (2 * (lu + r)));
    return { mean: muC + u, variance };
  }
  const variance = (finite ? start.variance * Math.exp(-2 * L) : 0) + quad((r) => Math.exp(-2 * Lambda(Math.sqrt(r))));
  const u = (finite ? Math.exp(-L) * u0 : 0) + dmu * quad((r) => (gamma(r) * Math.exp(-Lambda(Math.sqrt(r)))) / (lu + r));
  return { mean: muC + u, variance };
}

/**
 * KL(N(m, v) ‖ N(μ_c, λ_c)) summed over directions (THEORY.md §9.2), nats:
 * `½ Σ [v/λ_c − 1 − log(v/λ_c) + (m − μ_c)²/λ_c]`.
 *
 * @example
 * gaussianKl([1], [0.25], [1], [1]); // ½(0.25 − 1 + log 4)
 */
export function gaussianKl(mean: ArrayLike<number>, variance: ArrayLike<number>, muC: ArrayLike<number>, lambdaC: ArrayLike<number>): number {
  let kl = 0;
  for (let k = 0; k < mean.length; k++) {
    const q = variance[k] / lambdaC[k];
    kl += 0.5 * (q - 1 - Math.log(q) + (mean[k] - muC[k]) ** 2 / lambdaC[k]);
  }
  return kl;
}

/** W₂ between N(m, diag v) and N(μ_c, diag λ_c): `√Σ[(m − μ_c)² + (√v − √λ_c)²]` (THEORY.md §9.2). */
export function gaussianW2(mean: ArrayLike<number>, variance: ArrayLike<number>, muC: ArrayLike<number>, lambdaC: ArrayLike<number>): number {
  let w2 = 0;
  for (let k = 0; k < mean.length; k++) w2 += (mean[k] - muC[k]) ** 2 + (Math.sqrt(variance[k]) - Math.sqrt(lambdaC[k])) ** 2;
  return Math.sqrt(w2);
}

/** The guided law of every direction of a pair, with its KL and W₂ to the class law. */
export interface GuidedGaussianLaw {
  mean: number[];
  variance: number[];
  kl: number;
  w2: number;
}

/**
 * {@link guidedGaussianMoments} on each direction of a pair (a `start` applies to every direction), and the
 * distortion against the class law: {@link gaussianKl}, {@link gaussianW2}.
 */
export function guidedGaussianLaw(pair: GaussianPair, schedule: GuidanceSchedule, options: Omit<GuidedGaussianOptions, "start"> = {}): GuidedGaussianLaw {
  const D = pair.muC.length;
  const mean: number[] = [];
  const variance: number[] = [];
  for (let k = 0; k < D; k++) {
    const m = guidedGaussianMoments(pairDirection(pair, k), schedule, options);
    mean.push(m.mean);
    variance.push(m.variance);
  }
  return { mean, variance, kl: gaussianKl(mean, variance, pair.muC, pair.lambdaC), w2: gaussianW2(mean, variance, pair.muC, pair.lambdaC) };
}
