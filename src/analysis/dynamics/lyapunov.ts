import type { Batch } from "../../batch.js";
import { InfodynError } from "../../errors.js";
import type { DataModel, Denoiser } from "../../models/types.js";
import { checkGrid } from "../../noise/grid.js";
import { symmetricEigenvalues } from "../../numeric/eigen.js";
import { drive, isExact, type DenoiseProgram, type Driven } from "../../score/program.js";
import { EULER, HEUN, RK4, rkStep, rkWork, type Derivative } from "./runge-kutta.js";

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

/** Options of {@link finiteTimeLyapunov}. */
export interface LyapunovOptions {
  /** ODE method, the same tableau as the samplers. @default "heun" */
  method?: "euler" | "heun" | "rk4";
  /** Number k of tangent directions (the k largest exponents). @default the dimension */
  directions?: number;
  /**
   * How `C(x)V/σ² = (∂m/∂x)V` is computed: from the exact posterior covariance (exact models, the default there),
   * or by central differences of the denoiser, `(D(x + εv) − D(x − εv))/(2ε)` per tangent vector (any denoiser,
   * the default for networks), with `ε = epsilon · σ/‖v‖`.
   */
  jacobian?: "covariance" | "finite-difference";
  /** Finite-difference step relative to σ. @default 1e-3 */
  epsilon?: number;
  /** Checked before every denoiser call. */
  signal?: AbortSignal;
  /** Called after every step with (steps done, steps in all). */
  onProgress?: (done: number, total: number) => void;
}

/** Finite-time Lyapunov exponents along probability-flow ODE trajectories. */
export interface FiniteTimeLyapunov {
  /** The positive levels of the grid (a final 0 dropped), descending. */
  sigma: Float64Array;
  /** Final states, as the ODE sampler of the same method gives them. */
  x: Batch;
  /**
   * log |R_jj| of each step's Gram–Schmidt, rows × steps × k (step i goes from sigma[i] to sigma[i+1]), in
   * Gram–Schmidt order: divide by log(sigma[i]/sigma[i+1]) for the local rates in the direction of generation.
   */
  logGrowth: Float64Array;
  /** Λ_j over [σ_min, σ_max] per trajectory, rows × k, in Gram–Schmidt order (direction j starts as e_j; not sorted). */
  exponents: Float64Array;
  /** Λ_j over [sigma[i], σ_max], averaged over trajectories, levels × k (row 0 is NaN: no interval yet). */
  meanCumulative: Float64Array;
  directions: number;
  /** How the tangent flow's Jacobian products were computed. */
  jacobian: "covariance" | "finite-difference";
}

const TABLEAUX = { euler: EULER, heun: HEUN, rk4: RK4 } as const;

/**
 * Finite-time Lyapunov exponents of the probability-flow ODE (THEORY.md §4). The tangent dynamics
 * `dδ/dσ = (I − C(x)/σ²) δ/σ` is integrated beside `dx/dσ = (x − m(x))/σ` as one augmented state `[x, V]` by the
 * Runge–Kutta driver with the sampler's tableau (so δ is exactly the derivative of the discrete flow map when C
 * is exact), k directions at once, re-orthonormalised by modified Gram–Schmidt after every step.
 *
 * Convention: growth in the direction of generation (σ decreasing, from σ_max down to σ), per unit log σ:
 * `Λ_j(σ) = Σ_steps log|R_jj| / log(σ_max/σ)`; positive = nearby trajectories separate (a decision), negative =
 * they contract. The local rate of a step is the same per unit of −log σ: along the flow
 * `dδ/d(−log σ) = (C(x)/σ² − I) δ = σ² ∇∇log p_σ δ`, so its rates are the eigenvalues of `C/σ² − I` where the
 * directions have aligned. A flat direction of the data contracts at Λ = −1 (δ ∝ σ); for a Gaussian `N(μ, Σ)`
 * along eigenvalue λ_j (C = σ²λ_j/(λ_j + σ²) there): local rate `−σ²/(λ_j + σ²)` and
 * `Λ_j = ½ log((λ_j + σ²)/(λ_j + σ_max²)) / log(σ_max/σ)`; for two deltas ±1 at their midpoint x = 0 (C = 1):
 * local rate `1/σ² − 1`, positive below the branching σ = 1.
 *
 * Special cases: a final 0 in the grid is dropped (J is singular there). On a network (no posterior) the
 * Jacobian products come from central differences of the denoiser (`jacobian: "finite-difference"`): 1 + 2k
 * rows per trajectory in each denoiser call, error O(ε²) plus the denoiser's rounding over 2ε.
 *
 * @example
 * finiteTimeLyapunov(triangle, initialNoise(16, 2, 3, 0), logSigmas(200, 0.05, 3)).exponents;
 */
