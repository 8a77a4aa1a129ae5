import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { fromRows } from "../src/batch.js";
import { followModes } from "../src/analysis/bifurcation/follow.js";
import { bifurcationReport } from "../src/analysis/bifurcation/report.js";
import { deltas } from "../src/models/deltas.js";
import { ascending, logSigmas } from "../src/noise/grid.js";
import type { TreeNode } from "../src/analysis/bifurcation/tree.js";

/*
 * The decision tree by following modes up in σ (the route of `bifurcations` in high D and for many points), against
 * branchings located independently: test/fixtures/bifurcation.json (numpy/scipy brute-force mode counts, refined
 * there), the pitchfork of two equal deltas at σ = d/2 in any dimension, and the tree's own invariants.
 */

interface FixtureEvent {
  sigma: number;
  method: string;
  modesAbove: number;
  modesBelow: number;
}
const fixture = JSON.parse(readFileSync(new URL("./fixtures/bifurcation.json", import.meta.url), "utf8")) as Record<
  string,
  { points: number[][]; weights: number[]; events: FixtureEvent[] }
>;
const grid = (a: number, b: number, n = 40) => ascending(logSigmas(n + 1, a, b));

describe("followModes: merges of the modes the data points flow to", () => {
  for (const name of ["two-deltas", "two-deltas-weighted", "four-points-1d", "four-deltas"]) {
    it(`${name}: every merge's bracket holds the fixture's branching σ (rtol 1e-3), kind and counts as the fixture`, () => {
      const c = fixture[name];
      const model = deltas(fromRows(c.points), { weights: c.weights });
      const f = followModes(model, model.structure!.type === "mixture" ? model.structure!.means.data : new Float64Array(), grid(0.3, 3), { rtol: 1e-3 });
      // the fixture's events where modes merge going up (all of these cases)
      const events = c.events.filter((e) => e.modesBelow > e.modesAbove);
      const merges = f.merges.length;
      expect(merges).toBe(events.reduce((s, e) => s + e.modesBelow - e.modesAbove, 0));
      for (const e of events) {
        const at = f.merges.filter((m) => m.low <= e.sigma * (1 + 1e-12) && m.high >= e.sigma * (1 - 1e-12));
        expect(at.length, `${name}: a bracket around σ = ${e.sigma}`).toBe(e.modesBelow - e.modesAbove);
        for (const m of at) {
          expect(m.high / m.low - 1).toBeLessThanOrEqual(1e-3 * (1 + 1e-12));
          // σ is the bracket's geometric middle: within half the bracket (in log σ) of the true branching
          expect(m.sigma).toBe(Math.sqrt(m.low * m.high));
          expect(Math.abs(Math.log(m.sigma / e.sigma))).toBeLessThanOrEqual(0.5 * Math.log(m.high / m.low) * (1 + 1e-9));
          // equal deltas split symmetrically (the fixture's 'centre' events); unequal ones in a saddle-node
          expect(m.kind).toBe(e.method === "centre" ? "pitchfork" : "saddle-node");
        }
      }
      expect(f.tree.members).toEqual(c.points.map((_, i) => i));
    });
  }

  it("two equal deltas at distance 2 in D = 8: one pitchfork at σ = 1 (±rtol), through bifurcationReport's followed route", () => {
    const a = new Array(8).fill(0);
    const b = new Array(8).fill(0);
    a[3] = 0.5;
    b[3] = -0.5;
    a[5] = Math.sqrt(3) / 2;
    b[5] = -Math.sqrt(3) / 2;
    const model = deltas(fromRows([a, b]));
    const r = bifurcationReport(model, 0.2, 10, 30);
    expect(r.method).toBe("modes followed up in σ");
    expect(r.branchings).toHaveLength(1);
    const [lo, hi] = r.branchings[0].bracket!;
    expect(lo).toBeLessThanOrEqual(1);
    expect(hi).toBeGreaterThanOrEqual(1);
    expect(hi / lo - 1).toBeLessThanOrEqual(0.02 * (1 + 1e-12));
    expect(r.branchings[0]).toMatchObject({ kind: "pitchfork", modesAbove: 1, modesBelow: 2 });
    expect(r.tree!.sigma).toBe(r.branchings[0].sigma);
    expect(r.search!.complete).toBe(false);
    expect(r.search!.starts).toBe(2);
    expect(r.modeCounts!.counts[0]).toBe(2);
    expect(r.modeCounts!.counts[r.modeCounts!.counts.length - 1]).toBe(1);
  });

  it("clusters in D = 6: the tree is nested (children partition their parent, split σ's descend), merges = leaves − 1, counts fall", () => {
    // three clusters of 12 points (spread 0.3) at the corners of a triangle of side 6; one more far point
    const rows: number[][] = [];
    const centres = [[0, 0], [6, 0], [3, 5.2]];
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31 - 0.5) * 0.6;
    for (const c of centres) for (let i = 0; i < 12; i++) rows.push([c[0] + rand(), c[1] + rand(), rand(), rand(), rand(), rand()]);
    rows.push([20, 20, 0, 0, 0, 0]);
    const model = deltas(fromRows(rows));
    const f = followModes(model, fromRows(rows).data, grid(0.02, 60, 50));
    const leaves = f.modeCounts[0];
    expect(leaves).toBe(37);
    expect(f.merges).toHaveLength(leaves - 1);
    for (let k = 1; k < f.modeCounts.length; k++) expect(f.modeCounts[k]).toBeLessThanOrEqual(f.modeCounts[k - 1]);
    const check = (node: TreeNode, above: number) => {
      if (node.sigma !== null) expect(node.sigma).toBeLessThanOrEqual(above);
      if (node.children.length === 0) return;
      expect(node.children.flatMap((c) => c.members).sort((x, y) => x - y)).toEqual(node.members);
      for (const c of node.children) check(c, node.sigma ?? Infinity);
    };
    check(f.tree, Infinity);
    // the far point splits off last going down (first going up: it joins at the largest σ)
    const top = f.tree.children.map((c) => c.members.length).sort((x, y) => x - y);
    expect(top).toEqual([1, 36]);
    // each cluster is a subtree
    const groups = (node: TreeNode): number[][] => [node.members, ...node.children.flatMap(groups)];
    const all = groups(f.tree).map((g) => g.join(","));
    for (let c = 0; c < 3; c++) expect(all).toContain(Array.from({ length: 12 }, (_, i) => 12 * c + i).join(","));
  });
});
