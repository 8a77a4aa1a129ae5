import { describe, expect, it } from "vitest";
import { conditionalEntropy, cosineSurvival, discreteDataset, edsAlphas, entropyRateAlpha, lawDistances, samplerLaw, subsetEntropies, uniformAlphas } from "../src/analysis/discrete/index.js";
import { createRng } from "../src/numeric/rng.js";

const tiny = discreteDataset(2, [[0, 0, 0], [0, 0, 0], [1, 1, 0], [1, 1, 1], [0, 1, 1], [1, 0, 1], [0, 0, 1]]);
const H = (p: number[]) => -p.reduce((s, x) => s + (x > 0 ? x * Math.log(x) : 0), 0);
/** The V^L states of the tiny set as token arrays, with their probabilities (position d = digit d). */
const states = [...tiny.p].map((pr, j) => ({ x: [j & 1, (j >> 1) & 1, (j >> 2) & 1], pr }));

/** Brute force: every x_t ∈ {0,1,M}^3 with q(x_t|x₀), Bayes, entropy of p(x₀|x_t) and its marginals. */
function bruteForce(alpha: number) {
  let hc = 0;
  let hmasked = 0;
  for (let c = 0; c < 27; c++) {
    const xt = [c % 3, Math.floor(c / 3) % 3, Math.floor(c / 9)];
    const joint = states.map(({ x, pr }) => pr * xt.reduce((q, v, d) => q * (v === 2 ? 1 - alpha : v === x[d] ? alpha : 0), 1));
    const pt = joint.reduce((a, b) => a + b, 0);
    if (pt === 0) continue;
    const post = joint.map((j) => j / pt);
    hc += pt * H(post);
    for (let d = 0; d < 3; d++) {
      if (xt[d] !== 2) continue;
      const m1 = post.reduce((s, w, k) => s + (states[k].x[d] === 1 ? w : 0), 0);
      hmasked += pt * H([m1, 1 - m1]);
    }
  }
  return { hc, hmasked };
}

describe("masked diffusion, exact (THEORY.md §9.5)", () => {
  const hs = subsetEntropies(tiny);
  it("H(x₀|x_t) by the subset sum equals brute-force Bayes over all x_t", () => {
    for (const a of [0, 0.2, 0.5, 0.9, 1]) expect(conditionalEntropy(hs, a)).toBeCloseTo(bruteForce(a).hc, 12); // rounding only
  });
  it("the rate dH/dα is −(1−α)⁻¹ E Σ_masked H(p(x₀^d|x_t)) (brute force) and a finite difference of H", () => {
    for (const a of [0.1, 0.5, 0.8]) {
      expect(entropyRateAlpha(hs, a)).toBeCloseTo(-bruteForce(a).hmasked / (1 - a), 11);
      const h = 1e-5; // central difference, error O(h²) ≈ 1e-10
      expect(entropyRateAlpha(hs, a)).toBeCloseTo((conditionalEntropy(hs, a + h) - conditionalEntropy(hs, a - h)) / (2 * h), 8);
    }
  });
  it("∫₀¹ rate dt = H(x₀) (cosine survival, Simpson on 2000 panels)", () => {
    const n = 2000; // Simpson error ∝ n⁻⁴: ≪ 1e-9 for this polynomial-in-cos integrand
    let s = 0;
    for (let i = 0; i <= n; i++) {
      const t = i / n;
      const f = entropyRateAlpha(hs, cosineSurvival.alpha(t)) * cosineSurvival.dalpha(t);
      s += f * (i === 0 || i === n ? 1 : i % 2 ? 4 : 2);
    }
    expect(s / (3 * n)).toBeCloseTo(hs[7], 9);
  });
  it("EDS steps reveal H(x₀)/n each", () => {
    const al = edsAlphas(hs, 4);
    for (let k = 0; k <= 4; k++) expect(conditionalEntropy(hs, al[k])).toBeCloseTo(hs[7] * (1 - k / 4), 10);
  });
  it("one step from all masked gives the product of marginals: KL = total correlation", () => {
    const q = samplerLaw(tiny, [0, 1]);
    const tc = [1, 2, 4].reduce((s, b) => s + hs[b], 0) - hs[7];
    expect(lawDistances(tiny.p, q).kl).toBeCloseTo(tc, 12);
  });
  it("many steps drive KL → 0", () => {
    const k8 = lawDistances(tiny.p, samplerLaw(tiny, uniformAlphas(8))).kl;
    const k400 = lawDistances(tiny.p, samplerLaw(tiny, uniformAlphas(400))).kl;
    expect(k400).toBeLessThan(k8 / 20);
    expect(k400).toBeLessThan(1e-3);
  });
  it("the exact sampler law matches a seeded Monte Carlo of the sampler within 4 SE", () => {
    const alphas = [0, 0.3, 0.7, 1];
    const law = samplerLaw(tiny, alphas);
    const rng = createRng(7);
    const n = 40000;
    const counts = new Float64Array(8);
    for (let r = 0; r < n; r++) {
      const xt = [2, 2, 2];
      for (let i = 0; i < 3; i++) {
        const prob = i === 2 ? 1 : (alphas[i + 1] - alphas[i]) / (1 - alphas[i]);
        const post = states.map(({ x, pr }) => (x.every((v, d) => xt[d] === 2 || xt[d] === v) ? pr : 0));
        const z = post.reduce((a, b) => a + b, 0);
        const m1 = [0, 1, 2].map((d) => post.reduce((s, w, k) => s + (states[k].x[d] === 1 ? w : 0), 0) / z);
        for (let d = 0; d < 3; d++) if (xt[d] === 2 && rng.uniform() < prob) xt[d] = rng.uniform() < m1[d] ? 1 : 0;
      }
      counts[xt[0] + 2 * xt[1] + 4 * xt[2]]++;
    }
    for (let j = 0; j < 8; j++) {
      const f = counts[j] / n;
      expect(Math.abs(f - law[j])).toBeLessThan(4 * Math.sqrt((law[j] * (1 - law[j])) / n) + 1e-12);
    }
  });
  it("refuses tokens ≥ V, non-integers and V^L > 2^20, naming the field", () => {
    expect(() => discreteDataset(2, [[0, 2]])).toThrow(/sequences\[0\]\[1\]: token 2/);
    expect(() => discreteDataset(2, [[0, 0.5]])).toThrow(/sequences\[0\]\[1\]: '0.5' is not an integer/);
    expect(() => discreteDataset(2, [new Array(21).fill(0)])).toThrow(/2\^20/);
  });
});
