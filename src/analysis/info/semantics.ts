import type { Batch } from "../../batch.js";
import { InfodynError } from "../../errors.js";
import type { DataModel } from "../../models/types.js";
import { createRng } from "../../numeric/rng.js";
import { Welford } from "../../numeric/welford.js";
import { levelSeed } from "./design.js";
import type { Estimate } from "./expect.js";
import { findPeak, type Peak } from "./peak.js";

/** A partition of the classes into groups (class indices; every class in exactly one group). */
export type Partition = readonly (readonly number[])[];

/** One partition's curves over σ (ascending), means over x ~ p_σ with standard errors. */
export interface PartitionProfile {
  groups: number[][];
  /** H(G|x_σ) = E[−Σ_G p(G|x) log p(G|x)], p(G|x) = Σ_{c∈G} p(c|x). */
  groupEntropy: Estimate[];
  /** H(c|G, x_σ) = E[Σ_G p(G|x) H(p(·|x, G))]: what is left of the class once the group is known. */
  withinEntropy: Estimate[];
  /** dH(G|x_σ)/dσ = E[Σ_G p(G|x) ‖m_G − m‖²]/σ³, m_G = Σ_{c∈G} p(c|x) m_c/p(G|x). */
  groupRate: Estimate[];
  /** Grid maximum of σ · dH(G|x_σ)/dσ (the rate per unit log σ), with its bracket: when the group is decided. */
  peak?: Peak;
}

/** What {@link semanticProfile} returns. */
export interface SemanticProfile {
  sigma: number[];
  numClasses: number;
  /** H(c|x_σ) on the same draws (the finest partition), for the chain rule. */
  classEntropy: Estimate[];
  /** dH(c|x_σ)/dσ = E Tr C_between/σ³ on the same draws. */
  classRate: Estimate[];
  partitions: PartitionProfile[];
  /**
   * Per-class profile r_c(σ) = σ E_{x∼p_σ(·|c)} ‖∇log p(c|x)‖² = E_{x|c} ‖m_c − m‖²/σ³ (classes × levels), from the
   * draws of class c; `Σ_c π_c r_c = dH(c|x_σ)/dσ`. `window[c]` is the grid maximum of σ r_c: the class's critical window.
   */
  perClass: { rate: Estimate[][]; window: (Peak | undefined)[]; weight: number[] };
  samples: number;
  method: string;
}

/** Options of {@link semanticProfile}. */
export interface SemanticOptions {
  /** Draws (c, y) ∼ data per σ, x = y + σz (default 4000). */
  samples?: number;
  /** Level i draws from `levelSeed(seed, i)` (default seed 0). */
  seed?: number;
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
}

/**
 * Semantic decisions of a labelled exact model (THEORY.md §9.3): for each partition of the classes into groups, the
 * entropy of the group H(G|x_σ), what remains of the class within its group H(c|G, x_σ), and the rate at which the
 * group is decided dH(G|x_σ)/dσ; the per-class profile r_c and each class's critical window.
 *
 * Formula: with the exact class posterior p(c|x) and class means m_c = E[y|x, c], m = Σ_c p(c|x) m_c,
 * p(G|x) = Σ_{c∈G} p(c|x), m_G = Σ_{c∈G} p(c|x) m_c/p(G|x):
 * - `H(G|x_σ) = E[−Σ_G p(G|x) log p(G|x)]`, `H(c|G, x_σ) = E[Σ_G p(G|x) h(p(·|x)/p(G|x) on G)]`, and the chain rule
 *   `H(c|x) = H(G|x) + H(c|G, x)` holds draw by draw (a test, not a definition: the two are computed apart);
 * - `dH(G|x_σ)/dσ = E[Σ_G p(G|x) ‖m_G − m‖²]/σ³` — the §3 rate with the between-group covariance; for singleton
 *   groups it is the class rate E Tr C_between/σ³;
 * - `r_c = E_{x∼p_σ(·|c)} ‖m_c − m‖²/σ³`, so `Σ_c π_c r_c = dH(c|x_σ)/dσ` (the draws of class c are the labelled draws).
 *
 * Method: seeded Monte Carlo, `samples` labelled draws (c, y) per σ (`sampleLabelled`), x = y + σz; one posterior call
 * per level with class probabilities and class means; means and standard errors by {@link Welford}.
 *
 * Special cases: throws {@link InfodynError} for an unlabelled model (fewer than 2 classes), a partition that does not
 * cover every class exactly once (naming it), or a σ that is not positive.
 *
 * @example
 * const model = parseModel({ kind: "gmm", components: [...] }); // 4 labelled components
 * semanticProfile(model, [0.5, 1, 2], [[[0, 1], [2, 3]]]).partitions[0].groupRate;
 */
