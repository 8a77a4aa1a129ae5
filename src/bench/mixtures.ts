/**
 * The mixtures table of `npm run bench` (issue 18 item 3): small models against their reference route, each a CLI
 * run (`node dist/cli/main.js …`, best of 3 wall times; the CLI's start-up, `--version`, printed beside):
 * - `schedule --kind entropic` of a one-component 2-D `gmm` against the same law as `kind: gaussian`;
 * - `profile` of a two-component `gmm` in D = 256 (1000 samples less 100, one σ: the set-up cancels) against its
 *   flop count, 4·K·D² per row for 3 rows a sample (the posterior and the divergence route), at the native
 *   kernel's rate measured in the backends table (or 5 GFLOP/s where it was not run);
 * - `profile` of a 7-point 2-D labelled set at one σ (its quadrature design refined to 1e-10).
 */
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createRng } from "../numeric/rng.js";

function seconds(args: string[], cwd: string): number {
  const main = fileURLToPath(new URL("../cli/main.js", import.meta.url));
  let best = Infinity;
  for (let rep = 0; rep < 3; rep++) {
    const t0 = performance.now();
    const p = spawnSync(process.execPath, [main, ...args], { cwd, encoding: "utf8" });
    if (p.status !== 0) throw new Error(`infodyn ${args.join(" ")} failed: ${p.stderr}`);
    best = Math.min(best, (performance.now() - t0) / 1000);
  }
  return best;
}

/** A seeded SPD matrix A Aᵀ/D + 0.1 I as rows. */
function spd(D: number, seed: number): number[][] {
  const rng = createRng(seed);
  const A = Float64Array.from({ length: D * D }, () => rng.normal());
  return Array.from({ length: D }, (_, i) =>
    Array.from({ length: D }, (_, j) => {
      let s = 0;
      for (let k = 0; k < D; k++) s += A[i * D + k] * A[j * D + k];
      return s / D + (i === j ? 0.1 : 0);
    }),
  );
}

/** Runs the table; `gflops` is the native kernel's rate to price the D = 256 flop count. */
export function runMixtures(dir: string, gflops = 5): void {
  const cov2 = [[1.0, 0.3], [0.3, 0.5]];
  writeFileSync(join(dir, "gauss2.json"), JSON.stringify({ kind: "gaussian", mean: [0.5, -1], cov: cov2 }));
  writeFileSync(join(dir, "gmm1.json"), JSON.stringify({ kind: "gmm", components: [{ weight: 1, mean: [0.5, -1], cov: cov2 }] }));
  const D = 256;
  writeFileSync(
    join(dir, "gmm256.json"),
    JSON.stringify({ kind: "gmm", components: [{ weight: 0.5, mean: new Array(D).fill(0), cov: spd(D, 4) }, { weight: 0.5, mean: new Array(D).fill(0.3), cov: spd(D, 5) }] }),
  );
  writeFileSync(
    join(dir, "seven.json"),
    JSON.stringify({ kind: "deltas", points: [[0, 0], [1.5, 0.2], [-1.2, 1.1], [0.3, -1.6], [2.4, 1.9], [-2.1, -1.3], [0.9, 2.6]], weights: [0.2, 0.15, 0.15, 0.1, 0.15, 0.1, 0.15], labels: [0, 1, 1, 0, 2, 2, 1] }),
  );
  const start = seconds(["--version"], dir);
  console.log(`mixtures (CLI wall times, best of 3; start-up ${start.toFixed(2)} s; run it on a quiet machine)`);
  // Whole runs, start-up included (a difference of two short runs is noise on a loaded machine).
  const gauss = seconds(["schedule", "gauss2.json", "--kind", "entropic", "--format", "json"], dir);
  const mix = seconds(["schedule", "gmm1.json", "--kind", "entropic", "--format", "json"], dir);
  console.log(`  schedule --kind entropic, 2-D, whole runs: gaussian ${gauss.toFixed(2)} s, one-component gmm ${mix.toFixed(2)} s, ratio ${(mix / gauss).toFixed(2)} (target ≤ 2)`);
  // 100 samples (the least the CLI takes) as the set-up baseline; the 900 more samples are what is priced.
  const parse = seconds(["profile", "gmm256.json", "--sigma", "1", "--samples", "100", "--json"], dir) - start;
  const prof = seconds(["profile", "gmm256.json", "--sigma", "1", "--samples", "1000", "--json"], dir) - start;
  const flops = 3 * 900 * 4 * 2 * D * D;
  const ideal = flops / (gflops * 1e9);
  console.log(
    `  profile gmm K = 2, D = 256, one σ: 1000 samples less 100: ${(prof - parse).toFixed(2)} s (the 100-sample run, set-up included: ${parse.toFixed(2)} s); flop count of the 900 samples ${(flops / 1e9).toFixed(2)} GFLOP = ${ideal.toFixed(2)} s at ${gflops.toFixed(1)} GFLOP/s, ratio ${((prof - parse) / ideal).toFixed(2)} (target ≤ 3)`,
  );
  const seven = seconds(["profile", "seven.json", "--sigma", "1", "--json"], dir);
  console.log(`  profile of a 7-point 2-D labelled set, one σ (quadrature to 1e-10): ${seven.toFixed(2)} s whole run, of which start-up ${start.toFixed(2)} s`);
}
