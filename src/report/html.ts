import type { Report } from "./report.js";

const escape = (s: string) => s.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]!);

/**
 * A self-contained HTML page: figures inlined as SVG, no script, no network, opens from disk.
 * `svgs` maps figure names to rendered SVG.
 */
export function reportHtml(report: Pick<Report, "title" | "sections">, svgs: Record<string, string>): string {
  const toc = report.sections.map((s) => `<li><a href="#${s.id}">${escape(s.title)}</a></li>`).join("");
  const body = report.sections
    .map(
      (s) => `<section id="${s.id}">
<h2>${escape(s.title)}</h2>
<p>${escape(s.text)}</p>
${s.figures.map((f) => `<figure id="fig-${f}">${svgs[f] ?? ""}<figcaption>${escape(f)} — <a href="figures/${f}.svg">svg</a> · <a href="figures/${f}.png">png</a> · <a href="figures/${f}.vl.json">spec</a></figcaption></figure>`).join("\n")}
</section>`,
    )
    .join("\n");
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(report.title)}</title>
<style>
body { font-family: "DejaVu Sans", Helvetica, Arial, sans-serif; max-width: 980px; margin: 2em auto; padding: 0 1em; color: #222; line-height: 1.45; }
h1 { font-weight: normal; } h2 { font-weight: normal; border-bottom: 1px solid #ddd; padding-bottom: .2em; margin-top: 2em; }
figure { margin: 1em 0; } figure svg { max-width: 100%; height: auto; } figcaption { font-size: .85em; color: #666; }
nav ul { columns: 2; } a { color: #1f5fa8; }
</style>
</head>
<body>
<h1>${escape(report.title)}</h1>
<nav><ul>${toc}</ul></nav>
${body}
<footer><p><small>Every number shown is in <a href="results.json">results.json</a>.</small></p></footer>
</body>
</html>
`;
}
