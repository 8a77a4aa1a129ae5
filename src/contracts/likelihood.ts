import type { ImmseLikelihood } from "../analysis/likelihood/immse.js";
import type { OdeLikelihood } from "../analysis/likelihood/ode.js";
import type { PointwiseMutualInformation } from "../analysis/likelihood/pmi.js";
import { bitsPerDim, discreteBitsPerDim } from "../analysis/likelihood/units.js";
import { envelope, withEnvelope, type Envelope, type ModelInfo } from "./envelope.js";

/** The envelope of `likelihood` or `pmi` (the shared {@link Envelope}). */
export type LikelihoodEnvelope<C extends "likelihood" | "pmi", P> = Envelope<C, P>;

/** The parameters of `infodyn likelihood` (and `pmi`, which has no ODE): everything that fixes the numbers. */
export interface LikelihoodParams {
  method: "immse" | "ode";
  numPoints: number;
  sigmaMin: number;
  sigmaMax: number;
  /** s: the likelihood is that of y + s z (0: of y). */
  smoothing: number;
  seed: number;
  /** I-MMSE: step in log γ, levels, and how the pointwise mmse was taken (nodes or draws per level). */
  step?: number;
  levels?: number;
  mmse?: "quadrature" | "monte-carlo" | "closed-form";
  draws?: number;
  /** ODE: the Dormand–Prince tolerances and the divergence (probes for Hutchinson). */
  rtol?: number;
  atol?: number;
  divergence?: "exact" | "hutchinson";
  probes?: number;
  /** Uniform dequantisation of data on a grid (units.ts). */
  quantization?: { levels: number; range: [number, number]; binWidth: number };
}

/** The payload of `infodyn likelihood --json`: one entry per point, nats unless said. */
export interface LikelihoodPayload {
  method: "immse" | "ode";
  /** −log p(y) (of y + s z with smoothing; at the dequantised point with quantization). */
  nll: number[];
  /** nll/(D ln 2). */
  bitsPerDim: number[];
  /** Monte Carlo (or probe) standard error of nll; absent when deterministic. */
  standardError?: number[];
  /** The exact −log p of an exact model with a density (absent for a network). */
  exact?: number[];
  /** With quantization: (nll − D log Δ)/(D ln 2), the discrete bits/dim bound of uniform dequantisation. */
  discreteBitsPerDim?: number[];
  /** ODE: nll − (−log p(y)) from starting at σ_min (estimated; 0 with smoothing). */
  sigmaMinBias?: number[];
  /** Over the points: the mean nll and bits/dim, with the standard error across points. */
  mean: { nll: number; bitsPerDim: number; standardError: number; discreteBitsPerDim?: number };
  cost: { denoiserCalls: number; denoiserRows: number; seconds: number; accepted?: number; rejected?: number };
  notes: string[];
}

export type LikelihoodJson = LikelihoodEnvelope<"likelihood", LikelihoodParams> & LikelihoodPayload;

/** What `infodyn likelihood` computed. */
export interface LikelihoodResult {
  dim: number;
  estimate: ImmseLikelihood | OdeLikelihood;
  exact?: Float64Array;
  /** Bin width Δ of the quantization, when the points were dequantised. */
  binWidth?: number;
  seconds: number;
  notes: string[];
}

/**
 * The JSON contract of `infodyn likelihood --json`. Every number is checked finite (a standard error that is not —
 * one Hutchinson probe — leaves `standardError` out).
 *
 * @example
 * likelihoodContract({ dim: 1, estimate: immseLikelihood(model, y, range), exact: exactNll(model, y), seconds: 0.1, notes: [] }, env);
 */
