import type { Batch } from "../../batch.js";
import { InfodynError } from "../../errors.js";
import type { Conditioning, Denoiser } from "../../models/types.js";
import { symmetricEigenvalues } from "../../numeric/eigen.js";
import { createRng } from "../../numeric/rng.js";
import { Welford } from "../../numeric/welford.js";
import { drive, type DenoiseProgram, type Driven } from "../../score/program.js";
import { levelSeed } from "./design.js";
import type { Estimate } from "./expect.js";
import { FULL_COVARIANCE_MAX_DIM } from "./pointwise.js";
import type { RateEstimatorName } from "./routes.js";

/** Options of {@link denoiserRates} and {@link denoiserRateProfile}. */
export interface DenoiserRateOptions {
  /** Seed of every random draw (noise z and probes v); default 0. The same seed gives identical numbers. */
  seed?: number;
  /** Noise draws z per data sample (default 1); a sample's value is the mean over its draws. */
  noiseDraws?: number;
  /** Rademacher probes v per noisy point for the Hutchinson trace (default 1). */
  probes?: number;
  /** Finite-difference step for J v, relative to σ: ε = epsilon·σ (default 1e-4). */
  epsilon?: number;
  /** Data samples per denoiser call (default 4096); each call carries all their noisy and perturbed points. */
  batchSize?: number;
  /**
   * Class of each data sample, for a conditional denoiser: every row made from sample i is denoised given
   * `labels[i]` (−1: unconditional). The estimates are then those of the class-conditional laws, pooled.
   */
  labels?: Int32Array;
}

/**
 * The entropy-rate estimators of THEORY.md §3, each `σ × bracket`, computed from a denoiser alone
 * (the keys and brackets of `RateEstimators` in profile.ts).
 */
export interface DenoiserRateEstimators {
  /** σ (D/σ² − E‖s‖²). */
  scoreNorm: Estimate;
  /** σ (E div + D/σ²), div by Hutchinson. */
  divergence: Estimate;
  /** σ E Tr I_σ, Tr I_σ = Tr(∂D/∂x)/σ² by Hutchinson on the same probes (equals `divergence` up to rounding). */
  fisherTrace: Estimate;
  /** mmse/σ³ with mmse = E‖y − D(y + σz, σ)‖². */
  posteriorVariance: Estimate;
  /** σ Σ_j (1/σ² + E λ_j), λ_j the eigenvalues of the symmetrised finite-difference Jacobian of s (D ≤ 16). */
  jacobianSpectrum?: Estimate;
}

/** Denoiser-only estimates at one σ (THEORY.md §3, §8); standard errors across data samples. */
export interface DenoiserRates {
  sigma: number;
  /** Number of data samples (the n of every standard error √(var/n)). */
  samples: number;
  /** E‖y − D(y + σz, σ)‖²: the mmse for the optimal denoiser, an upper bound on it for any other. */
  mmse: Estimate;
  /** E‖s(x)‖², s(x) = (D(x, σ) − x)/σ², x = y + σz. */
  scoreNormSq: Estimate;
  /** E Tr J(x) by Hutchinson: vᵀ(s(x + εv) − s(x − εv))/(2ε), v Rademacher. */
  meanDivergence: Estimate;
  entropyRateEstimators: DenoiserRateEstimators;
  /**
   * The independent routes against the loss (routes.ts, `denoiserRoutes`): `divergence − posteriorVariance` and
   * `scoreNorm − posteriorVariance`, paired sample by sample, so the standard error is that of the difference.
   */
  routeDifference?: Partial<Record<RateEstimatorName, Estimate>>;
  /** dH(y|x_σ)/dσ by the posterior-variance route, mmse/σ³ (the denoiser's own loss). */
  entropyRate: Estimate;
}

