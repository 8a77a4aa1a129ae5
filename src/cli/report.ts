import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import type { Command } from "commander";
import { envelope, modelInfo } from "../contracts/envelope.js";
import { reportContract } from "../contracts/report.js";
import { throwIfAborted } from "../score/program.js";
import { interruptible } from "./abort.js";
import { integerOption, loadModel } from "./files.js";
import { exactModel } from "./needs.js";
import { progressBar } from "./progress.js";

interface ReportCliOptions {
  out: string;
  samples: string;
  seed: string;
}

/**
 * `infodyn report [MODEL] --out DIR`: the main job. Writes `DIR/index.html` (self-contained, figures inlined
 * as SVG), `DIR/results.json` (every number, the model, version, seed and command) and
 * `DIR/figures/NAME.{svg,png,vl.json}`. The folder is assembled beside DIR and renamed into place, so a failed
 * run leaves the previous report intact.
 */
export function registerReport(program: Command): void {
  program
    .command("report")
    .description("HTML report of every analysis that applies to a model (default: the embedded labelled 2-D dataset)")
    .argument("[model]", "model JSON file (default: the embedded dataset)")
    .option("--out <dir>", "folder to write the report into", "report")
    .option("--samples <n>", "Monte Carlo samples per σ where no quadrature applies (integer ≥ 100)", "4000")
    .option("--seed <s>", "seed of every random draw (integer)", "0")
    .addHelpText("after", "\nExample:\n  infodyn report examples/triangle.json --out triangle-report")
    .action(async (modelPath: string | undefined, opts: ReportCliOptions) => {
      const samples = integerOption(opts.samples, "--samples", 100);
      const seed = integerOption(opts.seed, "--seed");
      const started = Date.now();
      // Loaded here, not at start-up: vega, vega-lite and resvg cost every other command ~0.3 s.
      const { buildReport } = await import("../report/report.js");
      const { reportPlan } = await import("../report/plan.js");
      const { renderSvg } = await import("../report/render.js");
      const { reportHtml } = await import("../report/html.js");
      const loaded = loadModel(modelPath);
      const { source } = loaded;
      const model = exactModel(loaded, "report");
      const bar = progressBar("report", 0);
      const plan = reportPlan(model, { samples, seed });
      const report = buildReport(model, plan, {
        source,
        commandLine: ["infodyn", ...process.argv.slice(2)].join(" "),
        onProgress: bar.update,
      });
      bar.stop();
      const results = reportContract(report.results, envelope("report", modelInfo(loaded), plan));
      const out = resolve(opts.out);
      const tmp = join(dirname(out), `.${basename(out)}.${process.pid}.tmp`);
      rmSync(tmp, { recursive: true, force: true });
      mkdirSync(join(tmp, "figures"), { recursive: true });
      const svgs: Record<string, string> = {};
      try {
        // Rendering is asynchronous: a signal here stops it, removes the temp folder and leaves DIR as it was.
        await interruptible(async (signal) => {
          for (const [name, spec] of Object.entries(report.figures)) {
            throwIfAborted(signal);
            const svg = await renderSvg(spec);
            svgs[name] = svg;
            writeFileSync(join(tmp, "figures", `${name}.svg`), svg);
            writeFileSync(join(tmp, "figures", `${name}.vl.json`), JSON.stringify(spec, null, 1));
            writeFileSync(join(tmp, "figures", `${name}.png`), await svgToPng(svg));
          }
        });
        writeFileSync(join(tmp, "results.json"), JSON.stringify(results, null, 1));
        writeFileSync(join(tmp, "index.html"), reportHtml(report, svgs));
        if (existsSync(out)) rmSync(out, { recursive: true, force: true });
        renameSync(tmp, out);
      } catch (e) {
        rmSync(tmp, { recursive: true, force: true });
        throw e;
      }
      const summary = report.results.summary.map((l) => `- ${l}`).join("\n");
      process.stdout.write(
        `${report.title}\n\nCritical windows:\n${summary}\n\n` +
          `Report written to ${join(out, "index.html")} (${Object.keys(report.figures).length} figures, ${((Date.now() - started) / 1000).toFixed(1)} s)\n`,
      );
    });
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
