import type { Denoiser } from "../../models/types.js";
import { drive, throwIfAborted, type DenoiseProgram, type Driven } from "../../score/program.js";
import { nodeRule } from "./node-rule.js";
import type { DenoiserMmseSource, MmseSource, MmseValue } from "./source.js";

/** 5-point Gauss–Legendre nodes and weights on [−1, 1]. */
const GL_X = [0, -0.5384693101056831, 0.5384693101056831, -0.906179845938664, 0.906179845938664];
const GL_W = [0.5688888888888889, 0.4786286704993665, 0.4786286704993665, 0.2369268850561891, 0.2369268850561891];

/**
 * The entropic clocks of THEORY.md §9.1 on a fine log-σ grid: `φ_H(σ) = H(y|x_σ)` and `φ_R(σ) = ∫ mmse(s)/s² ds`,
 * both relative to σ_min (`phiH[0] = phiR[0] = 0`), with their rates at the nodes.
 */
export interface EntropicProfile {
  readonly sigmaMin: number;
  readonly sigmaMax: number;
  /** Nodes u_k = log σ_k, log-uniform, ascending (intervals + 1 of them). */
  readonly u: Float64Array;
  readonly sigma: Float64Array;
  readonly mmse: Float64Array;
  /** Standard error of each node's mmse (zeros for exact sources). */
  readonly mmseStandardError: Float64Array;
  /** φ_H(σ_k) − φ_H(σ_min) = ∫ mmse/s³ ds, nats. */
  readonly phiH: Float64Array;
  /** φ_R(σ_k) − φ_R(σ_min) = ∫ mmse/s² ds. */
  readonly phiR: Float64Array;
  /** The source (a denoiser's source comes back tabulated on the nodes). */
  readonly source: MmseSource;
  /** "gauss-legendre-5 per interval" (exact sources) or "4-point cubic on the nodes" (estimated ones, {@link nodeRule}). */
  readonly rule: string;
}

/** Which clock: `H` (entropic, dφ/du = mmse/σ²) or `R` (rescaled entropic, dφ/du = mmse/σ), u = log σ. */
export type Clock = "H" | "R";

/** dφ/du for a clock at σ = e^u from mmse. */
export function clockRate(clock: Clock, mmse: number, sigma: number): number {
  return clock === "H" ? mmse / (sigma * sigma) : mmse / sigma;
}

/** Options of {@link entropicProfile}. */
export interface EntropicProfileOptions {
  /** Log-uniform intervals of the fine grid (default 128). */
  intervals?: number;
  /**
   * Called with (0, total) before any work, then after each step: each node for estimated sources (the mmse
   * evaluations are the work), each node and each interval's quadrature for exact ones.
   */
  onProgress?: (done: number, total: number) => void;
  /** Checked between nodes. */
  signal?: AbortSignal;
}

/**
 * φ_H and φ_R on a log-uniform grid of [σ_min, σ_max] by integrating the rate, never by differencing H
 * (THEORY.md §3, §9.1): in `u = log σ`, `dφ_H/du = mmse/σ²` and `dφ_R/du = mmse/σ`, both smooth in u (≈ D and
 * ≈ Dσ for continuous data at small σ; exponentially flat for discrete data).
 *
 * Method: exact sources, 5-point Gauss–Legendre on each interval (error ∝ Δu¹⁰ f⁽¹⁰⁾, at the rounding floor for
 * 128 intervals over 10 decades); estimated sources (Monte Carlo, a denoiser's loss), the rates at the nodes only,
 * integrated by the 4-point cubic of {@link nodeRule} (the paper's Riemann sum is first order, the trapezoid
 * second, this fourth), linear in the node values, so each level's error follows from the nodes' (delta method).
 *
 * Special cases: σ_min = σ_max gives one node and zero clocks.
 *
 * @example
 * const p = entropicProfile(modelMmse(parseModel({ kind: "gaussian", mean: [0], cov: [[1]] })), 0.01, 10);
 * p.phiR[p.phiR.length - 1]; // ≈ atan(10) − atan(0.01)
 */
