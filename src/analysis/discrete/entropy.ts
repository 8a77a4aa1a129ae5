import type { DiscreteDataset } from "./dataset.js";

/** x log x with 0 log 0 = 0. */
const xlogx = (x: number): number => (x > 0 ? x * Math.log(x) : 0);

/**
 * H(x₀^S) in nats for every revealed set S ⊆ {1 … L} (bit d−1 of the mask S is position d), by marginalising p₀.
 * Cost 2^L · V^L.
 */
export function subsetEntropies(ds: DiscreteDataset): Float64Array {
  const { V, L, p } = ds;
  const out = new Float64Array(2 ** L);
  const marg = new Float64Array(p.length);
  for (let S = 0; S < out.length; S++) {
    marg.fill(0);
    for (let j = 0; j < p.length; j++) {
      if (p[j] === 0) continue;
      let key = 0;
      let rest = j;
      let w = 1;
      for (let d = 0; d < L; d++) {
        const x = rest % V;
        rest = (rest - x) / V;
        if (S & (1 << d)) key += x * w;
        w *= V;
      }
      marg[key] += p[j];
    }
    let h = 0;
    for (let k = 0; k < marg.length; k++) h -= xlogx(marg[k]);
    out[S] = h;
  }
  return out;
}

const popcount = (s: number): number => {
  let c = 0;
  for (; s; s &= s - 1) c++;
  return c;
};

/** α^k (1−α)^(n−k), with 0^0 = 1. */
const bern = (alpha: number, k: number, n: number): number => (k === 0 ? 1 : alpha ** k) * (n - k === 0 ? 1 : (1 - alpha) ** (n - k));

/**
 * H(x₀|x_t) = Σ_S α^|S| (1−α)^(L−|S|) [H(x₀) − H(x₀^S)] (THEORY.md §9.5), nats; `hs` from {@link subsetEntropies}.
 * I(x₀; x_t) = H(x₀) − H(x₀|x_t).
 */
export function conditionalEntropy(hs: Float64Array, alpha: number): number {
  const L = Math.log2(hs.length);
  const H = hs[hs.length - 1];
  let acc = 0;
  for (let S = 0; S < hs.length; S++) acc += bern(alpha, popcount(S), L) * (H - hs[S]);
  return acc;
}

/**
 * The discrete I-MMSE rate dH(x₀|x_t)/dα = −Σ_d E_{S∌d} H(x₀^d | x₀^S), S ~ each other position revealed with
 * probability α, H(x₀^d|x₀^S) = H(x₀^{S∪d}) − H(x₀^S) (THEORY.md §9.5, "derived here"); ≤ 0.
 */
export function entropyRateAlpha(hs: Float64Array, alpha: number): number {
  const L = Math.log2(hs.length);
  let acc = 0;
  for (let d = 0; d < L; d++) {
    const bit = 1 << d;
    for (let S = 0; S < hs.length; S++) {
      if (S & bit) continue;
      acc += bern(alpha, popcount(S), L - 1) * (hs[S | bit] - hs[S]);
    }
  }
  return -acc;
}
