/**
 * Loads the WebAssembly SIMD posterior kernel (wasm/kernel.ts, built to dist/wasm/kernel.wasm by `npm run build`)
 * from disk and registers it as the "wasm-simd" backend. Node-only: the core takes the bytes
 * ({@link wasmKernelSync}); a browser fetches them and calls `instantiateWasmKernel`.
 */
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { registerKernelBackend, setPosteriorKernel } from "../engine/backends.js";
import type { PosteriorKernel } from "../engine/types.js";
import { wasmKernelSync } from "../engine/wasm.js";

/** Where `npm run build` leaves the module (the same path from src/node and dist/node). */
export const WASM_KERNEL_PATH = fileURLToPath(new URL("../../dist/wasm/kernel.wasm", import.meta.url));

let kernel: PosteriorKernel | undefined;

/** The wasm kernel, made once and registered as "wasm-simd"; undefined when the module was not built or does not compile. */
export function wasmKernel(): PosteriorKernel | undefined {
  if (kernel || !existsSync(WASM_KERNEL_PATH)) return kernel;
  try {
    kernel = wasmKernelSync(readFileSync(WASM_KERNEL_PATH));
  } catch {
    return undefined; // an engine without WebAssembly SIMD
  }
  registerKernelBackend({ name: "wasm-simd", description: "WebAssembly SIMD (AssemblyScript), float64, blocked f64x2 products + online softmax", kernel });
  return kernel;
}

/**
 * Registers the wasm backend and makes it the default ({@link setPosteriorKernel}) if it loads.
 *
 * @example
 * installWasmBackend(); // returns true after `npm run build`; kernelBackendName() is then "wasm-simd"
 */
export function installWasmBackend(): boolean {
  const k = wasmKernel();
  if (k) setPosteriorKernel(k);
  return k !== undefined;
}
