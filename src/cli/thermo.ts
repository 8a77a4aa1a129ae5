import type { Command } from "commander";
import { freeEnergyGrid } from "../analysis/thermo/free-energy.js";
import { findFixedPoints, susceptibility } from "../analysis/thermo/fixed-points.js";
import { envelope, modelInfo } from "../contracts/envelope.js";
import { type GridSpec, thermoContract, thermoPayload, type ThermoPayload, type ThermoResult } from "../contracts/thermo.js";
import { InfodynError } from "../errors.js";
import type { DataModel } from "../models/types.js";
import { createRng } from "../numeric/rng.js";
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

/** Newton starts: the data points (or component means), their mean, and pairwise midpoints (≤ 30 points). */
function startingPoints(model: DataModel): number[][] {
  const D = model.dim;
  let pts: number[][];
  let w: number[];
  if (model.structure?.type === "mixture") {
    const { means, weights } = model.structure;
    pts = Array.from({ length: Math.min(means.rows, 500) }, (_, i) => Array.from(means.data.subarray(i * D, (i + 1) * D)));
    w = Array.from(weights).slice(0, pts.length);
  } else if (model.structure?.type === "gaussian") {
    return [Array.from(model.structure.mean)];
  } else {
    const s = model.sample(20, createRng(0));
    pts = Array.from({ length: s.rows }, (_, i) => Array.from(s.data.subarray(i * D, (i + 1) * D)));
    w = pts.map(() => 1);
  }
  const tot = w.reduce((a, b) => a + b, 0);
  const mean = Array.from({ length: D }, (_, k) => pts.reduce((a, p, i) => a + w[i] * p[k], 0) / tot);
  const starts = [...pts, mean];
  if (pts.length <= 30)
    for (let i = 0; i < pts.length; i++) for (let j = i + 1; j < pts.length; j++) starts.push(pts[i].map((v, k) => 0.5 * (v + pts[j][k])));
  return starts;
}

/**
 * What `infodyn thermo` computes (issue 6): fixed points x* = m(x*) from Newton starts at the data points, their
 * mean and pairwise midpoints, with their magnetization m(x*) and susceptibility χ = (I − C/σ²)⁻¹ C/σ², and
 * optionally F and F̃ on a grid (THEORY.md §6). Its JSON is `thermoContract` (contracts/thermo.ts).
 */
export function thermoAnalysis(model: DataModel, sigma: number, grid?: GridSpec): ThermoResult {
  const fps = findFixedPoints(model, startingPoints(model), sigma);
  const D = model.dim;
  const fixedPoints = fps.map((fp) => ({
    x: fp.x,
    magnetization: model.denoise({ rows: 1, dim: D, data: fp.x }, sigma).data,
    susceptibility: susceptibility(fp.covariance, D, sigma),
    stable: fp.stable,
    stabilityRatio: fp.stabilityRatio,
  }));
  return { kind: model.kind, dim: D, sigma, fixedPoints, ...(grid ? { grid: freeEnergyGrid(model, sigma, grid) } : {}) };
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
    .description("free energy F and regularized F̃ = −σ² log p_σ, fixed points x* = m(x*), magnetization, susceptibility (THEORY.md §6)")
    .argument("<model>", "model JSON file, or 'default' for the embedded dataset")
    .requiredOption("--sigma <s>", "noise level σ = 1/√β (> 0), e.g. 0.8")
    .option("--grid <spec>", "free-energy grid: x0,x1,n (1-D model) or x0,x1,y0,y1,n (2-D model), n integer in [2, 2000]")
    .option("--json", "machine-readable JSON output")
    .option("--out <file>", "write the output to a file instead of stdout")
    .addHelpText("after", "\nExample:\n  infodyn thermo examples/four-deltas.json --sigma 0.6 --grid -2,2,-2,2,41 --json")
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
      emit([`fixed points of ${source} (${model.kind}) at σ = ${sigma}`, formatTable(["x*", "kind", "λmax(C)/σ²", "max χ_ii"], rows)].join("\n"), opts.out);
    });
}