export function finiteTimeLyapunov<Dn extends Denoiser>(
  denoiser: Dn,
  x0: Batch,
  sigmas: ArrayLike<number>,
  options: LyapunovOptions = {},
): Driven<Dn, FiniteTimeLyapunov> {
  const D = denoiser.dim;
  if (x0.dim !== D) throw new InfodynError(`x: dimension ${x0.dim} does not match the model's ${D}`);
  const jacobian = options.jacobian ?? (isExact(denoiser) ? "covariance" : "finite-difference");
  if (jacobian === "covariance" && !isExact(denoiser))
    throw new InfodynError("jacobian: 'covariance' needs an exact model (a network has no posterior covariance; use 'finite-difference')");
  return drive(lyapunovProgram(denoiser, x0, sigmas, jacobian, options), denoiser, { signal: options.signal });
}

function* lyapunovProgram(
  denoiser: Denoiser,
  x0: Batch,
  sigmas: ArrayLike<number>,
  jacobian: "covariance" | "finite-difference",
  options: LyapunovOptions,
): DenoiseProgram<FiniteTimeLyapunov> {
  checkGrid(sigmas, "sigmas", { min: 2 });
  const D = denoiser.dim;
  const k = options.directions ?? D;
  if (!(Integer(k) && k >= 1 && k <= D)) throw new InfodynError(`directions: ${k} is not an integer in [1, ${D}]`);
  const tab = TABLEAUX[options.method ?? "heun"];
  if (!tab) throw new InfodynError(`method: unknown ODE method '${options.method}' (expected euler, heun or rk4)`);
  const levels = sigmas[sigmas.length - 1] === 0 ? sigmas.length - 1 : sigmas.length;
  const sigma = Float64Array.from({ length: levels }, (_, i) => sigmas[i]);
  const rows = x0.rows;
  const Dk = D * k;
  const nx = rows * D;
  // The augmented state: x (rows × D), then per row its k tangent vectors, each contiguous: V[r][j][d].
  const y = new Float64Array(nx + rows * Dk);
  y.set(x0.data);
  for (let r = 0; r < rows; r++) for (let j = 0; j < k; j++) y[nx + r * Dk + j * D + j] = 1;
  const f: Derivative =
    jacobian === "covariance"
      ? exactFlow(denoiser as DataModel, rows, D, k)
      : differenceFlow(rows, D, k, options.epsilon ?? 1e-3);
  const work = rkWork(tab, y.length);
  const logGrowth = new Float64Array(rows * (levels - 1) * k);
  for (let i = 0; i + 1 < levels; i++) {
    yield* rkStep(tab, f, y, sigma[i], sigma[i + 1], work);
    for (let r = 0; r < rows; r++) gramSchmidt(y, nx + r * Dk, D, k, logGrowth, (r * (levels - 1) + i) * k);
    options.onProgress?.(i + 1, levels - 1);
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
  const x: Batch = { rows, dim: D, data: y.slice(0, nx) };
  return { sigma, x, logGrowth, exponents, meanCumulative, directions: k, jacobian };
}

const Integer = Number.isInteger;

/** `f = (x − m)/σ`, `g = (V − C V/σ²)/σ` per row, from the exact posterior covariance. */
function exactFlow(model: DataModel, rows: number, D: number, k: number): Derivative {
  const nx = rows * D;
  return function* (y, sigma, out) {
    const post = model.posterior({ rows, dim: D, data: y.subarray(0, nx) }, sigma, { covariance: true });
    const m = post.mean.data;
    const C = post.covariance!;
    const s2 = sigma * sigma;
    for (let p = 0; p < nx; p++) out[p] = (y[p] - m[p]) / sigma;
    for (let r = 0; r < rows; r++) {
      const co = r * D * D;
      for (let j = 0; j < k; j++) {
        const v = nx + (r * k + j) * D; // tangent vector j of row r, contiguous
        for (let d = 0; d < D; d++) {
          const c = co + d * D;
          let cv = 0;
          for (let e = 0; e < D; e++) cv += C[c + e] * y[v + e];
          out[v + d] = (y[v + d] - cv / s2) / sigma;
        }
      }
    }
  };
}

/**
 * The same right-hand side with `C V/σ² = (∂m/∂x) V` by central differences: one denoiser call on the rows
 * x, then x ± ε_j v_j for each tangent vector (ε_j = epsilon·σ/‖v_j‖).
 */
function differenceFlow(rows: number, D: number, k: number, epsilon: number): Derivative {
  const nx = rows * D;
  const per = 1 + 2 * k;
  const X = new Float64Array(rows * per * D);
  const steps = new Float64Array(rows * k);
  return function* (y, sigma, out) {
    for (let r = 0; r < rows; r++) {
      const base = r * per * D;
      for (let d = 0; d < D; d++) X[base + d] = y[r * D + d];
      for (let j = 0; j < k; j++) {
        const v = nx + (r * k + j) * D;
        let norm = 0;
        for (let d = 0; d < D; d++) norm += y[v + d] ** 2;
        const eps = (epsilon * sigma) / (Math.sqrt(norm) || 1);
        steps[r * k + j] = eps;
        const plus = base + (1 + 2 * j) * D;
        for (let d = 0; d < D; d++) {
          X[plus + d] = y[r * D + d] + eps * y[v + d];
          X[plus + D + d] = y[r * D + d] - eps * y[v + d];
        }
      }
    }
    const M = (yield { x: { rows: rows * per, dim: D, data: X }, sigma }).data;
    for (let r = 0; r < rows; r++) {
      const base = r * per * D;
      for (let d = 0; d < D; d++) out[r * D + d] = (y[r * D + d] - M[base + d]) / sigma;
      for (let j = 0; j < k; j++) {
        const v = nx + (r * k + j) * D;
        const plus = base + (1 + 2 * j) * D;
        const eps = steps[r * k + j];
        for (let d = 0; d < D; d++) {
          const jv = (M[plus + d] - M[plus + D + d]) / (2 * eps);
          out[v + d] = (y[v + d] - jv) / sigma;
        }
      }
    }
  };
}
/** Modified Gram–Schmidt on the k contiguous vectors of length D at `o`, in place; writes log|R_jj| at `go`. */
function gramSchmidt(V: Float64Array, o: number, D: number, k: number, logs: Float64Array, go: number): void {
  for (let j = 0; j < k; j++) {
    const vj = o + j * D;
    for (let q = 0; q < j; q++) {
      const vq = o + q * D;
      let dot = 0;
      for (let d = 0; d < D; d++) dot += V[vq + d] * V[vj + d];
      for (let d = 0; d < D; d++) V[vj + d] -= dot * V[vq + d];
    }
    let norm = 0;
    for (let d = 0; d < D; d++) norm += V[vj + d] ** 2;
    norm = Math.sqrt(norm);
    logs[go + j] = Math.log(norm);
    for (let d = 0; d < D; d++) V[vj + d] /= norm;
  }
}
