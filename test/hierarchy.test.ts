import { readFileSync } from "node:fs";
import { compile } from "vega-lite";
import { describe, expect, it } from "vitest";
import { classHierarchy, decisionLevels } from "../src/analysis/info/hierarchy.js";
import { loadModel } from "../src/cli/files.js";
import { InfodynError } from "../src/errors.js";
import { parseModel } from "../src/models/parse.js";
import { decisionLevelsFigure } from "../src/report/figures/hierarchy.js";
import { expectClose } from "./helpers.js";

// Fixtures from scipy (test/fixtures/make_hierarchy.py): scipy's linkage on class centres replicated by their counts,
// and H(G|x_σ) of the hand-made model's levels by 2-D quadrature.
const FIX = JSON.parse(readFileSync(new URL("./fixtures/hierarchy.json", import.meta.url), "utf8"));
const Q = FIX.quadrature as { levels: number[][][]; sigma: number[]; groupEntropy: number[][]; levelPeak: number[]; splitPeak: number[] };

// Two obvious super-groups: A = {0, 1} (prior 0.9) around x = −4 and B = {2, 3} (prior 0.1) around x = +4, 8 apart;
// inside A the classes are 1.5 apart, inside B 0.3 apart; narrow components (variance 0.0025).
const HAND = FIX.hand as { weights: number[]; means: number[][]; variance: number };
const model = parseModel({ kind: "gmm", components: HAND.weights.map((weight, c) => ({ weight, mean: HAND.means[c], variance: HAND.variance, label: "abcd"[c] })) });

describe("classHierarchy: Ward merging of the class centres", () => {
  it("joins the close pair of the light super-group first, then the other pair, then the super-groups", () => {
    const h = classHierarchy(model);
    expect(h.levels).toEqual([[[0], [1], [2], [3]], [[0], [1], [2, 3]], [[0, 1], [2, 3]], [[0, 1, 2, 3]]]);
    // Ward's Δ = π_A π_B/(π_A + π_B) ‖μ_A − μ_B‖² by hand: B (0.05·0.05/0.1 · 0.3²), A (0.45·0.45/0.9 · 1.5²),
    // the super-groups (0.9·0.1 · 8²); rtol 1e-12: a few roundings of sums of squares
    [0.00225, 0.50625, 5.76].forEach((want, k) => expectClose(h.merges[k].cost, want, { rtol: 1e-12 }, `merge ${k}`));
    expect(h.merges.map((m) => m.groups)).toEqual([[[2], [3]], [[0], [1]], [[0, 1], [2, 3]]]);
  });

  it("matches scipy's ward and average linkage on a random 7-class labelled dataset (levels, and heights to 1e-12)", () => {
    const R = FIX.random;
    const data = parseModel({ kind: "deltas", points: R.points, labels: R.labels });
    for (const linkage of ["ward", "average"] as const) {
      const h = classHierarchy(data, { linkage });
      expect(h.levels, linkage).toEqual(R[linkage].levels);
      // scipy's Ward height is √(2 n_A n_B/(n_A+n_B)) ‖c_A − c_B‖ with counts n = N π, so Δ = height²/(2N);
      // its average height is ours. rtol 1e-12: scipy's Lance–Williams updates round differently from our sums.
      R[linkage].heights.forEach((hgt: number, k: number) =>
        expectClose(h.merges[k].cost, linkage === "ward" ? (hgt * hgt) / (2 * R.N) : hgt, { rtol: 1e-12 }, `${linkage} merge ${k}`),
      );
    }
  });

  it("gives scipy's Ward tree of the scikit-learn digits' class centres", () => {
    const loaded = loadModel("examples/digits.json");
    if (loaded.type !== "exact") throw new Error("digits: expected an exact model");
    const h = classHierarchy(loaded.model);
    expect(h.levels).toEqual(FIX.digits.ward.levels);
    // rtol 1e-9: 64-dimensional centres of ~180 images each, summed in different orders
    FIX.digits.ward.heights.forEach((hgt: number, k: number) => expectClose(h.merges[k].cost, (hgt * hgt) / (2 * FIX.digits.N), { rtol: 1e-9 }, `merge ${k}`));
  });
});

