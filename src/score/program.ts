import type { Batch } from "../batch.js";
import { InfodynError } from "../errors.js";
import type { Conditioning, Denoiser, SyncDenoiser } from "../models/types.js";

/** One request of a program to its denoiser: `D(x; σ, cond)`. */
export interface DenoiseCall {
  x: Batch;
  sigma: number | Float64Array;
  cond?: Conditioning;
}

/**
 * A computation that needs a denoiser, written once for synchronous and asynchronous denoisers: a generator that
 * yields each {@link DenoiseCall} and receives the denoised batch back (`const m = yield { x, sigma }`), and
 * returns its result. {@link drive} runs it on an exact model at full synchronous speed, or on a network whose
 * `denoise` returns a promise. The program owns its arithmetic; the driver only carries batches.
 */
export type DenoiseProgram<T> = Generator<DenoiseCall, T, Batch>;

/** A value, or a promise of it when the denoiser is asynchronous. */
export type MaybePromise<T> = T | Promise<T>;

/** What {@link drive} returns for a denoiser type: a plain value for a {@link SyncDenoiser}, else maybe a promise. */
export type Driven<Dn extends Denoiser, T> = Dn extends SyncDenoiser ? T : MaybePromise<T>;

/** Options of {@link drive}. */
export interface DriveOptions {
  /** Checked before every denoiser call: an aborted signal ends the run with an {@link AbortedError}. */
  signal?: AbortSignal;
}

/** Thrown when an {@link AbortSignal} ends a long computation. */
export class AbortedError extends InfodynError {
  constructor(reason?: unknown) {
    super(`aborted${reason instanceof Error ? ` (${reason.message})` : typeof reason === "string" ? ` (${reason})` : ""}`);
    this.name = "AbortedError";
  }
}

/** Throws an {@link AbortedError} when `signal` is aborted (call it between units of work). */
export function throwIfAborted(signal?: AbortSignal): void {
  if (signal?.aborted) throw new AbortedError(signal.reason);
}

function isPromise<T>(v: T | Promise<T>): v is Promise<T> {
  return typeof (v as { then?: unknown })?.then === "function";
}

/**
 * Runs a {@link DenoiseProgram} on a denoiser. Synchronous while every answer is a batch (exact models: no
 * promise, no microtask), and continues asynchronously from the first answer that is a promise (networks).
 * Each answer is checked to have the rows and dimension asked for.
 *
 * @example
 * function* meanAt(x: Batch): DenoiseProgram<Batch> { return yield { x, sigma: 1 }; }
 * drive(meanAt(fromRows([[0.3]])), model); // a Batch (model is exact)
 * await drive(meanAt(fromRows([[0.3]])), network); // a Batch after the network answered
 */
export function drive<Dn extends Denoiser, T>(program: DenoiseProgram<T>, denoiser: Dn, options?: DriveOptions): Driven<Dn, T>;
export function drive<T>(program: DenoiseProgram<T>, denoiser: Denoiser, options: DriveOptions = {}): MaybePromise<T> {
  let step = program.next(undefined as unknown as Batch);
  while (!step.done) {
    throwIfAborted(options.signal);
    const call = step.value;
    const answer = denoiser.denoise(call.x, call.sigma, call.cond);
    if (isPromise(answer)) return continueAsync(program, denoiser, call, answer, options);
    step = program.next(checked(answer, call));
  }
  return step.value;
}

async function continueAsync<T>(
  program: DenoiseProgram<T>,
  denoiser: Denoiser,
  first: DenoiseCall,
  pending: Promise<Batch>,
  options: DriveOptions,
): Promise<T> {
  let step = program.next(checked(await pending, first));
  while (!step.done) {
    throwIfAborted(options.signal);
    const call = step.value;
    step = program.next(checked(await denoiser.denoise(call.x, call.sigma, call.cond), call));
  }
  return step.value;
}

function checked(answer: Batch, call: DenoiseCall): Batch {
  if (answer.rows !== call.x.rows || answer.dim !== call.x.dim || answer.data.length !== call.x.rows * call.x.dim)
    throw new InfodynError(
      `denoiser: returned ${answer.rows} × ${answer.dim} for a batch of ${call.x.rows} × ${call.x.dim}`,
    );
  return answer;
}

/** True when `denoiser` is known to answer synchronously (it is an exact model: it has a posterior). */
export function isExact(denoiser: Denoiser): denoiser is Denoiser & { posterior: unknown } {
  return typeof (denoiser as { posterior?: unknown }).posterior === "function";
}
