import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { kernelBackendName, posteriorKernel, setPosteriorKernel } from "../src/engine/backends.js";
import { InfodynError } from "../src/errors.js";
import { fasterKernelHint, installKernel } from "../src/node/kernels.js";
import { NATIVE_ADDON_PATHS } from "../src/node/native.js";
import { WASM_KERNEL_PATH } from "../src/node/wasm.js";

const root = join(import.meta.dirname, "..");
const main = join(root, "dist", "cli", "main.js");

/** `infodyn --version` under extra environment variables. */
function version(env: Record<string, string>) {
  const r = spawnSync(process.execPath, [main, "--version"], { encoding: "utf8", env: { ...process.env, ...env } });
  return { status: r.status, stdout: r.stdout.trim(), stderr: r.stderr.trim() };
}

describe("the kernel a Node process runs (src/node/kernels.ts)", () => {
  const openblas = existsSync(NATIVE_ADDON_PATHS["native-openblas"]);
  const own = existsSync(NATIVE_ADDON_PATHS["native-own"]);
  const fastest = openblas ? "native-openblas" : own ? "native-own" : existsSync(WASM_KERNEL_PATH) ? "wasm-simd" : "ts-blocked";

  it("is the fastest that was built, in the order native-openblas, native-own, wasm-simd, ts-blocked", () => {
    const previous = posteriorKernel();
    try {
      expect(installKernel(undefined)).toBe(fastest);
      expect(kernelBackendName()).toBe(fastest);
      expect(fasterKernelHint(fastest, undefined) === "").toBe(fastest === "native-openblas");
    } finally {
      setPosteriorKernel(previous);
    }
  });

  it("INFODYN_KERNEL forces any registered backend; an unknown name is refused naming the available ones", () => {
    const previous = posteriorKernel();
    try {
      expect(installKernel("ts-blocked")).toBe("ts-blocked");
      expect(installKernel("js-reference")).toBe("js-reference");
      expect(() => installKernel("cuda")).toThrow(InfodynError);
      expect(() => installKernel("cuda")).toThrow(/INFODYN_KERNEL=cuda: no such kernel here \(available: js-reference, ts-blocked/);
    } finally {
      setPosteriorKernel(previous);
    }
  });

  it("`infodyn --version` names the kernel and, when a faster one exists, how to get it; a bad INFODYN_KERNEL is exit 2", () => {
    expect(version({ INFODYN_KERNEL: "" }).stdout).toMatch(new RegExp(`^\\d+\\.\\d+\\.\\d+ \\(posterior kernel: ${fastest}`));
    const forced = version({ INFODYN_KERNEL: "ts-blocked" });
    expect(forced.status).toBe(0);
    expect(forced.stdout).toContain(`posterior kernel: ts-blocked; forced by INFODYN_KERNEL; the fastest here is ${fastest}`);
    if (existsSync(WASM_KERNEL_PATH) && !openblas && !own) expect(version({}).stdout).toContain("for a native kernel: a C compiler");
    if (own && !openblas) expect(version({}).stdout).toContain("for native-openblas: install OpenBLAS (apt-get install libopenblas-dev)");
    const bad = version({ INFODYN_KERNEL: "cuda" });
    expect(bad.status).toBe(2);
    expect(bad.stdout).toBe("");
    expect(bad.stderr).toMatch(/^infodyn: INFODYN_KERNEL=cuda: no such kernel here \(available: [^)]*\)$/);
  });

  it("INFODYN_NATIVE_BLAS=0 leaves the OpenBLAS build out at run time (the own build, or wasm, runs)", () => {
    const r = version({ INFODYN_NATIVE_BLAS: "0", INFODYN_KERNEL: "" });
    expect(r.stdout).toContain(`posterior kernel: ${own ? "native-own" : existsSync(WASM_KERNEL_PATH) ? "wasm-simd" : "ts-blocked"}`);
  });
});
