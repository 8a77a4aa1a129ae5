import type { Batch } from "../batch.js";
import type { Rng } from "../numeric/rng.js";

/**
 * What a denoiser is conditioned on. `labels[i]` is the class of row i (0 … numClasses − 1), or −1 for the
 * unconditional denoiser on that row; no `labels` (or no `cond` at all) means unconditional on every row.
 */
export interface Conditioning {
  labels?: Int32Array;
}

/**
 * Anything that can denoise: an exact model or a trained network. A trained network runs
 * asynchronously (ONNX Runtime, a Web Worker) and returns a promise; exact models answer synchronously
 * ({@link SyncDenoiser}). Analyses that only need denoised values accept either (see `drive` in `score/`).
 */
export interface Denoiser {
  readonly dim: number;
  /** Number of classes a conditional denoiser accepts in `cond.labels` (0 or absent: unconditional only). */
  readonly numClasses?: number;
  /**
   * E[y | x] (or E[y | x, c] for rows with a label c ≥ 0) for a batch of noisy points x = y + σz, at one noise
   * level for the batch or one per row.
   */
  denoise(x: Batch, sigma: number | Float64Array, cond?: Conditioning): Batch | Promise<Batch>;
}

/** A denoiser that answers at once (every exact model). */
export interface SyncDenoiser extends Denoiser {
  denoise(x: Batch, sigma: number | Float64Array, cond?: Conditioning): Batch;
}

/** What a caller wants from {@link DataModel.posterior}; the mean and `Tr C` always come. */
export interface PosteriorRequest {
  /** Full posterior covariance matrices (rows × dim × dim); costs dim² per data point. */
  covariance?: boolean;
  /** Pathwise entropy h(x) = −Σ w log w (discrete models only). */
  entropy?: boolean;
  /** Class probabilities p(c|x) (labelled models only). */
  classProbs?: boolean;
  /** Participation ratio Y(x) = Σ w² (discrete models only). */
  participation?: boolean;
  /** Class-conditional posterior means m_c(x) = E[y|x,c] (labelled models only). */
  classMeans?: boolean;
  /** log p_σ(x) alongside (free for kernel-backed models). */
  logDensity?: boolean;
}

/** Posterior statistics for each row of a batch (THEORY.md §2–3). */
export interface PosteriorStats {
  /** m(x) = E[y|x], rows × dim. */
  mean: Batch;
  /** Tr C(x) = Tr Cov[y|x], one per row. */
  traceCov: Float64Array;
  /** C(x), row-major rows × dim × dim, when requested. */
  covariance?: Float64Array;
  /** −Σ_j w_j log w_j in nats (discrete models), when requested. */
  entropy?: Float64Array;
  /** p(c|x), rows × numClasses, when requested and the model is labelled. */
  classProbs?: Float64Array;
  /** Σ_j w_j² (discrete models), when requested. */
  participation?: Float64Array;
  /** H(c|x) = −Σ_c p(c|x) log p(c|x) in nats, computed in log space (with classProbs, labelled models). */
  classEntropy?: Float64Array;
  /** m_c(x), rows × numClasses × dim, when requested and the model is labelled. */
  classMeans?: Float64Array;
  /** log p_σ(x), when requested and available without extra work. */
  logDensity?: Float64Array;
}

/**
 * How a model's noisy law `p_σ` is built, for analyses that integrate over x exactly:
 * - `mixture`: `p_σ = Σ_k π_k N(μ_k, Σ_k + σ²I)` (deltas: every Σ_k = 0; components give Σ_k = V diag(λ) Vᵀ);
 * - `gaussian`: one Gaussian with eigenvalues λ (closed forms);
 * - `sphere`: uniform on the sphere of this radius (expectations depend on ‖x‖ only).
 */
export type ModelStructure =
  | {
      type: "mixture";
      weights: Float64Array;
      means: Batch;
      components?: readonly { lambda: Float64Array; vectors: Float64Array }[];
      /** Class of each component (labelled models): `p(c|x) = Σ_{k: labels[k] = c} p(k|x)`. */
      labels?: Int32Array;
    }
  | { type: "gaussian"; lambda: Float64Array; mean: Float64Array }
  | { type: "sphere"; radius: number };

/**
 * A data distribution whose posterior at every noise level is known exactly. Its `denoise` answers conditional
 * rows exactly (m_c = E[y | x, c], THEORY.md §9.3) when the model is labelled.
 */
export interface DataModel extends SyncDenoiser {
  readonly kind: string;
  /** True when the data distribution is a finite set of weighted points (entropies in exact nats). */
  readonly discrete: boolean;
  /** Number of classes when labelled, else 0. */
  readonly numClasses: number;
  /** Class names in label order when labelled. */
  readonly classNames?: readonly string[];
  /** Image shape of a point, `[H, W]` or `[C, H, W]` (product = dim), when the data are images (figures only). */
  readonly shape?: readonly number[];
  posterior(x: Batch, sigma: number | Float64Array, want?: PosteriorRequest): PosteriorStats;
  /** log p_sigma(x), the density of x = y + sigma z. */
  logDensity(x: Batch, sigma: number | Float64Array): Float64Array;
  /** The law of the model, for exact integration over x (optional: analyses fall back to Monte Carlo). */
  readonly structure?: ModelStructure;
  /** n draws y ~ data. */
  sample(n: number, rng: Rng): Batch;
  /** Class label of each draw of the last sample call is not tracked; labelled samples come from here. */
  sampleLabelled?(n: number, rng: Rng): { points: Batch; labels: Int32Array };
}

/** Noise level for row i when sigma is a scalar or one per row. */
export function sigmaAt(sigma: number | Float64Array, i: number): number {
  return typeof sigma === "number" ? sigma : sigma[i];
}
