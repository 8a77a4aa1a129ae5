import { type Batch, zeros } from "../batch.js";
import type { Rng } from "../numeric/rng.js";
import { conditionalLabels } from "./deltas.js";
import { GaussianComponent } from "./gaussian-component.js";
import { sigmaAt, type DataModel, type PosteriorRequest, type PosteriorStats } from "./types.js";

/**
 * A Gaussian data distribution `N(μ, Σ)`, Σ positive semi-definite (singular allowed: data on a subspace).
 * Exact posterior (THEORY.md §2b): `m = μ + Σ(Σ + σ²I)⁻¹(x − μ)`, `C = σ²Σ(Σ + σ²I)⁻¹`, `p_σ = N(μ, Σ + σ²I)`.
 *
 * @example
 * const g = gaussian(new Float64Array([0]), new Float64Array([4]));
 * g.posterior(fromRows([[1]]), 1).traceCov[0]; // returns 4·1/(4+1) = 0.8
 */
export function gaussian(mean: Float64Array, cov: Float64Array): DataModel & { readonly component: GaussianComponent } {
  const comp = new GaussianComponent(mean, cov);
  const D = mean.length;
  function posterior(x: Batch, sigma: number | Float64Array, want: PosteriorRequest = {}): PosteriorStats {
    const out = zeros(x.rows, D);
    const traceCov = new Float64Array(x.rows);
    const covariance = want.covariance ? new Float64Array(x.rows * D * D) : undefined;
    for (let i = 0; i < x.rows; i++) {
      const s = sigmaAt(sigma, i);
      comp.posteriorMean(x.data, i * D, s, out.data, i * D);
      traceCov[i] = comp.traceCov(s);
      if (covariance) comp.addCovariance(s, 1, covariance, i * D * D);
    }
    return { mean: out, traceCov, covariance };
  }
  return {
    kind: "gaussian",
    dim: D,
    discrete: false,
    numClasses: 0,
    component: comp,
    structure: { type: "gaussian", lambda: comp.lambda, mean: comp.mean },
    posterior,
    denoise(x, sigma, cond) {
      conditionalLabels(cond, x.rows, 0); // unlabelled: only −1 rows
      return posterior(x, sigma).mean;
    },
    logDensity(x, sigma) {
      const out = new Float64Array(x.rows);
      for (let i = 0; i < x.rows; i++) out[i] = comp.logDensity(x.data, i * D, sigmaAt(sigma, i));
      return out;
    },
    sample(n: number, rng: Rng) {
      const out = zeros(n, D);
      for (let i = 0; i < n; i++) comp.sampleInto(rng.normal, out.data, i * D);
      return out;
    },
  };
}
