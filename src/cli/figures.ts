import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import type { Command } from "commander";
import type { PaperFigure } from "../report/figures/papers.js";
import { throwIfAborted } from "../score/program.js";
import { VERSION } from "../version.js";
import { interruptible } from "./abort.js";
import { integerOption } from "./files.js";
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
 * `NAME.vl.json`, with `DIR/index.html` listing them. The folder is assembled beside DIR and renamed into place.
 */
export function registerFigures(program: Command): void {
  program
    .command("figures")
    .description("reproduce every figure of the two papers (seed 000 figs. 1–2, seed 004 figs. 1–4) as SVG, PNG and Vega-Lite specs")
    .option("--out <dir>", "folder to write the figures into", "figures")
    .option("--seed <s>", "seed of every random draw (integer)", "0")
    .addHelpText("after", "\nExample:\n  infodyn figures --out paper-figures --seed 1")
    .action(async (opts: FiguresCliOptions) => {
      const seed = integerOption(opts.seed, "--seed");
      const started = Date.now();
      const bar = progressBar("figures", 0);
      // Loaded here, not at start-up: the figures pull in vega, vega-lite and the analyses.
      const { paperFigures } = await import("../report/figures/papers.js");
      const { renderSvg } = await import("../report/render.js");
      const figures = paperFigures(seed, (done, total) => bar.update(done, 2 * total));
      const out = resolve(opts.out);
      const tmp = join(dirname(out), `.${basename(out)}.${process.pid}.tmp`);
      rmSync(tmp, { recursive: true, force: true });
      mkdirSync(tmp, { recursive: true });
      try {
        // Rendering is asynchronous: a signal here stops it, removes the temp folder and leaves DIR as it was.
        await interruptible(async (signal) => {
          for (const [i, f] of figures.entries()) {
            throwIfAborted(signal);
            const svg = await renderSvg(f.spec);
            writeFileSync(join(tmp, `${f.name}.svg`), svg);
            writeFileSync(join(tmp, `${f.name}.vl.json`), JSON.stringify(f.spec));
            writeFileSync(join(tmp, `${f.name}.png`), await svgToPng(svg));
            bar.update(figures.length + i + 1, 2 * figures.length);
          }
        });
        writeFileSync(join(tmp, "index.html"), figuresIndexHtml(figures, seed));
        if (existsSync(out)) rmSync(out, { recursive: true, force: true });
        renameSync(tmp, out);
      } catch (e) {
        rmSync(tmp, { recursive: true, force: true });
        throw e;
      } finally {
        bar.stop();
      }
      process.stdout.write(
        `${figures.map((f) => `${f.name}: ${f.caption}`).join("\n")}\n\n` +
          `Figures written to ${out} (${figures.length} figures, index.html; ${((Date.now() - started) / 1000).toFixed(1)} s)\n`,
      );
    });
}
