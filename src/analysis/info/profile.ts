import type { DataModel } from "../../models/types.js";
import type { NoiseProcess } from "../../noise/process.js";
import { logBesselMgfScaled, vmfKullbackLeibler } from "../../numeric/bessel.js";
import { integrate } from "../../numeric/quadrature.js";
import { mixtureDesign, monteCarlo, type Design, type DesignOptions } from "./design.js";
import { expectation, variance, type Estimate } from "./expect.js";
import { pointQuantities } from "./pointwise.js";

const LOG_2PI_E = Math.log(2 * Math.PI * Math.E);

/**
 * The five estimators of the entropy rate dH(y|x_σ)/dσ (THEORY.md §3), each `σ × bracket`.
 *
 * Which are independent routes on an exact model (the honest count is two): `posteriorVariance` (E Tr C from the
 * kernel's moments) and `scoreNorm` (E‖m − x‖², a different pointwise quantity, equal in expectation only through
 * E‖y − x‖² = Dσ² = mmse + E‖m − x‖², so it checks the kernel's mean against its trace and the design's
 * integration). `fisherTrace`, `divergence` and `jacobianSpectrum` are the trace of the full posterior
 * covariance matrix (D ≤ 16), its shift by D/σ², and the sum of its eigenvalues: the same Tr C by another
 * summation, agreeing to rounding by construction. On a denoiser (denoiser.ts) they are genuinely different
 * Monte Carlo / finite-difference estimators, and their disagreement measures the training error.
 */
export interface RateEstimators {
  /** σ (D/σ² − E‖∇log p‖²). */
  scoreNorm: number;
  /** σ (E div + D/σ²). */
  divergence: number;
  /** σ E Tr I_σ(x), I_σ = C/σ⁴. */
  fisherTrace: number;
  /** σ Σ_j (1/σ² + E λ_j(x)). */
  jacobianSpectrum: number;
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
  /** dH(x_σ)/dσ = −σ E div = D/σ − dH(y|x_σ)/dσ. */
  marginalEntropyRate: number;
  /** D/σ: the rate's upper bound (generative bandwidth). */
  bandwidth: number;
  /** E‖∇log p_σ‖². */
  scoreNormSq: number;
  /** E Tr J = E div. */
  meanDivergence: number;
  /** Var_x h(x_σ) (discrete models). */
  pathwiseEntropyVariance?: number;
  /** H(c|x_σ) (labelled models). */
  classEntropy?: number;
  /** dH(c|x_σ)/dσ = σ E‖∇log p(c|x)‖² = E Σ_c p(c|x)‖m_c − m‖²/σ³. */
  classEntropyRate?: number;
  /** Standard errors of the Monte Carlo estimates (absent for quadrature and closed forms). */
  standardError?: Partial<Record<Exclude<keyof ProfilePoint, "sigma" | "standardError" | "method" | "entropyRateEstimators">, number>> & {
    entropyRateEstimators?: Partial<RateEstimators>;
  };
  /** How the expectation over x was computed. */
  method: string;
}

/** Options of {@link profileAt} and {@link informationProfile}. */
export interface ProfileOptions extends DesignOptions {
  /** Evaluate a Monte Carlo design in chunks of this many points (default 4096). */
  chunk?: number;
}

