import type { Command } from "commander";
import { freeEnergyGrid } from "../analysis/thermo/free-energy.js";
import { susceptibility } from "../analysis/thermo/fixed-points.js";
import { criticalPoints } from "../analysis/bifurcation/critical-points.js";
import { envelope, modelInfo } from "../contracts/envelope.js";
import { type GridSpec, thermoContract, thermoPayload, type ThermoPayload, type ThermoResult } from "../contracts/thermo.js";
import { InfodynError } from "../errors.js";
import type { DataModel } from "../models/types.js";
import { checkComputable } from "../analysis/validity.js";
import { checkSquare, checkWork, modelFactors } from "./budget.js";
import { emit, loadModel, parsePositiveList } from "./files.js";
import { exactModel } from "./needs.js";
import { formatTable } from "./table.js";

interface ThermoCliOptions {
  sigma: string;
  grid?: string;
  json?: boolean;
  out?: string;
}

export type { GridSpec } from "../contracts/thermo.js";

/** Parses `--grid` for a model of dimension `dim` (1-D: `x0,x1,n`; 2-D: `x0,x1,y0,y1,n`; n integer in [2, 2000]). */
export function parseGrid(arg: string, dim: number): GridSpec {
  if (arg.trim() === "") throw new InfodynError(`--grid: empty (give x0,x1,n for a 1-D model or x0,x1,y0,y1,n for a 2-D one)`);
  const v = arg.split(",").map((s) => (s.trim() === "" ? NaN : Number(s.trim())));
  const want = dim === 1 ? 3 : dim === 2 ? 5 : 0;
  if (want === 0) throw new InfodynError(`--grid: free-energy grids need a 1-D or 2-D model (this one has dimension ${dim})`);
  if (v.length !== want || !v.every(Number.isFinite))
    throw new InfodynError(`--grid: '${arg}' is not ${want === 3 ? "x0,x1,n" : "x0,x1,y0,y1,n"} (finite numbers)`);
  const n = v[want - 1];
  if (!Number.isInteger(n) || n < 2 || n > 2000) throw new InfodynError(`--grid: n = '${n}' is not an integer in [2, 2000]`);
  return want === 3 ? { x0: v[0], x1: v[1], n } : { x0: v[0], x1: v[1], y0: v[2], y1: v[3], n };
}

/**
 * What `infodyn thermo` computes (issue 6): the fixed points x* = m(x*) found by the one search of `modes`
 * ({@link criticalPoints}: proven complete for 1-D point masses, Newton from many starts in D ≤ 3, the modes
 * mean-shift reaches from every data point in D > 3), with their magnetization m(x*) and susceptibility
 * χ = (I − C/σ²)⁻¹ C/σ², stability λ_max(C)/σ² < 1, the search's completeness, and optionally F and F̃ on a grid
 * (THEORY.md §6). Its JSON is `thermoContract` (contracts/thermo.ts).
 */
export function thermoAnalysis(model: DataModel, sigma: number, grid?: GridSpec): ThermoResult {
  const set = criticalPoints(model, sigma);
  const D = model.dim;
  const n = set.points.length;
  const x = new Float64Array(n * D);
  set.points.forEach((p, i) => x.set(p.x, i * D));
  // the covariances the search computed at its points (one more kernel call for those it did not)
  const missing = set.points.some((p) => !p.covariance);
  const post = n > 0 ? model.posterior({ rows: n, dim: D, data: x }, sigma, { covariance: missing }) : undefined;
  const fixedPoints = set.points.map((p, i) => {
    const C = p.covariance ?? post!.covariance!.subarray(i * D * D, (i + 1) * D * D);
    // λ_max(C)/σ² from the Hessian's eigenvalues: J = (C/σ² − I)/σ²
    const ratio = 1 + sigma * sigma * Math.max(...p.hessianEigenvalues);
    return {
      x: p.x,
      magnetization: post!.mean.data.slice(i * D, (i + 1) * D),
      susceptibility: susceptibility(C, D, sigma),
      stable: ratio < 1,
      stabilityRatio: ratio,
    };
  });
  return { kind: model.kind, dim: D, sigma, fixedPoints, search: set.search, ...(grid ? { grid: freeEnergyGrid(model, sigma, grid) } : {}) };
}

/**
 * The payload of `infodyn thermo --json` (without the envelope).
 * @deprecated Use `thermoContract(thermoAnalysis(…), envelope)`.
 */
export function thermoJson(model: DataModel, sigma: number, grid?: GridSpec): ThermoPayload {
  return thermoPayload(thermoAnalysis(model, sigma, grid));
}

/** `infodyn thermo MODEL --sigma S`: fixed points, magnetization, susceptibility and the free-energy landscape. */
export function registerThermo(program: Command): void {
  program
    .command("thermo")
    .description("free energy F and regularized F̃ = −σ² log p_σ, fixed points x* = m(x*), magnetization, susceptibility (docs/theory.md §6)")
    .argument("<model>", "model JSON file, or 'default' for the embedded dataset")
    .requiredOption("--sigma <s>", "noise level σ = 1/√β (> 0), e.g. 0.8")
    .option("--grid <spec>", "free-energy grid: x0,x1,n (1-D model) or x0,x1,y0,y1,n (2-D model), n integer in [2, 2000]")
    .option("--json", "machine-readable JSON output")
    .option("--out <file>", "write the output to a file instead of stdout")
    .addHelpText(
      "after",
      "\nThe fixed points come from the same search as `infodyn modes` (its 'search' says how complete it is).\n\nExample:\n  infodyn thermo examples/four-deltas.json --sigma 0.6 --grid -2,2,-2,2,41 --json",
    )
    .action((modelPath: string, opts: ThermoCliOptions) => {
      const loaded = loadModel(modelPath);
      const { source } = loaded;
      const model = exactModel(loaded, "thermo");
      const [sigma] = parsePositiveList(opts.sigma, "--sigma");
      const grid = opts.grid !== undefined ? parseGrid(opts.grid, model.dim) : undefined;
      checkComputable(model, [sigma], "--sigma");
      checkSquare(model.dim, "a susceptibility matrix");
      if (grid) checkWork("--grid", [{ value: model.dim === 2 ? grid.n * grid.n : grid.n, label: "grid points" }, ...modelFactors(model)]);
      const out = thermoContract(thermoAnalysis(model, sigma, grid), envelope("thermo", modelInfo(loaded), { sigma, grid: grid ?? null }));
      if (opts.json) return emit(JSON.stringify(out), opts.out);
      const fps = out.fixedPoints;
      const rows = fps.map((f) => [f.x.map((v) => v.toPrecision(6)).join(", "), f.stable ? "stable" : "unstable", f.stabilityRatio.toPrecision(6), Math.max(...f.susceptibility.map((r, i) => r[i])).toPrecision(6)]);
      const s = out.search!;
      emit(
        [
          `fixed points of ${source} (${model.kind}) at σ = ${sigma}`,
          formatTable(["x*", "kind", "λmax(C)/σ²", "max χ_ii"], rows),
          `${fps.length} fixed points (${fps.filter((f) => f.stable).length} stable); search: ${s.complete ? "complete" : "not complete"} — ${s.why}`,
          `starts (${s.starts}): ${s.kinds.join("; ")}`,
        ].join("\n"),
        opts.out,
      );
    });
}
