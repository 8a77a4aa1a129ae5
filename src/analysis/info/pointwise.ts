import type { Batch } from "../../batch.js";
import type { DataModel } from "../../models/types.js";
import { symmetricEigenvalues } from "../../numeric/eigen.js";

/** Largest dimension for which the full-covariance routes (Fisher trace, divergence, Jacobian spectrum) run. */
export const FULL_COVARIANCE_MAX_DIM = 16;

/**
 * Per-point quantities at noise σ whose expectations over x ~ p_σ make the information profile
 * (THEORY.md §2–3). Each array has one entry per row of the batch.
 */
export interface PointQuantities {
  /** Tr C(x). */
  traceCov: Float64Array;
  /** ‖∇log p_σ(x)‖² = ‖m(x) − x‖²/σ⁴. */
  scoreNormSq: Float64Array;
  /** Tr C(x)/σ⁴ from the diagonal of the full covariance (Fisher information trace). */
  fisherTrace?: Float64Array;
  /** div(x) = Σ_k J_kk(x) from the full covariance, J = (C/σ² − I)/σ². */
  divergence?: Float64Array;
  /** Σ_j λ_j(J(x)) from the eigenvalues of the score Jacobian. */
  jacobianEigenSum?: Float64Array;
  /** log p_σ(x) (continuous models: discrete ones take I(y; x_σ) = H(y) − E h instead). */
  logDensity?: Float64Array;
  /** h(x) = −Σ_j w_j log w_j (discrete models). */
  pathwiseEntropy?: Float64Array;
  /** −Σ_c p(c|x) log p(c|x) (labelled models). */
  classEntropy?: Float64Array;
  /** Σ_c p(c|x)‖m_c(x) − m(x)‖² = σ⁴ Σ_c p(c|x)‖∇log p(c|x)‖² (labelled models). */
  classBetween?: Float64Array;
}

/** Evaluates {@link PointQuantities} on a batch (one posterior call with everything the profile needs). */
export function pointQuantities(model: DataModel, x: Batch, sigma: number): PointQuantities {
  const D = model.dim;
  const B = x.rows;
  const K = model.numClasses;
  // In 1-D the covariance is Tr C itself; the full-matrix routes start at D = 2.
  const full = D >= 2 && D <= FULL_COVARIANCE_MAX_DIM;
  const post = model.posterior(x, sigma, {
    covariance: full,
    entropy: model.discrete,
    classProbs: K > 0,
    classMeans: K > 0,
    logDensity: !model.discrete,
  });
  const s2 = sigma * sigma;
  const s4 = s2 * s2;
  const scoreNormSq = new Float64Array(B);
  for (let i = 0; i < B; i++) {
    let acc = 0;
    for (let k = 0; k < D; k++) acc += (post.mean.data[i * D + k] - x.data[i * D + k]) ** 2;
    scoreNormSq[i] = acc / s4;
  }
  const out: PointQuantities = {
    traceCov: post.traceCov,
    scoreNormSq,
    logDensity: model.discrete ? undefined : (post.logDensity ?? model.logDensity(x, sigma)),
    pathwiseEntropy: post.entropy,
  };
  if (full && post.covariance) {
    const C = post.covariance;
    out.fisherTrace = new Float64Array(B);
    out.divergence = new Float64Array(B);
    out.jacobianEigenSum = new Float64Array(B);
    const J = new Float64Array(D * D);
    for (let i = 0; i < B; i++) {
      let tr = 0;
      let div = 0;
      for (let k = 0; k < D; k++) {
        const ckk = C[i * D * D + k * D + k];
        tr += ckk;
        div += (ckk / s2 - 1) / s2;
      }
      out.fisherTrace[i] = tr / s4;
      out.divergence[i] = div;
      for (let a = 0; a < D * D; a++) J[a] = (C[i * D * D + a] / s2 - (a % (D + 1) === 0 ? 1 : 0)) / s2;
      out.jacobianEigenSum[i] = symmetricEigenvalues(J, D).reduce((acc, v) => acc + v, 0);
    }
  }
  if (K > 0 && post.classProbs && post.classMeans) {
    out.classEntropy = new Float64Array(B);
    out.classBetween = new Float64Array(B);
    for (let i = 0; i < B; i++) {
      let h = 0;
      let between = 0;
      for (let c = 0; c < K; c++) {
        const p = post.classProbs[i * K + c];
        if (p <= 0) continue;
        if (!post.classEntropy) h -= p * Math.log(p);
        let d2 = 0;
        for (let k = 0; k < D; k++) d2 += (post.classMeans[(i * K + c) * D + k] - post.mean.data[i * D + k]) ** 2;
        between += p * d2;
      }
      out.classEntropy[i] = post.classEntropy ? post.classEntropy[i] : Math.max(0, h);
      out.classBetween[i] = between;
    }
  }
  return out;
}
