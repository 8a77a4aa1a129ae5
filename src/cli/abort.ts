import type { Denoiser } from "../models/types.js";
import { throwIfAborted } from "../score/program.js";

/** Exit codes of a command ended by a signal: 128 + the signal's number. */
export const SIGNAL_EXIT_CODES = { SIGINT: 130, SIGTERM: 143 } as const;
export type StopSignal = keyof typeof SIGNAL_EXIT_CODES;

let received: StopSignal | undefined;

/** The signal that interrupted the command, if one did. */
export function interruptedBy(): StopSignal | undefined {
  return received;
}

/**
 * Runs asynchronous work (a denoiser's, the rendering of figures) with SIGINT and SIGTERM turned into an abort of
 * the `signal` it is given: the work ends at its next check with an `AbortedError`, and the command exits with
 * 130 / 143 having written nothing (the caller writes only after this returns). A second signal exits at once.
 *
 * Synchronous work (every exact-model analysis) is left outside: no handler can run while it computes, so the
 * default disposition there stops the process at once, as before.
 */
export async function interruptible<T>(work: (signal: AbortSignal) => Promise<T> | T): Promise<T> {
  const controller = new AbortController();
  const onSignal = (sig: StopSignal) => {
    if (received) process.exit(SIGNAL_EXIT_CODES[received]);
    received = sig;
    controller.abort(sig);
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  try {
    const out = await work(controller.signal);
    // A signal that came while the last piece of work ran still stops the command before anything is written.
    await new Promise((resolve) => setImmediate(resolve));
    throwIfAborted(controller.signal);
    return out;
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}

/**
 * A denoiser that lets the event loop run (and so a signal's handler) at least every `everyMs` between its calls.
 * A network's answers arrive as I/O callbacks, but one that answers through promises alone (the testbed) would
 * keep the loop busy with microtasks to the end, and no SIGINT could reach {@link interruptible} meanwhile.
 */
export function responsive<D extends Denoiser>(denoiser: D, everyMs = 50): Denoiser {
  let last = Date.now();
  return {
    dim: denoiser.dim,
    numClasses: denoiser.numClasses,
    async denoise(x, sigma, cond) {
      if (Date.now() - last >= everyMs) {
        await new Promise((resolve) => setImmediate(resolve));
        last = Date.now();
      }
      return denoiser.denoise(x, sigma, cond);
    },
  };
}
