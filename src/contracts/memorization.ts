import type { ParticipationStats, PathParticipation } from "../analysis/thermo/participation.js";
import { type Envelope, withEnvelope } from "./envelope.js";

/** The parameters of `infodyn memorization`. */
export interface MemorizationParams {
  sigmaMin: number;
  sigmaMax: number;
  steps: number;
  samples: number;
  paths: number;
  threshold: number;
  seed: number;
}

/** What `infodyn memorization` computed: Y over x ~ p_σ (ascending σ) and along reverse-SDE paths. */
export interface MemorizationResult {
  kind: string;
  /** Data points of a mixture model, else null. */
  numPoints: number | null;
  seed: number;
  vsSigma: ParticipationStats;
  alongPaths: PathParticipation;
  paths: number;
  threshold: number;
}

/** The payload of `infodyn memorization --json` (issue 6). */
export interface MemorizationPayload {
  kind: string;
  numPoints: number | null;
  seed: number;
  sigma: number[];
  meanParticipation: number[];
  participationSE: number[];
  meanInverseParticipation: number[];
  inverseParticipationSE: number[];
  paths: { count: number; sigma: number[]; meanParticipation: number[]; meanInverseParticipation: number[]; inverseParticipationSE: number[] };
  /** Each path's condensation σ (null if it never condenses), their mean and median over the paths that do. */
  condensation: { threshold: number; sigma: (number | null)[]; mean: number | null; median: number | null; condensed: number };
}

export type MemorizationJson = Envelope<"memorization", MemorizationParams> & MemorizationPayload;

/** The payload of {@link memorizationContract}. */
export function memorizationPayload(r: MemorizationResult): MemorizationPayload {
  const vs = r.vsSigma;
  const along = r.alongPaths;
  const cond = along.condensationSigma.filter(Number.isFinite).sort((a, b) => a - b);
  const median = cond.length ? (cond.length % 2 ? cond[(cond.length - 1) / 2] : 0.5 * (cond[cond.length / 2 - 1] + cond[cond.length / 2])) : null;
  return {
    kind: r.kind,
    numPoints: r.numPoints,
    seed: r.seed,
    sigma: vs.sigma,
    meanParticipation: vs.meanParticipation,
    participationSE: vs.participationSE,
    meanInverseParticipation: vs.meanInverseParticipation,
    inverseParticipationSE: vs.inverseParticipationSE,
    paths: {
      count: r.paths,
      sigma: along.sigma,
      meanParticipation: along.meanParticipation,
      meanInverseParticipation: along.meanInverseParticipation,
      inverseParticipationSE: along.inverseParticipationSE,
    },
    condensation: {
      threshold: r.threshold,
      sigma: along.condensationSigma.map((s) => (Number.isFinite(s) ? s : null)),
      mean: cond.length ? cond.reduce((a, b) => a + b, 0) / cond.length : null,
      median,
      condensed: cond.length,
    },
  };
}

/** The JSON contract of `infodyn memorization --json`. */
export function memorizationContract(r: MemorizationResult, env: Envelope<"memorization", MemorizationParams>): MemorizationJson {
  return withEnvelope(env, memorizationPayload(r));
}
