import { describe, expect, it } from "vitest";
import { correlationLength1d, criticalSigma, homogeneousSpectrum, makeLattice, patchCovariance, patchDenoise, type PatchData } from "../src/analysis/spatial/index.js";
import { createRng } from "../src/numeric/rng.js";

// Seeded toy training set: N images on a periodic 1-D lattice of L sites.
function toy(L: number, r: number, N: number, local: boolean, seed = 3): PatchData {
  const rng = createRng(seed);
  const data = Float64Array.from({ length: N * L }, () => rng.normal());
  return { data, N, lattice: makeLattice([L], r), local };
}

// ∂m_u/∂x_j by central differences of patchDenoise (h = 1e-5: truncation O(h²) ≈ 1e-10, rounding ≈ 1e-11/h).
function jacobianFD(pd: PatchData, x: Float64Array, sigma: number): Float64Array[] {
  const L = pd.lattice.size;
  const cols: Float64Array[] = [];
  const h = 1e-5;
  for (let j = 0; j < L; j++) {
    const xp = Float64Array.from(x), xm = Float64Array.from(x);
    xp[j] += h;
    xm[j] -= h;
    const mp = patchDenoise(pd, xp, sigma), mm = patchDenoise(pd, xm, sigma);
    cols.push(Float64Array.from(mp, (v, u) => (v - mm[u]) / (2 * h)));
  }
  return cols; // cols[j][u] = ∂m_u/∂x_j
}

describe("patch score models (THEORY.md §9.4)", () => {
  for (const local of [false, true]) {
    it(`${local ? "LS" : "ELS"}: ∂m_u/∂x_{u+δ} = Cov_w[y(v), y(v+δ)]/σ² inside the patch and 0 outside (finite differences)`, () => {
      const pd = toy(7, 1, 5, local);
      const rng = createRng(9);
      const x = Float64Array.from({ length: 7 }, () => rng.normal());
      const sigma = 0.9;
      const J = jacobianFD(pd, x, sigma);
      for (let u = 0; u < 7; u++) {
        const C = patchCovariance(pd, x, u, sigma);
        pd.lattice.deltas.forEach(([d], p) => expect(Math.abs(J[(u + d + 7) % 7][u] - C[p] / sigma ** 2)).toBeLessThan(1e-7));
        for (const j of [(u + 3) % 7, (u + 4) % 7]) expect(Math.abs(J[j][u])).toBeLessThan(1e-9);
      }
    });
  }

  it("LS with the whole lattice as patch is the non-local empirical denoiser (softmax over images, written here)", () => {
    const L = 5, N = 6, sigma = 1.3;
    const pd = toy(L, 2, N, true);
    const x = Float64Array.of(0.3, -1, 0.5, 2, -0.2);
    const logits = Array.from({ length: N }, (_, n) => -pd.data.subarray(n * L, n * L + L).reduce((s, y, i) => s + (x[i] - y) ** 2, 0) / (2 * sigma ** 2));
    const top = Math.max(...logits);
    const e = logits.map((l) => Math.exp(l - top));
    const Z = e.reduce((a, b) => a + b, 0);
    const m = patchDenoise(pd, x, sigma);
    for (let u = 0; u < L; u++) expect(Math.abs(m[u] - e.reduce((s, w, n) => s + (w / Z) * pd.data[n * L + u], 0))).toBeLessThan(1e-14);
  });

  it("ELS at the homogeneous state: Re Ĝ(k) equals the eigenvalues of the finite-difference Jacobian (a circulant)", () => {
    const L = 8, sigma = 1.1;
    const pd = toy(L, 1, 4, false);
    const { c, reG } = homogeneousSpectrum(pd, sigma);
    const x = new Float64Array(L).fill(c);
    expect(Math.abs(patchDenoise(pd, x, sigma)[0] - c)).toBeLessThan(1e-10); // c* is a fixed point
    const J = jacobianFD(pd, x, sigma);
    // circulant: eigenvalue at k = Σ_j G_{0,j} e^{ikj}; its real part
    for (let k = 0; k < L; k++) {
      let re = 0;
      for (let j = 0; j < L; j++) re += J[j][0] * Math.cos((2 * Math.PI * k * j) / L);
      expect(Math.abs(re - reG[k])).toBeLessThan(1e-7);
    }
  });

  it("σ_c with the whole lattice as patch on ±-symmetric equal-norm images is √λ_max of the shift-augmented covariance (§5's limit)", () => {
    // Images with entries ±1 and their negatives: every patch has the same norm, so at c* = 0 the ELS weights are
    // uniform at every σ and max_k Ĝ = λ_max(C)/σ² exactly. λ_max here by power iteration on the dense 5×5
    // covariance of all cyclic shifts (an independent route from the DFT of the code).
    const L = 5;
    const base = [[1, 1, -1, 1, -1], [1, -1, -1, -1, 1], [1, 1, 1, -1, -1]];
    const imgs = base.flatMap((b) => [b, b.map((v) => -v)]);
    const pd: PatchData = { data: Float64Array.from(imgs.flat()), N: imgs.length, lattice: makeLattice([L], 2), local: false };
    const C = Array.from({ length: L }, () => new Float64Array(L));
    for (const y of imgs) for (let sft = 0; sft < L; sft++) for (let i = 0; i < L; i++) for (let j = 0; j < L; j++) C[i][j] += (y[(i + sft) % L] * y[(j + sft) % L]) / (imgs.length * L);
    let v = Float64Array.from({ length: L }, (_, i) => 1 + 0.1 * i * i);
    let lambda = 0;
    for (let it = 0; it < 2000; it++) {
      const w = Float64Array.from(C, (row) => row.reduce((acc, c, j) => acc + c * v[j], 0));
      lambda = Math.hypot(...w) / Math.hypot(...v);
      v = w.map((x) => x / lambda);
    }
    const r = criticalSigma(pd, { sigmaMin: 0.05, sigmaMax: 20 })!;
    expect(Math.abs(r.c)).toBeLessThan(1e-14);
    expect(Math.abs(r.sigmaC - Math.sqrt(lambda))).toBeLessThan(1e-8); // bisection to 1e-10 in log σ
  });

  it("ξ by the second moment: ±constant and ±cos(k₁u) fields give ξ = √(4b²/a² − 1)/(2 sin(π/L)) (worked by hand)", () => {
    const L = 12, a = 0.7, b = 1.9;
    const rows = [1, -1].flatMap((sgn) => [Array.from({ length: L }, () => sgn * b), Array.from({ length: L }, (_, u) => sgn * a * Math.cos((2 * Math.PI * u) / L))]);
    const { xi, S } = correlationLength1d(Float64Array.from(rows.flat()), 4, L);
    expect(Math.abs(S[0] - (b * b * L) / 2)).toBeLessThan(1e-12);
    expect(Math.abs(S[1] - (a * a * L) / 8)).toBeLessThan(1e-12);
    expect(Math.abs(xi - Math.sqrt((4 * b * b) / (a * a) - 1) / (2 * Math.sin(Math.PI / L)))).toBeLessThan(1e-12);
  });
});