/**
 * Entropy-rate estimators that need only a {@link Denoiser} and data samples y (THEORY.md §8), so a trained
 * network plugs in where an exact model's posterior mean is used here.
 *
 * Formula: for each data sample y, noise draws z ~ N(0, I) give x = y + σz, the score s(x) = (D(x, σ) − x)/σ²
 * (Tweedie, §2), and per point
 * - mmse term `‖y − D(x, σ)‖²` (§8): its mean is the mmse for the optimal denoiser and an upper bound otherwise;
 * - score norm `‖s(x)‖²` (§8);
 * - Hutchinson divergence `vᵀ(s(x + εv) − s(x − εv))/(2ε)`, v Rademacher, ε = epsilon·σ (§8), whose mean over v
 *   is Tr J(x) up to the O(ε²) central-difference error; evaluated as `[vᵀ(D(x + εv) − D(x − εv))/(2ε) − ‖v‖²]/σ²`
 *   (the same number in exact arithmetic), so the identity part is exact and no O(ulp(x)/ε) rounding enters it;
 * - Fisher trace `Tr I_σ(x) = div(x) + D/σ² = Tr(∂D/∂x)/σ²` (§2: I_σ = I/σ² + J = C/σ⁴ and ∂m/∂x = C/σ²),
 *   estimated as `vᵀ(D(x + εv) − D(x − εv))/(2εσ²)` with the same probes: for a denoiser it is the Hutchinson
 *   divergence shifted by D/σ², so the `fisherTrace` and `divergence` routes agree to rounding. (The other form
 *   of the Fisher information, E_{y|x}‖∇_x log p(y|x)‖² = E‖y − D(x)‖²/σ⁴, is the posterior-variance route.)
 * - for D ≤ 16, the Jacobian spectrum: the central differences `(D(x + εe_l) − D(x − εe_l))/(2εσ²)` give the
 *   columns of A = ∂D/∂x/σ² = J + I/σ²; with μ_j the eigenvalues of (A + Aᵀ)/2 (A is symmetric for an exact
 *   denoiser), λ_j = μ_j − 1/σ² are those of the symmetrised J, and the bracket Σ_j (1/σ² + λ_j) = Σ_j μ_j is
 *   summed without cancelling 1/σ² against λ_j. The sum of eigenvalues is the finite-difference trace, so this
 *   route is the divergence without probe noise, at 2D denoiser evaluations per point.
 * The entropy rate dH(y|x_σ)/dσ then has five estimators, each `σ × bracket` as in profileAt (profile.ts, §3):
 * scoreNorm = σ(D/σ² − E‖s‖²), divergence = σ(E div + D/σ²), fisherTrace = σ E Tr I_σ,
 * jacobianSpectrum = σ Σ_j (1/σ² + E λ_j), posteriorVariance = mmse/σ³ (also `entropyRate`).
 *
 * For the exact denoiser (the posterior mean) the five agree within their standard errors. On a trained model
 * they do not: scoreNorm and divergence use different functionals of s (Stein's identity E‖s‖² = −E div holds
 * only for the true score), and the posterior-variance route is the denoising loss, an upper bound; so the
 * disagreement between the estimators measures the training error.
 *
 * Method: each sample's value is the mean over its `noiseDraws` draws and `probes` probes; means and standard
 * errors (sd/√n over the n data samples) by {@link Welford}. Every denoiser call carries a whole batch: for each
 * chunk of `batchSize` samples, one `denoise` call on the noisy points, their ±εv probes and (D ≤ 16) their ±εe_k
 * columns together. All randomness comes from one rng seeded with `seed`, drawn sample by sample (z, then the
 * probes), so the numbers do not depend on `batchSize`.
 *
 * Runs on any denoiser: synchronously on an exact model, as a promise on a network (one denoiser call per chunk).
 *
 * Special cases: throws {@link InfodynError} for σ ≤ 0, an empty batch, a batch whose dim differs from the
 * denoiser's, or non-positive counts or step. With one data sample the standard errors are NaN.
 *
 * @example
 * const model = parseModel({ kind: "deltas", points: [[-1], [1]] });
 * const r = denoiserRates(model, model.sample(20_000, createRng(1)), 1, { seed: 2 });
 * r.entropyRate.value; // ≈ profileAt(model, 1).entropyRate, within a few r.entropyRate.standardError
 */
export function denoiserRates<Dn extends Denoiser>(
  denoiser: Dn,
  data: Batch,
  sigma: number,
  options: DenoiserRateOptions & { signal?: AbortSignal } = {},
): Driven<Dn, DenoiserRates> {
  return drive(denoiserRatesProgram(denoiser.dim, data, sigma, options), denoiser, { signal: options.signal });
}

