import type { Batch } from "../batch.js";
import type { DataModel, Denoiser } from "../models/types.js";
import { VERSION } from "../version.js";
import { assertFinite } from "../analysis/validity.js";

/** The commands whose output is a JSON contract (`--json`, or `report`'s results.json). */
export type CommandName =
  | "posterior"
  | "profile"
  | "paths"
  | "modes"
  | "bifurcations"
  | "thermo"
  | "schedule"
  | "rem"
  | "memorization"
  | "report"
  | "likelihood"
  | "pmi"
  | "guidance"
  | "semantics";

/** Which model a result was computed on (the envelope's `model`). */
export interface ModelInfo {
  /** The model file's path as given, or "default" for the embedded dataset. */
  source: string;
  /** The model's kind (deltas, gaussian, gmm, sphere, ising; a dataset is `deltas`), or the denoiser's (`testbed`). */
  kind: string;
  dim: number;
  /** The model file's `name`, when it has one. */
  name?: string;
  /** Classes of a labelled model (0: unlabelled). */
  numClasses: number;
  classNames?: string[];
  /** `exact`: a data model with posteriors; `denoiser`: only `denoise`, with data samples to average over. */
  type: "exact" | "denoiser";
  /** Data samples the expectations are taken over (denoisers only). */
  samples?: number;
}

/**
 * The envelope every JSON output starts with: which command, which version of infodyn, on which model, with which
 * parameters (σ grid, seed, samples, process, sampler, steps … as they apply). The payload keys follow it.
 */
export interface Envelope<C extends CommandName = CommandName, P = unknown> {
  command: C;
  version: string;
  /** null for the commands that take no model (`rem`, `schedule` of a model-free kind without a model). */
  model: ModelInfo | null;
  params: P;
}

/** The keys of the envelope; a payload key of the same name gives way to it. */
export const ENVELOPE_KEYS = ["command", "version", "model", "params"] as const;

/** A model described for the envelope: an exact model, or a denoiser with its data samples. */
export type DescribedModel =
  | { type: "exact"; model: DataModel; source: string; name?: string }
  | { type: "denoiser"; kind: string; denoiser: Denoiser; data: Batch; source: string; name?: string };

/**
 * The envelope's `model` for an exact model or a denoiser (what `loadModel` returns, or any object of that shape).
 *
 * @example
 * modelInfo({ type: "exact", model, source: "two-deltas.json" }); // { source, kind: "deltas", dim: 1, numClasses: 2, … }
 */
export function modelInfo(m: DescribedModel): ModelInfo {
  if (m.type === "exact") {
    const { model } = m;
    return {
      source: m.source,
      kind: model.kind,
      dim: model.dim,
      ...(m.name !== undefined ? { name: m.name } : {}),
      numClasses: model.numClasses,
      ...(model.classNames ? { classNames: [...model.classNames] } : {}),
      type: "exact",
    };
  }
  return {
    source: m.source,
    kind: m.kind,
    dim: m.denoiser.dim,
    ...(m.name !== undefined ? { name: m.name } : {}),
    numClasses: m.denoiser.numClasses ?? 0,
    type: "denoiser",
    samples: m.data.rows,
  };
}

/** The envelope of a command's output. */
export function envelope<C extends CommandName, P>(command: C, model: ModelInfo | null, params: P): Envelope<C, P> {
  return { command, version: VERSION, model, params };
}

/**
 * The envelope keys first, then the payload's keys in their order, less any that collide with the envelope.
 * Every number of the payload must be finite: a NaN or ±∞ (JSON's `null`) is refused here with the path of the
 * first one ({@link assertFinite}), so no command writes a silent non-finite number.
 */
export function withEnvelope<E extends Envelope, P extends object>(env: E, payload: P): E & Omit<P, keyof Envelope> {
  assertFinite(payload, env.command);
  const out: Record<string, unknown> = { command: env.command, version: env.version, model: env.model, params: env.params };
  for (const [k, v] of Object.entries(payload)) if (!(ENVELOPE_KEYS as readonly string[]).includes(k)) out[k] = v;
  return out as E & Omit<P, keyof Envelope>;
}

/** How a σ grid was given: log-uniform between two ends, or an explicit list (descending, the library's convention). */
export type SigmaGridParams =
  | { spacing: "log"; sigmaMin: number; sigmaMax: number; levels: number }
  | { spacing: "list"; sigma: number[] };

/** JSON numbers: NaN and ±∞ become null (JSON.stringify would write null anyway). */
export const finiteOrNull = (v: number): number | null => (Number.isFinite(v) ? v : null);
