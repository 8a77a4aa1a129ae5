/**
 * Loads the optional native posterior kernels (built by scripts/build-native.mjs at install) and makes the fastest
 * the default backend. Two builds of the same C kernel (native/kernel.c) differ only in their matrix product:
 * "native-openblas" (native/build/, OpenBLAS's dgemm: needs libopenblas-dev) and "native-own" (native/own/build/,
 * infodyn's packed register-blocked dgemm, native/gemm.c, with runtime avx512 / avx2 / generic dispatch: needs only
 * a C compiler). Node-only: the core never imports this file; the CLI and the bench call it.
 */
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { registerKernelBackend, setPosteriorKernel } from "../engine/backends.js";
import type { PosteriorKernel } from "../engine/types.js";
import { nativePosteriorKernel, type NativeAddon } from "./nativeKernel.js";

/** The native builds, fastest first. */
export type NativeBuild = "native-openblas" | "native-own";
export const NATIVE_BUILDS: readonly NativeBuild[] = ["native-openblas", "native-own"];

/** Where the build script leaves each addon (the same paths from src/node and dist/node). */
export const NATIVE_ADDON_PATHS: Readonly<Record<NativeBuild, string>> = {
  "native-openblas": fileURLToPath(new URL("../../native/build/Release/infodyn_native.node", import.meta.url)),
  "native-own": fileURLToPath(new URL("../../native/own/build/Release/infodyn_native.node", import.meta.url)),
};
/** The OpenBLAS build's path (the default build where both exist). */
export const NATIVE_ADDON_PATH = NATIVE_ADDON_PATHS["native-openblas"];

/** What the addon says of its matrix product (native/kernel.c's exports `gemm`, `gemmIsa`). */
export interface NativeAddonInfo extends NativeAddon {
  readonly gemm?: string;
  readonly gemmIsa?: string;
  /** C = A·B (or A·Bᵀ when transB) + beta·C, row-major and packed, the product the kernel uses (beta 0 or 1). */
  readonly dgemm?: (transB: number, m: number, n: number, k: number, A: Float64Array, B: Float64Array, beta: number, C: Float64Array) => void;
  /** The own build only: switches the micro-kernel ("avx512", "avx2", "generic"); returns the one in use (a name this CPU cannot run is refused). */
  readonly setGemmIsa?: (name: string) => string;
}

const addons = new Map<NativeBuild, NativeAddonInfo | undefined>();
const kernels = new Map<NativeBuild, PosteriorKernel>();

/** The native builds present on disk, fastest first (INFODYN_NATIVE_BLAS=0 leaves the OpenBLAS one out). */
export function nativeBuilds(): NativeBuild[] {
  return NATIVE_BUILDS.filter((b) => existsSync(NATIVE_ADDON_PATHS[b]) && !(b === "native-openblas" && process.env.INFODYN_NATIVE_BLAS === "0"));
}

/**
 * A native addon, loaded once: the named build, else the first of {@link nativeBuilds} that loads; undefined when
 * none was built or loads (no OpenBLAS at run time, another Node ABI). {@link nativePosteriorKernel}(addon,
 * threads) makes a kernel with a chosen number of threads.
 */
export function nativeAddon(build?: NativeBuild): NativeAddonInfo | undefined {
  if (build === undefined) {
    for (const b of nativeBuilds()) {
      const a = nativeAddon(b);
      if (a) return a;
    }
    return undefined;
  }
  if (addons.has(build)) return addons.get(build);
  let a: NativeAddonInfo | undefined;
  if (existsSync(NATIVE_ADDON_PATHS[build]))
    try {
      a = createRequire(import.meta.url)(NATIVE_ADDON_PATHS[build]) as NativeAddonInfo;
    } catch {
      a = undefined;
    }
  addons.set(build, a);
  return a;
}

/** The native kernel's thread count: `INFODYN_THREADS`, else min(2, available cores). */
export function nativeThreads(): number {
  const env = Number(process.env.INFODYN_THREADS);
  return Number.isInteger(env) && env >= 1 ? env : Math.min(2, availableParallelism());
}

/**
 * A native kernel, made once and registered under its build's name: the named build, else the first that loads;
 * undefined without an addon. Threads: {@link nativeThreads}.
 */
export function nativeKernel(build?: NativeBuild): PosteriorKernel | undefined {
  const name = build ?? nativeBuilds().find((b) => nativeAddon(b) !== undefined);
  if (name === undefined) return undefined;
  const known = kernels.get(name);
  if (known) return known;
  const a = nativeAddon(name);
  if (!a) return undefined;
  const threads = nativeThreads();
  const kernel = nativePosteriorKernel(a, threads);
  kernels.set(name, kernel);
  const product = name === "native-own" ? `infodyn's own dgemm (${a.gemmIsa ?? "?"})` : "OpenBLAS dgemm";
  registerKernelBackend({ name, description: `C addon, float64, ${product} + online softmax, ${threads} threads`, kernel });
  return kernel;
}

/**
 * Registers the native backends that load and makes the fastest the default ({@link setPosteriorKernel}).
 *
 * @example
 * installNativeBackend(); // returns true where `npm ci` built native/; kernelBackendName() is then "native-openblas" (or "native-own")
 */
export function installNativeBackend(): boolean {
  for (const b of nativeBuilds()) nativeKernel(b);
  const k = nativeKernel();
  if (k) setPosteriorKernel(k);
  return k !== undefined;
}
