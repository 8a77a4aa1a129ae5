// Builds the optional native posterior kernels with the node-gyp bundled with npm, against the headers of the
// running Node (--nodedir: no download):
//   native/build/Release/infodyn_native.node      kernel.c + OpenBLAS's dgemm (Debian: apt-get install libopenblas-dev)
//   native/own/build/Release/infodyn_native.node  kernel.c + our own packed dgemm (native/gemm.c, runtime CPU
//                                                  dispatch avx512 / avx2 / generic): needs only a C compiler
// INFODYN_NATIVE=0 skips both; INFODYN_NATIVE_BLAS=0 skips the OpenBLAS one (to try the own kernel alone). It
// always exits 0: without a compiler infodyn runs its WebAssembly SIMD kernel (built with dist/), else TypeScript.
// Prints one line saying which kernel will run and, when it is not the fastest, how to get it.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const nodedir = dirname(dirname(process.execPath));
const builds = [
  { name: "native-openblas", dir: join(root, "native"), skip: process.env.INFODYN_NATIVE_BLAS === "0" ? "INFODYN_NATIVE_BLAS=0" : "" },
  { name: "native-own", dir: join(root, "native", "own"), skip: "" },
];

/** node-gyp: the copy bundled with npm (found from npm's own path or next to node), else `npm exec node-gyp`. */
function nodeGyp() {
  const candidates = [];
  if (process.env.npm_execpath) candidates.push(join(dirname(process.env.npm_execpath), "..", "node_modules", "node-gyp", "bin", "node-gyp.js"));
  candidates.push(join(nodedir, "lib", "node_modules", "npm", "node_modules", "node-gyp", "bin", "node-gyp.js"));
  const found = candidates.find((p) => existsSync(p));
  return found ? [process.execPath, [found]] : ["npm", ["exec", "--yes", "--", "node-gyp"]];
}

/** Builds one addon; returns "" on success, else why not. */
function build(dir) {
  const addon = join(dir, "build", "Release", "infodyn_native.node");
  try {
    const [cmd, pre] = nodeGyp();
    const r = spawnSync(cmd, [...pre, "rebuild", `--nodedir=${nodedir}`], { cwd: dir, encoding: "utf8", timeout: 300_000 });
    if (r.status === 0 && existsSync(addon)) return "";
    const log = `${r.stdout ?? ""}${r.stderr ?? ""}${r.error ? String(r.error) : ""}`;
    const line = log.split("\n").find((l) => /error|not found|cannot find/i.test(l)) ?? `exit status ${r.status}`;
    return `build failed: ${line.trim().slice(0, 160)}`;
  } catch (e) {
    return `build failed: ${e instanceof Error ? e.message : String(e)}`;
  }
}

const why = {};
if (process.env.INFODYN_NATIVE === "0") for (const b of builds) why[b.name] = "skipped (INFODYN_NATIVE=0)";
else if (!existsSync(join(nodedir, "include", "node", "node_api.h"))) for (const b of builds) why[b.name] = `no Node headers under ${nodedir}/include/node`;
else for (const b of builds) why[b.name] = b.skip ? `skipped (${b.skip})` : build(b.dir);

const built = builds.filter((b) => why[b.name] === "").map((b) => b.name);
const blasHint = "apt-get install libopenblas-dev, then npm rebuild infodyn (or npm ci)";
if (built.includes("native-openblas")) console.log(`infodyn: native kernels built (${built.join(", ")}); using native-openblas`);
else if (built.includes("native-own"))
  console.log(`infodyn: native kernel built with infodyn's own dgemm (native-own); the OpenBLAS one was not (${why["native-openblas"]}); for it: ${blasHint}`);
else
  console.log(
    `infodyn: native kernel not built (${why["native-own"]}); using the WebAssembly SIMD kernel (wasm-simd); for a faster one: a C compiler (apt-get install build-essential) and ${blasHint}`,
  );
process.exit(0);
