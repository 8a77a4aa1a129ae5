import type { Batch } from "../../batch.js";
import { InfodynError } from "../../errors.js";
import type { DataModel } from "../../models/types.js";
import { symmetricEigenvalues } from "../../numeric/eigen.js";
import { checkSigmas } from "./schedule.js";

/**
 * The local Lyapunov spectrum at a point: eigenvalues (ascending) of the score Jacobian
 * `J(x) = ∇∇ᵀ log p_σ(x) = (C(x)/σ² − I)/σ²` (THEORY.md §2, §4). All negative where p_σ is locally log-concave;
 * a positive one means nearby noisy states are pushed apart by the score (a decision in progress).
 *
 * @example
 * localSpectrum(twoDeltas, [0], 0.5); // [(1/0.25 − 1)/0.25] = [12]: the origin is unstable below σ = 1
 */
export function localSpectrum(model: DataModel, x: ArrayLike<number>, sigma: number): Float64Array {
  const D = model.dim;
  const post = model.posterior({ rows: 1, dim: D, data: Float64Array.from(x) }, sigma, { covariance: true });
  const s2 = sigma * sigma;
  const J = new Float64Array(D * D);
  for (let a = 0; a < D * D; a++) J[a] = post.covariance![a] / (s2 * s2);
  for (let a = 0; a < D; a++) J[a * D + a] -= 1 / s2;
  return symmetricEigenvalues(J, D);
}

/** Butcher tableaux of the ODE samplers (explicit RK): stage nodes `c`, coefficients `a` (row s: stages < s), weights `b`. */
const TABLEAUX = {
  euler: { c: [0], a: [[]], b: [1] },
  heun: { c: [0, 1], a: [[], [1]], b: [0.5, 0.5] },
  rk4: { c: [0, 0.5, 0.5, 1], a: [[], [0.5], [0, 0.5], [0, 0, 1]], b: [1 / 6, 1 / 3, 1 / 3, 1 / 6] },
} as const;

/** Options of {@link finiteTimeLyapunov}. */
export interface LyapunovOptions {
  /** ODE method, the same tableau as the samplers. @default "heun" */
  method?: keyof typeof TABLEAUX;
  /** Number k of tangent directions (the k largest exponents). @default the dimension */
  directions?: number;
}

/** Finite-time Lyapunov exponents along probability-flow ODE trajectories. */
export interface FiniteTimeLyapunov {
  /** The positive levels of the grid (a final 0 dropped), descending. */
  sigma: Float64Array;
  /** Final states, as the ODE sampler of the same method gives them. */
  x: Batch;
  /** log |R_jj| of each step's Gram–Schmidt, rows × steps × k (step i goes from sigma[i] to sigma[i+1]). */
  logGrowth: Float64Array;
  /** Λ_j over [σ_min, σ_max] per trajectory, rows × k, in Gram–Schmidt order (direction j starts as e_j; not sorted). */
  exponents: Float64Array;
  /** Λ_j over [sigma[i], σ_max], averaged over trajectories, levels × k (row 0 is NaN: no interval yet). */
  meanCumulative: Float64Array;
  directions: number;
}

/**
 * Finite-time Lyapunov exponents of the probability-flow ODE (THEORY.md §4). The tangent dynamics
 * `dδ/dσ = (I − C(x)/σ²) δ/σ` is integrated beside `dx/dσ = (x − m(x))/σ` with the same explicit Runge–Kutta
 * tableau (so δ is exactly the derivative of the discrete flow map), k directions at once, re-orthonormalised by
 * modified Gram–Schmidt after every step.
 *
 * Normalisation: growth under the reverse flow, from σ_max down to σ, per unit log σ:
 * `Λ_j(σ) = Σ_steps log|R_jj| / log(σ_max/σ)`. Positive = nearby trajectories separate (a decision); a flat
 * direction of the data contracts at Λ = −1 (δ ∝ σ); for a Gaussian `N(μ, Σ)` along eigenvalue λ_j:
 * `Λ_j = ½ log((λ_j + σ²)/(λ_j + σ_max²)) / log(σ_max/σ)`.
 *
 * Special cases: a final 0 in the grid is dropped (J is singular there); the model must give covariances.
 *
 * @example
 * finiteTimeLyapunov(triangle, initialNoise(16, 2, 3, 0), logSigmas(200, 0.05, 3)).exponents;
 */
