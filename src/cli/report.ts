import { join } from "node:path";
import type { Command } from "commander";
import { envelope, modelInfo } from "../contracts/envelope.js";
import { reportContract } from "../contracts/report.js";
import { throwIfAborted } from "../score/program.js";
import { interruptible } from "./abort.js";
import { checkMemory, checkWork, dimFactor, modelFactors } from "./budget.js";
import { InfodynError } from "../errors.js";
import { checkComputable } from "../analysis/validity.js";
import { loadModel, parsePositiveList, seedOption, sizeOption, type LoadedModel } from "./files.js";
import { checkOutputFolder, writeOutputFolder } from "./output.js";
import { progressBar } from "./progress.js";

interface ReportCliOptions {
  out: string;
  samples: string;
  seed: string;
  sigmaMin?: string;
  sigmaMax?: string;
}

/**
 * `infodyn report [MODEL] --out DIR`: the main job. Writes `DIR/index.html` (self-contained, figures inlined
 * as SVG), `DIR/results.json` (every number, the model, version, seed and command) and
 * `DIR/figures/NAME.{svg,png,vl.json}` and the marker `DIR/.infodyn-output`. The folder is assembled beside DIR
 * and renamed into place (output.ts), so a failed run leaves the previous report intact; an existing DIR is replaced
 * only when it is infodyn's own output.
 */
