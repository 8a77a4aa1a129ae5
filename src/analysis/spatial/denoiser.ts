import type { Lattice } from "./lattice.js";

/** Training images y_n on a lattice: data[n * size + v]. */
export interface PatchData {
  data: Float64Array;
  N: number;
  lattice: Lattice;
  /** true: LS (v = u only); false: ELS (all positions v). */
  local: boolean;
}

/**
 * Log-weights at site u: ℓ_{n,v} = −‖x[u+P] − y_n[v+P]‖²/(2σ²) over (n, v) (ELS) or (n, v = u) (LS), THEORY.md §9.4.
 * Writes into `out` (length N·L^d for ELS, N for LS) and returns the entry count.
 */
export function patchLogWeights(pd: PatchData, x: Float64Array, u: number, sigma: number, out: Float64Array): number {
  const { N, data, lattice, local } = pd;
  const { size, offsets } = lattice;
  const P = offsets.length / size;
  const inv = 1 / (2 * sigma * sigma);
  let c = 0;
  for (let n = 0; n < N; n++) {
    const base = n * size;
    for (let v = local ? u : 0; v < (local ? u + 1 : size); v++) {
      let d2 = 0;
      for (let p = 0; p < P; p++) {
        const e = x[offsets[u * P + p]] - data[base + offsets[v * P + p]];
        d2 += e * e;
      }
      out[c++] = -d2 * inv;
    }
  }
  return c;
}

/** Normalises log-weights in place to weights (softmax, max-shifted). */
export function softmaxInPlace(w: Float64Array, count: number): void {
  let mx = -Infinity;
  for (let i = 0; i < count; i++) if (w[i] > mx) mx = w[i];
  let s = 0;
  for (let i = 0; i < count; i++) {
    w[i] = Math.exp(w[i] - mx);
    s += w[i];
  }
  for (let i = 0; i < count; i++) w[i] /= s;
}

/** Scratch big enough for one site's weights. */
export function weightScratch(pd: PatchData): Float64Array {
  return new Float64Array(pd.local ? pd.N : pd.N * pd.lattice.size);
}

/** The patch denoiser m_u(x) = Σ_{n,v} w^u_{n,v} y_n(v) at every site u (THEORY.md §9.4). */
export function patchDenoise(pd: PatchData, x: Float64Array, sigma: number, out = new Float64Array(pd.lattice.size)): Float64Array {
  const w = weightScratch(pd);
  const { size } = pd.lattice;
  for (let u = 0; u < size; u++) {
    const cnt = patchLogWeights(pd, x, u, sigma, w);
    softmaxInPlace(w, cnt);
    let m = 0;
    let c = 0;
    for (let n = 0; n < pd.N; n++)
      for (let v = pd.local ? u : 0; v < (pd.local ? u + 1 : size); v++) m += w[c++] * pd.data[n * size + v];
    out[u] = m;
  }
  return out;
}

/**
 * C_u(δ_p) = Cov_{w^u}[y_n(v), y_n(v+δ_p)] for every patch offset p at site u; G_{u,u+δ} = C_u(δ)/σ² is the
 * exact Jacobian ∂m_u/∂x_{u+δ} (THEORY.md §9.4).
 */
export function patchCovariance(pd: PatchData, x: Float64Array, u: number, sigma: number): Float64Array {
  const { size, offsets } = pd.lattice;
  const P = offsets.length / size;
  const w = weightScratch(pd);
  const cnt = patchLogWeights(pd, x, u, sigma, w);
  softmaxInPlace(w, cnt);
  const mean0 = { m: 0 };
  const meanP = new Float64Array(P);
  const cross = new Float64Array(P);
  let c = 0;
  for (let n = 0; n < pd.N; n++)
    for (let v = pd.local ? u : 0; v < (pd.local ? u + 1 : size); v++) {
      const wi = w[c++];
      const y0 = pd.data[n * size + v];
      mean0.m += wi * y0;
      for (let p = 0; p < P; p++) {
        const yp = pd.data[n * size + offsets[v * P + p]];
        meanP[p] += wi * yp;
        cross[p] += wi * y0 * yp;
      }
    }
  for (let p = 0; p < P; p++) cross[p] -= mean0.m * meanP[p];
  return cross;
}
