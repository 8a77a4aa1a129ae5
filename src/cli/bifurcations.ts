import type { Command } from "commander";
import type { ExponentFit } from "../analysis/bifurcation/curie-weiss.js";
import { type BifurcationReport, bifurcationReport } from "../analysis/bifurcation/report.js";
import { defaultSigmaRange } from "../analysis/scale.js";
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
  rtol: string;
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
    .option("--sigma-min <a>", "smallest σ (> 0); default: from the data (see README, Default noise levels)")
    .option("--sigma-max <b>", "largest σ (> --sigma-min); default: from the data, 10·√Tr Cov(y)")
    .option("--steps <n>", "intervals of the log σ grid on which mode counts are tracked (integer ≥ 2)", "60")
    .option("--rtol <r>", "modes followed up in σ: relative width of each merge's σ bracket (in (0, 0.5]; each halving costs more than the last)", "0.02")
    .option("--seed <s>", "seed of the draws anchoring the mode search for models without data points (0 to 2³²−1)", "0")
    .option("--json", "machine-readable JSON output")
    .option("--out <file>", "write the output to a file instead of stdout")
    .addHelpText(
      "after",
      "\nMethod: in D ≤ 3 with at most 40 points, every critical point on the grid, each branching located to ~1e-15;" +
        "\notherwise the decision tree of the data by following its modes up in σ (mean-shift from every point at" +
        "\nσ_min), each merge bracketed to --rtol relative. The JSON's 'search' says what the search can miss." +
        "\n\nExample:\n  infodyn bifurcations examples/two-deltas.json --sigma-min 0.2 --sigma-max 5 --json",
    )
    .action((modelPath: string, opts: BifurcationsCliOptions) => {
      const loaded = loadModel(modelPath);
      const { source } = loaded;
      const model = exactModel(loaded, "bifurcations");
      const range = opts.sigmaMin === undefined || opts.sigmaMax === undefined ? defaultSigmaRange(model) : undefined;
      const a = opts.sigmaMin === undefined ? range!.min : parsePositiveList(opts.sigmaMin, "--sigma-min")[0];
      const b = opts.sigmaMax === undefined ? range!.max : parsePositiveList(opts.sigmaMax, "--sigma-max")[0];
      if (!(b > a))
        throw new InfodynError(
          opts.sigmaMax === undefined ? `--sigma-min: ${a} must be below the default --sigma-max ${b} (from the data)` : `--sigma-max: ${b} must exceed --sigma-min ${a}`,
        );
      const stepsOpt = sizeOption(opts.steps, "--steps", 2);
      const seed = seedOption(opts.seed);
      const rtol = Number(opts.rtol);
      if (!(rtol > 0 && rtol <= 0.5)) throw new InfodynError(`--rtol: '${opts.rtol}' is not a number in (0, 0.5]`);
      // σ within the computable range (a bisection over [1e-300, 1e300] would recurse without end), the levels and
      // the Newton searches (from up to every data point, at each level) within the budgets.
      checkComputable(model, [a, b], opts.sigmaMin === undefined && opts.sigmaMax === undefined ? "sigma range" : "--sigma-min/--sigma-max");
      checkSquare(model.dim);
      const levels = { value: stepsOpt.value + 1, label: "levels", text: plusOne(stepsOpt.text) };
      checkMemory("--steps", [levels, { value: Math.min(modelSize(model).points, 1000), label: "modes" }, { value: model.dim, label: "", text: `D = ${model.dim}` }]);
      checkWork("--steps", [levels, { value: modelSize(model).points, label: "Newton starts" }, ...modelFactors(model), { value: 20, label: "iterations" }]);
      const steps = stepsOpt.value;
      const bar = progressBar("bifurcations");
      const report = bifurcationReport(model, a, b, steps, bar.update, seed, undefined, { rtol });
      bar.stop();
      const env = envelope("bifurcations", modelInfo(loaded), { sigmaMin: a, sigmaMax: b, steps, seed, ...(report.rtol !== undefined ? { rtol } : {}) });
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

/**
 * Readable report: how the branchings were searched and what the search can miss, the branchings table (the 20 of
 * largest σ — the top of the tree — when there are more), the tree as an indented outline (to depth 6), exponents
 * with their fit ranges.
 */
export function bifurcationsText(report: BifurcationReport, source: string, kind: string): string {
  const shown = report.branchings.length > 20 ? report.branchings.slice(-20) : report.branchings;
  const lines = [
    `branchings of ${source} (${kind}) for σ in [${report.sigmaMin.toPrecision(4)}, ${report.sigmaMax.toPrecision(4)}] (${report.steps} log steps)` +
      (report.method ? `: ${report.method}` : ""),
  ];
  if (report.search) lines.push(`search: ${report.search.complete ? "complete" : "not complete"} — ${report.search.why}`, `starts (${report.search.starts}): ${report.search.kinds.join("; ")}`);
  if (report.modeCounts) {
    const { sigma, counts } = report.modeCounts;
    const marks = [0, Math.floor((sigma.length - 1) / 4), Math.floor((sigma.length - 1) / 2), Math.floor((3 * (sigma.length - 1)) / 4), sigma.length - 1];
    lines.push(`modes followed: ${[...new Set(marks)].map((i) => `${counts[i]} at σ = ${sigma[i].toPrecision(4)}`).join(", ")}`);
  }
  const digits = report.rtol !== undefined ? Math.max(3, Math.ceil(-Math.log10(report.rtol)) + 1) : 12;
  lines.push(
    report.branchings.length === 0
      ? "no change in the number of modes"
      : (shown.length < report.branchings.length ? `the ${shown.length} branchings of largest σ (of ${report.branchings.length}; all in the JSON):\n` : "") +
          formatTable(
            ["σ", "modes above", "modes below", "kind", "location"],
            shown.map((b) => [
              b.sigma.toPrecision(digits),
              String(b.modesAbove),
              String(b.modesBelow),
              b.kind + (b.locations.length > 1 ? ` ×${b.locations.length}` : ""),
              location(b.location),
            ]),
          ),
  );
  if (report.tree) {
    const tree = treeLines(report.tree, "  ", 0, digits);
    lines.push("decision tree (group: σ of its split):", ...(tree.length > 60 ? [...tree.slice(0, 60), `  … (${tree.length - 60} more lines; the whole tree in the JSON)`] : tree));
  }
  const e = report.criticalExponents;
  if (e) {
    const fit = (name: string, f: ExponentFit) => `  ${name} = ${f.value.toFixed(5)}  (${f.variable} from ${f.from} to ${f.to}, ${f.points} points)`;
    lines.push(`critical exponents at σ_c = ${e.sigmaC} (symmetric two-delta problem):`, fit("β", e.beta), fit("γ", e.gamma), fit("γ′", e.gammaBelow), fit("δ", e.delta));
  }
  return lines.join("\n");
}

/** A location, in full up to D = 4, else its first 4 coordinates. */
function location(x: Float64Array): string {
  const shown = Array.from(x.subarray(0, 4), (v) => v.toPrecision(6)).join(", ");
  return x.length > 4 ? `${shown}, … (D = ${x.length})` : shown;
}

function treeLines(node: TreeNode, indent: string, depth: number, digits: number): string[] {
  const members = node.members.length <= 12 ? node.members.join(",") : `${node.members.slice(0, 12).join(",")},… (${node.members.length})`;
  const head = `${indent}{${members}}` + (node.sigma === null ? "" : `: ${node.sigma.toPrecision(digits)}`);
  if (depth >= 6 && node.children.length > 0) return [`${head} …`];
  return [head, ...node.children.flatMap((c) => treeLines(c, indent + "  ", depth + 1, digits))];
}
