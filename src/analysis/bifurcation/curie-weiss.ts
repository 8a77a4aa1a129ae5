import { type Batch, fromRows } from "../../batch.js";
import { deltas } from "../../models/deltas.js";
import type { DataModel } from "../../models/types.js";
import { brentRoot } from "../../numeric/brent.js";
import { solveInPlace } from "./linear.js";
import { newtonFixedPoints } from "./newton.js";

/**
 * The Curie–Weiss order parameter of two deltas ±v (`a = ‖v‖`): the root of the projected self-consistency
 * equation `x = a tanh(a x/σ² + h)` (THEORY.md §5; temperature σ²/a², field h = ½ log(π₊/π₋)) on the side of
 * the field (x > 0 for h = 0, the ordered root below σ_c = a, 0 above).
 *
 * Method: Brent's method on `x − a tanh(a x/σ² + h)` over (0, a] (or [−a, 0) for h < 0), bracketed away from the
 * symmetric root x = 0 by `a·1e-300`.
 *
 * @example
 * curieWeissOrderParameter(1, 0.5, 0); // returns ≈ 0.99933 (x = tanh(4x))
 */
export function curieWeissOrderParameter(a: number, sigma: number, h: number): number {
  const sgn = h < 0 ? -1 : 1;
  const f = (x: number) => x - a * Math.tanh((a * x) / (sigma * sigma) + h);
  const lo = sgn * a * 1e-300;
  if (h === 0 && f(lo) * f(sgn * a) > 0) return 0;
  return brentRoot(f, lo, sgn * a, { xtol: 1e-300, rtol: 4e-16 });
}

/** A measured critical exponent: least-squares log-log slope over a stated range of the control variable. */
export interface ExponentFit {
  value: number;
  /** What is varied, and over which range (log-uniform, `points` values). */
  variable: string;
  from: number;
  to: number;
  points: number;
}

/** Critical exponents of the two-delta (Curie–Weiss) branching, measured on the full model. */
export interface CriticalExponents {
  /** Half the distance between the deltas, a = ‖v‖. */
  a: number;
  /** σ_c = a. */
  sigmaC: number;
  /** x* ∝ (σ_c² − σ²)^β below σ_c (h = 0). */
  beta: ExponentFit;
  /** χ ∝ (σ² − σ_c²)^(−γ) above σ_c (h = 0). */
  gamma: ExponentFit;
  /** χ ∝ (σ_c² − σ²)^(−γ′) below σ_c, at the ordered fixed point. */
  gammaBelow: ExponentFit;
  /** h ∝ x^δ at σ = σ_c. */
  delta: ExponentFit;
}

/** Options of {@link criticalExponents}. */
export interface CriticalExponentOptions {
  /** Reduced temperature range |σ² − σ_c²|/σ_c² for β and γ (default [1e-6, 1e-3]). */
  reducedTemperature?: [number, number];
  /** Field range h (log-weight half-difference) for δ (default [1e-9, 1e-6], i.e. x/a ≈ 1.4e-3 … 1.4e-2). */
  field?: [number, number];
  /** Log-uniform samples per fit (default 13). */
  points?: number;
}

/**
 * Measures β, γ (both sides) and δ for two deltas y₋, y₊ (THEORY.md §5–6): the order parameter is the full
 * model's stable fixed point projected on `u = (y₊ − y₋)/(2a)` (Newton on `m(x) = x` in R^D, not the closed
 * form), the susceptibility `χ = uᵀ(I − G)⁻¹G u` with `G = C(x*)/σ²` from the model's posterior covariance, and
 * the field `h` enters as log-weights (−h, +h). Each exponent is the least-squares slope of the log-log data.
 *
 * Special cases: the weights of the input are ignored (the exponents belong to the symmetric problem; a
 * non-zero field makes the transition first order).
 *
 * @example
 * criticalExponents(fromRows([[-1], [1]])).beta.value; // returns ≈ 0.5
 */
