import { InfodynError } from "../../errors.js";
import { patchCovariance, patchDenoise, type PatchData } from "./denoiser.js";

/**
 * The homogeneous state c* = Σ_{n,v} w_{n,v}(c*) y_n(v) at x = c*·1 (THEORY.md §9.4), by fixed-point iteration from
 * the data mean (site-averaged m for LS). Stops at |Δc| ≤ tol.
 */
export function homogeneousState(pd: PatchData, sigma: number, tol = 1e-12, maxIter = 500): number {
  let c = 0;
  for (let i = 0; i < pd.data.length; i++) c += pd.data[i];
  c /= pd.data.length;
  const x = new Float64Array(pd.lattice.size);
  for (let it = 0; it < maxIter; it++) {
    x.fill(c);
    const m = patchDenoise(pd, x, sigma);
    let next = 0;
    for (let u = 0; u < m.length; u++) next += m[u];
    next /= m.length;
    if (Math.abs(next - c) <= tol * (1 + Math.abs(c))) return next;
    c = next;
  }
  return c;
}

/**
 * Re Ĝ(k;σ) = σ⁻² Σ_{δ∈P} C*(δ) cos(k·δ) for every k ∈ (2π/L)Z_L^d at x = c*1 (THEORY.md §9.4), k flattened in
 * lattice order. ELS: exact eigenvalues of the circulant G. LS: C*(δ) is the site average of C_u(δ) — the plane-wave
 * Rayleigh quotient μ(k; c*1), not an eigenvalue.
 */
export function homogeneousSpectrum(pd: PatchData, sigma: number): { c: number; reG: Float64Array } {
  const c = homogeneousState(pd, sigma);
  const { size, deltas, shape } = pd.lattice;
  const x = new Float64Array(size).fill(c);
  const C = new Float64Array(deltas.length);
  const sites = pd.local ? size : 1;
  for (let u = 0; u < sites; u++) {
    const cu = patchCovariance(pd, x, u, sigma);
    for (let p = 0; p < C.length; p++) C[p] += cu[p] / sites;
  }
  const H = shape.length === 2 ? shape[0] : 1;
  const W = shape[shape.length - 1];
  const reG = new Float64Array(size);
  for (let a = 0; a < H; a++)
    for (let b = 0; b < W; b++) {
      let s = 0;
      for (let p = 0; p < deltas.length; p++) {
        const d = deltas[p];
        const phase = (2 * Math.PI * a * (d.length === 2 ? d[0] : 0)) / H + (2 * Math.PI * b * d[d.length - 1]) / W;
        s += C[p] * Math.cos(phase);
      }
      reG[a * W + b] = s / (sigma * sigma);
    }
  return { c, reG };
}

/** max_k Re Ĝ(k;σ) and its k index. */
export function maxReG(pd: PatchData, sigma: number): { value: number; k: number; c: number } {
  const { c, reG } = homogeneousSpectrum(pd, sigma);
  let k = 0;
  for (let i = 1; i < reG.length; i++) if (reG[i] > reG[k]) k = i;
  return { value: reG[k], k, c };
}

/**
 * σ_c: the largest σ with max_k Re Ĝ(k;σ) = 1 (THEORY.md §9.4): scan a log grid downward from `sigmaMax` for the
 * first crossing from < 1 to ≥ 1, then bisect on log σ to relative width `tol`.
 */
export function criticalSigma(pd: PatchData, opts: { sigmaMin: number; sigmaMax: number; grid?: number; tol?: number }): { sigmaC: number; k: number; c: number } | null {
  const { sigmaMin, sigmaMax } = opts;
  if (!(sigmaMin > 0 && sigmaMax > sigmaMin)) throw new InfodynError(`sigma range: need 0 < sigmaMin < sigmaMax, got ${sigmaMin}, ${sigmaMax}`);
  const n = opts.grid ?? 40;
  const tol = opts.tol ?? 1e-10;
  let hi = Math.log(sigmaMax);
  if (maxReG(pd, sigmaMax).value >= 1) return null;
  for (let i = 1; i <= n; i++) {
    const lo = Math.log(sigmaMax) + ((Math.log(sigmaMin) - Math.log(sigmaMax)) * i) / n;
    if (maxReG(pd, Math.exp(lo)).value >= 1) {
      let a = lo;
      let b = hi;
      while (b - a > tol) {
        const mid = (a + b) / 2;
        if (maxReG(pd, Math.exp(mid)).value >= 1) a = mid;
        else b = mid;
      }
      const s = Math.exp((a + b) / 2);
      const m = maxReG(pd, s);
      return { sigmaC: s, k: m.k, c: m.c };
    }
    hi = lo;
  }
  return null;
}
