import type { Batch } from "../../batch.js";
import type { DataModel } from "../../models/types.js";
import type { NoiseProcess } from "../../noise/process.js";
import { gaussianProfile, sphereProfile } from "./closed-forms.js";
import { levelSeed, mixtureDesign, monteCarlo, type Design, type DesignOptions } from "./design.js";
import { dataLength, meanJacobianTrace } from "./divergence.js";
import { expectation, variance, type Estimate } from "./expect.js";
import { pointQuantities } from "./pointwise.js";
import type { RateEstimatorName } from "./routes.js";

export { logGammaHalf } from "./closed-forms.js";

const LOG_2PI_E = Math.log(2 * Math.PI * Math.E);
/** Stream of the Hutchinson probes, apart from the design's draws (`levelSeed(seed, PROBE_STREAM)`). */
const PROBE_STREAM = 0x70726f62;

/**
 * The five estimators of the entropy rate dH(y|x_σ)/dσ (THEORY.md §3), each `σ × bracket`. They are not five
 * checks: `exactRoutes(model)` (routes.ts) says which are one computed quantity. On an exact model there are three
 * routes (one for a Gaussian's closed forms):
 * - the kernel's posterior covariance: `posteriorVariance` (E Tr C), `fisherTrace` (its diagonal/σ⁴) and, for
 *   D ≤ 16, `jacobianSpectrum` (the eigenvalues of J built from the full C; left out above 16, where they are
 *   not computed) — one matrix summed three ways, agreeing to rounding by construction;
 * - `divergence`: Tr ∂m/∂x by central differences of the posterior mean (divergence.ts; D axes up to 16,
 *   Hutchinson probes above, with their noise in the standard error): it never touches the kernel's second
 *   moments, so its agreement with Tr C/σ² checks Tweedie's ∂m/∂x = C/σ² on the kernel's numbers;
 * - `scoreNorm` (E‖m − x‖², another pointwise quantity, equal in expectation only through
 *   E‖y − x‖² = Dσ² = mmse + E‖m − x‖²): it checks the kernel's mean and the design's sampling of x.
 * On a denoiser (denoiser.ts) the estimators are Monte Carlo / finite-difference estimators of the network, and
 * their disagreement measures the training error.
 */
export interface RateEstimators {
  /** σ (D/σ² − E‖∇log p‖²). */
  scoreNorm: number;
  /** σ (E div + D/σ²) = E Tr(∂m/∂x)/σ, by central differences of the posterior mean. */
  divergence: number;
  /** σ E Tr I_σ(x), I_σ = C/σ⁴. */
  fisherTrace: number;
  /** σ Σ_j (1/σ² + E λ_j(x)) (where the eigenvalues of C are computed: D ≤ 16, and 1-D, Gaussians). */
  jacobianSpectrum?: number;
  /** mmse/σ³. */
  posteriorVariance: number;
}

/** Every information quantity of THEORY.md §3 at one σ (undefined where it does not apply to the model). */
export interface ProfilePoint {
  sigma: number;
  /** H(y|x_σ) in nats (exact for discrete models, differential on the support for continuous ones). */
  conditionalEntropy?: number;
  /** I(y; x_σ) in nats. */
  mutualInformation: number;
  /** E Tr C(x). */
  mmse: number;
  /** dH(y|x_σ)/dσ = mmse/σ³. */
  entropyRate: number;
  entropyRateEstimators: RateEstimators;
  /**
   * Each independent route's first estimator minus `posteriorVariance`, paired over the same nodes (so the Monte
   * Carlo noise they share cancels, and `standardError.routeDifference` is the error of the difference itself).
   */
  routeDifference?: Partial<Record<RateEstimatorName, number>>;
  /** dH(x_σ)/dσ = −σ E div = D/σ − dH(y|x_σ)/dσ. */
  marginalEntropyRate: number;
  /** D/σ: the rate's upper bound (generative bandwidth). */
  bandwidth: number;
  /** E‖∇log p_σ‖². */
  scoreNormSq: number;
  /** E Tr J = E div (the divergence route). */
  meanDivergence: number;
  /** Var_x h(x_σ) (discrete models). */
  pathwiseEntropyVariance?: number;
  /** H(c|x_σ) (labelled models). */
  classEntropy?: number;
  /** dH(c|x_σ)/dσ = σ E‖∇log p(c|x)‖² = E Σ_c p(c|x)‖m_c − m‖²/σ³. */
  classEntropyRate?: number;
  /** Standard errors of the Monte Carlo estimates (absent for quadrature and closed forms). */
  standardError?: Partial<Record<Exclude<keyof ProfilePoint, "sigma" | "standardError" | "method" | "entropyRateEstimators" | "routeDifference">, number>> & {
    entropyRateEstimators?: Partial<RateEstimators>;
    routeDifference?: Partial<Record<RateEstimatorName, number>>;
  };
  /** How the expectation over x was computed. */
  method: string;
}

