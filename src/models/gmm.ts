import { type Batch, zeros } from "../batch.js";
import { InfodynError } from "../errors.js";
import type { Rng } from "../numeric/rng.js";
import { categoricalSampler } from "../numeric/rng.js";
import { conditionalLabels } from "./deltas.js";
import { BatchedComponents, BLOCK } from "./gmm-batch.js";
import { GaussianComponent } from "./gaussian-component.js";
import { sigmaAt, type Conditioning, type DataModel, type PosteriorRequest, type PosteriorStats } from "./types.js";

/** One mixture component: weight, mean, and a full covariance or an isotropic variance. */
export interface GmmComponent {
  weight: number;
  mean: ArrayLike<number>;
  cov?: Float64Array;
  variance?: number;
}

/**
 * A Gaussian mixture `Σ_k π_k N(μ_k, Σ_k)` (THEORY.md §2b, §9.3). Its classes are the components, or, with
 * `labels` (class of each component), groups of components: `p(c|x) = Σ_{k∈c} p(k|x)`.
 * `p(k|x) ∝ π_k N(x; μ_k, Σ_k + σ²I)` (log-sum-exp), each component's Gaussian posterior `(m_k, C_k)`,
 * `m = Σ_k p(k|x) m_k`, `Tr C = Σ_k p(k|x)(Tr C_k + ‖m_k − m‖²)` (the between-component term as a sum of
 * squares, never as a difference), `C = Σ_k p(k|x)(C_k + (m_k − m)(m_k − m)ᵀ)`.
 * Class means `m_c = Σ_{k∈c} p(k|x) m_k / p(c|x)`, with the responsibilities taken relative to the class's
 * heaviest component (so m_c stays exact where p(c|x) underflows); a one-component class has `m_c = m_k`.
 * `denoise(x, σ, {labels})` returns m_c on rows with label c ≥ 0 and m on rows with −1.
 *
 * @example
 * const g = gmm([{ weight: 1, mean: [-1], variance: 0 }, { weight: 1, mean: [1], variance: 0 }]);
 * g.denoise(fromRows([[0.3]]), 1).data[0]; // returns tanh(0.3)
 */
