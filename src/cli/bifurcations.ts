import type { Command } from "commander";
import type { ExponentFit } from "../analysis/bifurcation/curie-weiss.js";
import { type BifurcationReport, bifurcationReport, defaultSigmaRange } from "../analysis/bifurcation/report.js";
import type { TreeNode } from "../analysis/bifurcation/tree.js";
import { bifurcationsContract, bifurcationsPayload, type BifurcationsPayload } from "../contracts/bifurcations.js";
import { envelope, modelInfo } from "../contracts/envelope.js";
import { InfodynError } from "../errors.js";
import { checkComputable } from "../analysis/validity.js";
import { checkMemory, checkSquare, checkWork, modelFactors, modelSize } from "./budget.js";
import { emit, loadModel, parsePositiveList, plusOne, seedOption, sizeOption } from "./files.js";
import { exactModel } from "./needs.js";
import { progressBar } from "./progress.js";
import { formatTable } from "./table.js";

interface BifurcationsCliOptions {
  sigmaMin?: string;
  sigmaMax?: string;
  steps: string;
  seed: string;
  json?: boolean;
  out?: string;
}

/** `infodyn bifurcations MODEL`: branching σ's, their kind, the decision tree and critical exponents (issue 5). */
export function registerBifurcations(program: Command): void {
  program
    .command("bifurcations")
    .description("σ's where the number of modes of p_σ changes (pitchfork, transcritical, saddle-node), the decision tree, critical exponents")
    .argument("<model>", "model JSON file, or 'default' for the embedded dataset")
    .option("--sigma-min <a>", "smallest σ (> 0); default E/20 with E the largest distance of a data point from the mean")
    .option("--sigma-max <b>", "largest σ (> --sigma-min); default 2E")
    .option("--steps <n>", "intervals of the log σ grid on which mode counts are tracked (integer ≥ 2)", "60")
    .option("--seed <s>", "seed of the draws anchoring the mode search for models without data points (0 to 2³²−1)", "0")
    .option("--json", "machine-readable JSON output")
    .option("--out <file>", "write the output to a file instead of stdout")
    .addHelpText("after", "\nExample:\n  infodyn bifurcations examples/two-deltas.json --sigma-min 0.2 --sigma-max 5 --json")
    .action((modelPath: string, opts: BifurcationsCliOptions) => {
      const loaded = loadModel(modelPath);
      const { source } = loaded;
      const model = exactModel(loaded, "bifurcations");
      const [a0, b0] = defaultSigmaRange(model);
      const a = opts.sigmaMin === undefined ? a0 : parsePositiveList(opts.sigmaMin, "--sigma-min")[0];
      const b = opts.sigmaMax === undefined ? b0 : parsePositiveList(opts.sigmaMax, "--sigma-max")[0];
      if (!(b > a)) throw new InfodynError(`--sigma-max: ${b} must exceed --sigma-min ${a}`);
      const stepsOpt = sizeOption(opts.steps, "--steps", 2);
      const seed = seedOption(opts.seed);
      // σ within the computable range (a bisection over [1e-300, 1e300] would recurse without end), the levels and
      // the Newton searches (from up to every data point, at each level) within the budgets.
      checkComputable(model, [a, b], opts.sigmaMin === undefined && opts.sigmaMax === undefined ? "sigma range" : "--sigma-min/--sigma-max");
      checkSquare(model.dim);
      const levels = { value: stepsOpt.value + 1, label: "levels", text: plusOne(stepsOpt.text) };
      checkMemory("--steps", [levels, { value: Math.min(modelSize(model).points, 1000), label: "modes" }, { value: model.dim, label: "", text: `D = ${model.dim}` }]);
      checkWork("--steps", [levels, { value: modelSize(model).points, label: "Newton starts" }, ...modelFactors(model), { value: 20, label: "iterations" }]);
      const steps = stepsOpt.value;
      const bar = progressBar("bifurcations");
      const report = bifurcationReport(model, a, b, steps, bar.update, seed);
      bar.stop();
      const env = envelope("bifurcations", modelInfo(loaded), { sigmaMin: a, sigmaMax: b, steps, seed });
      const contract = bifurcationsContract(report, env); // refuses a non-finite number, for the text too
      emit(opts.json ? JSON.stringify(contract) : bifurcationsText(report, source, model.kind), opts.out);
    });
}

/**
 * The payload of `infodyn bifurcations --json` (without the envelope).
 * @deprecated Use `bifurcationsContract` (contracts/bifurcations.ts), which adds the envelope.
 */
export function bifurcationsJson(report: BifurcationReport, _source = ""): BifurcationsPayload {
  return bifurcationsPayload(report);
}

/** Readable report: branchings table, the tree as an indented outline, exponents with their fit ranges. */
export function bifurcationsText(report: BifurcationReport, source: string, kind: string): string {
  const lines = [
    `branchings of ${source} (${kind}) for σ in [${report.sigmaMin.toPrecision(4)}, ${report.sigmaMax.toPrecision(4)}] (${report.steps} log steps)`,
    report.branchings.length === 0
      ? "no change in the number of modes"
      : formatTable(
          ["σ", "modes above", "modes below", "kind", "location"],
          report.branchings.map((b) => [
            b.sigma.toPrecision(12),
            String(b.modesAbove),
            String(b.modesBelow),
            b.kind + (b.locations.length > 1 ? ` ×${b.locations.length}` : ""),
            Array.from(b.location, (v) => v.toPrecision(6)).join(", "),
          ]),
        ),
  ];
  if (report.tree) lines.push("decision tree (group: σ of its split):", ...treeLines(report.tree, "  "));
  const e = report.criticalExponents;
  if (e) {
    const fit = (name: string, f: ExponentFit) => `  ${name} = ${f.value.toFixed(5)}  (${f.variable} from ${f.from} to ${f.to}, ${f.points} points)`;
    lines.push(`critical exponents at σ_c = ${e.sigmaC} (symmetric two-delta problem):`, fit("β", e.beta), fit("γ", e.gamma), fit("γ′", e.gammaBelow), fit("δ", e.delta));
  }
  return lines.join("\n");
}

function treeLines(node: TreeNode, indent: string): string[] {
  const members = node.members.length <= 12 ? node.members.join(",") : `${node.members.slice(0, 12).join(",")},… (${node.members.length})`;
  const head = `${indent}{${members}}` + (node.sigma === null ? "" : `: ${node.sigma.toPrecision(10)}`);
  return [head, ...node.children.flatMap((c) => treeLines(c, indent + "  "))];
}
