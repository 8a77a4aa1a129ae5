import { InfodynError } from "../../errors.js";

/** The largest enumerable state space V^L (THEORY.md §9.5 enumerates it for every posterior). */
export const MAX_DISCRETE_STATES = 2 ** 20;

/**
 * An empirical law p₀ over V^L (THEORY.md §9.5): counts of the given sequences → probabilities.
 * State index of x = (x¹ … x^L): Σ_d x^d · V^(d−1) (position 1 is the fastest digit).
 */
export interface DiscreteDataset {
  /** Vocabulary size V (tokens 0 … V−1; the mask M is V). */
  V: number;
  /** Sequence length L. */
  L: number;
  /** p₀(x) for the V^L states. */
  p: Float64Array;
  /** Number of sequences counted. */
  count: number;
}

/**
 * The empirical law of `sequences` (each of length L, tokens integers in [0, V)). Refuses, naming the field, an
 * empty list, ragged or non-integer entries, tokens ≥ V and V^L > 2^20.
 *
 * @example
 * discreteDataset(2, [[0, 1], [1, 1]]).p; // Float64Array [0, 0, 0.5, 0.5]
 */
export function discreteDataset(V: number, sequences: unknown, field = "sequences"): DiscreteDataset {
  if (!Number.isInteger(V) || V < 2) throw new InfodynError(`vocabulary: '${V}' is not an integer ≥ 2`);
  if (!Array.isArray(sequences) || sequences.length === 0) throw new InfodynError(`${field}: expected a non-empty array of sequences`);
  const first = sequences[0];
  if (!Array.isArray(first) || first.length === 0) throw new InfodynError(`${field}[0]: expected a non-empty array of tokens`);
  const L = first.length;
  if (V ** L > MAX_DISCRETE_STATES)
    throw new InfodynError(`${field}: V^L = ${V}^${L} states exceed the enumerable ${MAX_DISCRETE_STATES} (2^20); use fewer positions or tokens`);
  const p = new Float64Array(V ** L);
  sequences.forEach((s: unknown, i: number) => {
    if (!Array.isArray(s) || s.length !== L) throw new InfodynError(`${field}[${i}]: expected an array of ${L} tokens`);
    let idx = 0;
    for (let d = L - 1; d >= 0; d--) {
      const x = s[d];
      if (typeof x !== "number" || !Number.isInteger(x)) throw new InfodynError(`${field}[${i}][${d}]: '${x}' is not an integer token`);
      if (x < 0 || x >= V) throw new InfodynError(`${field}[${i}][${d}]: token ${x} is outside [0, ${V - 1}] (vocabulary ${V})`);
      idx = idx * V + x;
    }
    p[idx] += 1;
  });
  for (let j = 0; j < p.length; j++) p[j] /= sequences.length;
  return { V, L, p, count: sequences.length };
}
