/**
 * Chooses the posterior kernel a Node process runs: `INFODYN_KERNEL=<name>` forces one (any registered backend:
 * native-openblas, native-own, wasm-simd, ts-blocked, js-reference, ts-sharded-4); otherwise the fastest that loads,
 * in the order native-openblas, native-own (a C compiler, no BLAS), wasm-simd (no compiler), ts-blocked.
 * Node-only: the CLI and the bench call it.
 */
import { kernelBackendName, kernelBackends, setPosteriorKernel } from "../engine/backends.js";
import { InfodynError } from "../errors.js";
import { installNativeBackend, nativeBuilds } from "./native.js";
import { wasmKernel } from "./wasm.js";

/** How to get a faster kernel than `name`, or "" when it is the fastest infodyn has. */
export function fasterKernelHint(name: string, forced: string | undefined = process.env.INFODYN_KERNEL): string {
  if (forced && name !== fastestName()) return `forced by INFODYN_KERNEL; the fastest here is ${fastestName()}`;
  const blas = "install OpenBLAS (apt-get install libopenblas-dev) and run npm rebuild infodyn";
  if (name === "native-openblas") return "";
  if (name === "native-own") return nativeBuilds().includes("native-openblas") ? "" : `for native-openblas: ${blas}`;
  if (name === "wasm-simd") return `for a native kernel: a C compiler (apt-get install build-essential), then npm rebuild infodyn; and for native-openblas: ${blas}`;
  return `the portable TypeScript kernel; for a native kernel: a C compiler (apt-get install build-essential), then npm rebuild infodyn`;
}

function fastestName(): string {
  return ["native-openblas", "native-own", "wasm-simd"].find((n) => kernelBackends().some((b) => b.name === n)) ?? "ts-blocked";
}

/**
 * Registers every kernel that loads and installs one (see the file's comment); returns its name. An
 * `INFODYN_KERNEL` that names no loaded backend is an {@link InfodynError} naming the ones that are.
 *
 * @example
 * installKernel(); // returns "native-openblas" where `npm ci` built it with OpenBLAS
 */
export function installKernel(forced: string | undefined = process.env.INFODYN_KERNEL): string {
  const native = installNativeBackend();
  const wasm = wasmKernel();
  if (!native && wasm) setPosteriorKernel(wasm);
  if (forced !== undefined && forced !== "") {
    const backend = kernelBackends().find((b) => b.name === forced);
    if (!backend) throw new InfodynError(`INFODYN_KERNEL=${forced}: no such kernel here (available: ${kernelBackends().map((b) => b.name).join(", ")})`);
    setPosteriorKernel(backend.kernel);
  }
  return kernelBackendName();
}