export function finiteTimeLyapunov(
  model: DataModel,
  x0: Batch,
  sigmas: ArrayLike<number>,
  options: LyapunovOptions = {},
): FiniteTimeLyapunov {
  checkSigmas(sigmas);
  const D = model.dim;
  if (x0.dim !== D) throw new InfodynError(`x: dimension ${x0.dim} does not match the model's ${D}`);
  const k = options.directions ?? D;
  if (!(Number.isInteger(k) && k >= 1 && k <= D)) throw new InfodynError(`directions: ${k} is not an integer in [1, ${D}]`);
  const tab = TABLEAUX[options.method ?? "heun"];
  const levels = sigmas[sigmas.length - 1] === 0 ? sigmas.length - 1 : sigmas.length;
  const sigma = Float64Array.from({ length: levels }, (_, i) => sigmas[i]);
  const rows = x0.rows;
  const Dk = D * k;
  const x: Batch = { rows, dim: D, data: Float64Array.from(x0.data) };
  const V = new Float64Array(rows * Dk); // per row a D×k matrix, row-major: V[r][d][j]
  for (let r = 0; r < rows; r++) for (let j = 0; j < k; j++) V[r * Dk + j * k + j] = 1;
  const S = tab.b.length;
  const kx = Array.from({ length: S }, () => new Float64Array(rows * D));
  const kv = Array.from({ length: S }, () => new Float64Array(rows * Dk));
  const stage: Batch = { rows, dim: D, data: new Float64Array(rows * D) };
  const stageV = new Float64Array(rows * Dk);
  const logGrowth = new Float64Array(rows * (levels - 1) * k);

  for (let i = 0; i + 1 < levels; i++) {
    const h = sigma[i + 1] - sigma[i];
    for (let s = 0; s < S; s++) {
      stage.data.set(x.data);
      stageV.set(V);
      for (let q = 0; q < s; q++) {
        const a = tab.a[s][q] ?? 0;
        if (a === 0) continue;
        for (let p = 0; p < stage.data.length; p++) stage.data[p] += h * a * kx[q][p];
        for (let p = 0; p < stageV.length; p++) stageV[p] += h * a * kv[q][p];
      }
      const sig = tab.c[s] === 1 ? sigma[i + 1] : sigma[i] + tab.c[s] * h;
      flow(model, stage, stageV, sig, k, kx[s], kv[s]);
    }
    for (let s = 0; s < S; s++) {
      for (let p = 0; p < x.data.length; p++) x.data[p] += h * tab.b[s] * kx[s][p];
      for (let p = 0; p < V.length; p++) V[p] += h * tab.b[s] * kv[s][p];
    }
    for (let r = 0; r < rows; r++) gramSchmidt(V, r * Dk, D, k, logGrowth, (r * (levels - 1) + i) * k);
  }

  const exponents = new Float64Array(rows * k);
  const meanCumulative = new Float64Array(levels * k).fill(NaN);
  const acc = new Float64Array(rows * k);
  for (let i = 0; i + 1 < levels; i++) {
    const span = Math.log(sigma[0] / sigma[i + 1]);
    for (let j = 0; j < k; j++) meanCumulative[(i + 1) * k + j] = 0;
    for (let r = 0; r < rows; r++)
      for (let j = 0; j < k; j++) {
        acc[r * k + j] += logGrowth[(r * (levels - 1) + i) * k + j];
        meanCumulative[(i + 1) * k + j] += acc[r * k + j] / span / rows;
      }
  }
  const total = Math.log(sigma[0] / sigma[levels - 1]);
  for (let p = 0; p < rows * k; p++) exponents[p] = acc[p] / total;
  return { sigma, x, logGrowth, exponents, meanCumulative, directions: k };
}

/** Right-hand sides at one stage: `f = (x − m)/σ`, `g = (V − C V/σ²)/σ` per row. */
function flow(model: DataModel, x: Batch, V: Float64Array, sigma: number, k: number, fx: Float64Array, gv: Float64Array): void {
  const D = x.dim;
  const post = model.posterior(x, sigma, { covariance: true });
  const m = post.mean.data;
  const C = post.covariance!;
  const s2 = sigma * sigma;
  for (let p = 0; p < fx.length; p++) fx[p] = (x.data[p] - m[p]) / sigma;
  for (let r = 0; r < x.rows; r++) {
    const vo = r * D * k;
    const co = r * D * D;
    for (let d = 0; d < D; d++)
      for (let j = 0; j < k; j++) {
        let cv = 0;
        for (let e = 0; e < D; e++) cv += C[co + d * D + e] * V[vo + e * k + j];
        gv[vo + d * k + j] = (V[vo + d * k + j] - cv / s2) / sigma;
      }
  }
}

/** Modified Gram–Schmidt on the k columns of the D×k matrix at `o`, in place; writes log|R_jj| at `go`. */
function gramSchmidt(V: Float64Array, o: number, D: number, k: number, logs: Float64Array, go: number): void {
  for (let j = 0; j < k; j++) {
    for (let q = 0; q < j; q++) {
      let dot = 0;
      for (let d = 0; d < D; d++) dot += V[o + d * k + q] * V[o + d * k + j];
      for (let d = 0; d < D; d++) V[o + d * k + j] -= dot * V[o + d * k + q];
    }
    let norm = 0;
    for (let d = 0; d < D; d++) norm += V[o + d * k + j] ** 2;
    norm = Math.sqrt(norm);
    logs[go + j] = Math.log(norm);
    for (let d = 0; d < D; d++) V[o + d * k + j] /= norm;
  }
}
