import { type Batch, zeros } from "../batch.js";
import type { Rng } from "../numeric/rng.js";
import { categoricalSampler } from "../numeric/rng.js";
import { GaussianComponent } from "./gaussian-component.js";
import { sigmaAt, type DataModel, type PosteriorRequest, type PosteriorStats } from "./types.js";

/** One mixture component: weight, mean, and a full covariance or an isotropic variance. */
export interface GmmComponent {
  weight: number;
  mean: ArrayLike<number>;
  cov?: Float64Array;
  variance?: number;
}

/**
 * A Gaussian mixture `Σ_k π_k N(μ_k, Σ_k)`; its labels are the components (THEORY.md §2b).
 * `p(k|x) ∝ π_k N(x; μ_k, Σ_k + σ²I)` (log-sum-exp), each component's Gaussian posterior `(m_k, C_k)`,
 * `m = Σ_k p(k|x) m_k`, `Tr C = Σ_k p(k|x)(Tr C_k + ‖m_k − m‖²)` (the between-component term as a sum of
 * squares, never as a difference), `C = Σ_k p(k|x)(C_k + (m_k − m)(m_k − m)ᵀ)`.
 */
export function gmm(components: readonly GmmComponent[], classNames?: readonly string[]): DataModel & {
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
  const logp = new Float64Array(K);
  const mk = new Float64Array(K * D);

  let lastEntropy = 0;
  /**
   * Component responsibilities p(k|x) into `probs`, returning log Σ_k π_k N(x; μ_k, Σ_k + σ²I); leaves
   * H(k|x) = log S − Σ_k p_k a_k (a_k = log-weight relative to the largest, S = 1 + Σ_{k≠k*} e^{a_k}) in `lastEntropy`.
   */
  function responsibilities(x: Float64Array, xo: number, s: number, probs: Float64Array): number {
    let M = -Infinity;
    let kStar = 0;
    for (let k = 0; k < K; k++) {
      logp[k] = logW[k] + comps[k].logDensity(x, xo, s);
      if (logp[k] > M) {
        M = logp[k];
        kStar = k;
      }
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
    return M + Math.log1p(rest);
  }

  function posterior(x: Batch, sigma: number | Float64Array, want: PosteriorRequest = {}): PosteriorStats {
    const B = x.rows;
    const mean = zeros(B, D);
    const traceCov = new Float64Array(B);
    const covariance = want.covariance ? new Float64Array(B * D * D) : undefined;
    const classProbs = new Float64Array(B * K);
    const classMeans = want.classMeans ? new Float64Array(B * K * D) : undefined;
    const classEntropy = new Float64Array(B);
    for (let i = 0; i < B; i++) {
      const s = sigmaAt(sigma, i);
      const p = classProbs.subarray(i * K, (i + 1) * K);
      responsibilities(x.data, i * D, s, p);
      classEntropy[i] = lastEntropy;
      const m = mean.data.subarray(i * D, (i + 1) * D);
      for (let k = 0; k < K; k++) {
        comps[k].posteriorMean(x.data, i * D, s, mk, k * D);
        for (let d = 0; d < D; d++) m[d] += p[k] * mk[k * D + d];
      }
      classMeans?.set(mk, i * K * D);
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
    return {
      mean,
      traceCov,
      covariance,
      classProbs: want.classProbs ? classProbs : undefined,
      classEntropy: want.classProbs ? classEntropy : undefined,
      classMeans: want.classMeans ? classMeans : undefined,
    };
  }

  function sampleLabelled(n: number, rng: Rng) {
    const points = zeros(n, D);
    const labels = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const k = draw(rng);
      labels[i] = k;
      comps[k].sampleInto(rng.normal, points.data, i * D);
    }
    return { points, labels };
  }

  return {
    kind: "gmm",
    dim: D,
    discrete: false,
    numClasses: K,
    classNames: classNames ?? comps.map((_, k) => `component ${k}`),
    components: comps,
    weights,
    structure: {
      type: "mixture",
      weights,
      means: { rows: K, dim: D, data: Float64Array.from(comps.flatMap((c) => Array.from(c.mean))) },
      components: comps,
    },
    posterior,
    denoise: (x, sigma) => posterior(x, sigma).mean,
    logDensity(x, sigma) {
      const out = new Float64Array(x.rows);
      const probs = new Float64Array(K);
      for (let i = 0; i < x.rows; i++) out[i] = responsibilities(x.data, i * D, sigmaAt(sigma, i), probs);
      return out;
    },
    sample: (n, rng) => sampleLabelled(n, rng).points,
    sampleLabelled,
  };
}