/** Options of {@link profileAt} and {@link informationProfile}. */
export interface ProfileOptions extends DesignOptions {
  /** Evaluate a Monte Carlo design in chunks of this many points (default 4096). */
  chunk?: number;
  /** Hutchinson probes per point for the divergence route above D = 16 (default 1). */
  probes?: number;
  /**
   * Monte Carlo points the divergence route runs on (default 1000): an evenly spaced subsample of the design when
   * it has more (the finite differences cost 2 denoiser rows per probe, 2D up to D = 16). Quadratures use every node.
   */
  divergenceSamples?: number;
}

/**
 * The information profile of a data model at one noise level (THEORY.md §2–3, §8).
 *
 * Method: expectations over `x ~ p_σ` are closed forms for a Gaussian, a radial Gauss–Kronrod integral for the
 * sphere, quadrature per mixture component in 1-D (trapezoid in z) and 2-D (Gauss–Hermite), and seeded Monte
 * Carlo (stratified by component) otherwise, with standard errors. I(y; x_σ) is `H(y) − E h` for discrete
 * models and `−E log p_σ − (D/2) log(2πeσ²)` otherwise. The rate's estimators come by three independent routes
 * (see {@link RateEstimators}); the divergence's probes are seeded `levelSeed(seed, PROBE_STREAM)`.
 *
 * @example
 * profileAt(deltas(fromRows([[-1], [1]])), 1).entropyRate; // = mmse(1)/1³
 */
export function profileAt(model: DataModel, sigma: number, options: ProfileOptions = {}): ProfilePoint {
  const st = model.structure;
  if (st?.type === "gaussian") return gaussianProfile(model.dim, st.lambda, sigma);
  if (st?.type === "sphere") return sphereProfile(model, st.radius, sigma);
  const design = mixtureDesign(model, sigma, options) ?? monteCarlo(model, sigma, options);
  return designProfile(model, sigma, design, options);
}

/**
 * mmse(σ) = E Tr C(x) alone, with its standard error: the design of {@link profileAt} and one posterior call for
 * Tr C per node (no entropies, class means or divergence route), for callers that need only the mmse (schedules).
 * The same σ, options and seed give the same draws as `profileAt`, hence its mmse to rounding (the kernel's last
 * bits of Tr C may depend on the other outputs it computes).
 *
 * @example
 * mmseAt(model, 1, { seed: 3 }).value; // ≈ profileAt(model, 1, { seed: 3 }).mmse (to 1e-13)
 */
export function mmseAt(model: DataModel, sigma: number, options: ProfileOptions = {}): Estimate {
  const st = model.structure;
  if (st?.type === "gaussian" || st?.type === "sphere") return { value: profileAt(model, sigma, options).mmse, standardError: 0 };
  const design = mixtureDesign(model, sigma, options) ?? monteCarlo(model, sigma, options);
  const q = evaluateChunked(design, options.chunk ?? 4096, (x) => ({ traceCov: model.posterior(x, sigma, {}).traceCov }));
  return expectation(q.traceCov, design);
}

