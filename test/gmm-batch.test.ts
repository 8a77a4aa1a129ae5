import { describe, it } from "vitest";
import { gmm } from "../src/models/gmm.js";
import { createRng } from "../src/numeric/rng.js";
import { expectClose } from "./helpers.js";

/** A seeded SPD matrix A Aᵀ/D + 0.1 I, row-major. */
function spd(D: number, seed: number): Float64Array {
  const rng = createRng(seed);
  const A = Float64Array.from({ length: D * D }, () => rng.normal());
  const S = new Float64Array(D * D);
  for (let i = 0; i < D; i++)
    for (let j = 0; j < D; j++) {
      let acc = 0;
      for (let k = 0; k < D; k++) acc += A[i * D + k] * A[j * D + k];
      S[i * D + j] = acc / D + (i === j ? 0.1 : 0);
    }
  return S;
}

/** Cholesky solve of (S + σ²I) u = b and log det, written here (independent of the eigendecomposition in src/). */
function gaussianClosedForm(S: Float64Array, D: number, s2: number) {
  const L = new Float64Array(D * D);
  for (let i = 0; i < D; i++)
    for (let j = 0; j <= i; j++) {
      let acc = S[i * D + j] + (i === j ? s2 : 0);
      for (let k = 0; k < j; k++) acc -= L[i * D + k] * L[j * D + k];
      L[i * D + j] = i === j ? Math.sqrt(acc) : acc / L[j * D + j];
    }
  let logDet = 0;
  for (let i = 0; i < D; i++) logDet += 2 * Math.log(L[i * D + i]);
  const solve = (b: Float64Array) => {
    const y = new Float64Array(D);
    for (let i = 0; i < D; i++) {
      let acc = b[i];
      for (let k = 0; k < i; k++) acc -= L[i * D + k] * y[k];
      y[i] = acc / L[i * D + i];
    }
    for (let i = D - 1; i >= 0; i--) {
      let acc = y[i];
      for (let k = i + 1; k < D; k++) acc -= L[k * D + i] * y[k];
      y[i] = acc / L[i * D + i];
    }
    return y;
  };
  return { logDet, solve };
}

describe("gmm posterior batched over rows (one projection per component and block)", () => {
  // 67 rows: one full block of 64 plus a remainder of 3 (not a multiple of the 4-row register block)
  const D = 24;
  const B = 67;
  const S = spd(D, 1);
  const mu = Float64Array.from({ length: D }, (_, i) => Math.sin(i));
  const rng = createRng(2);
  const x = { rows: B, dim: D, data: Float64Array.from({ length: B * D }, () => 2 * rng.normal()) };
  it("one component: m = μ + S(S + σ²I)⁻¹(x − μ) = x − σ²(S + σ²I)⁻¹(x − μ) and log N(x; μ, S + σ²I) by Cholesky, per-row σ too", () => {
    const model = gmm([{ weight: 1, mean: mu, cov: S }]);
    const sigmas = Float64Array.from({ length: B }, (_, i) => 0.3 + 0.05 * (i % 7));
    for (const sigma of [0.7, sigmas]) {
      const post = model.posterior(x, sigma, { logDensity: true });
      for (let i = 0; i < B; i++) {
        const s = typeof sigma === "number" ? sigma : sigma[i];
        const cf = gaussianClosedForm(S, D, s * s);
        const r = Float64Array.from({ length: D }, (_, a) => x.data[i * D + a] - mu[a]);
        const u = cf.solve(r);
        let quad = 0;
        for (let a = 0; a < D; a++) quad += r[a] * u[a];
        // both routes are backward stable; κ(S + σ²I) ≤ ~60 here, so 1e-12 relative (of |x| for the mean) holds
        expectClose(post.logDensity![i], -0.5 * (D * Math.log(2 * Math.PI) + cf.logDet + quad), { rtol: 1e-12 }, `log p row ${i}`);
        for (let a = 0; a < D; a++)
          expectClose(post.mean.data[i * D + a], x.data[i * D + a] - s * s * u[a], { rtol: 0, atol: 1e-12 * (1 + Math.abs(x.data[i * D + a])) }, `m row ${i}[${a}]`);
      }
    }
  });
  it("two components: responsibilities, m and Tr C equal the row-by-row route of the components (the old kernel)", () => {
    const model = gmm([
      { weight: 0.6, mean: mu, cov: S },
      { weight: 0.4, mean: mu.map((v) => -v), cov: spd(D, 3) },
    ]);
    const sigma = 1.1;
    const post = model.posterior(x, sigma, { logDensity: true });
    const [c0, c1] = model.components;
    const m0 = new Float64Array(D);
    const m1 = new Float64Array(D);
    for (let i = 0; i < B; i++) {
      const l0 = Math.log(0.6) + c0.logDensity(x.data, i * D, sigma);
      const l1 = Math.log(0.4) + c1.logDensity(x.data, i * D, sigma);
      const top = Math.max(l0, l1);
      const logZ = top + Math.log(Math.exp(l0 - top) + Math.exp(l1 - top));
      const p0 = Math.exp(l0 - logZ);
      const p1 = Math.exp(l1 - logZ);
      c0.posteriorMean(x.data, i * D, sigma, m0, 0);
      c1.posteriorMean(x.data, i * D, sigma, m1, 0);
      let between = 0;
      for (let a = 0; a < D; a++) {
        const m = p0 * m0[a] + p1 * m1[a];
        // same sums in the same order, up to the log-det summed apart: 1e-13
        expectClose(post.mean.data[i * D + a], m, { rtol: 1e-13, atol: 1e-13 }, `m row ${i}[${a}]`);
        between += p0 * (m0[a] - m) ** 2 + p1 * (m1[a] - m) ** 2;
      }
      expectClose(post.logDensity![i], logZ, { rtol: 1e-13 }, `log p row ${i}`);
      expectClose(post.traceCov[i], p0 * c0.traceCov(sigma) + p1 * c1.traceCov(sigma) + between, { rtol: 1e-12 }, `Tr C row ${i}`);
      expectClose(model.logDensity(x, sigma)[i], logZ, { rtol: 1e-13 }, `logDensity row ${i}`);
    }
  });
});
