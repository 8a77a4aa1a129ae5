import type { Command } from "commander";
import { ascending, logSigmas } from "../noise/grid.js";
import { participationAlongPaths, participationVsSigma } from "../analysis/thermo/participation.js";
import { InfodynError } from "../errors.js";
import type { DataModel } from "../models/types.js";
import { emit, integerOption, loadModel, parsePositiveList } from "./files.js";
import { progressBar } from "./progress.js";
import { formatTable } from "./table.js";

interface MemorizationCliOptions {
  sigmaMin: string;
  sigmaMax: string;
  steps: string;
  samples: string;
  paths: string;
  threshold: string;
  seed: string;
  json?: boolean;
  out?: string;
}

/** Inputs of {@link memorizationJson}. */
export interface MemorizationRequest {
  sigmaMin: number;
  sigmaMax: number;
  steps: number;
  samples: number;
  paths: number;
  threshold: number;
  seed: number;
}

/**
 * The JSON contract of `infodyn memorization --json` (issue 6): participation ratio Y = Σw² and 1/Y averaged over
 * x ~ p_σ on an ascending log grid, the same along reverse-SDE paths (descending σ), and each path's condensation σ
 * (where 1/Y first falls below `threshold`), with its mean and median over the paths that condense.
 */
export function memorizationJson(
  model: DataModel,
  req: MemorizationRequest,
  onProgress?: (done: number, total: number) => void,
): Record<string, unknown> {
  const grid = logSigmas(req.steps + 1, req.sigmaMin, req.sigmaMax);
  const sigma = Array.from(ascending(grid));
  const total = sigma.length + 1;
  const vs = participationVsSigma(model, sigma, { samples: req.samples, seed: req.seed, onProgress: (d) => onProgress?.(d, total) });
  const along = participationAlongPaths(model, Array.from(grid), { paths: req.paths, seed: req.seed + 1, threshold: req.threshold });
  onProgress?.(total, total);
  const cond = along.condensationSigma.filter(Number.isFinite).sort((a, b) => a - b);
  const median = cond.length ? (cond.length % 2 ? cond[(cond.length - 1) / 2] : 0.5 * (cond[cond.length / 2 - 1] + cond[cond.length / 2])) : null;
  return {
    kind: model.kind,
    numPoints: model.structure?.type === "mixture" ? model.structure.means.rows : null,
    seed: req.seed,
    sigma,
    meanParticipation: vs.meanParticipation,
    participationSE: vs.participationSE,
    meanInverseParticipation: vs.meanInverseParticipation,
    inverseParticipationSE: vs.inverseParticipationSE,
    paths: {
      count: req.paths,
      sigma: along.sigma,
      meanParticipation: along.meanParticipation,
      meanInverseParticipation: along.meanInverseParticipation,
      inverseParticipationSE: along.inverseParticipationSE,
    },
    condensation: {
      threshold: req.threshold,
      sigma: along.condensationSigma.map((s) => (Number.isFinite(s) ? s : null)),
      mean: cond.length ? cond.reduce((a, b) => a + b, 0) / cond.length : null,
      median,
      condensed: cond.length,
    },
  };
}


/** `infodyn memorization MODEL`: participation ratio vs σ and along generative paths, condensation σ. */
export function registerMemorization(program: Command): void {
  program
    .command("memorization")
    .description("participation ratio Y = Σw² and 1/Y (effective number of data points) vs σ and along generative paths; condensation σ")
    .argument("<model>", "a discrete model (deltas, dataset, ising) JSON file, or 'default'")
    .option("--sigma-min <a>", "smallest σ (> 0)", "0.01")
    .option("--sigma-max <b>", "largest σ", "10")
    .option("--steps <n>", "intervals of the log-uniform σ grid (integer ≥ 1); also the Euler–Maruyama steps", "100")
    .option("--samples <n>", "queries x ~ p_σ per σ (integer ≥ 2)", "2000")
    .option("--paths <n>", "generative paths (integer ≥ 1)", "200")
    .option("--threshold <t>", "condensation when 1/Y falls below this (> 1)", "1.5")
    .option("--seed <s>", "seed (integer)", "0")
    .option("--json", "machine-readable JSON output")
    .option("--out <file>", "write the output to a file instead of stdout")
    .addHelpText("after", "\nExample:\n  infodyn memorization examples/blobs.json --sigma-min 0.01 --sigma-max 10 --steps 60 --json")
    .action((modelPath: string, opts: MemorizationCliOptions) => {
      const { model, source } = loadModel(modelPath);
      if (!model.discrete) throw new InfodynError(`${modelPath}: memorization needs a discrete model (deltas, dataset or ising), got '${model.kind}'`);
      const [sigmaMin] = parsePositiveList(opts.sigmaMin, "--sigma-min");
      const [sigmaMax] = parsePositiveList(opts.sigmaMax, "--sigma-max");
      if (!(sigmaMax > sigmaMin)) throw new InfodynError(`--sigma-max: ${sigmaMax} must exceed --sigma-min ${sigmaMin}`);
      const [threshold] = parsePositiveList(opts.threshold, "--threshold");
      if (!(threshold > 1)) throw new InfodynError(`--threshold: '${opts.threshold}' must exceed 1`);
      const req = {
        sigmaMin,
        sigmaMax,
        steps: integerOption(opts.steps, "--steps", 1),
        samples: integerOption(opts.samples, "--samples", 2),
        paths: integerOption(opts.paths, "--paths", 1),
        threshold,
        seed: integerOption(opts.seed, "--seed", -(2 ** 31)),
      };
      const bar = progressBar("memorization");
      const out = memorizationJson(model, req, bar.update);
      bar.stop();
      if (opts.json) return emit(JSON.stringify(out), opts.out);
      const s = out.sigma as number[];
      const y = out.meanInverseParticipation as number[];
      const rows = s.map((v, i) => [v.toPrecision(5), y[i].toPrecision(6)]);
      const c = out.condensation as { mean: number | null; median: number | null; condensed: number };
      emit([`participation of ${source} (${model.kind})`, formatTable(["σ", "E[1/Y]"], rows), `condensation (1/Y < ${threshold}) along ${req.paths} paths: median σ = ${c.median?.toPrecision(6) ?? "-"}, mean ${c.mean?.toPrecision(6) ?? "-"} (${c.condensed} condensed)`].join("\n"), opts.out);
    });
}
