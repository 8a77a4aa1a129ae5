/**
 * The per-command table of `npm run bench` (issue 14): every command with its defaults on the scikit-learn digits
 * (examples/digits.json, 1797 × 64) and on its 0-vs-1 subset (examples/digits01.json, 360 × 64), wall time of one
 * CLI run each, against the target of the issue where it sets one. `node dist/bench/kernel.js commands` runs it alone.
 *
 * A command has no numpy counterpart, so its line reports the time and the target; the kernel's own ratio against
 * numpy (the rest of the bench) is what the commands' speed rests on.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** One benchmarked command line: its arguments (`MODEL` stands for the model file) and its target in seconds. */
interface CommandCase {
  name: string;
  args: string[];
  target?: number;
}

/** The commands with their defaults; modes and thermo need a σ: the digits' decision region (σ = 4). */
const COMMANDS: CommandCase[] = [
  { name: "posterior (1 point, σ = 4)", args: ["posterior", "MODEL", "--sigma", "4", "--points", `[${Array(64).fill(4).join(",")}]`] },
  { name: "profile", args: ["profile", "MODEL"], target: 20 },
  { name: "schedule --kind edm", args: ["schedule", "MODEL", "--kind", "edm"], target: 1 },
  { name: "schedule --kind entropic", args: ["schedule", "MODEL", "--kind", "entropic"], target: 15 },
  { name: "schedule --kind rescaled-entropic", args: ["schedule", "MODEL", "--kind", "rescaled-entropic"], target: 15 },
  { name: "paths", args: ["paths", "MODEL"], target: 20 },
  { name: "modes --sigma 4", args: ["modes", "MODEL", "--sigma", "4"] },
  { name: "thermo --sigma 4", args: ["thermo", "MODEL", "--sigma", "4"] },
  { name: "memorization", args: ["memorization", "MODEL"] },
  { name: "bifurcations", args: ["bifurcations", "MODEL"], target: 60 },
  { name: "report", args: ["report", "MODEL", "--out", "OUT"], target: 30 },
];

/** Runs every command on each dataset in `dir` (a scratch folder) and prints the table; false when a target is missed. */
export function runCommands(dir: string): boolean {
  const root = fileURLToPath(new URL("../../", import.meta.url));
  const main = fileURLToPath(new URL("../cli/main.js", import.meta.url));
  const models = ["examples/digits.json", "examples/digits01.json"].filter((m) => existsSync(join(root, m)));
  if (!models.length) {
    console.log("commands: examples/digits.json missing (examples/make_digits.py writes it); skipped");
    return true;
  }
  let ok = true;
  console.log("commands with their defaults (wall time of one run, seconds; target from issue 14):");
  console.log(`  ${"command".padEnd(36)} ${models.map((m) => m.replace(/^examples\//, "").padStart(16)).join("")}  target`);
  for (const c of COMMANDS) {
    const cells: string[] = [];
    for (const model of models) {
      const args = c.args.map((a) => (a === "MODEL" ? model : a === "OUT" ? join(dir, `report-${cells.length}`) : a));
      const t0 = performance.now();
      const p = spawnSync(process.execPath, [main, ...args], { cwd: root, encoding: "utf8", maxBuffer: 1 << 28 });
      const s = (performance.now() - t0) / 1000;
      if (p.status !== 0) {
        cells.push(`failed (${p.status})`.padStart(16));
        console.error(`  ${c.name} on ${model}: ${p.stderr.trim().split("\n").pop()}`);
        ok = false;
        continue;
      }
      const missed = c.target !== undefined && s > c.target;
      if (missed) ok = false;
      cells.push(`${s.toFixed(1)}${missed ? " (over)" : ""}`.padStart(16));
    }
    console.log(`  ${c.name.padEnd(36)} ${cells.join("")}  ${c.target === undefined ? "—" : `< ${c.target}`}`);
  }
  return ok;
}