export function criticalExponents(points: Batch, options: CriticalExponentOptions = {}): CriticalExponents {
  const D = points.dim;
  const [t0, t1] = options.reducedTemperature ?? [1e-6, 1e-3];
  const [h0, h1] = options.field ?? [1e-9, 1e-6];
  const k = options.points ?? 13;
  const c = new Float64Array(D);
  const u = new Float64Array(D);
  for (let p = 0; p < D; p++) {
    c[p] = 0.5 * (points.data[p] + points.data[D + p]);
    u[p] = 0.5 * (points.data[D + p] - points.data[p]);
  }
  const a = Math.hypot(...u);
  for (let p = 0; p < D; p++) u[p] /= a;
  const symmetric = deltas(points);
  const taus = logSpace(t0, t1, k);
  const below = taus.map((t) => orderedPoint(symmetric, c, u, a, a * Math.sqrt(1 - t), a * Math.sqrt(3 * t)));
  const chiAbove = taus.map((t) => susceptibility(symmetric, c, u, a * Math.sqrt(1 + t)));
  const chiBelow = below.map((r, i) => susceptibility(symmetric, r.x, u, a * Math.sqrt(1 - taus[i])));
  const fields = logSpace(h0, h1, k);
  const xs = fields.map((h) => orderedPoint(deltas(points, { logWeights: [-h, h] }), c, u, a, a, a * Math.cbrt(3 * h)).m);
  const dT = taus.map((t) => a * a * t);
  const fit = (variable: string, from: number, to: number, xv: number[], yv: number[], sign = 1): ExponentFit => ({
    value: sign * slope(xv, yv),
    variable,
    from,
    to,
    points: k,
  });
  return {
    a,
    sigmaC: a,
    beta: fit("reduced temperature (σ_c² − σ²)/σ_c²", t0, t1, dT, below.map((r) => r.m)),
    gamma: fit("reduced temperature (σ² − σ_c²)/σ_c²", t0, t1, dT, chiAbove, -1),
    gammaBelow: fit("reduced temperature (σ_c² − σ²)/σ_c²", t0, t1, dT, chiBelow, -1),
    delta: fit("field h = ½ log(π₊/π₋) at σ = σ_c", h0, h1, xs, fields),
  };
}

/** The fixed point near c + guess·u by Newton, and its projection m = u·(x − c). */
function orderedPoint(model: DataModel, c: Float64Array, u: Float64Array, a: number, sigma: number, guess: number) {
  const D = c.length;
  const start = fromRows([Array.from(c, (v, p) => v + guess * u[p])], D);
  const r = newtonFixedPoints(model, start, sigma, { tol: 1e-15 * a, stepTol: 1e-15 * a, maxIter: 200 });
  const x = r.x.data;
  let m = 0;
  for (let p = 0; p < D; p++) m += (x[p] - c[p]) * u[p];
  return { x, m };
}

/** χ = uᵀ(I − G)⁻¹G u with G = C(x)/σ² (THEORY.md §6), at a fixed point x. */
function susceptibility(model: DataModel, x: ArrayLike<number>, u: Float64Array, sigma: number): number {
  const D = u.length;
  const C = model.posterior(fromRows([Array.from(x)], D), sigma, { covariance: true }).covariance!;
  const A = new Float64Array(D * D);
  const Gu = new Float64Array(D);
  for (let p = 0; p < D; p++)
    for (let q = 0; q < D; q++) {
      const g = C[p * D + q] / (sigma * sigma);
      A[p * D + q] = (p === q ? 1 : 0) - g;
      Gu[p] += g * u[q];
    }
  solveInPlace(A, Gu, D);
  let chi = 0;
  for (let p = 0; p < D; p++) chi += u[p] * Gu[p];
  return chi;
}

function logSpace(a: number, b: number, n: number): number[] {
  return Array.from({ length: n }, (_, i) => Math.exp(Math.log(a) + ((Math.log(b) - Math.log(a)) * i) / (n - 1)));
}

/** Least-squares slope of log y against log x. */
export function slope(x: readonly number[], y: readonly number[]): number {
  const lx = x.map(Math.log);
  const ly = y.map(Math.log);
  const mx = lx.reduce((s, v) => s + v, 0) / lx.length;
  const my = ly.reduce((s, v) => s + v, 0) / ly.length;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < lx.length; i++) {
    sxy += (lx[i] - mx) * (ly[i] - my);
    sxx += (lx[i] - mx) ** 2;
  }
  return sxy / sxx;
}
