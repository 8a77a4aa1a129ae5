import type { Command } from "commander";
import { type CriticalPointSet, criticalPoints } from "../analysis/bifurcation/critical-points.js";
import { envelope, modelInfo } from "../contracts/envelope.js";
import { modesContract, modesPayload, type ModesPayload } from "../contracts/modes.js";
import { InfodynError } from "../errors.js";
import { checkComputable } from "../analysis/validity.js";
import { checkSquare } from "./budget.js";
import { emit, loadModel, parsePositiveList, seedOption } from "./files.js";
import { exactModel } from "./needs.js";
import { progressBar } from "./progress.js";
import { formatTable } from "./table.js";

interface ModesCliOptions {
  sigma?: string;
  seed: string;
  json?: boolean;
  out?: string;
}

/** `infodyn modes MODEL --sigma S`: the critical points of p_σ and their kind (issue 5's JSON contract). */
export function registerModes(program: Command): void {
  program
    .command("modes")
    .description("critical points of p_σ (fixed points m(x) = x) with their kind from the Hessian of log p_σ")
    .argument("<model>", "model JSON file, or 'default' for the embedded dataset")
    .option("--sigma <s>", "noise level σ (> 0; required), e.g. 0.5")
    .option("--seed <s>", "seed of the draws anchoring the search for models without data points (0 to 2³²−1)", "0")
    .option("--json", "machine-readable JSON output")
    .option("--out <file>", "write the output to a file instead of stdout")
    .addHelpText(
      "after",
      "\nCompleteness: 'complete' only where proven (1-D point masses: every fixed point bracketed); in 2-D and 3-D the" +
        "\nMorse count is checked (necessary, not sufficient); in D > 3 only the modes mean-shift reaches from the data" +
        "\npoints. The JSON's 'search' gives the starts and the reason.\n\nExample:\n  infodyn modes examples/triangle.json --sigma 0.72 --json",
    )
    .action((modelPath: string, opts: ModesCliOptions) => {
      if (opts.sigma === undefined) throw new InfodynError("--sigma: required (a positive number, e.g. --sigma 0.5)");
      const [sigma] = parsePositiveList(opts.sigma, "--sigma");
      const seed = seedOption(opts.seed);
      const loaded = loadModel(modelPath);
      const model = exactModel(loaded, "modes");
      checkSquare(model.dim);
      checkComputable(model, [sigma], "--sigma");
      const bar = progressBar("modes");
      const set = criticalPoints(model, sigma, { seed });
      bar.stop();
      const env = envelope("modes", modelInfo(loaded), { sigma, seed });
      const contract = modesContract(set, env); // refuses a non-finite number, for the text too
      emit(opts.json ? JSON.stringify(contract) : modesText(set, loaded.source, model.kind), opts.out);
    });
}

/**
 * The payload of `infodyn modes --json` (without the envelope).
 * @deprecated Use `modesContract` (contracts/modes.ts), which adds the envelope; kept for callers of the payload.
 */
export function modesJson(set: CriticalPointSet, _source = ""): ModesPayload {
  return modesPayload(set);
}

/** Readable table of critical points, then the counts and how complete the search is. */
export function modesText(set: CriticalPointSet, source: string, kind: string): string {
  const f = (v: number) => v.toPrecision(6);
  const counts = (k: string) => set.points.filter((p) => p.kind === k).length;
  const s = set.search;
  return [
    `critical points of p_σ for ${source} (${kind}) at σ = ${set.sigma}`,
    formatTable(
      ["kind", "x", "eigenvalues of ∇∇log p"],
      set.points.map((p) => [p.kind, Array.from(p.x, f).join(", "), Array.from(p.hessianEigenvalues, f).join(", ")]),
    ),
    `${counts("max")} max, ${counts("saddle")} saddle, ${counts("min")} min; Morse sum ${set.morseSum}` + (set.morseConsistent ? " = 1" : ""),
    `search: ${s.complete ? "complete" : "not complete"} — ${s.why}`,
    `starts (${s.starts}): ${s.kinds.join("; ")}`,
  ].join("\n");
}
