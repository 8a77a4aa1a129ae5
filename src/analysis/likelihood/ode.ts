import type { Batch } from "../../batch.js";
import { InfodynError } from "../../errors.js";
import type { Conditioning, Denoiser } from "../../models/types.js";
import { symmetricEigen } from "../../numeric/eigen.js";
import { createRng } from "../../numeric/rng.js";
import { Welford } from "../../numeric/welford.js";
import { drive, type DenoiseProgram, type Driven } from "../../score/program.js";
import { rkAdaptive, type Derivative } from "../dynamics/runge-kutta.js";
import { levelSeed } from "../info/design.js";
import type { Moments } from "./exact.js";

/** Dimensions up to which the ODE route takes the exact divergence (D central-difference columns) by default. */
export const EXACT_DIVERGENCE_MAX_DIM = 16;

/** Options of {@link odeLikelihood}. */
export interface OdeLikelihoodOptions {
  /** Where the flow starts when smoothing = 0 (the likelihood found is that of y + σ_min z; its bias is reported). */
  sigmaMin: number;
  /** Where the flow ends and the Gaussian prior is evaluated. */
  sigmaMax: number;
  /** Mean and covariance of the data y, for the prior `N(μ, Cov + σ_max² I)` at σ_max. */
  prior: Moments;
  /** Smoothing s > 0: the likelihood of y + s z', exactly, by starting the flow at σ = s (no bias). @default 0 */
  smoothing?: number;
  /** Relative and absolute tolerance of the Dormand–Prince local error. @default 1e-6, 1e-9 */
  rtol?: number;
  atol?: number;
  /** `exact`: Tr ∂D/∂x by D central-difference columns; `hutchinson`: Rademacher probes. Default exact for D ≤ 16. */
  divergence?: "exact" | "hutchinson";
  /** Rademacher probes per point, fixed along the path (Hutchinson). @default 4 */
  probes?: number;
  /** Seed of the probes: point i draws from `createRng(levelSeed(seed, i))`. @default 0 */
  seed?: number;
  /** Finite-difference step relative to σ. @default 1e-4 */
  epsilon?: number;
  /** Class of each point: the likelihood of y given c, from the conditional denoiser. */
  labels?: Int32Array;
  signal?: AbortSignal;
}

/** What {@link odeLikelihood} computed, per point (nats), and what it cost. */
export interface OdeLikelihood {
  method: "ode";
  /** −log p_{σ_start}(y): of y + s z' (smoothing s > 0), else of y + σ_min z. */
  nll: Float64Array;
  /** Standard error over the probes (Hutchinson, ≥ 2 probes); 0 for the exact divergence. */
  standardError: Float64Array;
  /** `nll − (−log p(y))` ≈ −(σ_min²/2)(Δlog p + ‖∇log p‖²)(y), estimated at σ_min (0 with smoothing > 0). */
  sigmaMinBias: Float64Array;
  /** The prior term log N(x(σ_max); μ, Cov + σ_max² I). */
  logPrior: Float64Array;
  sigmaStart: number;
  divergence: "exact" | "hutchinson";
  probes: number;
  rtol: number;
  atol: number;
  steps: { accepted: number; rejected: number };
  denoiserCalls: number;
  denoiserRows: number;
}

