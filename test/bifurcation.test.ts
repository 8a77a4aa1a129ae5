import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { branchings } from "../src/analysis/bifurcation/branchings.js";
import { criticalPoints } from "../src/analysis/bifurcation/critical-points.js";
import { criticalExponents, curieWeissOrderParameter } from "../src/analysis/bifurcation/curie-weiss.js";
import { bifurcationReport } from "../src/analysis/bifurcation/report.js";
import { type TreeNode, decisionTree } from "../src/analysis/bifurcation/tree.js";
import { fromRows } from "../src/batch.js";
import { bifurcationsJson } from "../src/cli/bifurcations.js";
import { modesJson } from "../src/cli/modes.js";
import { deltas } from "../src/models/deltas.js";
import type { DataModel } from "../src/models/types.js";
import { expectAllClose, expectClose } from "./helpers.js";

/** Written by test/fixtures/make_bifurcation.py (numpy/scipy brute-force mode counts, refined independently). */
interface FixtureEvent {
  sigma: number;
  method: string;
  location: number[];
  modesAbove: number;
  modesBelow: number;
  groupsAbove: number[][];
  groupsBelow: number[][];
}
interface FixtureCase {
  points: number[][];
  weights: number[];
  events: FixtureEvent[];
}
const fixture = JSON.parse(readFileSync(new URL("./fixtures/bifurcation.json", import.meta.url), "utf8")) as Record<string, FixtureCase> & {
  curieWeissWeighted: { field: number; x: number; sigma: number };
};
const model = (name: string): DataModel => deltas(fromRows(fixture[name].points), { weights: fixture[name].weights });

// Branching σ's are located by Brent / augmented Newton to ~1e-15; 1e-8 relative is the issue's requirement.
const SIGMA_TOL = { rtol: 1e-8 };

describe("critical points", () => {
  it("the triangle at σ = 0.3 has 3 maxima, 3 saddles and a minimum, and the Morse count closes", () => {
    const set = criticalPoints(model("triangle"), 0.3);
    expect(set.points.map((p) => p.kind)).toEqual(["max", "max", "max", "saddle", "saddle", "saddle", "min"]);
    expect(set.morseSum).toBe(1);
    expect(set.morseConsistent).toBe(true);
    expect(set.complete).toBe(false); // in 2-D the Morse count is necessary, not a proof
  });

  it("mode counts match the brute-force grid count on both sides of every branching", () => {
    for (const name of ["two-deltas", "two-deltas-weighted", "four-points-1d", "triangle", "four-deltas"]) {
      for (const e of fixture[name].events) {
        for (const [factor, want] of [[1 + 1e-3, e.modesAbove], [1 - 1e-3, e.modesBelow]] as const) {
          const set = criticalPoints(model(name), e.sigma * factor);
          expect(set.points.filter((p) => p.kind === "max").length, `${name} at σ = ${e.sigma * factor}`).toBe(want);
          // 1-D: proven complete (every fixed point bracketed); 2-D: the Morse count holds
          expect(model(name).dim === 1 ? set.complete : set.morseConsistent, `${name} Morse count at σ = ${e.sigma * factor}`).toBe(true);
        }
      }
    }
  });

  it("hessianEigenvalues equal the eigenvalues of a finite-difference Hessian of log p_σ", () => {
    const m = model("triangle");
    const sigma = 0.72;
    const h = 1e-4;
    const lp = (x: number[]) => m.logDensity(fromRows([x]), sigma)[0];
    for (const p of criticalPoints(m, sigma).points) {
      const [x, y] = p.x;
      const hxx = (lp([x + h, y]) - 2 * lp([x, y]) + lp([x - h, y])) / (h * h);
      const hyy = (lp([x, y + h]) - 2 * lp([x, y]) + lp([x, y - h])) / (h * h);
      const hxy = (lp([x + h, y + h]) - lp([x + h, y - h]) - lp([x - h, y + h]) + lp([x - h, y - h])) / (4 * h * h);
      const tr = hxx + hyy;
      const disc = Math.sqrt(((hxx - hyy) / 2) ** 2 + hxy * hxy);
      // central differences: O(h²) truncation and ε/h² ≈ 2e-8 round-off on values of order 1
      expectAllClose(p.hessianEigenvalues, [tr / 2 - disc, tr / 2 + disc], { atol: 1e-5 }, `${p.kind} at ${[x, y]}`);
    }
  });
});

