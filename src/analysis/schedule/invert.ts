import { brentRoot } from "../../numeric/brent.js";
import { clockIncrements, clockRate, type Clock, type EntropicProfile } from "./entropic-profile.js";
import { nodeGradient, nodeRule } from "./node-rule.js";

/** Levels of an entropic schedule, ascending (σ_0 = σ_min … σ_n = σ_max), with Monte Carlo errors if any. */
export interface EntropicLevels {
  sigma: Float64Array;
  /** Standard error of each level (estimated sources: delta method over the nodes; zeros for exact ones). */
  standardError: Float64Array;
}

const memo = new WeakMap<EntropicProfile, Map<string, number>>();

/**
 * `σ_i = τ⁻¹(i/n)`, `τ(σ) = (φ(σ) − φ(σ_min))/(φ(σ_max) − φ(σ_min))` (THEORY.md §9.1), for φ = φ_H (`clock` "H",
 * entropic) or φ_R ("R", rescaled entropic).
 *
 * Method: binary search of the target among the node values; monotone cubic Hermite interpolation in u = log σ
 * with the exact node slopes dφ/du limited as Fritsch–Carlson (so the interpolant cannot turn back), inverted by
 * bisection; then, for exact sources, Brent's method ({@link brentRoot}) on `φ_k + ∫_{u_k}^u dφ − target` in a
 * bracket of ±10⁻⁴ Δu around the interpolated root (the whole interval if that does not bracket), to 10⁻¹³ in u,
 * i.e. ≈ 10⁻¹³ relative in σ (well inside the 10⁻⁸ asked). Estimated sources invert their own rule instead
 * (bisection on {@link nodeRule}'s partial integral, so the entropy printed at a level is its target) and report
 * `SE(σ_i) = σ_i SE(τ)/(dτ/du)` with `SE(τ)² = Σ_j (∂τ/∂m_j)² SE(m_j)²` over the rule's weights (independent
 * nodes). Results are memoised per profile and target, so nested grids (n = 4 ⊂ 8 ⊂ … ⊂ 64) cost one solve.
 *
 * Special cases: the ends are exactly σ_min and σ_max; a flat stretch of φ (exponentially small rate that
 * underflowed) maps to its lower end; n < 1 gives NaN levels.
 *
 * @example
 * entropicLevels(entropicProfile(modelMmse(gaussianModel), 0.01, 10), "R", 8).sigma; // c tan(...) levels
 */
export function entropicLevels(profile: EntropicProfile, clock: Clock, n: number): EntropicLevels {
  const sigma = new Float64Array(n + 1).fill(NaN);
  const standardError = new Float64Array(n + 1);
  if (!(n >= 1)) return { sigma, standardError };
  const phi = clock === "H" ? profile.phiH : profile.phiR;
  const N = phi.length - 1;
  const total = phi[N];
  let cache = memo.get(profile);
  if (!cache) memo.set(profile, (cache = new Map()));
  sigma[0] = profile.sigmaMin;
  sigma[n] = profile.sigmaMax;
  for (let i = 1; i < n; i++) {
    const frac = i / n;
    const key = `${clock}:${frac}`;
    const target = frac * total;
    let k = 0;
    let hi = N;
    while (hi - k > 1) {
      const mid = (k + hi) >> 1;
      if (phi[mid] <= target) k = mid;
      else hi = mid;
    }
    const u = cache.get(key) ?? solve(profile, clock, phi, k, target);
    cache.set(key, u);
    sigma[i] = Math.exp(u);
    if (!profile.source.exact) standardError[i] = levelError(profile, clock, k, u, frac);
  }
  return { sigma, standardError };
}