describe("decisionLevels: when each level of the hierarchy is decided (THEORY.md §9.3)", () => {
  // every 12th level of the quadrature's log-σ grid (0.02 … 40): 27 levels, ratio e^{12·0.0238} ≈ 1.33
  const every = (i: number) => i % 12 === 0;
  const sigmas = Q.sigma.filter((_, i) => every(i));
  const quad = Q.groupEntropy.map((h) => h.filter((_, i) => every(i)));
  const d = decisionLevels(model, sigmas, { samples: 4000, seed: 5 });

  it("runs every non-trivial level at once, finest first, aligned with the hierarchy", () => {
    expect(d.levels.map((l) => l.partition)).toEqual(Q.levels);
    expect(d.profile.partitions.map((p) => p.groups)).toEqual(Q.levels);
  });

  it("the chain rule H(c|x) = H(G|x) + H(c|G,x) holds per level on the same draws, to rounding", () => {
    d.levels.forEach((l, k) =>
      sigmas.forEach((s, i) => expectClose(l.groupEntropy[i].value + l.withinEntropy[i].value, d.profile.classEntropy[i].value, { atol: 1e-12 }, `level ${k}, σ = ${s}`)),
    );
  });

  it("H(G|x_σ) of every level matches the 2-D quadrature within 4 SE where it exceeds 5e-3 nats, and below 1e-2 where the quadrature is below it", () => {
    // Below ~5e-3 nats a level is all but decided: its entropy comes from undecided states that few of the 4000 draws
    // (400 in the light super-group) visit, so the sample SE is no bound there (at σ = 0.15 the quadrature gives
    // 3.1e-6, the draws 2.4e-7; at σ = 0.02, 7.7e-4 and 1.2e-3). + 1e-9: the quadrature's own error (~1e-12).
    d.levels.forEach((l, k) =>
      sigmas.forEach((s, i) => {
        const e = l.groupEntropy[i];
        if (quad[k][i] > 5e-3) expectClose(e.value, quad[k][i], { atol: 4 * e.standardError + 1e-9 }, `level ${k}, σ = ${s}`);
        else expect(e.value, `level ${k}, σ = ${s}`).toBeLessThan(1e-2), expect(e.value).toBeGreaterThanOrEqual(0);
      }),
    );
  });

  it("the level and split rates match the quadrature's dH/dσ within 5 SE where σ·rate exceeds 5e-3 (the regime above)", () => {
    // dH/dσ = (H(σe^δ) − H(σe^−δ))/(2δσ) on the quadrature's grid (δ = 0.0238): relative error ~δ²/6 · |H‴/H′| ≲ 1e-3.
    // 5 SE, not 4: a rate's per-draw terms ‖m_G − m‖²/σ³ are skewed (a few undecided draws carry the mean, 400 in the
    // light super-group), so its sample SE is itself noisy; seed 6 gives a 4.3-SE deviation in 40-odd comparisons.
    const u = Q.sigma.map(Math.log);
    const dH = (h: number[], j: number) => (h[j + 1] - h[j - 1]) / ((u[j + 1] - u[j - 1]) * Q.sigma[j]);
    let compared = 0;
    sigmas.forEach((s, i) => {
      const j = 12 * i;
      if (j === 0 || j === Q.sigma.length - 1) return;
      d.levels.forEach((l, k) => {
        const level = dH(Q.groupEntropy[k], j);
        const split = level - (k + 1 < d.levels.length ? dH(Q.groupEntropy[k + 1], j) : 0);
        for (const [got, want, what] of [[l.groupRate[i], level, "level"], [l.split.rate[i], split, "split"]] as const)
          if (s * want > 5e-3) expectClose(got.value, want, { atol: 5 * got.standardError, rtol: 1e-3 }, `${what} ${k}, σ = ${s}`), compared++;
      });
    });
    expect(compared).toBeGreaterThan(30);
  });

  it("each split's rate dH(G_k|G_{k+1},x)/dσ is non-negative (the law of total variance, draw by draw)", () => {
    for (const l of d.levels) for (const r of l.split.rate) expect(r.value).toBeGreaterThanOrEqual(-1e-12);
  });

  it("coarser splits are decided at larger σ, with disjoint brackets that hold the quadrature's peaks", () => {
    const splits = d.levels.map((l) => l.split.decision!);
    splits.forEach((p, k) => {
      expect(p.low, `split ${k}`).toBeLessThanOrEqual(Q.splitPeak[k]);
      expect(p.high, `split ${k}`).toBeGreaterThanOrEqual(Q.splitPeak[k]);
      if (k > 0) expect(p.low, `split ${k} above split ${k - 1}`).toBeGreaterThan(splits[k - 1].high);
    });
  });

  it("coarser levels are decided at larger σ: the super-groups above every finer level, none below a finer one", () => {
    const lv = d.levels.map((l) => l.decision!);
    lv.forEach((p, k) => {
      expect(p.low, `level ${k}`).toBeLessThanOrEqual(Q.levelPeak[k]);
      expect(p.high, `level ${k}`).toBeGreaterThanOrEqual(Q.levelPeak[k]);
      if (k > 0) expect(p.high, `level ${k} not below level ${k - 1}`).toBeGreaterThanOrEqual(lv[k - 1].sigma);
    });
    const top = lv.at(-1)!;
    for (const p of lv.slice(0, -1)) expect(top.low).toBeGreaterThan(p.high);
  });

  it("at high noise the group information is Ward's between-group variance over 2σ²: 2σ² I(G; x_σ) → Σ of the coarser merges' costs", () => {
    // largest quadrature σ ≈ 38: the O(σ⁻²) correction relative to the leading term is ~ (spread 8)²/σ² ≈ 4 %; rtol 0.1
    const h = classHierarchy(model);
    const last = Q.sigma.length - 1;
    const s = Q.sigma[last];
    const prior = (g: number[]) => g.reduce((a, c) => a + HAND.weights[c], 0);
    Q.levels.forEach((groups, k) => {
      const HG = -groups.reduce((a, g) => a + prior(g) * Math.log(prior(g)), 0);
      const between = h.merges.slice(k).reduce((a, m) => a + m.cost, 0);
      expectClose(2 * s * s * (HG - Q.groupEntropy[k][last]), between, { rtol: 0.1 }, `level ${k}`);
    });
  });
});

