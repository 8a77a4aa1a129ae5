import { fromRows } from "../../batch.js";
import { deltas } from "../../models/deltas.js";
import type { DataModel } from "../../models/types.js";
import { brentRoot } from "../../numeric/brent.js";
import { newtonFixedPoint, susceptibility } from "./fixed-points.js";

/**
 * Two deltas at `+a` (weight π₁) and `−a` (weight 1 − π₁) in one dimension: the Curie–Weiss magnet of THEORY.md §5,
 * `x = a tanh(a x/σ² + h)` with temperature `σ²/a²` and field `h = ½ log(π₁/π₂)`.
 */
export function twoDeltas(a: number, pi1 = 0.5): DataModel {
  return deltas(fromRows([[a], [-a]]), { weights: [pi1, 1 - pi1] });
}

/** Weight π₁ that produces the field h: `π₁ = 1/(1 + e^{−2h})`. */
export function weightForField(h: number): number {
  return 1 / (1 + Math.exp(-2 * h));
}

/** The stable fixed points (order parameter branches) at one σ, ascending. */
export interface PhasePoint {
  sigma: number;
  /** Stable magnetizations x* (one above the transition, two in the ordered / metastable region). */
  stable: number[];
  /** Susceptibility χ at each stable point. */
  susceptibility: number[];
}

/**
 * Order parameter of two deltas ±a with weights (π₁, 1 − π₁) vs σ: every stable fixed point reached by Newton from
 * `+a`, `−a` and `0` (THEORY.md §5–6). Equal weights: one branch x* = 0 above σ_c = a, two (±x*) below (critical,
 * continuous); unequal weights: the favoured branch is continuous in σ and the other appears at the saddle-node
 * σ of {@link saddleNodeSigma} (first order).
 * @example orderParameter(1, 0.5, [0.5])[0].stable; // [−0.9575, 0.9575]
 */
export function orderParameter(a: number, pi1: number, sigmas: readonly number[]): PhasePoint[] {
  const model = twoDeltas(a, pi1);
  return sigmas.map((sigma) => {
    const found: { x: number; chi: number }[] = [];
    for (const s of [a, -a, 0]) {
      const fp = newtonFixedPoint(model, [s], sigma);
      if (!fp.converged || !fp.stable) continue;
      if (found.some((f) => Math.abs(f.x - fp.x[0]) <= 1e-9 * (1 + a))) continue;
      found.push({ x: fp.x[0], chi: susceptibility(fp.covariance, 1, sigma)[0] });
    }
    found.sort((p, q) => p.x - q.x);
    return { sigma, stable: found.map((f) => f.x), susceptibility: found.map((f) => f.chi) };
  });
}

/**
 * Saddle-node σ of two deltas ±a in the field h ≠ 0: where the disfavoured stable branch is born.
 * With u = x/a and T = σ²/a², the branch solves u = tanh(u/T + h) and 1 = (1 − u²)/T, so
 * `|h| = atanh(u) − u/(1 − u²)` for u ∈ (−1, 0) and `σ_sn = a √(1 − u²)`; for small h, `σ_sn² ≈ a²(1 − (3|h|/2)^{2/3})`.
 *
 * Method: Brent on u. Special cases: h = 0 → a (the critical point); NaN h → NaN.
 * @example saddleNodeSigma(1, 0.1); // ≈ 0.8778 (T = 0.7705)
 */
export function saddleNodeSigma(a: number, h: number): number {
  const g = Math.abs(h);
  if (Number.isNaN(g)) return NaN;
  if (g === 0) return a;
  const u = brentRoot((v) => Math.atanh(v) - v / (1 - v * v) - g, -1 + 1e-16, -1e-300, { xtol: 1e-300, rtol: 1e-15 });
  return a * Math.sqrt(1 - u * u);
}

/** A log-log slope with its fit range. */
export interface ExponentFit {
  exponent: number;
  /** Range of the control variable over which the slope was fitted (|σ²/a² − 1| or h). */
  range: [number, number];
  points: number;
}

function slope(xs: number[], ys: number[]): number {
  const n = xs.length;
  const mx = xs.reduce((s, v) => s + v, 0) / n;
  const my = ys.reduce((s, v) => s + v, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < n; i++) {
    sxy += (xs[i] - mx) * (ys[i] - my);
    sxx += (xs[i] - mx) ** 2;
  }
  return sxy / sxx;
}

const EXACT = { tol: 0, maxIter: 200 };
const logSpaced = (lo: number, hi: number, n: number) =>
  Array.from({ length: n }, (_, i) => Math.exp(Math.log(lo) + ((Math.log(hi) - Math.log(lo)) * i) / (n - 1)));

/**
 * Critical exponents of two equal deltas ±a fitted from computed fixed points (THEORY.md §5):
 * - β: `x* ∝ τ^β`, τ = 1 − σ²/a² ∈ [1e-6, 1e-4] (x* by Newton from +a);
 * - γ: `χ ∝ |τ|^{−γ}` at x* = 0 above σ_c, τ = σ²/a² − 1 ∈ [1e-6, 1e-4], and below on the ordered branch;
 * - δ: at σ = a, `h ∝ x*^δ` with x* the fixed point in the field h ∈ [1e-10, 1e-7] (weights from h).
 * Each is the least-squares slope of log-log data on 9 log-spaced points. Mean field: ½, 1, 3.
 * @example criticalExponents(1).beta.exponent; // ≈ 0.5
 */
export function criticalExponents(a = 1): { beta: ExponentFit; gamma: ExponentFit; gammaBelow: ExponentFit; delta: ExponentFit } {
  const model = twoDeltas(a);
  const taus = logSpaced(1e-6, 1e-4, 9);
  const xBelow = taus.map((t) => newtonFixedPoint(model, [a], a * Math.sqrt(1 - t), EXACT));
  const beta = slope(taus.map(Math.log), xBelow.map((f) => Math.log(f.x[0] / a)));
  const chiBelow = xBelow.map((f, i) => susceptibility(f.covariance, 1, a * Math.sqrt(1 - taus[i]))[0]);
  const gammaBelow = -slope(taus.map(Math.log), chiBelow.map(Math.log));
  const chiAbove = taus.map((t) => {
    const s = a * Math.sqrt(1 + t);
    return susceptibility(newtonFixedPoint(model, [0], s, EXACT).covariance, 1, s)[0];
  });
  const gamma = -slope(taus.map(Math.log), chiAbove.map(Math.log));
  const hs = logSpaced(1e-10, 1e-7, 9);
  const xs = hs.map((h) => newtonFixedPoint(twoDeltas(a, weightForField(h)), [a], a, EXACT).x[0] / a);
  const delta = slope(xs.map(Math.log), hs.map(Math.log));
  const fit = (exponent: number, range: [number, number]): ExponentFit => ({ exponent, range, points: 9 });
  return { beta: fit(beta, [1e-6, 1e-4]), gamma: fit(gamma, [1e-6, 1e-4]), gammaBelow: fit(gammaBelow, [1e-6, 1e-4]), delta: fit(delta, [1e-10, 1e-7]) };
}
