/** Memorized / spurious / generalized (THEORY.md §9.6). */
export type AttractorClass = "memorized" | "spurious" | "generalized";

/** `max_j w_j ≥ 0.9` ⇒ memorized (THEORY.md §9.6). */
export const MEMORIZED_MAX_WEIGHT = 0.9;
/**
 * Default 1/Y threshold: a non-memorized attractor with `1/Y ≤ 5` (a few interfering memories) is spurious, a larger
 * one generalized. The choice is ours (§9.6 only says 1/Y = O(1) vs ≫ 1); it is an option everywhere.
 */
export const SPURIOUS_MAX_INVERSE_Y = 5;

/** Classify posterior weights w at an attractor; returns the class, max w and 1/Y = 1/Σ w_j². */
export function classifyWeights(w: ArrayLike<number>, spuriousMax = SPURIOUS_MAX_INVERSE_Y): { cls: AttractorClass; maxWeight: number; inverseParticipation: number } {
  let y = 0;
  let mx = 0;
  for (let j = 0; j < w.length; j++) {
    y += w[j] * w[j];
    if (w[j] > mx) mx = w[j];
  }
  const inv = 1 / y;
  const cls = mx >= MEMORIZED_MAX_WEIGHT ? "memorized" : inv <= spuriousMax ? "spurious" : "generalized";
  return { cls, maxWeight: mx, inverseParticipation: inv };
}

/**
 * The paper's sample-based count (Pham et al., §9.6): for each generated x, `d_train = min_j ‖x − y_j‖`,
 * `d_gen = min_{x'≠x} ‖x − x'‖` (L2); memorized if `d_train ≤ δ_m`, spurious if not and `d_gen ≤ δ_s`, else
 * generalized. Returns fractions of the n generated rows (n × D), plus the per-sample labels.
 * @example sampleCount(Float64Array.of(0, 0), 1, Float64Array.of(0), 1, 0.03, 0.02).memorized; // 1
 */
export function sampleCount(gen: Float64Array, n: number, train: Float64Array, K: number, deltaM = 0.03, deltaS = 0.02, dim = gen.length / n) {
  const dist = (a: Float64Array, i: number, b: Float64Array, j: number) => {
    let d2 = 0;
    for (let k = 0; k < dim; k++) d2 += (a[i * dim + k] - b[j * dim + k]) ** 2;
    return Math.sqrt(d2);
  };
  const labels: AttractorClass[] = [];
  for (let i = 0; i < n; i++) {
    let dt = Infinity;
    for (let j = 0; j < K; j++) dt = Math.min(dt, dist(gen, i, train, j));
    let dg = Infinity;
    for (let j = 0; j < n; j++) if (j !== i) dg = Math.min(dg, dist(gen, i, gen, j));
    labels.push(dt <= deltaM ? "memorized" : dg <= deltaS ? "spurious" : "generalized");
  }
  const frac = (c: AttractorClass) => (n ? labels.filter((l) => l === c).length / n : NaN);
  return { memorized: frac("memorized"), spurious: frac("spurious"), generalized: frac("generalized"), labels };
}
