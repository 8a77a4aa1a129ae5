import { readdirSync, readFileSync, existsSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "..");

/** The relative module specifiers a TypeScript file imports or re-exports (type-only ones too), comments removed. */
function importsOf(source: string): string[] {
  const code = source.replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|[^:"'`])\/\/.*$/gm, "$1");
  const specs: string[] = [];
  for (const m of code.matchAll(/\b(?:import|export)\b[^;"'`]*?\bfrom\s*["']([^"']+)["']|\bimport\s*\(?\s*["']([^"']+)["']/g)) {
    const spec = m[1] ?? m[2];
    if (spec.startsWith(".")) specs.push(spec);
  }
  return specs;
}

/** The import graph reachable from `entries` (absolute .ts paths), following relative imports (`./x.js` → x.ts). */
function importGraph(entries: string[]): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  const todo = [...entries];
  while (todo.length > 0) {
    const file = todo.pop()!;
    if (graph.has(file)) continue;
    const deps = importsOf(readFileSync(file, "utf8"))
      .map((s) => resolve(dirname(file), s.replace(/\.js$/, ".ts")))
      .filter((f) => existsSync(f));
    graph.set(file, deps);
    todo.push(...deps);
  }
  return graph;
}

/** One import cycle of the graph as a list of nodes (first = last), or undefined when it is acyclic (depth-first). */
function findCycle(graph: Map<string, string[]>): string[] | undefined {
  const state = new Map<string, "open" | "done">();
  const path: string[] = [];
  const visit = (v: string): string[] | undefined => {
    if (state.get(v) === "done") return undefined;
    if (state.get(v) === "open") return [...path.slice(path.indexOf(v)), v];
    state.set(v, "open");
    path.push(v);
    for (const w of graph.get(v) ?? []) {
      const c = visit(w);
      if (c) return c;
    }
    path.pop();
    state.set(v, "done");
    return undefined;
  };
  for (const v of graph.keys()) {
    const c = visit(v);
    if (c) return c;
  }
  return undefined;
}

const tsFiles = (dir: string) => readdirSync(join(root, dir)).filter((f) => f.endsWith(".ts")).map((f) => join(root, dir, f));

describe("the engine's modules import each other without a cycle", () => {
  it("importsOf reads import, import type, export … from and multi-line forms, and skips comments", () => {
    const src = `import type { A } from "./types.js";\nimport {\n  b,\n  c,\n} from "./b.js";\nexport { d } from "./d.js";\nexport * from "./e.js";\n// import { x } from "./commented.js";\n/** import { y } from "./doc.js" */\nimport "./side.js";\nimport { z } from "node:fs";`;
    expect(importsOf(src)).toEqual(["./types.js", "./b.js", "./d.js", "./e.js", "./side.js"]);
  });

  it("findCycle finds kernel → blocked → kernel in a made-up graph, and none in a chain", () => {
    const cyclic = new Map([["kernel", ["blocked"]], ["blocked", ["tiles", "kernel"]], ["tiles", []]]);
    expect(findCycle(cyclic)).toEqual(["kernel", "blocked", "kernel"]);
    expect(findCycle(new Map([["a", ["b"]], ["b", ["c"]], ["c", []]]))).toBeUndefined();
  });

  it("src/engine/*.ts and src/node/*.ts, with everything they reach, form an acyclic import graph", () => {
    const graph = importGraph([...tsFiles("src/engine"), ...tsFiles("src/node")]);
    expect(graph.size).toBeGreaterThan(10);
    const cycle = findCycle(graph);
    expect(cycle?.map((f) => relative(root, f)).join(" → "), "import cycle").toBeUndefined();
  });

  it("types, the reference kernel and the backend registry live in their own modules; kernel.ts only re-exports", () => {
    const engine = (f: string) => readFileSync(join(root, "src/engine", f), "utf8");
    expect(engine("types.ts")).toMatch(/export interface DeltaSet\b/);
    expect(engine("reference.ts")).toMatch(/export const jsPosteriorKernel\b/);
    expect(engine("backends.ts")).toMatch(/export function setPosteriorKernel\b/);
    const facade = engine("kernel.ts").replace(/\/\*[\s\S]*?\*\//g, "").trim();
    for (const line of facade.split("\n")) expect(line, "kernel.ts holds re-exports only").toMatch(/^export (type )?\{[^}]*\} from "\.\/[a-z]+\.js";$/);
  });
});
