import { execSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import * as api from "../src/index.js";

const root = join(import.meta.dirname, "..");
const read = (path: string) => readFileSync(join(root, path), "utf8");
const pkg = JSON.parse(read("package.json")) as { version: string; files: string[]; scripts: Record<string, string> };

describe("the package", () => {
  it("VERSION matches package.json", () => {
    expect(api.VERSION).toBe(pkg.version);
  });
  it("the README's library example runs and gives the documented numbers", () => {
    const model = api.parseModel({ kind: "deltas", points: [[-1], [1]], labels: ["minus", "plus"] });
    const post = model.posterior(api.fromRows([[0.3]]), 0.5, { entropy: true, classProbs: true });
    expect(post.mean.data[0]).toBeCloseTo(Math.tanh(0.3 / 0.25), 14);
    expect(api.profileAt(model, 1).entropyRate).toBeCloseTo(0.4495995092, 9);
    expect(api.informationProfile(model, api.logSigmas(201, 0.05, 10), { refinePeaks: true }).peaks.entropyRateLogSigma!.sigma).toBeCloseTo(0.81423867, 7);
  });
  it("the core imports no node: module (it must bundle for the browser; cli/, bench/ and node/ are the Node faces)", () => {
    const hits = execSync("grep -rlE \"from \\\"node:|require\\(\\\"node:\" src --include=*.ts || true", { cwd: root, encoding: "utf8" })
      .split("\n")
      .filter((f) => f && !f.startsWith("src/cli/") && !f.startsWith("src/bench/") && !f.startsWith("src/node/"));
    expect(hits).toEqual([]);
  });
  it("npm ci alone leaves a runnable CLI: `prepare` builds dist/ (npm ci runs it after `install`, the native build)", () => {
    // npm ci runs the root package's preinstall, install, postinstall, prepare in that order; dist/ is not committed.
    expect(pkg.scripts.install).toBe("node scripts/build-native.mjs");
    expect(pkg.scripts.build).toBe("tsc -p tsconfig.build.json && npm run build:wasm");
    expect(pkg.scripts["build:wasm"]).toBe("asc wasm/kernel.ts --config wasm/asconfig.json");
    expect(pkg.scripts.prepare).toBe("npm run build");
    expect(read(".gitignore").split("\n")).toContain("dist/");
  });
  it("ships its theory: docs/ is in the package's files", () => {
    expect(pkg.files).toContain("docs");
    expect(existsSync(join(root, "docs", "theory.md"))).toBe(true);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Citations of the theory page: every "THEORY.md §x.y" (or "docs/theory.md §x.y") in the code and the tests must
// name a numbered heading of docs/theory.md, and every "Erratum n" an item of its errata list.

/** A cited section or erratum, with where it is cited. */
interface Citation {
  kind: "section" | "erratum";
  id: string;
  where: string;
}

/** Files under `dir` (relative to the root) whose name ends with one of `exts`, recursively. */
function filesUnder(dir: string, exts: string[]): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const e of readdirSync(join(root, rel), { withFileTypes: true })) {
      const path = join(rel, e.name);
      if (e.isDirectory()) walk(path);
      else if (e.isFile() && exts.some((x) => e.name.endsWith(x))) out.push(path);
    }
  };
  if (existsSync(join(root, dir))) walk(dir);
  return out.sort();
}

const SECTION = String.raw`\d+[a-z]?(?:\.\d+)?`;

/** `§a–b` → every section from a to b (integers, or x.i–x.j / x.i–j within one chapter); otherwise the ends. */
function expandRange(a: string, b: string | undefined): string[] {
  if (b === undefined) return [a];
  const int = /^\d+$/;
  if (int.test(a) && int.test(b)) return Array.from({ length: Math.max(1, +b - +a + 1) }, (_, i) => String(+a + i));
  const [ma, na] = a.split(".");
  const [mb, nb] = b.includes(".") ? b.split(".") : [ma, b];
  if (na !== undefined && ma === mb && int.test(na) && int.test(nb))
    return Array.from({ length: Math.max(1, +nb - +na + 1) }, (_, i) => `${ma}.${+na + i}`);
  return [a, b];
}

/**
 * The citations in one text: after each "THEORY.md" (any case, so "docs/theory.md" too), the run of `§x`, `§x–y`
 * joined by ",", "/" or "and" (a run stops at anything else, e.g. "; seed 000 §5", which cites a paper); and every
 * "Erratum n" / "Errata n–m".
 */
function citations(text: string, file: string): Citation[] {
  const out: Citation[] = [];
  const lineOf = (i: number) => text.slice(0, i).split("\n").length;
  const item = new RegExp(String.raw`^\s*(?:,|/|and)?\s*§(${SECTION})(?:\s*[–-]\s*§?(${SECTION}))?`);
  for (const m of text.matchAll(/theory\.md/gi)) {
    let pos = m.index + m[0].length;
    for (;;) {
      const t = item.exec(text.slice(pos));
      if (!t) break;
      for (const id of expandRange(t[1], t[2])) out.push({ kind: "section", id, where: `${file}:${lineOf(m.index)}` });
      pos += t[0].length;
    }
  }
  for (const m of text.matchAll(/\bErrat(?:um|a)\s+(\d+)(?:\s*[–-]\s*(\d+))?/g))
    for (const id of expandRange(m[1], m[2])) out.push({ kind: "erratum", id, where: `${file}:${lineOf(m.index)}` });
  return out;
}

/** Numbered headings ("## 2b. …", "### 9.1 …") and errata items ("1. …" under "## Errata …") of the theory page. */
function theoryAnchors(doc: string): { sections: Set<string>; errata: Set<string> } {
  const sections = new Set<string>();
  const errata = new Set<string>();
  let inErrata = false;
  for (const line of doc.split("\n")) {
    const h = /^(#{1,6})\s+(.*)$/.exec(line);
    if (h) {
      const num = new RegExp(String.raw`^§?(${SECTION})\.?(?:\s|$)`).exec(h[2]);
      if (num) sections.add(num[1]);
      if (h[1].length <= 2) inErrata = /^Errata\b/i.test(h[2]);
      continue;
    }
    const e = /^(\d+)\.\s/.exec(line);
    if (inErrata && e) errata.add(e[1]);
  }
  return { sections, errata };
}

/** The citations that name no anchor of the page, as "where: §id" / "where: Erratum id". */
function unresolved(cites: Citation[], doc: string): string[] {
  const { sections, errata } = theoryAnchors(doc);
  return cites
    .filter((c) => !(c.kind === "section" ? sections : errata).has(c.id))
    .map((c) => `${c.where}: ${c.kind === "section" ? `§${c.id}` : `Erratum ${c.id}`}`);
}

const citingFiles = [...filesUnder("src", [".ts"]), ...filesUnder("test", [".ts"]), ...filesUnder("native", [".c", ".h"])].filter(
  (f) => f !== "test/package.test.ts",
);
const allCitations = citingFiles.flatMap((f) => citations(read(f), f));
const theoryPath = join(root, "docs", "theory.md");
const theory = existsSync(theoryPath) ? readFileSync(theoryPath, "utf8") : "";

describe("the theory page resolves every citation", () => {
  it("the citation parser reads ranges, lists and errata, and stops where a paper is cited", () => {
    const text = "(THEORY.md §2–3, §9.1 / issue 7) (THEORY.md §4; seed 000 §5–6) (THEORY.md §6, seed 004 eq. 35 with Erratum 4) THEORY.md Errata 3–5";
    expect(citations(text, "f").map((c) => (c.kind === "section" ? `§${c.id}` : `E${c.id}`))).toEqual(["§2", "§3", "§9.1", "§4", "§6", "E4", "E3", "E4", "E5"]);
    expect(allCitations.length, "citations found in src/, test/, native/").toBeGreaterThan(50);
  });
  it("every `THEORY.md §x.y` and `Erratum n` in src/, test/ and native/ names a heading or erratum of docs/theory.md", () => {
    expect(theory, "docs/theory.md exists").not.toBe("");
    expect(unresolved(allCitations, theory)).toEqual([]);
  });
  it("keeps the numbering §1 … §9.6 and six errata, and fails when a cited section goes missing", () => {
    const { sections, errata } = theoryAnchors(theory);
    for (const s of ["1", "2", "2b", "3", "4", "5", "6", "7", "8", "9", "9.1", "9.2", "9.3", "9.4", "9.5", "9.6"]) expect(sections, `§${s}`).toContain(s);
    expect([...errata].sort()).toEqual(["1", "2", "3", "4", "5", "6"]);
    const without5 = theory.replace(/^## 5\..*$/m, "");
    expect(unresolved(allCitations, without5).length).toBeGreaterThan(0);
    expect(unresolved(allCitations, without5).every((u) => u.endsWith("§5"))).toBe(true);
  });
});

describe("the documentation stays inside the repository", () => {
  /** Relative link targets of a markdown file (no scheme, no pure #anchor; code left out), without their #anchor. */
  const links = (md: string) =>
    [...md.replace(/```[\s\S]*?```/g, "").replace(/`[^`\n]*`/g, "").matchAll(/\]\(\s*<?([^)\s>]+)>?[^)]*\)/g)].map((m) => m[1]).filter((t) => !/^[a-z][a-z0-9+.-]*:/i.test(t) && !t.startsWith("#")).map((t) => t.split("#")[0]);
  for (const file of ["README.md", "docs/theory.md"]) {
    it(`${file} links nowhere outside the repository, and every relative link resolves`, () => {
      const md = read(file);
      expect(md).not.toMatch(/\.\.\/shared\b/);
      if (file === "README.md") expect(links(md).filter((t) => t.startsWith("../")), "README links with ../").toEqual([]);
      const base = dirname(join(root, file));
      for (const target of links(md)) {
        const abs = join(base, decodeURIComponent(target));
        expect(relative(root, abs).startsWith(".."), `${file}: ${target} leaves the repository`).toBe(false);
        expect(existsSync(abs), `${file}: ${target} does not exist`).toBe(true);
      }
    });
  }
});

// ---------------------------------------------------------------------------------------------------------------
// The root import stays light: `import("infodyn")` must not load the plotting stack (vega, vega-lite, resvg); those
// are for `infodyn/report` and the report/figures commands only.

const PLOTTING = /^(vega|vega-lite|vega-[a-z0-9-]+|@resvg\/resvg-js|@resvg\/.+)$/;

/** Package name of a resolved file URL under node_modules ("@scope/name" or "name"), else undefined. */
function packageOf(url: string): string | undefined {
  const i = url.lastIndexOf("/node_modules/");
  if (i < 0) return undefined;
  const parts = url.slice(i + "/node_modules/".length).split("/");
  return parts[0].startsWith("@") ? `${parts[0]}/${parts[1]}` : parts[0];
}

/**
 * Imports `entry` in a fresh Node with a module-resolution hook that logs every resolved URL and its parent, and
 * returns the log as (url, parent) pairs.
 */
function importGraph(entry: string): { url: string; parent: string }[] {
  const dir = mkdtempSync(join(tmpdir(), "infodyn-imports-"));
  const log = join(dir, "resolved.tsv");
  try {
    const hooks = [
      'import { appendFileSync } from "node:fs";',
      "export async function resolve(specifier, context, next) {",
      "  const r = await next(specifier, context);",
      '  appendFileSync(process.env.INFODYN_IMPORT_LOG, r.url + "\\t" + (context.parentURL ?? "") + "\\n");',
      "  return r;",
      "}",
    ].join("\n");
    const script = [
      'import { register } from "node:module";',
      `register("data:text/javascript," + encodeURIComponent(${JSON.stringify(hooks)}));`,
      `await import(${JSON.stringify(pathToFileURL(entry).href)});`,
    ].join("\n");
    const r = spawnSync(process.execPath, ["--input-type=module", "-e", script], {
      cwd: root,
      encoding: "utf8",
      env: { ...process.env, INFODYN_IMPORT_LOG: log },
    });
    expect(r.status, `importing ${entry} failed: ${r.stderr}`).toBe(0);
    return readFileSync(log, "utf8")
      .split("\n")
      .filter(Boolean)
      .map((l) => {
        const [url, parent] = l.split("\t");
        return { url, parent };
      });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("the root import", () => {
  it('import("infodyn") (dist/index.js) loads no plotting library: vega, vega-lite and @resvg/resvg-js belong to infodyn/report', () => {
    const entry = join(root, "dist", "index.js");
    expect(existsSync(entry), "dist/index.js is missing: run `npm run build` (npm test does)").toBe(true);
    const graph = importGraph(entry);
    const parentOf = new Map(graph.map((g) => [g.url, g.parent]));
    // the hook saw the graph: the package's own modules and its validation library
    expect(graph.some((g) => g.url.endsWith("/dist/models/index.js"))).toBe(true);
    expect(graph.some((g) => packageOf(g.url) === "zod")).toBe(true);
    const chains = graph
      .filter((g) => PLOTTING.test(packageOf(g.url) ?? ""))
      .filter((g) => !PLOTTING.test(packageOf(g.parent) ?? "")) // the first plotting module on each path
      .map((g) => {
        const chain = [packageOf(g.url)!];
        const seen = new Set<string>();
        for (let u = g.parent; u.startsWith("file:") && !seen.has(u); u = parentOf.get(u) ?? "") {
          seen.add(u);
          chain.push(relative(root, fileURLToPath(u)));
        }
        return chain.reverse().join(" → ");
      });
    expect(chains).toEqual([]);
  });
});
