import type { Command } from "commander";
import { REM_BETA_C, remExactParticipation, remLaw } from "../analysis/thermo/rem-exact.js";
import { remMonteCarlo } from "../analysis/thermo/rem-monte-carlo.js";
import { envelope } from "../contracts/envelope.js";
import { remContract, remPayload, type RemPayload, type RemResult } from "../contracts/rem.js";
import { checkWork } from "./budget.js";
import { emit, integerOption, parsePositiveList, seedOption } from "./files.js";
import { progressBar } from "./progress.js";
import { formatTable } from "./table.js";

interface RemCliOptions {
  M: string;
  betaRatio: string;
  draws: string;
  seed: string;
  json?: boolean;
  out?: string;
}

/** Inputs of {@link remAnalysis}. */
export interface RemRequest {
  M: number;
  betaOverBetaC: number[];
  draws: number;
  seed: number;
  onProgress?: (done: number, total: number) => void;
}

/**
 * What `infodyn rem` computes (issue 6): exact finite-M E[Y], the M → ∞ law and Monte Carlo with standard errors
 * for the random-energy model N = 2^M, E_j ~ N(0, M/2) (THEORY.md §6). Its JSON is `remContract`.
 */
export function remAnalysis(req: RemRequest): RemResult {
  const betas = req.betaOverBetaC.map((r) => r * REM_BETA_C);
  const mc = req.draws > 0 ? remMonteCarlo(req.M, betas, { draws: req.draws, seed: req.seed, onProgress: req.onProgress }) : { mean: [], standardError: [], draws: 0 };
  return {
    M: req.M,
    betaC: REM_BETA_C,
    betaOverBetaC: req.betaOverBetaC,
    exact: betas.map((b) => remExactParticipation(req.M, b)),
    law: betas.map(remLaw),
    monteCarlo: mc,
    seed: req.seed,
  };
}

/**
 * The payload of `infodyn rem --json` (without the envelope).
 * @deprecated Use `remContract(remAnalysis(…), envelope)`.
 */
export function remJson(req: RemRequest): RemPayload {
  return remPayload(remAnalysis(req));
}

/** `infodyn rem`: the random-energy model of seed 004, exact vs law vs Monte Carlo. */
export function registerRem(program: Command): void {
  program
    .command("rem")
    .description("random-energy model (N = 2^M points, energies N(0, M/2)): exact finite-M E[Σw²], the law max(0, 1 − β_c/β), Monte Carlo")
    .option("--M <m>", "log2 of the number of points (integer in [1, 26])", "16")
    .option("--beta-ratio <list>", "inverse temperatures in units of β_c = 2√ln 2, comma-separated", "0.5,1.5,2,3")
    .option("--draws <n>", "Monte Carlo landscapes (integer in [0, 100000]; 0 skips Monte Carlo)", "50")
    .option("--seed <s>", "seed of the Monte Carlo draws (0 to 2³²−1)", "0")
    .option("--json", "machine-readable JSON output")
    .option("--out <file>", "write the output to a file instead of stdout")
    .addHelpText("after", "\nExample:\n  infodyn rem --M 16 --beta-ratio 0.5,1.5,2,3 --draws 50 --seed 1 --json")
    .action((opts: RemCliOptions) => {
      const M = integerOption(opts.M, "--M", 1, 26);
      const ratios = parsePositiveList(opts.betaRatio, "--beta-ratio");
      const draws = integerOption(opts.draws, "--draws", 0, 100000);
      const seed = seedOption(opts.seed);
      checkWork("--draws", [{ value: draws, label: "landscapes" }, { value: 2 ** M, label: "points", text: `2^${M}` }, { value: ratios.length, label: "β's" }, { value: 4, label: "operations per point" }]);
      const bar = progressBar("rem");
      const out = remContract(remAnalysis({ M, betaOverBetaC: ratios, draws, seed, onProgress: bar.update }), envelope("rem", null, { M, betaOverBetaC: ratios, draws, seed }));
      bar.stop();
      if (opts.json) return emit(JSON.stringify(out), opts.out);
      const ex = out.exact;
      const law = out.law;
      const mc = out.monteCarlo;
      const rows = ratios.map((r, i) => [
        String(r),
        ex[i].toPrecision(8),
        law[i].toPrecision(6),
        draws > 0 ? `${mc.mean[i].toPrecision(6)} ± ${mc.standardError[i].toPrecision(2)}` : "-",
        draws > 0 ? ((mc.mean[i] - ex[i]) / mc.standardError[i]).toFixed(2) : "-",
      ]);
      emit([`random-energy model, M = ${M} (N = 2^${M}), β_c = ${REM_BETA_C.toPrecision(10)}`, formatTable(["β/β_c", "exact E[Y]", "law", "Monte Carlo", "(MC − exact)/SE"], rows)].join("\n"), opts.out);
    });
}
