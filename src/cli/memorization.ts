import type { Command } from "commander";
import { ascending, logSigmas } from "../noise/grid.js";
import { participationAlongPaths, participationVsSigma } from "../analysis/thermo/participation.js";
import { envelope, modelInfo } from "../contracts/envelope.js";
import {
  memorizationContract,
  memorizationPayload,
  type MemorizationParams,
  type MemorizationPayload,
  type MemorizationResult,
} from "../contracts/memorization.js";
import { InfodynError } from "../errors.js";
import type { DataModel } from "../models/types.js";
import { checkComputable } from "../analysis/validity.js";
import { defaultSigmaRange } from "../analysis/scale.js";
import { checkMemory, checkOutput, checkWork, dimFactor, modelFactors } from "./budget.js";
import { emit, loadModel, parsePositiveList, plusOne, seedOption, sizeOption } from "./files.js";
import { exactModel } from "./needs.js";
import { progressBar } from "./progress.js";
import { formatTable } from "./table.js";

interface MemorizationCliOptions {
  sigmaMin?: string;
  sigmaMax?: string;
  steps: string;
  samples: string;
  paths: string;
  threshold: string;
  seed: string;
  json?: boolean;
  out?: string;
}

/** Inputs of {@link memorizationAnalysis}: the command's parameters. */
export type MemorizationRequest = MemorizationParams;

/**
 * What `infodyn memorization` computes (issue 6): the participation ratio Y = Σw² and 1/Y averaged over x ~ p_σ
 * on an ascending log grid, the same along reverse-SDE paths (descending σ, seed + 1), and each path's
 * condensation σ (where 1/Y first falls below `threshold`). Its JSON is `memorizationContract`.
 */
export function memorizationAnalysis(
  model: DataModel,
  req: MemorizationRequest,
  onProgress?: (done: number, total: number) => void,
): MemorizationResult {
  const grid = logSigmas(req.steps + 1, req.sigmaMin, req.sigmaMax);
  const sigma = Array.from(ascending(grid));
  const total = sigma.length + 1;
  const vsSigma = participationVsSigma(model, sigma, { samples: req.samples, seed: req.seed, onProgress: (d) => onProgress?.(d, total) });
  const alongPaths = participationAlongPaths(model, Array.from(grid), { paths: req.paths, seed: req.seed + 1, threshold: req.threshold });
  onProgress?.(total, total);
  return {
    kind: model.kind,
    numPoints: model.structure?.type === "mixture" ? model.structure.means.rows : null,
    seed: req.seed,
    vsSigma,
    alongPaths,
    paths: req.paths,
    threshold: req.threshold,
  };
}

/**
 * The payload of `infodyn memorization --json` (without the envelope).
 * @deprecated Use `memorizationContract(memorizationAnalysis(…), envelope)`.
 */
export function memorizationJson(model: DataModel, req: MemorizationRequest, onProgress?: (done: number, total: number) => void): MemorizationPayload {
  return memorizationPayload(memorizationAnalysis(model, req, onProgress));
}

