import { zeros } from "../batch.js";
import type { DataModel } from "./types.js";
import { deltas } from "./deltas.js";
import type { DeltaSet } from "../engine/kernel.js";

/** Largest number of spins enumerated exactly (2²⁰ states). */
export const ISING_MAX_EXACT_SPINS = 20;

/**
 * The diffused Ising model (THEORY.md §6): `y ∈ {−1, 1}^d`, `log φ(y) = (1/T) Σ_{j<k} J_jk y_j y_k + const`,
 * made exact by enumerating all 2^d states as weighted deltas (d ≤ 20). Couplings are symmetric with zero
 * diagonal (validated at the boundary); only the upper triangle is read.
 */
export function ising(couplings: Float64Array, d: number, temperature: number): DataModel & {
  readonly set: DeltaSet;
  readonly couplings: Float64Array;
  readonly temperature: number;
} {
  const n = 2 ** d;
  const states = zeros(n, d);
  const logW = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    const o = j * d;
    for (let k = 0; k < d; k++) states.data[o + k] = (j >> k) & 1 ? 1 : -1;
    logW[j] = isingLogWeight(states.data, o, couplings, d, temperature);
  }
  const model = deltas(states, { logWeights: logW });
  return Object.assign(model, { kind: "ising", couplings, temperature });
}

/** `(1/T) Σ_{j<k} J_jk y_j y_k` for the state at offset o. */
export function isingLogWeight(y: Float64Array, o: number, J: Float64Array, d: number, T: number): number {
  let e = 0;
  for (let a = 0; a < d; a++) for (let b = a + 1; b < d; b++) e += J[a * d + b] * y[o + a] * y[o + b];
  return e / T;
}