export function gmm(
  components: readonly GmmComponent[],
  classNames?: readonly string[],
  labels?: ArrayLike<number>,
): DataModel & {
  readonly components: readonly GaussianComponent[];
  readonly weights: Float64Array;
} {
  const K = components.length;
  const D = components[0].mean.length;
  const comps = components.map((c) => {
    const mu = Float64Array.from(c.mean);
    return c.cov ? new GaussianComponent(mu, c.cov) : GaussianComponent.isotropic(mu, c.variance ?? 0);
  });
  let total = 0;
  for (const c of components) total += c.weight;
  const weights = Float64Array.from(components, (c) => c.weight / total);
  const logW = weights.map(Math.log);
  const draw = categoricalSampler(weights);
  const { classOf, numClasses: C, members, grouped } = classesOf(K, labels, classNames);
  const logp = new Float64Array(K);
  const mk = new Float64Array(K * D);
  const probs = new Float64Array(K);
  const masses = new Float64Array(C);

  let lastEntropy = 0;
  let lastMax = 0;
  let lastStar = 0;
  /**
   * Component responsibilities p(k|x) into `probs`, returning log Σ_k π_k N(x; μ_k, Σ_k + σ²I); leaves
   * H(k|x) = log S − Σ_k p_k a_k (a_k = log-weight relative to the largest, S = 1 + Σ_{k≠k*} e^{a_k}) in
   * `lastEntropy`, log π_k N_k in `logp`, its maximum and arg max in `lastMax`, `lastStar`.
   */
  function responsibilities(x: Float64Array, xo: number, s: number, probs: Float64Array): number {
    for (let k = 0; k < K; k++) logp[k] = logW[k] + comps[k].logDensity(x, xo, s);
    return normalise(probs);
  }


  /**
   * Grouped classes, after {@link responsibilities}: p(c|x) into `out`, and H(c|x) = log S − Σ_c (M_c/S) log M_c
   * from the class masses M_c in units of the heaviest component (log M_{c*} = log1p(mass besides it)).
   */
  function classPosterior(out: Float64Array): number {
    masses.fill(0);
    const cStar = classOf[lastStar];
    let rest = 0;
    let restStar = 0;
    for (let k = 0; k < K; k++) {
      const e = Math.exp(logp[k] - lastMax);
      masses[classOf[k]] += e;
      if (k === lastStar) continue;
      rest += e;
      if (classOf[k] === cStar) restStar += e;
    }
    const S = 1 + rest;
    let h = Math.log1p(rest);
    for (let c = 0; c < C; c++) {
      const mass = masses[c];
      out[c] = mass / S;
      if (mass > 0) h -= (mass / S) * (c === cStar ? Math.log1p(restStar) : Math.log(mass));
    }
    return Math.max(0, h);
  }

  /** m_c = Σ_{k∈c} e^{ℓ_k − ℓ_max(c)} m_k / Σ_{k∈c} e^{ℓ_k − ℓ_max(c)}, from `logp` and the component means `mk`. */
  function classMean(c: number, out: Float64Array, oo: number): void {
    const ks = members[c];
    let M = -Infinity;
    for (const k of ks) M = Math.max(M, logp[k]);
    let S = 0;
    for (let d = 0; d < D; d++) out[oo + d] = 0;
    for (const k of ks) {
      const e = Math.exp(logp[k] - M);
      S += e;
      for (let d = 0; d < D; d++) out[oo + d] += e * mk[k * D + d];
    }
    for (let d = 0; d < D; d++) out[oo + d] /= S;
  }

  /**
   * From log π_k N_k already in `logp` (as {@link responsibilities} leaves them): p(k|x) into `probs`, the entropy,
   * maximum and arg max into `lastEntropy`, `lastMax`, `lastStar`; returns log p_σ(x).
   */
  function normalise(probs: Float64Array): number {
    let M = -Infinity;
    let kStar = 0;
    for (let k = 0; k < K; k++)
      if (logp[k] > M) {
        M = logp[k];
        kStar = k;
      }
    let rest = 0;
    for (let k = 0; k < K; k++) {
      probs[k] = Math.exp(logp[k] - M);
      if (k !== kStar) rest += probs[k];
    }
    const S = 1 + rest;
    let ea = 0;
    for (let k = 0; k < K; k++) {
      probs[k] /= S;
      if (probs[k] > 0) ea += probs[k] * (logp[k] - M);
    }
    lastEntropy = Math.max(0, Math.log1p(rest) - ea);
    lastMax = M;
    lastStar = kStar;
    return M + Math.log1p(rest);
  }

  const batched = new BatchedComponents(comps);

  function posterior(x: Batch, sigma: number | Float64Array, want: PosteriorRequest = {}): PosteriorStats {
    const B = x.rows;
    const mean = zeros(B, D);
    const traceCov = new Float64Array(B);
    const covariance = want.covariance ? new Float64Array(B * D * D) : undefined;
    const classProbs = want.classProbs ? new Float64Array(B * C) : undefined;
    const classMeans = want.classMeans ? new Float64Array(B * C * D) : undefined;
    const classEntropy = want.classProbs ? new Float64Array(B) : undefined;
    const logDensity = want.logDensity ? new Float64Array(B) : undefined;
    // Rows in blocks: per component, one projection Vᵀ(x − μ) of the block serves log N_k and m_k (batched.ts).
    for (let i0 = 0; i0 < B; i0 += BLOCK) {
      const rows = Math.min(BLOCK, B - i0);
      batched.evaluate(x.data, i0, rows, sigma, logW);
      for (let i = i0; i < i0 + rows; i++) {
      const s = sigmaAt(sigma, i);
      const p = probs;
      batched.row(i - i0, logp, mk);
      const logZ = normalise(p);
      if (logDensity) logDensity[i] = logZ;
      if (classProbs) {
        if (grouped) classEntropy![i] = classPosterior(classProbs.subarray(i * C, (i + 1) * C));
        else {
          classProbs.set(p, i * K);
          classEntropy![i] = lastEntropy;
        }
      }
      const m = mean.data.subarray(i * D, (i + 1) * D);
      for (let k = 0; k < K; k++) for (let d = 0; d < D; d++) m[d] += p[k] * mk[k * D + d];
      if (classMeans && grouped) {
        for (let c = 0; c < C; c++) if (members[c].length > 0) classMean(c, classMeans, (i * C + c) * D);
      } else if (classMeans) classMeans.set(mk, i * K * D);
      let tr = 0;
      for (let k = 0; k < K; k++) {
        let between = 0;
        for (let d = 0; d < D; d++) between += (mk[k * D + d] - m[d]) ** 2;
        tr += p[k] * (comps[k].traceCov(s) + between);
        if (covariance) {
          const o = i * D * D;
          comps[k].addCovariance(s, p[k], covariance, o);
          for (let a = 0; a < D; a++)
            for (let b = 0; b < D; b++) covariance[o + a * D + b] += p[k] * (mk[k * D + a] - m[a]) * (mk[k * D + b] - m[b]);
        }
      }
      traceCov[i] = tr;
      }
    }
    return { mean, traceCov, covariance, classProbs, classEntropy, classMeans, logDensity };
  }

  /** m(x) on rows labelled −1 (as in {@link posterior}), m_c(x) on rows labelled c (only class c's components). */
  function denoise(x: Batch, sigma: number | Float64Array, cond?: Conditioning): Batch {
    const lab = conditionalLabels(cond, x.rows, C);
    if (!lab) return posterior(x, sigma).mean;
    const out = zeros(x.rows, D);
    for (let i = 0; i < x.rows; i++) {
      const s = sigmaAt(sigma, i);
      const c = lab[i];
      const xo = i * D;
      if (c < 0) {
        responsibilities(x.data, xo, s, probs);
        for (let k = 0; k < K; k++) {
          comps[k].posteriorMean(x.data, xo, s, mk, k * D);
          for (let d = 0; d < D; d++) out.data[xo + d] += probs[k] * mk[k * D + d];
        }
        continue;
      }
      const ks = members[c];
      if (ks.length === 0) throw new InfodynError(`cond.labels[${i}] = ${c}: class ${JSON.stringify(names[c])} has no components`);
      if (ks.length === 1) {
        comps[ks[0]].posteriorMean(x.data, xo, s, out.data, xo);
        continue;
      }
      for (const k of ks) {
        logp[k] = logW[k] + comps[k].logDensity(x.data, xo, s);
        comps[k].posteriorMean(x.data, xo, s, mk, k * D);
      }
      classMean(c, out.data, xo);
    }
    return out;
  }

  function sampleLabelled(n: number, rng: Rng) {
    const points = zeros(n, D);
    const labs = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const k = draw(rng);
      labs[i] = classOf[k];
      comps[k].sampleInto(rng.normal, points.data, i * D);
    }
    return { points, labels: labs };
  }

  const names = classNames ?? Array.from({ length: C }, (_, c) => (grouped ? `class ${c}` : `component ${c}`));
  return {
    kind: "gmm",
    dim: D,
    discrete: false,
    numClasses: C,
    classNames: names,
    components: comps,
    weights,
    structure: {
      type: "mixture",
      weights,
      means: { rows: K, dim: D, data: Float64Array.from(comps.flatMap((c) => Array.from(c.mean))) },
      components: comps,
      labels: classOf,
    },
    posterior,
    denoise,
    logDensity(x, sigma) {
      const out = new Float64Array(x.rows);
      for (let i0 = 0; i0 < x.rows; i0 += BLOCK) {
        const rows = Math.min(BLOCK, x.rows - i0);
        batched.evaluate(x.data, i0, rows, sigma, logW, false);
        for (let i = i0; i < i0 + rows; i++) {
          batched.row(i - i0, logp);
          out[i] = normalise(probs);
        }
      }
      return out;
    },
    sample: (n, rng) => sampleLabelled(n, rng).points,
    sampleLabelled,
  };
}

/**
 * The classes of a mixture of K components: `classOf[k]` (identity without labels), their number (at least the
 * number of class names), the components of each class, and whether any class groups several components.
 */
function classesOf(K: number, labels: ArrayLike<number> | undefined, classNames: readonly string[] | undefined) {
  const classOf = labels ? Int32Array.from(labels) : Int32Array.from({ length: K }, (_, k) => k);
  if (classOf.length !== K) throw new InfodynError(`labels: has ${classOf.length} entries, expected ${K} (one per component)`);
  let C = classNames?.length ?? 0;
  for (let k = 0; k < K; k++) {
    if (!(classOf[k] >= 0) || classOf[k] !== (labels ? labels[k] : k)) throw new InfodynError(`labels[${k}]: must be an integer ≥ 0`);
    C = Math.max(C, classOf[k] + 1);
  }
  const members: number[][] = Array.from({ length: C }, () => []);
  for (let k = 0; k < K; k++) members[classOf[k]].push(k);
  const grouped = C !== K || classOf.some((c, k) => c !== k);
  return { classOf, numClasses: C, members, grouped };
}