describe("branchings", () => {
  it("two deltas ±1 give one pitchfork at σ = 1 to 1e-8", () => {
    const found = branchings(model("two-deltas"), 0.3, 3, { steps: 20 });
    expect(found.length).toBe(1);
    expect(found[0].kind).toBe("pitchfork");
    expect([found[0].modesAbove, found[0].modesBelow]).toEqual([1, 2]);
    expectClose(found[0].sigma, 1, SIGMA_TOL, "σ_c");
    expectClose(found[0].location[0], 0, { atol: 1e-5 }, "location");
  });

  it("weights 0.7 / 0.3 give one saddle-node well below 1, at the Curie–Weiss closed form", () => {
    const found = branchings(model("two-deltas-weighted"), 0.3, 3, { steps: 20 });
    expect(found.map((b) => b.kind)).toEqual(["saddle-node"]);
    expectClose(found[0].sigma, fixture.curieWeissWeighted.sigma, SIGMA_TOL, "σ_sn");
    // the fold point x = sqrt(1 − σ²) is where x = tanh(x/σ² + h) is tangent; located with σ to ~1e-8
    expectClose(found[0].location[0], fixture.curieWeissWeighted.x, { atol: 1e-6 }, "x_sn");
    expect(found[0].sigma).toBeLessThan(0.8);
  });

  it("every 1-D and 2-D example branches at the fixture's σ's, with its mode counts", () => {
    const kinds: Record<string, string> = { centre: "pitchfork", "saddle-node": "saddle-node" };
    for (const name of ["four-points-1d", "triangle", "four-deltas"]) {
      const found = branchings(model(name), 0.5, 1.5, { steps: 20 });
      const want = fixture[name].events;
      expect(found.length, name).toBe(want.length);
      found.forEach((b, i) => {
        expectClose(b.sigma, want[i].sigma, SIGMA_TOL, `${name} branching ${i}`);
        expect([b.modesAbove, b.modesBelow], `${name} branching ${i}`).toEqual([want[i].modesAbove, want[i].modesBelow]);
        // the triangle's centre loses stability as its three saddles pass through it: the count drops
        const kind = want[i].modesBelow < want[i].modesAbove && want[i].method === "centre" ? "transcritical" : kinds[want[i].method];
        expect(b.kind, `${name} branching ${i}`).toBe(kind);
      });
    }
  });

  it("four symmetric points split all at once at σ = 1/√2, 1 → 4 modes, located at the centre", () => {
    const [b] = branchings(model("four-deltas"), 0.5, 1.5, { steps: 20 });
    expectClose(b.sigma, Math.SQRT1_2, SIGMA_TOL, "σ_c = sqrt(λ_max(C(0)))");
    expectAllClose(b.location, [0, 0], { atol: 1e-5 }, "centre");
  });
});

describe("decision tree", () => {
  const sigmas = (n: TreeNode): number[] => (n.sigma === null ? [] : [n.sigma, ...n.children.flatMap(sigmas)]);
  const groupsAt = (n: TreeNode, sigma: number): number[][] =>
    n.sigma !== null && n.sigma > sigma ? n.children.flatMap((c) => groupsAt(c, sigma)) : [n.members];

  for (const name of ["four-points-1d", "triangle"]) {
    it(`${name}: internal nodes sit at the fixture's branchings and hold its hill-climbing groups`, () => {
      const m = model(name);
      const found = branchings(m, 0.5, 1.5, { steps: 20 });
      const tree = decisionTree(m, 0.5, 1.5, { steps: 20, branchings: found })!;
      const want = fixture[name].events.filter((e) => e.groupsAbove.length !== e.groupsBelow.length);
      expectAllClose(sigmas(tree).sort(), want.map((e) => e.sigma).sort(), SIGMA_TOL, "split σ's");
      for (const e of want) {
        const sort = (g: number[][]) => g.map((x) => [...x].sort()).sort((a, b) => a[0] - b[0]);
        expect(sort(groupsAt(tree, e.sigma * (1 + 1e-3)))).toEqual(sort(e.groupsAbove));
        expect(sort(groupsAt(tree, e.sigma * (1 - 1e-3)))).toEqual(sort(e.groupsBelow));
      }
    });
  }

  it("without located branchings the splits are found by bisection on the partition to ~1e-5", () => {
    const tree = decisionTree(model("four-points-1d"), 0.5, 1.5, { steps: 20 })!;
    // mean-shift crawls near a saddle-node (see decisionTree): tolerance from that bottleneck, measured 1e-5
    expectAllClose(sigmas(tree).sort(), fixture["four-points-1d"].events.map((e) => e.sigma).sort(), { rtol: 1e-4 }, "split σ's");
  });
});

