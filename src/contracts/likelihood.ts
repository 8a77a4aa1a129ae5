import { z } from "zod";
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
  /**
   * Data on a grid (units.ts): `levels` values `a + kΔ` over `range` [a, b], bin width Δ = (b − a)/(levels − 1);
   * dequantised uniformly, y + u with u ~ U[−Δ/2, Δ/2)^D, `dequantizations` seeded draws of u per point.
   */
  quantization?: { levels: number; range: [number, number]; binWidth: number; dequantization: "uniform"; dequantizations: number };
}

/** The payload of `infodyn likelihood --json`: one entry per point, nats unless said. */
export interface LikelihoodPayload {
  method: "immse" | "ode";
  /** −log p(y) (of y + s z with smoothing; with quantization the mean over the dequantised points y + u). */
  nll: number[];
  /** nll/(D ln 2). */
  bitsPerDim: number[];
  /** Monte Carlo (or probe) standard error of nll, with ≥ 2 dequantisations that of the mean over u; absent when deterministic. */
  standardError?: number[];
  /** The exact −log p of an exact model with a density (absent for a network); with quantization its mean over the same u. */
  exact?: number[];
  /** With quantization: (nll − D log Δ)/(D ln 2), the discrete bits/dim bound of uniform dequantisation. */
  discreteBitsPerDim?: number[];
  /** With quantization, on an axis-aligned exact model: the exact −log P(bin(y)), nats (discrete.ts). */
  exactDiscrete?: number[];
  /** exactDiscrete/(D ln 2): the exact discrete bits/dim, which discreteBitsPerDim bounds from above. */
  exactDiscreteBitsPerDim?: number[];
  /** With quantization where exactDiscrete cannot be computed (full covariance, sphere, network): why, in one line. */
  exactDiscreteOmitted?: string;
  /** ODE: nll − (−log p(y)) from starting at σ_min (estimated; 0 with smoothing). */
  sigmaMinBias?: number[];
  /** Over the points: the mean nll and bits/dim, with the standard error across points. */
  mean: { nll: number; bitsPerDim: number; standardError: number; discreteBitsPerDim?: number; exactDiscreteBitsPerDim?: number };
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
  /** The exact −log P(bin) per point, or why it is not computed (with quantization only). */
  exactDiscrete?: Float64Array;
  exactDiscreteOmitted?: string;
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
  const exactDiscrete = r.exactDiscrete ? Array.from(r.exactDiscrete) : undefined;
  const payload: LikelihoodPayload = {
    method: e.method,
    nll,
    bitsPerDim: nll.map((v) => bitsPerDim(v, D)),
    ...(random && se.every(Number.isFinite) ? { standardError: se } : {}),
    ...(r.exact ? { exact: Array.from(r.exact) } : {}),
    ...(delta !== undefined ? { discreteBitsPerDim: nll.map((v) => discreteBitsPerDim(v, D, delta)) } : {}),
    ...(exactDiscrete ? { exactDiscrete, exactDiscreteBitsPerDim: exactDiscrete.map((v) => bitsPerDim(v, D)) } : {}),
    ...(r.exactDiscreteOmitted !== undefined ? { exactDiscreteOmitted: r.exactDiscreteOmitted } : {}),
    ...(e.method === "ode" ? { sigmaMinBias: Array.from(e.sigmaMinBias) } : {}),
    mean: {
      nll: mean.value,
      bitsPerDim: bitsPerDim(mean.value, D),
      standardError: mean.standardError,
      ...(delta !== undefined ? { discreteBitsPerDim: discreteBitsPerDim(mean.value, D, delta) } : {}),
      ...(exactDiscrete ? { exactDiscreteBitsPerDim: bitsPerDim(meanOf(exactDiscrete).value, D) } : {}),
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

const perPoint = z.array(z.number());
const finite = z.number().refine(Number.isFinite, "must be finite");

/** The schema of `params` in `infodyn likelihood --json` ({@link LikelihoodParams}): every key and no other. */
export const likelihoodParamsSchema = z.strictObject({
  method: z.enum(["immse", "ode"]),
  numPoints: z.number().int().positive(),
  sigmaMin: z.number().positive(),
  sigmaMax: z.number().positive(),
  smoothing: z.number().nonnegative(),
  seed: z.number().int().nonnegative(),
  step: z.number().positive().optional(),
  levels: z.number().int().positive().optional(),
  mmse: z.enum(["quadrature", "monte-carlo", "closed-form"]).optional(),
  draws: z.number().int().nonnegative().optional(), // 0 in closed form
  rtol: z.number().positive().optional(),
  atol: z.number().positive().optional(),
  divergence: z.enum(["exact", "hutchinson"]).optional(),
  probes: z.number().int().nonnegative().optional(), // 0 with the exact divergence
  quantization: z
    .strictObject({
      levels: z.number().int().min(2),
      range: z.tuple([finite, finite]),
      binWidth: z.number().positive(),
      dequantization: z.literal("uniform"),
      dequantizations: z.number().int().min(1),
    })
    .optional(),
});

/**
 * The schema of `infodyn likelihood --json` (zod; {@link LikelihoodJson} is its TypeScript form): every key, its
 * type, and no other key. Every per-point array has `params.numPoints` entries; with `params.quantization` exactly
 * one of `exactDiscrete` (with `exactDiscreteBitsPerDim`) and `exactDiscreteOmitted` is present, without it neither.
 *
 * @example
 * likelihoodJsonSchema.parse(JSON.parse(stdout)); // throws, naming the key, on any departure from the contract
 */
export const likelihoodJsonSchema = z
  .strictObject({
    command: z.literal("likelihood"),
    version: z.string(),
    model: z.unknown(),
    params: likelihoodParamsSchema,
    method: z.enum(["immse", "ode"]),
    nll: perPoint,
    bitsPerDim: perPoint,
    standardError: perPoint.optional(),
    exact: perPoint.optional(),
    discreteBitsPerDim: perPoint.optional(),
    exactDiscrete: perPoint.optional(),
    exactDiscreteBitsPerDim: perPoint.optional(),
    exactDiscreteOmitted: z.string().min(1).optional(),
    sigmaMinBias: perPoint.optional(),
    mean: z.strictObject({
      nll: z.number(),
      bitsPerDim: z.number(),
      standardError: z.number().nonnegative(),
      discreteBitsPerDim: z.number().optional(),
      exactDiscreteBitsPerDim: z.number().optional(),
    }),
    cost: z.strictObject({
      denoiserCalls: z.number().int().nonnegative(),
      denoiserRows: z.number().int().nonnegative(),
      seconds: z.number().nonnegative(),
      accepted: z.number().int().nonnegative().optional(),
      rejected: z.number().int().nonnegative().optional(),
    }),
    notes: z.array(z.string()),
  })
  .refine(
    (j) =>
      [j.nll, j.bitsPerDim, j.standardError, j.exact, j.discreteBitsPerDim, j.exactDiscrete, j.exactDiscreteBitsPerDim, j.sigmaMinBias].every(
        (a) => a === undefined || a.length === j.params.numPoints,
      ),
    "every per-point array must have params.numPoints entries",
  )
  .refine((j) => (j.exactDiscrete === undefined) === (j.exactDiscreteBitsPerDim === undefined), "exactDiscrete and exactDiscreteBitsPerDim come together")
  .refine(
    (j) => (j.params.quantization ? (j.exactDiscrete === undefined) !== (j.exactDiscreteOmitted === undefined) : j.exactDiscrete === undefined && j.exactDiscreteOmitted === undefined),
    "with params.quantization exactly one of exactDiscrete and exactDiscreteOmitted; without it neither",
  )
  .refine((j) => (j.params.quantization !== undefined) === (j.discreteBitsPerDim !== undefined), "discreteBitsPerDim comes with params.quantization");

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
