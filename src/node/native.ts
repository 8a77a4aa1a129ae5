/**
 * Loads the optional native posterior kernel (native/, built by scripts/build-native.mjs at install) and makes it
 * the default backend. Node-only: the core never imports this file; the CLI and the bench call it.
 */
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { registerKernelBackend, setPosteriorKernel } from "../engine/backends.js";
import type { PosteriorKernel } from "../engine/types.js";
import { nativePosteriorKernel, type NativeAddon } from "./nativeKernel.js";

/** Where the build script leaves the addon (the same path from src/node and dist/node). */
export const NATIVE_ADDON_PATH = fileURLToPath(new URL("../../native/build/Release/infodyn_native.node", import.meta.url));

let addon: NativeAddon | undefined;
let kernel: PosteriorKernel | undefined;

/**
 * The native addon, loaded once; undefined when it was not built or does not load (no OpenBLAS, another Node
 * ABI). {@link nativePosteriorKernel}(addon, threads) makes a kernel with a chosen number of threads.
 */
export function nativeAddon(): NativeAddon | undefined {
  if (addon || !existsSync(NATIVE_ADDON_PATH)) return addon;
  try {
    addon = createRequire(import.meta.url)(NATIVE_ADDON_PATH) as NativeAddon;
  } catch {
    addon = undefined;
  }
  return addon;
}

/** The native kernel's thread count: `INFODYN_THREADS`, else min(2, available cores). */
export function nativeThreads(): number {
  const env = Number(process.env.INFODYN_THREADS);
  return Number.isInteger(env) && env >= 1 ? env : Math.min(2, availableParallelism());
}

/** The native kernel, made once and registered as "native-openblas"; undefined without the addon. Threads: {@link nativeThreads}. */
export function nativeKernel(): PosteriorKernel | undefined {
  if (kernel) return kernel;
  const a = nativeAddon();
  if (!a) return undefined;
  const threads = nativeThreads();
  kernel = nativePosteriorKernel(a, threads);
  registerKernelBackend({
    name: "native-openblas",
    description: `C addon, float64, OpenBLAS dgemm + online softmax, ${threads} threads`,
    kernel,
  });
  return kernel;
}

/**
 * Registers the native backend and makes it the default ({@link setPosteriorKernel}) if it loads.
 *
 * @example
 * installNativeBackend(); // returns true where `npm ci` built native/; kernelBackendName() is then "native-openblas"
 */
export function installNativeBackend(): boolean {
  const k = nativeKernel();
  if (k) setPosteriorKernel(k);
  return k !== undefined;
}