/**
 * The information profile of a data model at one noise level (THEORY.md §2–3, §8).
 *
 * Method: expectations over `x ~ p_σ` are closed forms for a Gaussian, a radial Gauss–Kronrod integral for the
 * sphere, quadrature per mixture component in 1-D (trapezoid in z) and 2-D (Gauss–Hermite), and seeded Monte
 * Carlo (stratified by component) otherwise, with standard errors. I(y; x_σ) is `H(y) − E h` for discrete
 * models and `−E log p_σ − (D/2) log(2πeσ²)` otherwise.
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

function designProfile(model: DataModel, sigma: number, design: Design, options: ProfileOptions): ProfilePoint {
  const D = model.dim;
  const q = evaluateChunked(model, design, sigma, options.chunk ?? 4096);
  const E = (f: Float64Array) => expectation(f, design);
  const mmse = E(q.traceCov);
  const sn = E(q.scoreNormSq);
  const logp = E(q.logDensity);
  const s2 = sigma * sigma;
  const s4 = s2 * s2;
  const fisher = q.fisherTrace ? E(q.fisherTrace) : scale(mmse, 1 / s4);
  const div = q.divergence ? E(q.divergence) : shift(scale(mmse, 1 / s4), -D / s2);
  const jac = q.jacobianEigenSum ? E(q.jacobianEigenSum) : div;
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
    mutual = { value: -logp.value - 0.5 * D * (LOG_2PI_E + Math.log(s2)), standardError: logp.standardError };
  }
  const est: Record<keyof RateEstimators, Estimate> = {
    scoreNorm: scale(shift(scale(sn, -1), D / s2), sigma),
    divergence: scale(shift(div, D / s2), sigma),
    fisherTrace: scale(fisher, sigma),
    jacobianSpectrum: scale(shift(jac, D / s2), sigma),
    posteriorVariance: scale(mmse, 1 / (s2 * sigma)),
  };
  const point: ProfilePoint = {
    sigma,
    conditionalEntropy: conditional?.value,
    mutualInformation: mutual.value,
    mmse: mmse.value,
    entropyRate: est.posteriorVariance.value,
    entropyRateEstimators: mapValues(est, (e) => e.value),
    marginalEntropyRate: D / sigma - est.posteriorVariance.value,
    bandwidth: D / sigma,
    scoreNormSq: sn.value,
    meanDivergence: div.value,
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
      entropyRate: est.posteriorVariance.standardError,
      entropyRateEstimators: mapValues(est, (e) => e.standardError),
      marginalEntropyRate: est.posteriorVariance.standardError,
      scoreNormSq: sn.standardError,
      meanDivergence: div.standardError,
      pathwiseEntropyVariance: varH?.standardError,
      classEntropy: hc?.standardError,
      classEntropyRate: between ? between.standardError / (s2 * sigma) : undefined,
    };
  }
  return point;
}

function evaluateChunked(model: DataModel, design: Design, sigma: number, chunk: number) {
  const n = design.nodes.rows;
  const D = design.nodes.dim;
  if (n <= chunk) return pointQuantities(model, design.nodes, sigma);
  const parts = [];
  for (let s = 0; s < n; s += chunk) {
    const e = Math.min(n, s + chunk);
    parts.push(pointQuantities(model, { rows: e - s, dim: D, data: design.nodes.data.subarray(s * D, e * D) }, sigma));
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
  return out as unknown as ReturnType<typeof pointQuantities>;
}

/** H(y) = −Σ π log π for models made of weighted points. */
export function discretePriorEntropy(model: DataModel): number | undefined {
  const st = model.structure;
  if (!model.discrete || st?.type !== "mixture") return undefined;
  let h = 0;
  for (const p of st.weights) if (p > 0) h -= p * Math.log(p);
  return h;
}

/** Closed forms for `N(μ, Σ)` with eigenvalues λ (THEORY.md §2b, §3). */
function gaussianProfile(D: number, lambda: Float64Array, sigma: number): ProfilePoint {
  const s2 = sigma * sigma;
  let mmse = 0;
  let cond = 0;
  let mutual = 0;
  let invSum = 0; // Σ 1/(λ + σ²) = E‖∇log p‖² = −E div
  let jac = 0; // Σ_i (1/σ² + λ_i(J)), λ_i(J) = −1/(λ_i + σ²)
  for (const l of lambda) {
    invSum += 1 / (l + s2);
    jac += 1 / s2 - 1 / (l + s2);
    if (l === 0) continue;
    mmse += 1 / (1 / l + 1 / s2);
    cond += 0.5 * (LOG_2PI_E + Math.log(l) + Math.log(s2) - Math.log(l + s2));
    mutual += 0.5 * Math.log1p(l / s2);
  }
  const rate = mmse / (s2 * sigma);
  return {
    sigma,
    conditionalEntropy: cond,
    mutualInformation: mutual,
    mmse,
    entropyRate: rate,
    entropyRateEstimators: {
      scoreNorm: sigma * (D / s2 - invSum),
      divergence: sigma * (-invSum + D / s2),
      fisherTrace: mmse / (s2 * sigma),
      jacobianSpectrum: sigma * jac,
      posteriorVariance: rate,
    },
    marginalEntropyRate: sigma * invSum,
    bandwidth: D / sigma,
    scoreNormSq: invSum,
    meanDivergence: -invSum,
    method: "closed form",
  };
}

/**
 * The sphere: every quantity depends on ρ = ‖x‖ only, so `E f = ∫₀^∞ f(ρ) A_d ρ^{d−1} p_σ(ρ e₁) dρ`
 * (A_d = 2π^{d/2}/Γ(d/2)), by adaptive Gauss–Kronrod per quantity.
 */