export function entropicProfile(source: MmseSource, sigmaMin: number, sigmaMax: number, options?: EntropicProfileOptions): EntropicProfile;
export function entropicProfile<Dn extends Denoiser>(
  source: DenoiserMmseSource<Dn>,
  sigmaMin: number,
  sigmaMax: number,
  options?: EntropicProfileOptions,
): Driven<Dn, EntropicProfile>;
export function entropicProfile(
  source: MmseSource | DenoiserMmseSource,
  sigmaMin: number,
  sigmaMax: number,
  options: EntropicProfileOptions = {},
): EntropicProfile | Promise<EntropicProfile> {
  const program = entropicProfileProgram(source, sigmaMin, sigmaMax, options);
  return "denoiser" in source ? drive(program, source.denoiser, { signal: options.signal }) : drive(program, NO_DENOISER);
}

/** A denoiser that is never asked (programs of exact sources yield nothing). */
const NO_DENOISER = {
  dim: 0,
  denoise(): never {
    throw new Error("entropicProfile: an exact source asked for a denoiser");
  },
};

function* entropicProfileProgram(
  source: MmseSource | DenoiserMmseSource,
  sigmaMin: number,
  sigmaMax: number,
  { intervals = 128, onProgress, signal }: EntropicProfileOptions,
): DenoiseProgram<EntropicProfile> {
  const N = sigmaMax > sigmaMin ? intervals : 0;
  const a = Math.log(sigmaMin);
  const h = N > 0 ? (Math.log(sigmaMax) - a) / N : 0;
  const u = Float64Array.from({ length: N + 1 }, (_, k) => (k === N ? Math.log(sigmaMax) : a + k * h));
  const sigma = u.map((x, k) => (k === 0 ? sigmaMin : k === N ? sigmaMax : Math.exp(x)));
  const mmse = new Float64Array(N + 1);
  const se = new Float64Array(N + 1);
  const total = source.exact ? 2 * N + 1 : N + 1;
  onProgress?.(0, total);
  for (let k = 0; k <= N; k++) {
    throwIfAborted(signal);
    const v: MmseValue = "denoiser" in source ? yield* source.node(sigma[k], k) : source.at(sigma[k], k);
    mmse[k] = v.mmse;
    se[k] = v.standardError;
    onProgress?.(k + 1, total);
  }
  const table: MmseSource =
    "denoiser" in source
      ? { exact: false, method: source.method, at: (_s, index) => ({ mmse: mmse[index], standardError: se[index] }) }
      : source;
  const phiH = new Float64Array(N + 1);
  const phiR = new Float64Array(N + 1);
  const rates = (clock: Clock) => Float64Array.from(mmse, (m, j) => clockRate(clock, m, sigma[j]));
  const [fH, fR] = [rates("H"), rates("R")];
  for (let k = 0; k < N; k++) {
    let dH = 0;
    let dR = 0;
    if (table.exact) {
      [dH, dR] = clockIncrements(table, u[k], u[k + 1]);
    } else {
      const { first, weights } = nodeRule(N, k, 1);
      weights.forEach((w, i) => {
        dH += w * fH[first + i];
        dR += w * fR[first + i];
      });
      dH *= u[k + 1] - u[k];
      dR *= u[k + 1] - u[k];
    }
    phiH[k + 1] = phiH[k] + dH;
    phiR[k + 1] = phiR[k] + dR;
    if (table.exact) onProgress?.(N + 2 + k, total);
  }
  return {
    sigmaMin,
    sigmaMax,
    u,
    sigma,
    mmse,
    mmseStandardError: se,
    phiH,
    phiR,
    source: table,
    rule: table.exact ? "gauss-legendre-5 per interval" : N < 3 ? "trapezoid on the nodes" : "4-point cubic on the nodes",
  };
}

/** `[∫ mmse/σ² du, ∫ mmse/σ du]` over [u0, u1] by 5-point Gauss–Legendre on an exact source. */
export function clockIncrements(source: MmseSource, u0: number, u1: number): [number, number] {
  const half = 0.5 * (u1 - u0);
  const mid = 0.5 * (u1 + u0);
  let dH = 0;
  let dR = 0;
  for (let g = 0; g < 5; g++) {
    const s = Math.exp(mid + half * GL_X[g]);
    const m = source.at(s, -1).mmse;
    dH += GL_W[g] * clockRate("H", m, s);
    dR += GL_W[g] * clockRate("R", m, s);
  }
  return [half * dH, half * dR];
}