function designProfile(model: DataModel, sigma: number, design: Design, options: ProfileOptions): ProfilePoint {
  const D = model.dim;
  const q = evaluateChunked(design, options.chunk ?? 4096, (x) => pointQuantities(model, x, sigma));
  const E = (f: Float64Array) => expectation(f, design);
  const sub = divergenceDesign(design, options.divergenceSamples ?? DIVERGENCE_SAMPLES);
  const probeSeed = levelSeed(options.seed ?? 0, PROBE_STREAM);
  const length = dataLength(model);
  const a = evaluateChunked(sub.design, options.chunk ?? 4096, (x, c) => ({
    trace: meanJacobianTrace(model, x, sigma, { probes: options.probes, seed: levelSeed(probeSeed, c), length }).trace,
  })).trace;
  const s2 = sigma * sigma;
  const s4 = s2 * s2;
  const mmse = E(q.traceCov);
  const sn = E(q.scoreNormSq);
  const trace = expectation(a, sub.design);
  const fisher = q.fisherTrace ? E(q.fisherTrace) : scale(mmse, 1 / s4);
  // 1-D: the eigenvalue of J is (Tr C/σ² − 1)/σ²; above 16 the eigenvalues are not computed and the spectrum is left out
  const jac = q.jacobianEigenSum ? E(q.jacobianEigenSum) : D === 1 ? shift(scale(mmse, 1 / s4), -1 / s2) : undefined;
  const h = q.pathwiseEntropy ? E(q.pathwiseEntropy) : undefined;
  const varH = q.pathwiseEntropy ? variance(q.pathwiseEntropy, design) : undefined;
  const hc = q.classEntropy ? E(q.classEntropy) : undefined;
  const between = q.classBetween ? E(q.classBetween) : undefined;

  let mutual: Estimate;
  let conditional: Estimate | undefined;
  const priorEntropy = discretePriorEntropy(model);
  if (h && priorEntropy !== undefined) {
    conditional = h;
    mutual = { value: priorEntropy - h.value, standardError: h.standardError };
  } else {
    const logp = E(q.logDensity ?? model.logDensity(design.nodes, sigma));
    mutual = { value: -logp.value - 0.5 * D * (LOG_2PI_E + Math.log(s2)), standardError: logp.standardError };
  }
  const est: Partial<Record<RateEstimatorName, Estimate>> = {
    scoreNorm: scale(shift(scale(sn, -1), D / s2), sigma),
    divergence: scale(trace, 1 / sigma),
    fisherTrace: scale(fisher, sigma),
    ...(jac ? { jacobianSpectrum: scale(shift(jac, D / s2), sigma) } : {}),
    posteriorVariance: scale(mmse, 1 / (s2 * sigma)),
  };
  // The independent routes against posteriorVariance, node by node (the divergence's on its nodes): the shared
  // Monte Carlo noise cancels.
  const pv = (i: number) => q.traceCov[i] / (s2 * sigma);
  const routeDiff: Partial<Record<RateEstimatorName, Estimate>> = {
    divergence: expectation(Float64Array.from(a, (ai, j) => ai / sigma - pv(sub.rows ? sub.rows[j] : j)), sub.design),
    scoreNorm: E(Float64Array.from(q.scoreNormSq, (sn, i) => sigma * (D / s2 - sn) - pv(i))),
  };
  const rate = est.posteriorVariance!;
  const point: ProfilePoint = {
    sigma,
    conditionalEntropy: conditional?.value,
    mutualInformation: mutual.value,
    mmse: mmse.value,
    entropyRate: rate.value,
    entropyRateEstimators: values(est) as unknown as RateEstimators,
    routeDifference: values(routeDiff),
    marginalEntropyRate: D / sigma - rate.value,
    bandwidth: D / sigma,
    scoreNormSq: sn.value,
    meanDivergence: trace.value / s2 - D / s2,
    pathwiseEntropyVariance: varH?.value,
    classEntropy: hc?.value,
    classEntropyRate: between ? between.value / (s2 * sigma) : undefined,
    method: design.method,
  };
  if (design.monteCarlo) {
    point.standardError = {
      conditionalEntropy: conditional?.standardError,
      mutualInformation: mutual.standardError,
      mmse: mmse.standardError,
      entropyRate: rate.standardError,
      entropyRateEstimators: errors(est),
      routeDifference: errors(routeDiff),
      marginalEntropyRate: rate.standardError,
      scoreNormSq: sn.standardError,
      meanDivergence: trace.standardError / s2,
      pathwiseEntropyVariance: varH?.standardError,
      classEntropy: hc?.standardError,
      classEntropyRate: between ? between.standardError / (s2 * sigma) : undefined,
    };
  }
  return point;
}

