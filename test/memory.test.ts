import { describe, expect, it } from "vitest";
import { circlePoints, findAttractors, sampleCount } from "../src/analysis/memory/index.js";

// Oracle (THEORY.md §9.6, written independently here): 3 points on the unit circle, centroid stable iff σ² > ½.
describe("3 points on the unit circle", () => {
  const set = circlePoints(3);
  it("σ² = 0.45: centroid not a stable attractor, three memories", () => {
    const a = findAttractors(set, Math.sqrt(0.45), { starts: 200, seed: 1 });
    expect(a.some((p) => Math.hypot(...p.x) < 1e-6)).toBe(false);
    expect(a.length).toBe(3);
  });
  // m(a, 0) − a along the ray through the vertex (1, 0), written here from the softmax of §9.6: by symmetry a
  // vertex attractor sits on this ray, so positive roots exist iff the vertex attractors do (they vanish near σ ≈ 0.737).
  const ray = (a: number, s2: number) => {
    const ys = [[1, 0], [-0.5, Math.sqrt(3) / 2], [-0.5, -Math.sqrt(3) / 2]];
    const logits = ys.map(([u]) => (a * u - 0.5) / s2);
    const top = Math.max(...logits);
    const e = logits.map((l) => Math.exp(l - top));
    return e.reduce((acc, w, j) => acc + w * ys[j][0], 0) / e.reduce((x, y) => x + y, 0) - a;
  };
  const positiveRoots = (s2: number) => {
    let n = 0;
    for (let i = 1; i < 4000; i++) if (Math.sign(ray(i / 2000, s2)) !== Math.sign(ray((i + 1) / 2000, s2))) n++;
    return n;
  };
  it("σ² = 0.53 (inside (½, 0.737²)): the centroid is stable with λ/σ² = 1/(2σ²), 1/Y = 3 (spurious), beside three memories", () => {
    expect(positiveRoots(0.53)).toBe(2); // the vertex attractor and the saddle between it and the centroid
    const a = findAttractors(set, Math.sqrt(0.53), { starts: 400, seed: 2 });
    const c = a.find((p) => Math.hypot(...p.x) < 1e-9)!;
    expect(c.stabilityRatio).toBeCloseTo(1 / 1.06, 12); // C(0) = I/2 exactly
    expect(c.inverseParticipation).toBeCloseTo(3, 12);
    expect(c.cls).toBe("spurious");
    expect(a.length).toBe(4);
  });
  it("σ² = 0.55 (past the vertices' fold): the centroid is the only attractor", () => {
    expect(positiveRoots(0.55)).toBe(0);
    const a = findAttractors(set, Math.sqrt(0.55), { starts: 400, seed: 2 });
    expect(a.length).toBe(1);
    expect(a[0].stabilityRatio).toBeCloseTo(1 / 1.1, 12);
    expect(a[0].basin).toBeCloseTo(1, 12);
  });
});

describe("paper's sample count", () => {
  it("labels by d_train and d_gen", () => {
    const r = sampleCount(Float64Array.of(0, 0, 5, 5, 5.01, 5, 9, 9), 4, Float64Array.of(0, 0.01), 1, 0.03, 0.02, 2);
    expect(r.labels).toEqual(["memorized", "spurious", "spurious", "generalized"]);
  });
});
