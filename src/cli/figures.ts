import type { Command } from "commander";
import type { PaperFigure } from "../report/figures/papers.js";
import { throwIfAborted } from "../score/program.js";
import { VERSION } from "../version.js";
import { interruptible } from "./abort.js";
import { seedOption } from "./files.js";
import { checkOutputFolder, writeOutputFolder } from "./output.js";
import { progressBar } from "./progress.js";
import { svgToPng } from "./report.js";

interface FiguresCliOptions {
  out: string;
  seed: string;
}

const escape = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** `DIR/index.html`: one line per figure (what it shows) and the PNG, no scripts, no network. */
export function figuresIndexHtml(figures: readonly Pick<PaperFigure, "name" | "title" | "caption">[], seed: number): string {
  const items = figures
    .map(
      (f) =>
        `<section id="${f.name}"><h2>${escape(f.title)} <small>(${f.name})</small></h2><p>${escape(f.caption)}</p>` +
        `<p><a href="${f.name}.svg">SVG</a> · <a href="${f.name}.png">PNG</a> · <a href="${f.name}.vl.json">Vega-Lite spec</a></p>` +
        `<img src="${f.name}.png" alt="${escape(f.title)}" style="max-width:100%"></section>`,
    )
    .join("\n");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>infodyn: figures of the papers</title>
<style>body{font-family:DejaVu Sans,Helvetica,Arial,sans-serif;max-width:1400px;margin:2em auto;padding:0 1em;color:#222}
h2{font-weight:normal;margin-top:2em}small{color:#777}</style></head>
<body><h1>Figures of the papers, reproduced by infodyn ${escape(VERSION)}</h1>
<p>Seed ${seed}. Seed 000: “The Information Dynamics of Generative Diffusion”; seed 004: “The statistical thermodynamics of generative diffusion models”.</p>
<ul>${figures.map((f) => `<li><a href="#${f.name}">${escape(f.title)}</a>: ${escape(f.caption)}</li>`).join("")}</ul>
${items}
</body></html>
`;
}

/**
 * `infodyn figures [--out DIR] [--seed S]`: every figure of the two papers as `DIR/NAME.svg`, `NAME.png` and
 * `NAME.vl.json`, with `DIR/index.html` listing them and the marker `DIR/.infodyn-output`. The folder is assembled
 * beside DIR and renamed into place (output.ts); an existing DIR is replaced only when it is infodyn's own output.
 */
export function registerFigures(program: Command): void {
  program
    .command("figures")
    .description("reproduce every figure of the two papers (seed 000 figs. 1–2, seed 004 figs. 1–4) as SVG, PNG and Vega-Lite specs")
    .option("--out <dir>", "folder to write the figures into", "figures")
    .option("--seed <s>", "seed of every random draw (0 to 2³²−1)", "0")
    .addHelpText("after", "\nExample:\n  infodyn figures --out paper-figures --seed 1")
    .action(async (opts: FiguresCliOptions) => {
      const seed = seedOption(opts.seed);
      checkOutputFolder(opts.out, "figures");
      const started = Date.now();
      const bar = progressBar("figures", 0);
      // Loaded here, not at start-up: the figures pull in vega, vega-lite and the analyses.
      const { paperFigures } = await import("../report/figures/papers.js");
      const { renderSvg } = await import("../report/render.js");
      const figures = paperFigures(seed, (done, total) => bar.update(done, 2 * total));
      let out: string;
      try {
        // The temp folder exists only from here (after the computation); rendering is asynchronous: a signal stops
        // it, the temp folder is removed and DIR is left as it was.
        out = await writeOutputFolder(opts.out, "figures", (put) =>
          interruptible(async (signal) => {
            for (const [i, f] of figures.entries()) {
              throwIfAborted(signal);
              const svg = await renderSvg(f.spec);
              put(`${f.name}.svg`, svg);
              put(`${f.name}.vl.json`, JSON.stringify(f.spec));
              put(`${f.name}.png`, await svgToPng(svg));
              bar.update(figures.length + i + 1, 2 * figures.length);
            }
            put("index.html", figuresIndexHtml(figures, seed));
          }),
        );
      } finally {
        bar.stop();
      }
      process.stdout.write(
        `${figures.map((f) => `${f.name}: ${f.caption}`).join("\n")}\n\n` +
          `Figures written to ${out} (${figures.length} figures, index.html; ${((Date.now() - started) / 1000).toFixed(1)} s)\n`,
      );
    });
}