/**
 * The likelihood from the probability-flow ODE (THEORY.md §4), from any denoiser.
 *
 * Derivation: the flow `dx/dσ = f = (x − D(x, σ))/σ = −σ ∇log p_σ` carries p_σ into p_σ' (its marginals obey the
 * continuity equation `∂_σ p + div(p f) = 0`), so along a path `d log p_σ(x(σ))/dσ = ∂_σ log p + f·∇log p = −div f`,
 * with `div f = (D − Tr ∂D/∂x)/σ` (= `−σ Δlog p_σ = (D − Tr C/σ²)/σ`, §2). Integrating from σ₀ to σ_max:
 * `log p_σ₀(y) = log p_σmax(x(σ_max)) + ∫_σ₀^σmax (D − Tr ∂D/∂x) dσ/σ`, `x(σ₀) = y`.
 *
 * Method: in t = log σ the augmented state `[x, ℓ]` obeys `dx/dt = x − D(x, σ)`, `dℓ/dt = D − Tr ∂D/∂x`, integrated by
 * the adaptive Dormand–Prince 5(4) driver (runge-kutta.ts) from t₀ = log σ₀ to log σ_max, all points in one state
 * (one denoiser call per stage). Tr ∂D/∂x: exact, `Σ_l (D_l(x + εe_l) − D_l(x − εe_l))/(2ε)`, or Hutchinson,
 * `vᵀ(D(x + εv) − D(x − εv))/(2ε)` with Rademacher v fixed along the path (one ℓ per probe, so the ODE stays smooth
 * and each probe gives an unbiased estimate); ε = epsilon·σ. Prior: `p_σmax ≈ N(μ, Cov + σ_max² I)` (the data's mean
 * and covariance), error O((‖Cov‖/σ_max²)^{3/2}) from the third cumulant. σ₀ = s with a smoothing s > 0 (exact: the
 * smoothed law's noisy law at σ is p_{√(s²+σ²)}, and its density is p_s), else σ_min, which gives the likelihood
 * of y + σ_min z: `sigmaMinBias` estimates `log p(y) − log p_σmin(y) ≈ −(σ²/2) Δp/p` from D and Tr ∂D/∂x at (y, σ_min).
 *
 * @example
 * const g = parseModel({ kind: "gaussian", mean: [0], cov: [[1]] });
 * odeLikelihood(g, fromRows([[0.5]]), { sigmaMin: 1e-3, sigmaMax: 1e3, prior: modelMoments(g)! }).nll[0]; // ≈ 1.0439388
 */
export function odeLikelihood<Dn extends Denoiser>(denoiser: Dn, points: Batch, options: OdeLikelihoodOptions): Driven<Dn, OdeLikelihood> {
  if (points.dim !== denoiser.dim) throw new InfodynError(`points: dimension ${points.dim} differs from the denoiser's ${denoiser.dim}`);
  return drive(odeLikelihoodProgram(points, options), denoiser, { signal: options.signal });
}