/** `infodyn memorization MODEL`: participation ratio vs σ and along generative paths, condensation σ. */
export function registerMemorization(program: Command): void {
  program
    .command("memorization")
    .description("participation ratio Y = Σw² and 1/Y (effective number of data points) vs σ and along generative paths; condensation σ")
    .argument("<model>", "a discrete model (deltas, dataset, ising) JSON file, or 'default'")
    .option("--sigma-min <a>", "smallest σ (> 0); default: from the data (see README, Default noise levels)")
    .option("--sigma-max <b>", "largest σ (> --sigma-min); default: from the data, 10·√Tr Cov(y)")
    .option("--steps <n>", "intervals of the log-uniform σ grid (integer ≥ 1); also the Euler–Maruyama steps", "100")
    .option("--samples <n>", "queries x ~ p_σ per σ (integer ≥ 2)", "2000")
    .option("--paths <n>", "generative paths (integer ≥ 1)", "200")
    .option("--threshold <t>", "condensation when 1/Y falls below this (> 1)", "1.5")
    .option("--seed <s>", "seed (0 to 2³²−1)", "0")
    .option("--json", "machine-readable JSON output")
    .option("--out <file>", "write the output to a file instead of stdout")
    .addHelpText("after", "\nExample:\n  infodyn memorization examples/blobs.json --sigma-min 0.01 --sigma-max 10 --steps 60 --json")
    .action((modelPath: string, opts: MemorizationCliOptions) => {
      const loaded = loadModel(modelPath);
      const { source } = loaded;
      const model = exactModel(loaded, "memorization");
      if (!model.discrete) throw new InfodynError(`${modelPath}: memorization needs a discrete model (deltas, dataset or ising), got '${model.kind}'`);
      const range = opts.sigmaMin === undefined || opts.sigmaMax === undefined ? defaultSigmaRange(model) : undefined;
      const sigmaMin = opts.sigmaMin === undefined ? range!.min : parsePositiveList(opts.sigmaMin, "--sigma-min")[0];
      const sigmaMax = opts.sigmaMax === undefined ? range!.max : parsePositiveList(opts.sigmaMax, "--sigma-max")[0];
      if (!(sigmaMax > sigmaMin))
        throw new InfodynError(
          opts.sigmaMax === undefined
            ? `--sigma-min: ${sigmaMin} must be below the default --sigma-max ${sigmaMax} (from the data)`
            : `--sigma-max: ${sigmaMax} must exceed --sigma-min ${sigmaMin}`,
        );
      const [threshold] = parsePositiveList(opts.threshold, "--threshold");
      if (!(threshold > 1)) throw new InfodynError(`--threshold: '${opts.threshold}' must exceed 1`);
      const steps = sizeOption(opts.steps, "--steps", 1);
      const samples = sizeOption(opts.samples, "--samples", 2);
      const paths = sizeOption(opts.paths, "--paths", 1);
      const seed = seedOption(opts.seed);
      checkComputable(model, [sigmaMin, sigmaMax], range && opts.sigmaMin === undefined && opts.sigmaMax === undefined ? "sigma range" : "--sigma-min/--sigma-max");
      const levels = { value: steps.value + 1, label: "levels", text: plusOne(steps.text) };
      checkMemory("--steps", [levels, { ...paths, label: "paths" }]);
      checkMemory("--samples", [{ ...samples, label: "samples" }, dimFactor(model.dim)]);
      checkMemory("--paths", [{ ...paths, label: "paths" }, dimFactor(model.dim)]);
      checkOutput("--steps", [levels, { value: 8, label: "numbers per level" }]);
      checkWork("--samples", [{ value: samples.value + paths.value, label: "queries", text: `(${samples.text} samples + ${paths.text} paths)` }, levels, ...modelFactors(model)]);
      const req = {
        sigmaMin,
        sigmaMax,
        steps: steps.value,
        samples: samples.value,
        paths: paths.value,
        threshold,
        seed,
      };
      const bar = progressBar("memorization");
      const out = memorizationContract(memorizationAnalysis(model, req, bar.update), envelope("memorization", modelInfo(loaded), req));
      bar.stop();
      if (opts.json) return emit(JSON.stringify(out), opts.out);
      const s = out.sigma;
      const y = out.meanInverseParticipation;
      const rows = s.map((v, i) => [v.toPrecision(5), y[i].toPrecision(6)]);
      const c = out.condensation;
      emit([`participation of ${source} (${model.kind})`, formatTable(["σ", "E[1/Y]"], rows), `condensation (1/Y < ${threshold}) along ${req.paths} paths: median σ = ${c.median?.toPrecision(6) ?? "-"}, mean ${c.mean?.toPrecision(6) ?? "-"} (${c.condensed} condensed)`].join("\n"), opts.out);
    });
}
