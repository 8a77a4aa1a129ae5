import type { DataModel } from "../../models/types.js";
import { logBesselMgfScaled, vmfKullbackLeibler } from "../../numeric/bessel.js";
import { integrate } from "../../numeric/quadrature.js";
import { dataLength, fdStep } from "./divergence.js";
import { FULL_COVARIANCE_MAX_DIM, pointQuantities } from "./pointwise.js";
import type { ProfilePoint } from "./profile.js";

const LOG_2PI_E = Math.log(2 * Math.PI * Math.E);

/** Closed forms for `N(μ, Σ)` with eigenvalues λ (THEORY.md §2b, §3): one formula, so one estimator route. */
export function gaussianProfile(D: number, lambda: Float64Array, sigma: number): ProfilePoint {
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
 * (A_d = 2π^{d/2}/Γ(d/2)), by adaptive Gauss–Kronrod per quantity. The divergence is an independent route: at
 * x = ρe₁ the mean is m = m_ρ(ρ) e₁, so `Tr ∂m/∂x = ∂m_ρ/∂ρ + (d − 1) m_ρ/ρ` (the tangential derivatives by the
 * rotation symmetry), with ∂m_ρ/∂ρ by a central difference of the denoiser ({@link fdStep}).
 */
export function sphereProfile(model: DataModel, r: number, sigma: number): ProfilePoint {
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
  const step = fdStep(sigma, dataLength(model));
  // Tr ∂m/∂x at ρe₁ from three means: m_ρ(ρ) for the tangential part, m_ρ(ρ ± ε) for the radial derivative
  const jacobianTrace = (rho: number) => {
    const eps = Math.max(step, 2 ** -30 * rho); // x ± ε distinct from x (divergence.ts, STEP_FLOOR)
    const x = new Float64Array(3 * d);
    x[0] = rho;
    x[d] = rho + eps;
    x[2 * d] = rho - eps;
    const m = model.denoise({ rows: 3, dim: d, data: x }, sigma).data;
    return (m[d] - m[2 * d]) / (x[d] - x[2 * d]) + ((d - 1) * m[0]) / rho;
  };
  const mmse = E((q) => q.traceCov[0]);
  const sn = E((q) => q.scoreNormSq[0]);
  const fisher = E((q) => q.fisherTrace?.[0] ?? q.traceCov[0] / (s2 * s2));
  const trace = E((_q, rho) => jacobianTrace(rho)); // E Tr ∂m/∂x: the divergence bracket is trace/σ², no cancellation
  const div = trace / s2 - d / s2;
  const spectrum = d <= FULL_COVARIANCE_MAX_DIM;
  const jac = spectrum ? E((q) => q.jacobianEigenSum?.[0] ?? q.traceCov[0] / (s2 * s2) - d / s2) : undefined;
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
      divergence: (sigma * trace) / s2,
      fisherTrace: sigma * fisher,
      ...(jac !== undefined ? { jacobianSpectrum: sigma * (jac + d / s2) } : {}),
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