/** {@link denoiserRates} as a program (one denoiser call per chunk of data samples). */
export function* denoiserRatesProgram(
  D: number,
  data: Batch,
  sigma: number,
  options: DenoiserRateOptions = {},
): DenoiseProgram<DenoiserRates> {
  const n = data.rows;
  const R = options.noiseDraws ?? 1;
  const P = options.probes ?? 1;
  const epsRel = options.epsilon ?? 1e-4;
  const chunk = options.batchSize ?? 4096;
  if (!(Number.isFinite(sigma) && sigma > 0)) throw new InfodynError(`sigma: must be positive and finite (got ${sigma})`);
  if (data.dim !== D) throw new InfodynError(`data: dimension ${data.dim} differs from the denoiser's ${D}`);
  if (!(n >= 1)) throw new InfodynError("data: needs at least one sample");
  const labels = options.labels;
  if (labels && labels.length !== n) throw new InfodynError(`labels: ${labels.length} labels for ${n} data samples`);
  for (const [name, v] of [["noiseDraws", R], ["probes", P], ["batchSize", chunk]] as const)
    if (!(Number.isInteger(v) && v >= 1)) throw new InfodynError(`${name}: must be a positive integer (got ${v})`);
  if (!(Number.isFinite(epsRel) && epsRel > 0)) throw new InfodynError(`epsilon: must be positive and finite (got ${epsRel})`);

  const rng = createRng(options.seed ?? 0);
  const eps = epsRel * sigma;
  const s2 = sigma * sigma;
  const spectrum = D <= FULL_COVARIANCE_MAX_DIM;
  // Rows per noisy point: x, then x ± εv for each probe, then x ± εe_k for each coordinate (spectrum).
  const perPoint = 1 + 2 * P + (spectrum ? 2 * D : 0);
  const acc = { mmse: new Welford(), sn: new Welford(), div: new Welford(), fisher: new Welford(), jac: new Welford(), dDiv: new Welford(), dSn: new Welford() };
  const A = spectrum ? new Float64Array(D * D) : undefined;

  for (let start = 0; start < n; start += chunk) {
    const c = Math.min(chunk, n - start);
    const points = c * R;
    const X = new Float64Array(points * perPoint * D);
    const V = new Float64Array(points * P * D);
    // Draw z and the probes sample by sample, so the stream does not depend on the chunk size.
    for (let p = 0; p < points; p++) {
      const y = (start + Math.floor(p / R)) * D;
      const base = p * perPoint * D;
      for (let k = 0; k < D; k++) X[base + k] = data.data[y + k] + sigma * rng.normal();
      for (let q = 0; q < P; q++) {
        const vo = (p * P + q) * D;
        const plus = base + (1 + 2 * q) * D;
        for (let k = 0; k < D; k++) {
          const v = rng.rademacher();
          V[vo + k] = v;
          X[plus + k] = X[base + k] + eps * v;
          X[plus + D + k] = X[base + k] - eps * v;
        }
      }
      if (spectrum) {
        const cols = base + (1 + 2 * P) * D;
        for (let l = 0; l < D; l++) {
          const o = cols + 2 * l * D;
          for (let k = 0; k < D; k++) {
            X[o + k] = X[base + k];
            X[o + D + k] = X[base + k];
          }
          X[o + l] += eps;
          X[o + D + l] -= eps;
        }
      }
    }
    let cond: Conditioning | undefined;
    if (labels) {
      const rowLabels = new Int32Array(points * perPoint);
      for (let p = 0; p < points; p++) rowLabels.fill(labels[start + Math.floor(p / R)], p * perPoint, (p + 1) * perPoint);
      cond = { labels: rowLabels };
    }
    const M = (yield { x: { rows: points * perPoint, dim: D, data: X }, sigma, cond }).data;

    for (let i = 0; i < c; i++) {
      const y = (start + i) * D;
      let mm = 0;
      let sn = 0;
      let dv = 0;
      let fi = 0;
      let jc = 0;
      for (let r = 0; r < R; r++) {
        const p = i * R + r;
        const o0 = p * perPoint * D;
        for (let k = 0; k < D; k++) {
          const e = data.data[y + k] - M[o0 + k];
          mm += e * e;
          const s = (M[o0 + k] - X[o0 + k]) / s2;
          sn += s * s;
        }
        for (let q = 0; q < P; q++) {
          const op = o0 + (1 + 2 * q) * D;
          // vᵀ(s(x + εv) − s(x − εv))/(2ε) = [vᵀ(D(x + εv) − D(x − εv))/(2ε) − ‖v‖²]/σ², with the step taken as
          // the intended 2εv (not the rounded stored difference), so no O(ulp(x)/ε) error enters the D/σ² part.
          let a = 0;
          let vv = 0;
          for (let k = 0; k < D; k++) {
            const v = V[(p * P + q) * D + k];
            a += v * (M[op + k] - M[op + D + k]);
            vv += v * v;
          }
          a /= 2 * eps;
          dv += (a - vv) / s2;
          fi += a / s2;
        }
        if (A) {
          // A = sym(∂D/∂x)/σ² = J + I/σ² (the Fisher matrix I_σ), column l by central differences along e_l;
          // λ_j(J) = λ_j(A) − 1/σ², so Σ_j (1/σ² + λ_j(J)) = Σ_j λ_j(A) without cancellation.
          const oc = o0 + (1 + 2 * P) * D;
          for (let l = 0; l < D; l++) {
            const o = oc + 2 * l * D;
            for (let k = 0; k < D; k++) A[k * D + l] = (M[o + k] - M[o + D + k]) / (2 * eps * s2);
          }
          const lam = symmetricEigenvalues(A, D);
          for (let j = 0; j < D; j++) jc += lam[j];
        }
      }
      acc.mmse.push(mm / R);
      acc.sn.push(sn / R);
      acc.div.push(dv / (R * P));
      acc.fisher.push(fi / (R * P));
      // the sample's three routes as rate estimates (σ × bracket), differenced against the loss mm/σ³
      const pv = mm / R / (s2 * sigma);
      acc.dDiv.push(sigma * (dv / (R * P) + D / s2) - pv);
      acc.dSn.push(sigma * (D / s2 - sn / R) - pv);
      if (spectrum) acc.jac.push(jc / R);
    }
  }

  const est = (w: Welford): Estimate => ({ value: w.mean, standardError: w.standardError });
  const mmse = est(acc.mmse);
  const sn = est(acc.sn);
  const div = est(acc.div);
  const estimators: DenoiserRateEstimators = {
    scoreNorm: scale(shift(scale(sn, -1), D / s2), sigma),
    divergence: scale(shift(div, D / s2), sigma),
    fisherTrace: scale(est(acc.fisher), sigma),
    posteriorVariance: scale(mmse, 1 / (s2 * sigma)),
  };
  if (spectrum) estimators.jacobianSpectrum = scale(est(acc.jac), sigma);
  return {
    sigma,
    samples: n,
    mmse,
    scoreNormSq: sn,
    meanDivergence: div,
    entropyRateEstimators: estimators,
    routeDifference: { divergence: est(acc.dDiv), scoreNorm: est(acc.dSn) },
    entropyRate: estimators.posteriorVariance,
  };
}

