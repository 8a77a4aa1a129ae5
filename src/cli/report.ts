import type { Command } from "commander";
import { fromRows, toRows } from "../batch.js";
import { emit, loadModel } from "./files.js";
import { formatTable } from "./table.js";

interface ReportOptions {
  out?: string;
  json?: boolean;
}

/**
 * `infodyn report [MODEL]`: for now a text summary of the model and its posterior at a ladder of noise
 * levels (the full HTML report is issue 9).
 */
export function registerReport(program: Command): void {
  program
    .command("report")
    .description("summary of a model's posterior across noise levels (default: the embedded dataset)")
    .argument("[model]", "model JSON file (default: the embedded 2-D dataset)")
    .option("--out <file>", "write the summary to a file")
    .action((modelPath: string | undefined, opts: ReportOptions) => {
      const { model, source } = loadModel(modelPath);
      const origin = fromRows([new Array(model.dim).fill(0)]);
      const sigmas = [0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10];
      const rows = sigmas.map((s) => {
        const p = model.posterior(origin, s, { entropy: model.discrete, classProbs: model.numClasses > 0 });
        return [
          s.toString(),
          `[${toRows(p.mean)[0].map((v) => v.toFixed(4)).join(", ")}]`,
          p.traceCov[0].toPrecision(5),
          p.entropy ? p.entropy[0].toPrecision(5) : "-",
        ];
      });
      const text = [
        `infodyn report — model ${source} (${model.kind}, D = ${model.dim}${model.numClasses ? `, ${model.numClasses} classes` : ""})`,
        "",
        "Posterior at the origin x = 0:",
        formatTable(["σ", "m(x)", "Tr C(x)", "h(x) nats"], rows),
      ].join("\n");
      emit(text, opts.out);
    });
}