export function semanticProfile(model: DataModel, sigmas: readonly number[], partitions: readonly Partition[], options: SemanticOptions = {}): SemanticProfile {
  const C = model.numClasses;
  if (!(C >= 2) || !model.sampleLabelled) throw new InfodynError(`model: semantic decisions need a labelled model with at least 2 classes (${model.kind} has ${C})`);
  const parts = partitions.map((p, k) => checkPartition(p, C, `partition ${k + 1}`));
  const n = options.samples ?? 4000;
  if (!(Number.isInteger(n) && n >= 2)) throw new InfodynError(`samples: must be an integer ≥ 2 (got ${n})`);
  for (let i = 1; i < sigmas.length; i++) if (!(sigmas[i] > sigmas[i - 1])) throw new InfodynError("sigmas: must be ascending");
  const D = model.dim;
  const seed = options.seed ?? 0;
  const L = sigmas.length;
  const est = (w: Welford): Estimate => ({ value: w.mean, standardError: w.standardError });
  const classEntropy: Estimate[] = [];
  const classRate: Estimate[] = [];
  const perPart = parts.map(() => ({ h: [] as Estimate[], within: [] as Estimate[], rate: [] as Estimate[] }));
  const perClass = Array.from({ length: C }, () => [] as Estimate[]);
  const counts = new Float64Array(C);

  for (let li = 0; li < L; li++) {
    const sigma = sigmas[li];
    if (!(sigma > 0 && Number.isFinite(sigma))) throw new InfodynError(`sigmas: ${sigma} is not a positive noise level`);
    if (options.signal?.aborted) throw new InfodynError("aborted");
    const rng = createRng(levelSeed(seed, li));
    const { points, labels } = model.sampleLabelled(n, rng.fork());
    const noise = rng.fork();
    const x: Batch = { rows: n, dim: D, data: Float64Array.from(points.data) };
    for (let k = 0; k < x.data.length; k++) x.data[k] += sigma * noise.normal();
    const post = model.posterior(x, sigma, { classProbs: true, classMeans: true });
    const P = post.classProbs!;
    const M = post.classMeans!;
    const m = post.mean.data;
    const s3 = sigma * sigma * sigma;
    const wH = new Welford();
    const wR = new Welford();
    const acc = parts.map(() => ({ h: new Welford(), within: new Welford(), rate: new Welford() }));
    const wc = Array.from({ length: C }, () => new Welford());
    const mG = new Float64Array(D);
    for (let i = 0; i < n; i++) {
      const p = P.subarray(i * C, (i + 1) * C);
      // class entropy and the class rate Σ_c p_c ‖m_c − m‖²
      let h = 0;
      let between = 0;
      for (let c = 0; c < C; c++) {
        if (p[c] > 0) h -= p[c] * Math.log(p[c]);
        between += p[c] * dist2(M, (i * C + c) * D, m, i * D, D);
      }
      wH.push(h);
      wR.push(between / s3);
      const own = labels[i];
      wc[own].push(dist2(M, (i * C + own) * D, m, i * D, D) / s3);
      if (li === 0) counts[own] += 1;
      parts.forEach((groups, k) => {
        let hG = 0;
        let within = 0;
        let rate = 0;
        for (const g of groups) {
          let pg = 0;
          for (const c of g) pg += p[c];
          if (!(pg > 0)) continue;
          hG -= pg * Math.log(pg);
          mG.fill(0);
          let hw = 0;
          for (const c of g) {
            const q = p[c] / pg;
            if (q > 0) hw -= q * Math.log(q);
            for (let d = 0; d < D; d++) mG[d] += q * M[(i * C + c) * D + d];
          }
          within += pg * hw;
          rate += pg * dist2(mG, 0, m, i * D, D);
        }
        acc[k].h.push(hG);
        acc[k].within.push(within);
        acc[k].rate.push(rate / s3);
      });
    }
    classEntropy.push(est(wH));
    classRate.push(est(wR));
    acc.forEach((a, k) => {
      perPart[k].h.push(est(a.h));
      perPart[k].within.push(est(a.within));
      perPart[k].rate.push(est(a.rate));
    });
    for (let c = 0; c < C; c++) perClass[c].push(wc[c].count >= 2 ? est(wc[c]) : { value: NaN, standardError: NaN });
    options.onProgress?.(li + 1, L);
  }
  const logPeak = (rates: Estimate[]) => {
    if (rates.some((r) => !Number.isFinite(r.value))) return undefined;
    return findPeak(
      () => NaN,
      [...sigmas],
      rates.map((r, i) => sigmas[i] * r.value),
      { errors: rates.map((r, i) => sigmas[i] * r.standardError) },
    );
  };
  const total = counts.reduce((a, b) => a + b, 0);
  return {
    sigma: [...sigmas],
    numClasses: C,
    classEntropy,
    classRate,
    partitions: parts.map((groups, k) => {
      const peak = logPeak(perPart[k].rate);
      return { groups, groupEntropy: perPart[k].h, withinEntropy: perPart[k].within, groupRate: perPart[k].rate, ...(peak ? { peak } : {}) };
    }),
    perClass: { rate: perClass, window: perClass.map(logPeak), weight: Array.from(counts, (c) => c / total) },
    samples: n,
    method: `Monte Carlo: ${n} labelled draws (c, y) per σ, x = y + σz (fresh draws at each σ); exact p(c|x) and m_c(x) from the model's posterior`,
  };
}

