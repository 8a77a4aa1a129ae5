import { integrate } from "../../numeric/quadrature.js";

/** β_c = 2√(ln 2): the condensation inverse temperature of the random-energy model with energies N(0, M/2). */
export const REM_BETA_C = 2 * Math.sqrt(Math.LN2);

/**
 * The M → ∞ law of the random-energy model (THEORY.md §6, seed 004 eq. 35 with Erratum 4):
 * `E[Y] = max(0, 1 − β_c/β)`, `β_c = 2√(ln 2)`, for `Y = Σ_j w_j²`.
 *
 * Special cases: β ≤ 0 or NaN → 0 (resp. NaN).
 * @example remLaw(2 * REM_BETA_C); // returns 0.5
 */
export function remLaw(beta: number): number {
  if (Number.isNaN(beta)) return NaN;
  return beta > REM_BETA_C ? 1 - REM_BETA_C / beta : 0;
}

const Z_MAX = 40;
const QUAD = { epsabs: 0, epsrel: 1e-12, maxIntervals: 400 };

/** ∫ f(u + τ z) φ(z) dz over z ∈ [−40, 40], split at the given breakpoints (adaptive Gauss–Kronrod per piece). */
function smoothed(f: (v: number) => number, u: number, tau: number, breaks: number[]): number {
  const cuts = [-Z_MAX, Z_MAX, ...breaks.filter((z) => z > -Z_MAX && z < Z_MAX)].sort((a, b) => a - b);
  const h = (z: number) => f(u + tau * z) * Math.exp(-0.5 * z * z) * 0.3989422804014327;
  let total = 0;
  for (let i = 0; i + 1 < cuts.length; i++) if (cuts[i + 1] > cuts[i]) total += integrate(h, cuts[i], cuts[i + 1], QUAD).value;
  return total;
}

/** Breakpoints in z around v = v0 (u + τz = v0) on scales 1/τ, and around the Gaussian-tilted peak z = k τ. */
function breaksAround(u: number, tau: number, v0: number, k: number): number[] {
  const z0 = (v0 - u) / tau;
  const out = [z0];
  for (const s of [0.5, 2, 6, 20, 60]) out.push(z0 - s / tau, z0 + s / tau);
  for (const s of [0, -3, 3, -8, 8]) out.push(k * tau + s);
  return out;
}

/** The three inner expectations at t = e^u, v = u + βE, E ~ N(0, s²), τ = βs. */
function inner(u: number, tau: number): { a: number; logPhi: number; oneMinusPhi: number } {
  // A(u) = E[t² e^{2βE} e^{−t e^{βE}}] = E[e^{2v − e^v}]
  const a = smoothed((v) => Math.exp(2 * v - Math.exp(v)), u, tau, breaksAround(u, tau, Math.LN2, 2));
  // 1 − φ(t) = E[1 − e^{−e^v}] and φ(t) = E[e^{−e^v}]
  const b = smoothed((v) => -Math.expm1(-Math.exp(v)), u, tau, breaksAround(u, tau, 0, 1));
  const logPhi = b < 0.5 ? Math.log1p(-b) : Math.log(smoothed((v) => Math.exp(-Math.exp(v)), u, tau, breaksAround(u, tau, 0, 0)));
  return { a, logPhi, oneMinusPhi: b };
}

/**
 * Exact finite-M mean participation ratio of the random-energy model: `N = 2^M` energies `E_j ~ N(0, M/2)` i.i.d.,
 * `w_j = e^{βE_j}/Z`, `Z = Σ_j e^{βE_j}`, `Y = Σ_j w_j²` (THEORY.md §6; Erratum 4: no 1/N in Z).
 *
 * Formula: `1/Z² = ∫₀^∞ t e^{−tZ} dt` and independence of the E_j give
 *   `E[Y] = N ∫₀^∞ t E[e^{2βE} e^{−t e^{βE}}] φ(t)^{N−1} dt`,  `φ(t) = E[e^{−t e^{βE}}]`.
 * With `t = e^u` and `v = u + βE ~ N(u, τ²)`, `τ = β√(M/2)`:
 *   `E[Y] = N ∫_{−∞}^{∞} A(u) exp((N − 1) log φ(e^u)) du`,  `A(u) = E[e^{2v − e^v}]`,
 * every factor bounded (`e^{2v−e^v} ≤ 4/e²`), so nothing overflows for N up to 2^1000.
 *
 * Method: each inner expectation is a Gaussian integral in z (v = u + τz) by adaptive Gauss–Kronrod on [−40, 40]
 * split at the sharp features (`v = ln 2`, `v = 0` on the scale 1/τ, the tilted Gaussian peaks z = τ, 2τ);
 * `log φ = log1p(−E[1 − e^{−e^v}])` while φ > ½ (keeps 1 − φ ≈ 1/N to full relative accuracy), `log E[e^{−e^v}]`
 * beyond. The outer integral runs over u between the points where the integrand falls below 1e-20 of its value
 * at `u*` ((N − 1)(1 − φ) = min(1, (N − 1)/2)), split every max(1, τ)/2. Relative accuracy ≈ 1e-10 (checked against scipy).
 *
 * Special cases: M = 0 (N = 1) → 1; β = 0 → 1/N; non-integer or negative M, negative or NaN β → NaN.
 *
 * @example remExactParticipation(10, 2 * REM_BETA_C); // ≈ 0.37 (law 0.5; finite-size correction)
 */
export function remExactParticipation(M: number, beta: number): number {
  if (!(Number.isInteger(M) && M >= 0) || !(beta >= 0)) return NaN;
  const logN = M * Math.LN2;
  const N = Math.exp(logN);
  if (M === 0) return 1;
  if (beta === 0) return 1 / N;
  const tau = beta * Math.sqrt(M / 2);
  const logIntegrand = (u: number): number => {
    const r = inner(u, tau);
    return logN + Math.log(r.a) + (N - 1) * r.logPhi;
  };
  // u*: (N − 1)(1 − φ(e^u)) = 1, by bisection (1 − φ increases with u).
  const target = Math.min(1, 0.5 * (N - 1));
  let lo = -60 - 4 * tau * tau;
  let hi = 60 + 4 * tau;
  for (let i = 0; i < 200 && hi - lo > 1e-9 * (1 + Math.abs(lo)); i++) {
    const mid = 0.5 * (lo + hi);
    if ((N - 1) * inner(mid, tau).oneMinusPhi < target) lo = mid;
    else hi = mid;
  }
  const uStar = 0.5 * (lo + hi);
  const ref = logIntegrand(uStar);
  const step = Math.max(1, tau) / 2;
  const cutoff = ref + Math.log(1e-20);
  let uLo = uStar;
  while (uLo > uStar - 1e4 && !(logIntegrand(uLo) < cutoff)) uLo -= step;
  let uHi = uStar;
  while (uHi < uStar + 1e4 && !(logIntegrand(uHi) < cutoff)) uHi += step;
  const f = (u: number) => Math.exp(logIntegrand(u));
  let total = 0;
  for (let u = uLo; u < uHi - 1e-12; u += step) total += integrate(f, u, Math.min(u + step, uHi), { epsabs: 0, epsrel: 1e-11, maxIntervals: 200 }).value;
  return total;
}