export function likelihoodContract(r: LikelihoodResult, env: LikelihoodEnvelope<"likelihood", LikelihoodParams>): LikelihoodJson {
  const e = r.estimate;
  const D = r.dim;
  const nll = Array.from(e.nll);
  const se = Array.from(e.standardError);
  const random = se.some((v) => v !== 0);
  const delta = r.binWidth;
  const mean = meanOf(nll);
  const payload: LikelihoodPayload = {
    method: e.method,
    nll,
    bitsPerDim: nll.map((v) => bitsPerDim(v, D)),
    ...(random && se.every(Number.isFinite) ? { standardError: se } : {}),
    ...(r.exact ? { exact: Array.from(r.exact) } : {}),
    ...(delta !== undefined ? { discreteBitsPerDim: nll.map((v) => discreteBitsPerDim(v, D, delta)) } : {}),
    ...(e.method === "ode" ? { sigmaMinBias: Array.from(e.sigmaMinBias) } : {}),
    mean: {
      nll: mean.value,
      bitsPerDim: bitsPerDim(mean.value, D),
      standardError: mean.standardError,
      ...(delta !== undefined ? { discreteBitsPerDim: discreteBitsPerDim(mean.value, D, delta) } : {}),
    },
    cost: {
      denoiserCalls: e.denoiserCalls,
      denoiserRows: e.denoiserRows,
      seconds: r.seconds,
      ...(e.method === "ode" ? { accepted: e.steps.accepted, rejected: e.steps.rejected } : {}),
    },
    notes: r.notes,
  };
  return assemble(env, payload);
}

/** The payload of `infodyn pmi --json`. */
export interface PmiPayload {
  /** pmi(y, c) = log p(y|c) − log p(y), nats. */
  pmi: number[];
  standardError?: number[];
  /** The exact pmi of a labelled mixture. */
  exact?: number[];
  /** With `--map`: each coordinate's share of pmi (points × D; rows sum to `pmi`), for images where the label is carried. */
  map?: number[][];
  /** Mean over the points (an estimate of I(y; c) when the points are draws of the data with their labels). */
  mean: { pmi: number; standardError: number };
  cost: { denoiserCalls: number; denoiserRows: number; seconds: number };
  notes: string[];
}

export type PmiJson = LikelihoodEnvelope<"pmi", Omit<LikelihoodParams, "method" | "rtol" | "atol" | "divergence" | "probes">> & PmiPayload;

/** The JSON contract of `infodyn pmi --json`. */
export function pmiContract(
  r: { estimate: PointwiseMutualInformation; exact?: Float64Array; seconds: number; notes: string[] },
  env: LikelihoodEnvelope<"pmi", Omit<LikelihoodParams, "method" | "rtol" | "atol" | "divergence" | "probes">>,
): PmiJson {
  const pmi = Array.from(r.estimate.pmi);
  const se = Array.from(r.estimate.standardError);
  const m = meanOf(pmi);
  return assemble(env, {
    pmi,
    ...(se.some((v) => v !== 0) ? { standardError: se } : {}),
    ...(r.exact ? { exact: Array.from(r.exact) } : {}),
    ...(r.estimate.map ? { map: pmi.map((_, i) => Array.from(r.estimate.map!.subarray((i * r.estimate.map!.length) / pmi.length, ((i + 1) * r.estimate.map!.length) / pmi.length))) } : {}),
    mean: { pmi: m.value, standardError: m.standardError },
    cost: { denoiserCalls: r.estimate.denoiserCalls, denoiserRows: r.estimate.denoiserRows, seconds: r.seconds },
    notes: r.notes,
  });
}

const assemble = <E extends Envelope, P extends object>(env: E, payload: P): E & P => withEnvelope(env, payload) as E & P;

/** The envelope of `likelihood` or `pmi`. */
export function likelihoodEnvelope<C extends "likelihood" | "pmi", P>(command: C, model: ModelInfo | null, params: P): LikelihoodEnvelope<C, P> {
  return envelope(command, model, params);
}

/** Mean and standard error across points (0 for one point). */
export function meanOf(v: number[]): { value: number; standardError: number } {
  const n = v.length;
  const m = v.reduce((a, b) => a + b, 0) / n;
  const s2 = n > 1 ? v.reduce((a, b) => a + (b - m) ** 2, 0) / (n - 1) : 0;
  return { value: m, standardError: Math.sqrt(s2 / n) };
}
