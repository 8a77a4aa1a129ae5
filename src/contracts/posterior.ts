import { type Batch, toRows } from "../batch.js";
import type { PosteriorStats } from "../models/types.js";
import { type Envelope, withEnvelope } from "./envelope.js";

/** The parameters of `infodyn posterior`: `--sigma` as given (one level, or one per point) and the number of points. */
export interface PosteriorParams {
  sigma: number[];
  numPoints: number;
}

/** The payload of `infodyn posterior --json`: one entry per query point. */
export interface PosteriorPayload {
  /** σ of each point. */
  sigma: number[];
  points: number[][];
  /** m(x) = E[y|x]. */
  mean: number[][];
  /** Tr Cov[y|x]. */
  traceCov: number[];
  /** h(x) = −Σ w log w in nats (discrete models). */
  entropy?: number[];
  /** p(c|x), one row per point (labelled models), with the class names. */
  classProbs?: number[][];
  classNames?: string[];
}

export type PosteriorJson = Envelope<"posterior", PosteriorParams> & PosteriorPayload;

/** What `infodyn posterior` computed: the query points, their σ's and the posterior statistics there. */
export interface PosteriorResult {
  points: Batch;
  sigma: number[];
  stats: PosteriorStats;
  numClasses: number;
  classNames?: readonly string[];
}

/**
 * The JSON contract of `infodyn posterior --json`.
 *
 * @example
 * posteriorContract({ points: x, sigma: [0.5], stats: model.posterior(x, 0.5, { entropy: true }), numClasses: 0 }, env);
 */
export function posteriorContract(r: PosteriorResult, env: Envelope<"posterior", PosteriorParams>): PosteriorJson {
  const K = r.numClasses;
  const rows = r.points.rows;
  const classProbs = r.stats.classProbs
    ? Array.from({ length: rows }, (_, i) => Array.from(r.stats.classProbs!.subarray(i * K, (i + 1) * K)))
    : undefined;
  const payload: PosteriorPayload = {
    sigma: r.sigma,
    points: toRows(r.points),
    mean: toRows(r.stats.mean),
    traceCov: Array.from(r.stats.traceCov),
    ...(r.stats.entropy ? { entropy: Array.from(r.stats.entropy) } : {}),
    ...(classProbs ? { classProbs, classNames: r.classNames ? [...r.classNames] : undefined } : {}),
  };
  return withEnvelope(env, payload);
}