function solve(p: EntropicProfile, clock: Clock, phi: Float64Array, k: number, target: number): number {
  const u0 = p.u[k];
  const u1 = p.u[k + 1];
  const h = u1 - u0;
  const dphi = phi[k + 1] - phi[k];
  if (!(dphi > 0)) return u0;
  // Fritsch–Carlson limited slopes (in units of t = (u − u0)/h).
  let a = (clockRate(clock, p.mmse[k], p.sigma[k]) * h) / dphi;
  let b = (clockRate(clock, p.mmse[k + 1], p.sigma[k + 1]) * h) / dphi;
  const r = a * a + b * b;
  if (r > 9) {
    a *= 3 / Math.sqrt(r);
    b *= 3 / Math.sqrt(r);
  }
  const y = (target - phi[k]) / dphi;
  const hermite = (t: number) => {
    const t2 = t * t;
    const t3 = t2 * t;
    return 3 * t2 - 2 * t3 + a * (t3 - 2 * t2 + t) + b * (t3 - t2);
  };
  let lo = 0;
  let hi = 1;
  for (let it = 0; it < 60; it++) {
    const mid = 0.5 * (lo + hi);
    if (hermite(mid) < y) lo = mid;
    else hi = mid;
  }
  const guess = u0 + 0.5 * (lo + hi) * h;
  if (!p.source.exact) {
    // the node rule's own interpolant, so that clockAt at the level returns the target
    [lo, hi] = [0, 1];
    for (let it = 0; it < 60; it++) {
      const mid = 0.5 * (lo + hi);
      if (nodeClock(p, clock, k, mid) < target) lo = mid;
      else hi = mid;
    }
    return u0 + 0.5 * (lo + hi) * h;
  }
  const g = (u: number) => {
    const [dH, dR] = clockIncrements(p.source, u0, u);
    return phi[k] + (clock === "H" ? dH : dR) - target;
  };
  const d = 1e-4 * h;
  const a0 = Math.max(u0, guess - d);
  const b0 = Math.min(u1, guess + d);
  const opts = { xtol: 1e-13, rtol: 1e-15 };
  const root = g(a0) * g(b0) <= 0 ? brentRoot(g, a0, b0, opts) : brentRoot(g, u0, u1, opts);
  return Number.isNaN(root) ? guess : root;
}

/**
 * Delta-method standard error of a level from independent node errors ({@link nodeRule}'s weights): the level
 * solves `Φ(u) = τ Φ_N`, Φ linear in u inside its interval for the error, so `SE(u) = SE(Φ(u) − τΦ_N)/(dΦ/du)`.
 */
function levelError(p: EntropicProfile, clock: Clock, k: number, u: number, tau: number): number {
  const N = p.u.length - 1;
  const phi = clock === "H" ? p.phiH : p.phiR;
  const total = phi[N];
  const theta = (u - p.u[k]) / (p.u[k + 1] - p.u[k]);
  const h = p.u[1] - p.u[0];
  const [gk, gk1, gN] = [nodeGradient(N, k, 0), nodeGradient(N, k + 1, 0), nodeGradient(N, N, 0)];
  let v = 0;
  for (let j = 0; j <= N; j++) {
    const dA = (1 - theta) * gk[j] + theta * gk1[j];
    const dTau = (h * clockRate(clock, 1, p.sigma[j]) * (dA - tau * gN[j])) / total;
    v += dTau * dTau * p.mmseStandardError[j] ** 2;
  }
  // dτ/du at the level, from the node rule's interpolant (a central difference of its partial integral)
  const e = 1e-6;
  const [t0, t1] = [Math.max(0, theta - e), Math.min(1, theta + e)];
  const slope = (nodeClock(p, clock, k, t1) - nodeClock(p, clock, k, t0)) / ((t1 - t0) * h) / total;
  return (Math.exp(u) * Math.sqrt(v)) / slope;
}

/** φ(u_k + θh) − φ(σ_min) on an estimated profile: the node value plus {@link nodeRule}'s partial integral. */
export function nodeClock(p: EntropicProfile, clock: Clock, k: number, theta: number): number {
  const phi = clock === "H" ? p.phiH : p.phiR;
  const { first, weights } = nodeRule(p.u.length - 1, k, theta);
  const part = weights.reduce((acc, w, i) => acc + w * clockRate(clock, p.mmse[first + i], p.sigma[first + i]), 0);
  return phi[k] + (p.u[k + 1] - p.u[k]) * part;
}

/**
 * Standard error of φ(σ) − φ(σ_min) at a fixed σ ({@link clockAt} on an estimated profile), by the delta method over
 * independent node errors: `SE² = Σ_j (∂φ/∂m_j)² SE(m_j)²`, `∂φ/∂m_j = h g_j c_j` ({@link nodeGradient}). Exact
 * profiles give 0.
 *
 * @example
 * clockStandardError(entropicProfile(nodeMmse(digits), 1.2, 347, { intervals: 32 }), "H", 10); // ≈ 0.1 nats
 */
export function clockStandardError(p: EntropicProfile, clock: Clock, sigma: number): number {
  const N = p.u.length - 1;
  if (p.source.exact || N === 0) return 0;
  const u = Math.log(sigma);
  let k = 0;
  while (k < N - 1 && p.u[k + 1] <= u) k++;
  const h = p.u[k + 1] - p.u[k];
  const g = nodeGradient(N, k, (u - p.u[k]) / h);
  let v = 0;
  for (let j = 0; j <= N; j++) v += (h * g[j] * clockRate(clock, 1, p.sigma[j]) * p.mmseStandardError[j]) ** 2;
  return Math.sqrt(v);
}
