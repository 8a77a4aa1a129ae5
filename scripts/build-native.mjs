// Builds the optional native posterior kernel (native/ → native/build/Release/infodyn_native.node) with the
// node-gyp bundled with npm, against the headers of the running Node (--nodedir: no download). It needs a C
// compiler and OpenBLAS (Debian: apt-get install libopenblas-dev). It always exits 0: without the native
// backend infodyn runs its portable TypeScript kernel. Prints one line saying which.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const native = join(root, "native");
const nodedir = dirname(dirname(process.execPath));
const addon = join(native, "build", "Release", "infodyn_native.node");

/** node-gyp: the copy bundled with npm (found from npm's own path or next to node), else `npm exec node-gyp`. */
function nodeGyp() {
  const candidates = [];
  if (process.env.npm_execpath) candidates.push(join(dirname(process.env.npm_execpath), "..", "node_modules", "node-gyp", "bin", "node-gyp.js"));
  candidates.push(join(nodedir, "lib", "node_modules", "npm", "node_modules", "node-gyp", "bin", "node-gyp.js"));
  const found = candidates.find((p) => existsSync(p));
  return found ? [process.execPath, [found]] : ["npm", ["exec", "--yes", "--", "node-gyp"]];
}

let reason = "";
try {
  if (process.env.INFODYN_NATIVE === "0") reason = "skipped (INFODYN_NATIVE=0)";
  else if (!existsSync(join(nodedir, "include", "node", "node_api.h"))) reason = `no Node headers under ${nodedir}/include/node`;
  else {
    const [cmd, pre] = nodeGyp();
    const r = spawnSync(cmd, [...pre, "rebuild", `--nodedir=${nodedir}`], { cwd: native, encoding: "utf8", timeout: 300_000 });
    if (r.status !== 0 || !existsSync(addon)) {
      const log = `${r.stdout ?? ""}${r.stderr ?? ""}${r.error ? String(r.error) : ""}`;
      const line = log.split("\n").find((l) => /error|not found|cannot find/i.test(l)) ?? `exit status ${r.status}`;
      reason = `build failed: ${line.trim().slice(0, 160)}`;
    }
  }
} catch (e) {
  reason = `build failed: ${e instanceof Error ? e.message : String(e)}`;
}
console.log(reason ? `infodyn: native kernel not built (${reason}); using the TypeScript kernel` : `infodyn: native kernel built (${addon})`);
process.exit(0);
