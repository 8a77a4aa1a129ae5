import type { Batch } from "../batch.js";

/**
 * A finite weighted point set — the "deltas" data distribution `φ = Σ_j π_j δ(y − y_j)` that every
 * empirical dataset, enumerated Ising model and two-delta toy becomes.
 */
export interface DeltaSet {
  /** Number of points N. */
  readonly n: number;
  /** Dimension D. */
  readonly dim: number;
  /** Points, row-major N × D. */
  readonly points: Float64Array;
  /** log π_j, normalised so that Σ π_j = 1. */
  readonly logWeights: Float64Array;
  /** Class index of each point (0 … numClasses−1), or undefined when unlabelled. */
  readonly labels?: Int32Array;
  readonly numClasses: number;
}

/** What the kernel should compute beyond the mean, `Tr C` and log-partition (always computed). */
export interface KernelRequest {
  covariance?: boolean;
  entropy?: boolean;
  classProbs?: boolean;
  participation?: boolean;
  /** Class-conditional posterior means m_c(x) = E[y | x, c] (labelled data only). */
  classMeans?: boolean;
}

/**
 * The kernel's output, one entry (or row) per query. A row with σ ≤ 0, NaN σ or a non-finite query is NaN in
 * every array present.
 */
export interface KernelResult {
  mean: Float64Array;
  traceCov: Float64Array;
  /** logsumexp_j(log π_j − ‖x − y_j‖²/(2σ²)); log p_σ(x) = this − (D/2) log(2πσ²). */
  logPartition: Float64Array;
  covariance?: Float64Array;
  entropy?: Float64Array;
  classProbs?: Float64Array;
  participation?: Float64Array;
  /** −Σ_c p(c|x) log p(c|x), computed from log class masses (labelled data, with classProbs). */
  classEntropy?: Float64Array;
  /** rows × numClasses × D; a class with zero posterior mass gets its prior-free value 0 (NaN rows stay NaN). */
  classMeans?: Float64Array;
}

/**
 * The batched posterior kernel for deltas: B queries × N points × D dimensions (THEORY.md §3).
 * A backend (plain JS, WebAssembly, native) implements this one function; models call whichever is installed
 * with `setPosteriorKernel` (src/engine/backends.ts).
 */
export type PosteriorKernel = (
  data: DeltaSet,
  queries: Batch,
  sigma: number | Float64Array,
  want: KernelRequest,
) => KernelResult;
