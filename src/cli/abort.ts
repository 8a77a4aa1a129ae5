import { rmSync } from "node:fs";
import type { Denoiser } from "../models/types.js";
import { throwIfAborted } from "../score/program.js";

/** Exit codes of a command ended by a signal: 128 + the signal's number. */
export const SIGNAL_EXIT_CODES = { SIGINT: 130, SIGTERM: 143 } as const;
export type StopSignal = keyof typeof SIGNAL_EXIT_CODES;

/*
 * SIGINT and SIGTERM, and the temporary output they must not leave behind. What holds:
 *
 * - Temporary output (`.NAME.PID.tmp` beside an `--out` file, `.DIR.infodyn-PID.tmp` beside a report folder) is
 *   created only at write time, after the computation, and registered here while it exists ({@link trackTemp}).
 * - While temporary output exists or asynchronous work runs ({@link interruptible}), a handler is installed: an
 *   asynchronous run is aborted at its next check and unwinds (its temp folder removed, exit 130 / 143); otherwise
 *   the handler removes every registered temp path and exits 130 / 143. Writes are synchronous, so a signal that
 *   comes during one is handled when it ends: the file or folder is then complete and in place, never half-written.
 * - Otherwise — during a synchronous exact-model computation, when nothing temporary exists — no handler is
 *   installed (none could run until the computation ended), so the signal's default action ends the process at
 *   once: the shell sees 130 / 143 (128 + the signal), and nothing was written.
 * - A second signal while an asynchronous run unwinds exits at once, removing the temp paths.
 */

let received: StopSignal | undefined;
const temps = new Set<string>();
const controllers = new Set<AbortController>();
let armed = false;

/** The signal that interrupted the command, if one did. */
export function interruptedBy(): StopSignal | undefined {
  return received;
}

function removeTemps(): void {
  for (const p of temps) {
    try {
      rmSync(p, { recursive: true, force: true });
    } catch {
      // nothing more can be done while exiting
    }
  }
  temps.clear();
}

function onSignal(sig: StopSignal): void {
  const first = received === undefined;
  received ??= sig;
  if (first && controllers.size > 0) {
    for (const c of controllers) c.abort(sig);
    return;
  }
  const hadTemps = temps.size > 0;
  removeTemps();
  process.stderr.write(`infodyn: interrupted (${received})${hadTemps ? "; temporary output removed" : ""}\n`);
  process.exit(SIGNAL_EXIT_CODES[received]);
}

const onInt = () => onSignal("SIGINT");
const onTerm = () => onSignal("SIGTERM");

function arm(): void {
  if (armed) return;
  process.on("SIGINT", onInt);
  process.on("SIGTERM", onTerm);
  armed = true;
}

function disarmIfIdle(): void {
  if (!armed || temps.size > 0 || controllers.size > 0) return;
  process.off("SIGINT", onInt);
  process.off("SIGTERM", onTerm);
  armed = false;
}

/** Registers a temporary file or folder that exists from now on: a signal or an exit removes it. */
export function trackTemp(path: string): void {
  temps.add(path);
  arm();
}

/** The temporary path was renamed into place or removed: forget it. */
export function untrackTemp(path: string): void {
  temps.delete(path);
  disarmIfIdle();
}

// Whatever ends the process (an error's exit, a closed pipe's), registered temp paths go with it.
process.on("exit", removeTemps);

/**
 * Runs asynchronous work (a denoiser's, the rendering of figures) with SIGINT and SIGTERM turned into an abort of
 * the `signal` it is given: the work ends at its next check with an `AbortedError`, and the command exits with
 * 130 / 143 having written nothing (the caller writes only after this returns). A second signal exits at once.
 */
export async function interruptible<T>(work: (signal: AbortSignal) => Promise<T> | T): Promise<T> {
  const controller = new AbortController();
  controllers.add(controller);
  arm();
  try {
    const out = await work(controller.signal);
    // A signal that came while the last piece of work ran still stops the command before anything is written.
    await new Promise((resolve) => setImmediate(resolve));
    throwIfAborted(controller.signal);
    return out;
  } finally {
    controllers.delete(controller);
    disarmIfIdle();
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
