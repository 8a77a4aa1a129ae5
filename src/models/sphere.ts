import { type Batch, zeros } from "../batch.js";
import { besselRatio, besselRatioComplement, logBesselMgfScaled } from "../numeric/bessel.js";
import type { Rng } from "../numeric/rng.js";
import { conditionalLabels } from "./deltas.js";
import { sigmaAt, type DataModel, type PosteriorRequest, type PosteriorStats } from "./types.js";

const LOG_2PI = Math.log(2 * Math.PI);

/**
 * Uniform distribution on the sphere `S^{d−1}` of radius r in R^d (THEORY.md §2b).
 * The posterior is von Mises–Fisher with mean direction `x/‖x‖` and concentration `κ = r‖x‖/σ²`:
 * `m = r A_d(κ) x/‖x‖`, `Tr C = r²(1 − A_d(κ)²)`,
 * `C = r²[(A/κ)(I − x̂x̂ᵀ) + (1 − A² − (d−1)A/κ) x̂x̂ᵀ]`,
 * `log p_σ(x) = −(d/2) log(2πσ²) − (‖x‖ − r)²/(2σ²) + (log E_u e^{κu₁} − κ)`, the last term without subtracting κ
 * ({@link logBesselMgfScaled}: κ reaches 1e24 at σ = 1e-12).
 *
 * The radial variance `1 − A² − (d−1)A/κ` (= A'(κ)) is a difference of nearly equal numbers for κ ≫ d; it
 * carries a relative error ≈ 1e-16·κ/d, so the full covariance is accurate to ~1e-10 only up to κ ≈ 1e6·d.
 */
export function sphere(dim: number, radius = 1): DataModel & { readonly radius: number } {
  const d = dim;
  const r = radius;
  function norm(x: Float64Array, o: number): number {
    let s = 0;
    for (let k = 0; k < d; k++) s += x[o + k] * x[o + k];
    return Math.sqrt(s);
  }
  const model: DataModel & { readonly radius: number } = {
    kind: "sphere",
    dim: d,
    discrete: false,
    numClasses: 0,
    radius: r,
    structure: { type: "sphere", radius: r },
    posterior(x: Batch, sigma: number | Float64Array, want: PosteriorRequest = {}): PosteriorStats {
      const B = x.rows;
      const mean = zeros(B, d);
      const traceCov = new Float64Array(B);
      const covariance = want.covariance ? new Float64Array(B * d * d) : undefined;
      for (let i = 0; i < B; i++) {
        const s = sigmaAt(sigma, i);
        const nx = norm(x.data, i * d);
        const kappa = (r * nx) / (s * s);
        const A = besselRatio(d, kappa);
        const oneMinusA = besselRatioComplement(d, kappa);
        if (nx > 0) for (let k = 0; k < d; k++) mean.data[i * d + k] = (r * A * x.data[i * d + k]) / nx;
        traceCov[i] = r * r * oneMinusA * (1 + A);
        if (covariance) {
          const o = i * d * d;
          const tangential = kappa > 0 ? A / kappa : 1 / d;
          const radial = kappa > 0 ? oneMinusA * (1 + A) - (d - 1) * tangential : 1 / d;
          for (let a = 0; a < d; a++) {
            covariance[o + a * d + a] += r * r * tangential;
            if (nx === 0) continue;
            for (let b = 0; b < d; b++) {
              const uu = (x.data[i * d + a] * x.data[i * d + b]) / (nx * nx);
              covariance[o + a * d + b] += r * r * (radial - tangential) * uu;
            }
          }
        }
      }
      return { mean, traceCov, covariance };
    },
    denoise(x, sigma, cond) {
      conditionalLabels(cond, x.rows, 0); // unlabelled: only −1 rows
      return model.posterior(x, sigma).mean;
    },
    logDensity(x, sigma) {
      const out = new Float64Array(x.rows);
      for (let i = 0; i < x.rows; i++) {
        const s = sigmaAt(sigma, i);
        const nx = norm(x.data, i * d);
        const kappa = (r * nx) / (s * s);
        out[i] = -0.5 * d * (LOG_2PI + 2 * Math.log(s)) - (nx - r) ** 2 / (2 * s * s) + logBesselMgfScaled(d, kappa);
      }
      return out;
    },
    sample(n: number, rng: Rng) {
      const out = zeros(n, d);
      for (let i = 0; i < n; i++) {
        let s = 0;
        for (let k = 0; k < d; k++) {
          const z = rng.normal();
          out.data[i * d + k] = z;
          s += z * z;
        }
        const f = r / Math.sqrt(s);
        for (let k = 0; k < d; k++) out.data[i * d + k] *= f;
      }
      return out;
    },
  };
  return model;
}