/** ‖a[ao…ao+D) − b[bo…bo+D)‖². */
function dist2(a: ArrayLike<number>, ao: number, b: ArrayLike<number>, bo: number, D: number): number {
  let s = 0;
  for (let d = 0; d < D; d++) {
    const e = a[ao + d] - b[bo + d];
    s += e * e;
  }
  return s;
}

/** The groups of a partition, checked to hold every class 0 … C−1 exactly once. */
export function checkPartition(p: Partition, C: number, what = "partition"): number[][] {
  if (!Array.isArray(p) || p.length === 0) throw new InfodynError(`${what}: must be a non-empty list of groups of classes, e.g. [[0,1],[2,3]]`);
  const seen = new Int32Array(C).fill(-1);
  p.forEach((g, k) => {
    if (!Array.isArray(g) || g.length === 0) throw new InfodynError(`${what}: group ${k + 1} must be a non-empty list of classes`);
    for (const c of g) {
      if (!(Number.isInteger(c) && c >= 0 && c < C)) throw new InfodynError(`${what}: group ${k + 1}: ${JSON.stringify(c)} is not a class (0 to ${C - 1})`);
      if (seen[c] >= 0) throw new InfodynError(`${what}: class ${c} is in groups ${seen[c] + 1} and ${k + 1}`);
      seen[c] = k;
    }
  });
  const missing = Array.from(seen.keys()).filter((c) => seen[c] < 0);
  if (missing.length) throw new InfodynError(`${what}: class${missing.length > 1 ? "es" : ""} ${missing.join(", ")} in no group (every class must be in one)`);
  return p.map((g) => [...g]);
}