/** Points of a Monte Carlo design the divergence route runs on by default. */
const DIVERGENCE_SAMPLES = 1000;

/**
 * The design of the divergence route: the design itself (quadratures, small Monte Carlo designs), or `size` of its
 * nodes evenly spaced (so each stratum keeps its share) with their weights renormalised, as plain draws: its
 * standard error ignores the strata, which can only make it larger. `rows` maps the subsample to the design.
 */
function divergenceDesign(design: Design, size: number): { design: Design; rows?: Int32Array } {
  const n = design.nodes.rows;
  if (!design.monteCarlo || n <= size) return { design };
  const D = design.nodes.dim;
  const rows = Int32Array.from({ length: size }, (_, j) => Math.floor((j * n) / size));
  const data = new Float64Array(size * D);
  let wsum = 0;
  rows.forEach((i, j) => {
    data.set(design.nodes.data.subarray(i * D, (i + 1) * D), j * D);
    wsum += design.weights[i];
  });
  const weights = Float64Array.from(rows, (i) => design.weights[i] / wsum);
  return { design: { nodes: { rows: size, dim: D, data }, weights, monteCarlo: true, method: design.method }, rows };
}

/** `f` on the design's nodes in chunks of `chunk` rows (chunk index c), each output array concatenated. */
function evaluateChunked<T extends object>(design: Design, chunk: number, f: (x: Batch, c: number) => T): T {
  const n = design.nodes.rows;
  const D = design.nodes.dim;
  if (n <= chunk) return f(design.nodes, 0);
  const parts: T[] = [];
  for (let s = 0, c = 0; s < n; s += chunk, c++) {
    const e = Math.min(n, s + chunk);
    parts.push(f({ rows: e - s, dim: D, data: design.nodes.data.subarray(s * D, e * D) }, c));
  }
  const first = parts[0] as unknown as Record<string, Float64Array | undefined>;
  const out: Record<string, Float64Array | undefined> = {};
  for (const key of Object.keys(first)) {
    if (!first[key]) continue;
    const arr = new Float64Array(n);
    let o = 0;
    for (const p of parts) {
      const v = (p as unknown as Record<string, Float64Array>)[key];
      arr.set(v, o);
      o += v.length;
    }
    out[key] = arr;
  }
  return out as unknown as T;
}

/** H(y) = −Σ π log π for models made of weighted points. */
export function discretePriorEntropy(model: DataModel): number | undefined {
  const st = model.structure;
  if (!model.discrete || st?.type !== "mixture") return undefined;
  let h = 0;
  for (const p of st.weights) if (p > 0) h -= p * Math.log(p);
  return h;
}

const scale = (e: Estimate, c: number): Estimate => ({ value: e.value * c, standardError: e.standardError * Math.abs(c) });
const shift = (e: Estimate, c: number): Estimate => ({ value: e.value + c, standardError: e.standardError });
function values(o: Partial<Record<RateEstimatorName, Estimate>>): Partial<Record<RateEstimatorName, number>> {
  return Object.fromEntries(Object.entries(o).map(([k, e]) => [k, e.value]));
}
function errors(o: Partial<Record<RateEstimatorName, Estimate>>): Partial<Record<RateEstimatorName, number>> {
  return Object.fromEntries(Object.entries(o).map(([k, e]) => [k, e.standardError]));
}

/** Convenience: the profile point with the process's time and dH/dt = (dσ/dt) dH/dσ. */
export function timeRate(point: ProfilePoint, process: NoiseProcess): { t: number; entropyRateTime: number } {
  const t = process.time(point.sigma);
  return { t, entropyRateTime: point.entropyRate * process.sigmaDerivative(t) };
}