/** {@link odeLikelihood} as a program. */
export function* odeLikelihoodProgram(points: Batch, options: OdeLikelihoodOptions): DenoiseProgram<OdeLikelihood> {
  const { rows: n, dim: D } = points;
  const s = options.smoothing ?? 0;
  const sigma0 = s > 0 ? s : options.sigmaMin;
  const sigmaMax = options.sigmaMax;
  if (!(sigma0 > 0 && sigmaMax > sigma0 && Number.isFinite(sigmaMax)))
    throw new InfodynError(`sigma range: needs 0 < σ_start < σ_max < ∞ (got ${sigma0}, ${sigmaMax})`);
  const divergence = options.divergence ?? (D <= EXACT_DIVERGENCE_MAX_DIM ? "exact" : "hutchinson");
  const K = divergence === "exact" ? 1 : options.probes ?? 4;
  if (!(Number.isInteger(K) && K >= 1)) throw new InfodynError(`probes: must be a positive integer (got ${K})`);
  const rtol = options.rtol ?? 1e-6;
  const atol = options.atol ?? 1e-9;
  const epsRel = options.epsilon ?? 1e-4;
  const dirs = divergence === "exact" ? D : K; // perturbation directions per point
  const V = new Float64Array(n * K * D);
  if (divergence === "hutchinson")
    for (let i = 0; i < n; i++) {
      const rng = createRng(levelSeed(options.seed ?? 0, i));
      for (let p = i * K * D; p < (i + 1) * K * D; p++) V[p] = rng.rademacher();
    }
  const stride = D + K;
  const perPoint = 1 + 2 * dirs;
  let cond: Conditioning | undefined;
  if (options.labels) {
    const rowLabels = new Int32Array(n * perPoint);
    for (let i = 0; i < n; i++) rowLabels.fill(options.labels[i], i * perPoint, (i + 1) * perPoint);
    cond = { labels: rowLabels };
  }
  let calls = 0;
  // dx/dt = x − D(x, σ), dℓ_k/dt = D − Tr_k ∂D/∂x, t = log σ.
  const f: Derivative = function* (state, t, out) {
    const sigma = Math.exp(t);
    const eps = epsRel * sigma;
    const X = new Float64Array(n * perPoint * D);
    for (let i = 0; i < n; i++) {
      const o = i * perPoint * D;
      for (let k = 0; k < D; k++) X[o + k] = state[i * stride + k];
      for (let q = 0; q < dirs; q++) {
        const plus = o + (1 + 2 * q) * D;
        for (let k = 0; k < D; k++) {
          const v = divergence === "exact" ? (k === q ? 1 : 0) : V[(i * K + q) * D + k];
          X[plus + k] = X[o + k] + eps * v;
          X[plus + D + k] = X[o + k] - eps * v;
        }
      }
    }
    const M = (yield { x: { rows: n * perPoint, dim: D, data: X }, sigma, cond }).data;
    calls++;
    for (let i = 0; i < n; i++) {
      const o = i * perPoint * D;
      for (let k = 0; k < D; k++) out[i * stride + k] = X[o + k] - M[o + k];
      let trace = 0;
      for (let q = 0; q < dirs; q++) {
        const plus = o + (1 + 2 * q) * D;
        let a = 0;
        if (divergence === "exact") a = M[plus + q] - M[plus + D + q];
        else for (let k = 0; k < D; k++) a += V[(i * K + q) * D + k] * (M[plus + k] - M[plus + D + k]);
        a /= 2 * eps;
        if (divergence === "exact") trace += a;
        else out[i * stride + D + q] = D - a;
      }
      if (divergence === "exact") out[i * stride + D] = D - trace;
    }
  };

  const state = new Float64Array(n * stride);
  for (let i = 0; i < n; i++) state.set(points.data.subarray(i * D, (i + 1) * D), i * stride);
  // The bias of starting at σ_min: −(σ²/2)(Δlog p + ‖∇log p‖²), ∇log p = (D − y)/σ², Δlog p = (Tr ∂D/∂x − D)/σ².
  const sigmaMinBias = new Float64Array(n);
  if (s === 0) {
    const k0 = new Float64Array(n * stride);
    yield* f(state, Math.log(sigma0), k0);
    for (let i = 0; i < n; i++) {
      let ell = 0;
      for (let q = 0; q < K; q++) ell += k0[i * stride + D + q] / K;
      let g2 = 0;
      for (let k = 0; k < D; k++) g2 += k0[i * stride + k] ** 2;
      sigmaMinBias[i] = 0.5 * ell - g2 / (2 * sigma0 * sigma0);
    }
  }
  const report = yield* rkAdaptive(f, state, Math.log(sigma0), Math.log(sigmaMax), { rtol, atol, signal: options.signal });
  const prior = gaussianLogDensity(options.prior, sigmaMax);
  const nll = new Float64Array(n);
  const standardError = new Float64Array(n);
  const logPrior = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    logPrior[i] = prior(state.subarray(i * stride, i * stride + D));
    const w = new Welford();
    for (let q = 0; q < K; q++) w.push(-(logPrior[i] + state[i * stride + D + q]));
    nll[i] = w.mean;
    standardError[i] = K > 1 ? w.standardError : divergence === "exact" ? 0 : NaN;
  }
  return {
    method: "ode",
    nll,
    standardError,
    sigmaMinBias,
    logPrior,
    sigmaStart: sigma0,
    divergence,
    probes: divergence === "exact" ? 0 : K,
    rtol,
    atol,
    steps: { accepted: report.accepted, rejected: report.rejected },
    denoiserCalls: calls,
    denoiserRows: calls * n * perPoint,
  };
}

/** `x ↦ log N(x; μ, Cov + σ² I)`, through the eigen-decomposition of Cov. */
function gaussianLogDensity({ mean, cov }: Moments, sigma: number): (x: Float64Array) => number {
  const D = mean.length;
  const { values, vectors } = symmetricEigen(cov, D);
  const v = values.map((l) => Math.max(0, l) + sigma * sigma);
  const logDet = v.reduce((a, b) => a + Math.log(b), 0);
  return (x) => {
    let q = 0;
    for (let j = 0; j < D; j++) {
      let c = 0;
      for (let k = 0; k < D; k++) c += vectors[k * D + j] * (x[k] - mean[k]);
      q += (c * c) / v[j];
    }
    return -0.5 * (D * Math.log(2 * Math.PI) + logDet + q);
  };
}