export function registerReport(program: Command): void {
  program
    .command("report")
    .description("HTML report of every analysis that applies to a model (default: the embedded labelled 2-D dataset)")
    .argument("[model]", "model JSON file (an exact model, or a denoiser: onnx or testbed, reported beside the exact values of its data), or the embedded dataset by default")
    .option("--out <dir>", "folder to write the report into", "report")
    .option("--samples <n>", "Monte Carlo samples per σ where no quadrature applies (integer ≥ 100)", "4000")
    .option("--seed <s>", "seed of every random draw (0 to 2³²−1)", "0")
    .option("--sigma-min <a>", "smallest σ of every curve (> 0); default: from the data (see README, Default noise levels)")
    .option("--sigma-max <b>", "largest σ (> --sigma-min); default: from the data (see README, Default noise levels)")
    .addHelpText("after", "\nExamples:\n  infodyn report examples/triangle.json --out triangle-report\n  infodyn report examples/digits.json --out digits-report --sigma-min 0.5")
    .action(async (modelPath: string | undefined, opts: ReportCliOptions) => {
      const samplesOpt = sizeOption(opts.samples, "--samples", 100);
      const seed = seedOption(opts.seed);
      const sigmaMin = opts.sigmaMin === undefined ? undefined : parsePositiveList(opts.sigmaMin, "--sigma-min")[0];
      const sigmaMax = opts.sigmaMax === undefined ? undefined : parsePositiveList(opts.sigmaMax, "--sigma-max")[0];
      // Where the report goes is checked before the work: never `.`, a file, or a folder of other files.
      checkOutputFolder(opts.out, "report");
      const started = Date.now();
      // Loaded here, not at start-up: vega, vega-lite and resvg cost every other command ~0.3 s.
      const { buildReport } = await import("../report/report.js");
      const { reportPlan } = await import("../report/plan.js");
      const { renderSvg } = await import("../report/render.js");
      const { reportHtml } = await import("../report/html.js");
      const loaded = loadModel(modelPath);
      const { source } = loaded;
      const commandLine = ["infodyn", ...process.argv.slice(2)].join(" ");
      let built: { title: string; sections: { id: string; title: string; text: string; figures: string[] }[]; figures: Record<string, Record<string, unknown>>; summary: string[] };
      let results: object;
      if (loaded.type === "denoiser") {
        // A network (or a testbed): its estimates beside the exact values of its data (src/report/network.ts).
        const { buildNetworkReport, networkReportPlan } = await import("../report/network.js");
        const plan = networkReportPlan(loaded.data, { samples: samplesOpt.value, seed, sigmaMin, sigmaMax });
        if (!(plan.sigma.max > plan.sigma.min))
          throw new InfodynError(`--sigma-max: ${plan.sigma.max} must exceed --sigma-min ${plan.sigma.min}${sigmaMin === undefined || sigmaMax === undefined ? " (the other end is the data's default)" : ""}`);
        checkWork("--samples", [{ ...samplesOpt, label: "samples" }, { value: plan.sigma.levels, label: "levels" }, { value: loaded.data.rows, label: "data points" }, dimFactor(loaded.data.dim)]);
        const bar = progressBar("report", 0);
        const report = await interruptible((signal) =>
          buildNetworkReport(
            { denoiser: loaded.denoiser, data: loaded.data, labels: loaded.labels, conventions: conventionsText(loaded), shape: loaded.kind === "onnx" ? loaded.spec.shape : undefined, training: loaded.kind === "onnx" ? loaded.spec.training : undefined },
            plan,
            { source, commandLine, signal, onProgress: bar.update },
          ),
        );
        bar.stop();
        built = { ...report, summary: report.results.summary };
        results = reportContract(report.results, envelope("report", modelInfo(loaded), plan));
      } else {
        const model = loaded.model;
        checkMemory("--samples", [{ ...samplesOpt, label: "samples" }, dimFactor(model.dim)]);
        checkWork("--samples", [{ ...samplesOpt, label: "samples" }, { value: 41, label: "levels" }, ...modelFactors(model), { value: 4, label: "evaluations" }]);
        const samples = samplesOpt.value;
        const bar = progressBar("report", 0);
        const plan = reportPlan(model, { samples, seed, sigmaMin, sigmaMax });
        if (!(plan.sigma.max > plan.sigma.min))
          throw new InfodynError(`--sigma-max: ${plan.sigma.max} must exceed --sigma-min ${plan.sigma.min}${sigmaMin === undefined || sigmaMax === undefined ? " (the other end is the data's default)" : ""}`);
        if (plan.sigma.given) checkComputable(model, [plan.sigma.min, plan.sigma.max], "--sigma-min/--sigma-max");
        const report = buildReport(model, plan, { source, commandLine, onProgress: bar.update });
        bar.stop();
        built = { ...report, summary: report.results.summary };
        results = reportContract(report.results, envelope("report", modelInfo(loaded), plan));
      }
      const report = built;
      const svgs: Record<string, string> = {};
      // The temp folder exists only from here (after the computation); rendering is asynchronous: a signal stops it,
      // the temp folder is removed and DIR is left as it was.
      const out = await writeOutputFolder(opts.out, "report", (put) =>
        interruptible(async (signal) => {
          for (const [name, spec] of Object.entries(report.figures)) {
            throwIfAborted(signal);
            const svg = await renderSvg(spec);
            svgs[name] = svg;
            put(`figures/${name}.svg`, svg);
            put(`figures/${name}.vl.json`, JSON.stringify(spec, null, 1));
            put(`figures/${name}.png`, await svgToPng(svg));
          }
          put("results.json", JSON.stringify(results, null, 1));
          put("index.html", reportHtml(report, svgs));
        }),
      );
      const summary = report.summary.map((l) => `- ${l}`).join("\n");
      process.stdout.write(
        `${report.title}\n\nCritical windows:\n${summary}\n\n` +
          `Report written to ${join(out, "index.html")} (${Object.keys(report.figures).length} figures, ${((Date.now() - started) / 1000).toFixed(1)} s)\n`,
      );
    });
}

/** A network's conventions in words, for its report. */
function conventionsText(loaded: LoadedModel & { type: "denoiser" }): string {
  if (loaded.kind !== "onnx") return `a ${loaded.kind} denoiser`;
  const s = loaded.spec;
  const proc = typeof s.process === "string" ? s.process : `a ${s.process.betas.length}-step beta schedule`;
  return `ONNX graph ${s.path}, ${s.parameterization} parameterization, process ${proc}, noise input ${s.noiseInput}${s.nullClass !== undefined ? `, null class ${s.nullClass}` : ""}`;
}

/** PNG at 2× from an SVG with resvg (system fonts; DejaVu Sans preferred). */
export async function svgToPng(svg: string): Promise<Uint8Array> {
  const { Resvg } = await import("@resvg/resvg-js");
  return new Resvg(svg, {
    font: { loadSystemFonts: true, defaultFontFamily: "DejaVu Sans" },
    fitTo: { mode: "zoom", value: 2 },
    background: "white",
  })
    .render()
    .asPng();
}