describe("decisionLevelsFigure", () => {
  it("draws σ·dH(G|x_σ)/dσ per level with ±2 SE bands and marks each level's peak at the maximum of its curve", () => {
    const d = decisionLevels(model, [0.05, 0.1, 0.2, 0.4, 0.8, 1.6, 3.2, 6.4], { samples: 640, seed: 1 });
    const spec = decisionLevelsFigure(d, (c) => "abcd"[c])!;
    expect(() => compile(spec as never)).not.toThrow();
    const layers = spec.layer as { data: { values: { sigma: number; series: string; value: number; lo?: number; hi?: number; low?: number; high?: number }[] }; mark: unknown }[];
    const rows = layers[1].data.values;
    const peaks = layers[3].data.values;
    expect(new Set(rows.map((r) => r.series))).toEqual(new Set(["4 groups: {c}|{d}", "3 groups: {a}|{b}", "2 groups: {a,b}|{c,d}"]));
    expect(peaks).toHaveLength(3);
    for (const p of peaks) {
      const curve = rows.filter((r) => r.series === p.series);
      // the marked point is the curve's grid maximum (the value σ·rate at that σ), with its band ±2 SE around it
      expect(p.value).toBe(Math.max(...curve.map((r) => r.value)));
      expect(curve.find((r) => r.sigma === p.sigma)!.value).toBe(p.value);
      for (const r of curve) expect(r.hi! - r.lo!).toBeGreaterThan(0);
    }
  });
});

describe("bad input: one InfodynError naming the option", () => {
  const refuses = (f: () => unknown, re: RegExp) => {
    expect(f).toThrow(InfodynError);
    expect(f).toThrow(re);
  };
  it("refuses an unknown linkage, too few σ levels or samples, and an unlabelled model", () => {
    refuses(() => classHierarchy(model, { linkage: "single" as never }), /^linkage: must be one of ward, average \(got "single"\)$/);
    refuses(() => decisionLevels(model, [1], {}), /^sigmas: need at least 2 noise levels/);
    refuses(() => decisionLevels(model, [1, 2], { samples: 1 }), /^samples: /);
    refuses(() => decisionLevels(model, [2, 1], {}), /^sigmas: must be ascending/);
    refuses(() => classHierarchy(parseModel({ kind: "gaussian", mean: [0], cov: [[1]] })), /^model: a class hierarchy needs a labelled mixture/);
  });
});