function sphereProfile(model: DataModel, r: number, sigma: number): ProfilePoint {
  const d = model.dim;
  const logArea = Math.log(2) + (d / 2) * Math.log(Math.PI) - logGammaHalf(d);
  // Radial integral in t = (ρ − r)/σ, ρ = ‖x‖, with the density of t written in t itself: (ρ − r)² = (σt)² is exact
  // where ρ is not (near r, float64 ρ are 2e-16 r apart: 2e-4 σ at σ = 1e-12 r),
  // p(t) = σ |S^{d−1}| ρ^{d−1} (2πσ²)^{−d/2} e^{−t²/2} M_d(κ) e^{−κ}, κ = rρ/σ².
  const at = (t: number) => {
    const rho = r + sigma * t;
    const x = { rows: 1, dim: d, data: new Float64Array(d) };
    x.data[0] = rho;
    const q = pointQuantities(model, x, sigma);
    const logDens =
      Math.log(sigma) + logArea + (d - 1) * Math.log(rho) - 0.5 * d * Math.log(2 * Math.PI * sigma * sigma) - 0.5 * t * t +
      logBesselMgfScaled(d, (r * rho) / (sigma * sigma));
    return { q, rho, dens: rho > 0 ? Math.exp(logDens) : 0 };
  };
  const tLo = Math.max(-r / sigma, -40);
  const tHi = Math.sqrt(d) + 40;
  const E = (pick: (q: ReturnType<typeof pointQuantities>, rho: number) => number) => {
    const f = (t: number) => {
      const { q, rho, dens } = at(t);
      return dens === 0 ? 0 : dens * pick(q, rho);
    };
    return [[tLo, 0], [0, tHi]].reduce((acc, [a, b]) => acc + integrate(f, a, b, { epsrel: 1e-12, epsabs: 0 }).value, 0);
  };
  const s2 = sigma * sigma;
  const mmse = E((q) => q.traceCov[0]);
  const sn = E((q) => q.scoreNormSq[0]);
  const fisher = E((q) => q.fisherTrace?.[0] ?? q.traceCov[0] / (s2 * s2));
  const div = E((q) => q.divergence?.[0] ?? q.traceCov[0] / (s2 * s2) - d / s2);
  const jac = E((q) => q.jacobianEigenSum?.[0] ?? q.traceCov[0] / (s2 * s2) - d / s2);
  // I = E_x KL(vMF(κ(x)) ‖ uniform), κ = r‖x‖/σ²: positive term by term (the form −E log p_σ − (D/2) log(2πeσ²)
  // cancels catastrophically as σ/r → 0, where I grows like ((d − 1)/2) log(r²/σ²))
  const mutual = E((_q, rho) => vmfKullbackLeibler(d, (r * rho) / s2));
  const rate = mmse / (s2 * sigma);
  return {
    sigma,
    // differential entropy on the sphere w.r.t. its surface measure: H(y) = log area(r S^{d−1})
    conditionalEntropy: logArea + (d - 1) * Math.log(r) - mutual,
    mutualInformation: mutual,
    mmse,
    entropyRate: rate,
    entropyRateEstimators: {
      scoreNorm: sigma * (d / s2 - sn),
      divergence: sigma * (div + d / s2),
      fisherTrace: sigma * fisher,
      jacobianSpectrum: sigma * (jac + d / s2),
      posteriorVariance: rate,
    },
    marginalEntropyRate: d / sigma - rate,
    bandwidth: d / sigma,
    scoreNormSq: sn,
    meanDivergence: div,
    method: "radial gauss-kronrod",
  };
}

/** log Γ(d/2) for integer d ≥ 1 by the recursion Γ(x + 1) = xΓ(x) from Γ(1) = 1, Γ(½) = √π. */
export function logGammaHalf(d: number): number {
  let x = d % 2 === 0 ? 1 : 0.5;
  let acc = d % 2 === 0 ? 0 : 0.5 * Math.log(Math.PI);
  while (x < d / 2) {
    acc += Math.log(x);
    x += 1;
  }
  return acc;
}

const scale = (e: Estimate, c: number): Estimate => ({ value: e.value * c, standardError: e.standardError * Math.abs(c) });
const shift = (e: Estimate, c: number): Estimate => ({ value: e.value + c, standardError: e.standardError });
function mapValues<T, U>(o: Record<keyof RateEstimators, T>, f: (v: T) => U): Record<keyof RateEstimators, U> {
  return {
    scoreNorm: f(o.scoreNorm),
    divergence: f(o.divergence),
    fisherTrace: f(o.fisherTrace),
    jacobianSpectrum: f(o.jacobianSpectrum),
    posteriorVariance: f(o.posteriorVariance),
  };
}

/** Convenience: the profile point with the process's time and dH/dt = (dσ/dt) dH/dσ. */
export function timeRate(point: ProfilePoint, process: NoiseProcess): { t: number; entropyRateTime: number } {
  const t = process.time(point.sigma);
  return { t, entropyRateTime: point.entropyRate * process.sigmaDerivative(t) };
}
