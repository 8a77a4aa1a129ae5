/** An Ising prior `log φ(y) = (1/T) Σ_{j<k} J_jk y_j y_k + const` on `y ∈ {−1, 1}^d` (THEORY.md §6). */
export interface IsingSpec {
  /** Symmetric d × d couplings, row-major (only the upper triangle is read). */
  couplings: Float64Array;
  d: number;
  temperature: number;
}

/**
 * Thermodynamics of the posterior `p(y|x) ∝ exp((1/T) Σ_{j<k} J_jk y_j y_k + x·y/σ²)` at one query x — an Ising
 * model in the external field x/σ² (‖y‖² = d is constant, so the Gaussian likelihood is a pure field):
 * - `magnetization` `M = ⟨Σ_i y_i⟩/d`, `meanSpins` `⟨y_i⟩ = m(x)_i`;
 * - `energy` `E = ⟨−Σ_{j<k} J_jk y_j y_k⟩` (the coupling energy, field term excluded);
 * - `susceptibility` `χ = (⟨(Σ y)²⟩ − ⟨Σ y⟩²)/d = d·Var M` (response of the total magnetization to a uniform
 *   field h/σ², per spin), and `specificHeat`-like `energyVariance = Var E`.
 */
export interface IsingThermo {
  magnetization: number;
  energy: number;
  susceptibility: number;
  energyVariance: number;
  meanSpins: Float64Array;
  /** Standard errors (Gibbs only; batch means), for magnetization, energy and susceptibility. */
  standardError?: { magnetization: number; energy: number; susceptibility: number };
}

/** `−Σ_{j<k} J_jk y_j y_k` for the state at offset o. */
export function couplingEnergy(y: ArrayLike<number>, J: Float64Array, d: number, o = 0): number {
  let e = 0;
  for (let a = 0; a < d; a++) {
    let s = 0;
    for (let b = a + 1; b < d; b++) s += J[a * d + b] * y[o + b];
    e -= s * y[o + a];
  }
  return e;
}

/**
 * {@link IsingThermo} exactly, by enumerating the 2^d states (d ≤ 20) with log-sum-exp weights
 * `ℓ(y) = −E(y)/T + x·y/σ²`. Method: two passes (max logit, then weighted moments); O(2^d d²).
 * Special cases: d > 24 or σ ≤ 0 → NaN fields.
 * @example isingExact(ring8, new Float64Array(8), 1).magnetization; // 0 by symmetry
 */
export function isingExact(spec: IsingSpec, x: ArrayLike<number>, sigma: number): IsingThermo {
  const { couplings: J, d, temperature: T } = spec;
  const nan: IsingThermo = { magnetization: NaN, energy: NaN, susceptibility: NaN, energyVariance: NaN, meanSpins: new Float64Array(d).fill(NaN) };
  if (d > 24 || !(sigma > 0)) return nan;
  const n = 2 ** d;
  const inv = 1 / (sigma * sigma);
  const logit = new Float64Array(n);
  const energy = new Float64Array(n);
  const y = new Float64Array(d);
  let mx = -Infinity;
  for (let j = 0; j < n; j++) {
    let field = 0;
    for (let k = 0; k < d; k++) {
      y[k] = (j >> k) & 1 ? 1 : -1;
      field += x[k] * y[k];
    }
    energy[j] = couplingEnergy(y, J, d);
    logit[j] = -energy[j] / T + field * inv;
    if (logit[j] > mx) mx = logit[j];
  }
  let z = 0;
  let sM = 0;
  let sM2 = 0;
  let sE = 0;
  let sE2 = 0;
  const spins = new Float64Array(d);
  for (let j = 0; j < n; j++) {
    const w = Math.exp(logit[j] - mx);
    if (w === 0) continue;
    let tot = 0;
    for (let k = 0; k < d; k++) {
      const s = (j >> k) & 1 ? 1 : -1;
      tot += s;
      spins[k] += w * s;
    }
    z += w;
    sM += w * tot;
    sM2 += w * tot * tot;
    sE += w * energy[j];
    sE2 += w * energy[j] * energy[j];
  }
  const mTot = sM / z;
  const e = sE / z;
  return {
    magnetization: mTot / d,
    energy: e,
    susceptibility: (sM2 / z - mTot * mTot) / d,
    energyVariance: sE2 / z - e * e,
    meanSpins: spins.map((s) => s / z),
  };
}