/** Options of {@link denoiserRateProfile}. */
export interface DenoiserRateProfileOptions extends DenoiserRateOptions {
  /** Called after each σ with the number done and the total. */
  onProgress?: (done: number, total: number) => void;
  /** Checked before every denoiser call. */
  signal?: AbortSignal;
}

/**
 * {@link denoiserRates} at each σ of `sigmas`, in order. The σ at index i uses seed `levelSeed(seed, i)` (default
 * seed 0; design.ts), so each σ has its own random stream (fresh noise and probes; the data samples are shared) and
 * any single entry can be reproduced by one `denoiserRates` call.
 */
export function denoiserRateProfile<Dn extends Denoiser>(
  denoiser: Dn,
  data: Batch,
  sigmas: ArrayLike<number>,
  options: DenoiserRateProfileOptions = {},
): Driven<Dn, DenoiserRates[]> {
  return drive(denoiserRateProfileProgram(denoiser.dim, data, sigmas, options), denoiser, { signal: options.signal });
}

function* denoiserRateProfileProgram(
  D: number,
  data: Batch,
  sigmas: ArrayLike<number>,
  options: DenoiserRateProfileOptions,
): DenoiseProgram<DenoiserRates[]> {
  const { onProgress, signal: _signal, ...rest } = options;
  const seed = rest.seed ?? 0;
  const out: DenoiserRates[] = [];
  for (let i = 0; i < sigmas.length; i++) {
    out.push(yield* denoiserRatesProgram(D, data, sigmas[i], { ...rest, seed: levelSeed(seed, i) }));
    onProgress?.(i + 1, sigmas.length);
  }
  return out;
}

const scale = (e: Estimate, c: number): Estimate => ({ value: e.value * c, standardError: e.standardError * Math.abs(c) });
const shift = (e: Estimate, c: number): Estimate => ({ value: e.value + c, standardError: e.standardError });