describe("Curie–Weiss critical exponents", () => {
  it("the full model's ordered fixed point solves the projected equation x = a tanh(a x/σ² + h)", () => {
    // two deltas ±v with v = (1.2, −0.5), a = 1.3; the projection of the Newton fixed point onto v/a
    const pts = fromRows([[-1.2, 0.5], [1.2, -0.5]]);
    const sigma = 1.1;
    const set = criticalPoints(deltas(pts), sigma);
    const maxima = set.points.filter((p) => p.kind === "max");
    expect(maxima.length).toBe(2);
    const proj = Math.abs((maxima[0].x[0] * 1.2 - maxima[0].x[1] * 0.5) / 1.3);
    const want = curieWeissOrderParameter(1.3, sigma, 0);
    expectClose(proj, want, { rtol: 1e-12 }, "x*");
    expectClose(want, 1.3 * Math.tanh((1.3 * want) / (sigma * sigma)), { rtol: 1e-15 }, "self-consistency");
  });

  it("β = ½, γ = γ′ = 1, δ = 3 measured by log-log fits (reduced temperature 1e-6…1e-3, field 1e-9…1e-6)", () => {
    const e = criticalExponents(fromRows([[-1.2, 0.5], [1.2, -0.5]]));
    expectClose(e.sigmaC, 1.3, { rtol: 1e-15 }, "σ_c = a");
    // corrections to scaling are O(τ) ≤ 1e-3 over these ranges; the issue asks ±0.01
    expectClose(e.beta.value, 0.5, { atol: 0.01 }, "β");
    expectClose(e.gamma.value, 1, { atol: 0.01 }, "γ");
    expectClose(e.gammaBelow.value, 1, { atol: 0.01 }, "γ′");
    expectClose(e.delta.value, 3, { atol: 0.01 }, "δ");
    expect([e.beta.from, e.beta.to, e.delta.from, e.delta.to]).toEqual([1e-6, 1e-3, 1e-9, 1e-6]);
  });
});

describe("JSON contracts", () => {
  it("modes --json lists x, kind and hessianEigenvalues per critical point, and complete", () => {
    const out = modesJson(criticalPoints(model("two-deltas"), 0.5), "two-deltas.json");
    expect(out.sigma).toBe(0.5);
    expect(out.complete).toBe(true);
    const pts = out.criticalPoints as { x: number[]; kind: string; hessianEigenvalues: number[] }[];
    expect(pts.map((p) => p.kind)).toEqual(["max", "max", "min"]);
    expect(Object.keys(pts[0]).sort()).toEqual(["hessianEigenvalues", "kind", "x"]);
  });

  it("bifurcations --json gives ascending branchings with modesAbove/Below, the tree and, for two deltas, exponents", () => {
    const out = bifurcationsJson(bifurcationReport(model("two-deltas"), 0.3, 3, 20), "two-deltas.json");
    const b = out.branchings as { sigma: number; modesAbove: number; modesBelow: number; kind: string; location: number[] }[];
    expect(b.map((x) => [x.modesAbove, x.modesBelow, x.kind])).toEqual([[1, 2, "pitchfork"]]);
    const tree = out.tree as TreeNode;
    expect(tree.members).toEqual([0, 1]);
    expectClose(tree.sigma!, 1, SIGMA_TOL, "tree root σ");
    expect(Object.keys(out.criticalExponents as object)).toContain("beta");
    const four = bifurcationsJson(bifurcationReport(model("four-points-1d"), 0.5, 1.5, 20));
    const s = (four.branchings as { sigma: number }[]).map((x) => x.sigma);
    expect(s).toEqual([...s].sort((p, q) => p - q));
    expect(four.criticalExponents).toBeUndefined();
  });
});
