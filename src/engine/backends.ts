import { blockedPosteriorKernel } from "./blocked.js";
import { jsPosteriorKernel } from "./reference.js";
import { shardedPosteriorKernel } from "./shard.js";
import type { PosteriorKernel } from "./types.js";

/** A named posterior-kernel backend, so that tools can say which one runs. */
export interface KernelBackend {
  readonly name: string;
  readonly description: string;
  readonly kernel: PosteriorKernel;
}

const backends: KernelBackend[] = [
  { name: "js-reference", description: "plain TypeScript, one query at a time (the reference)", kernel: jsPosteriorKernel },
  { name: "ts-blocked", description: "TypeScript, float64, blocked matrix products + online softmax", kernel: blockedPosteriorKernel },
  { name: "ts-sharded-4", description: "TypeScript, the set in 4 shards whose partial sums merge exactly", kernel: shardedPosteriorKernel(4) },
];

let current: PosteriorKernel = blockedPosteriorKernel;

/** The posterior kernel the models use: the blocked TypeScript kernel unless another backend was installed. */
export function posteriorKernel(): PosteriorKernel {
  return current;
}

/** Installs a faster backend (WebAssembly, native, GPU); returns the previous one. */
export function setPosteriorKernel(kernel: PosteriorKernel): PosteriorKernel {
  const previous = current;
  current = kernel;
  return previous;
}

/** Every backend known to this process (the portable ones, plus any a native loader registered). */
export function kernelBackends(): readonly KernelBackend[] {
  return backends;
}

/** Makes a backend nameable (a native or GPU loader calls this before {@link setPosteriorKernel}). */
export function registerKernelBackend(backend: KernelBackend): void {
  if (!backends.some((b) => b.kernel === backend.kernel)) backends.push(backend);
}

/**
 * The name of the backend the models use now ("ts-blocked" by default; "custom" for an unregistered kernel).
 *
 * @example
 * kernelBackendName(); // returns "ts-blocked"
 */
export function kernelBackendName(kernel: PosteriorKernel = posteriorKernel()): string {
  return backends.find((b) => b.kernel === kernel)?.name ?? "custom";
}
