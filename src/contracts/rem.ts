import type { RemMonteCarlo } from "../analysis/thermo/rem-monte-carlo.js";
import { type Envelope, withEnvelope } from "./envelope.js";

/** The parameters of `infodyn rem`. */
export interface RemParams {
  M: number;
  betaOverBetaC: number[];
  draws: number;
  seed: number;
}

/** What `infodyn rem` computed, per β = ratio · β_c. */
export interface RemResult {
  M: number;
  betaC: number;
  betaOverBetaC: number[];
  exact: number[];
  law: number[];
  monteCarlo: RemMonteCarlo;
  seed: number;
}

/** The payload of `infodyn rem --json` (issue 6): exact finite-M E[Y], the M → ∞ law, Monte Carlo with SE. */
export interface RemPayload {
  M: number;
  betaC: number;
  betaOverBetaC: number[];
  exact: number[];
  law: number[];
  monteCarlo: { mean: number[]; standardError: number[]; draws: number };
  seed: number;
}

export type RemJson = Envelope<"rem", RemParams> & RemPayload;

/** The payload of {@link remContract}. */
export function remPayload(r: RemResult): RemPayload {
  return {
    M: r.M,
    betaC: r.betaC,
    betaOverBetaC: r.betaOverBetaC,
    exact: r.exact,
    law: r.law,
    monteCarlo: { mean: r.monteCarlo.mean, standardError: r.monteCarlo.standardError, draws: r.monteCarlo.draws },
    seed: r.seed,
  };
}

/** The JSON contract of `infodyn rem --json` (no model: the envelope's `model` is null). */
export function remContract(r: RemResult, env: Envelope<"rem", RemParams>): RemJson {
  return withEnvelope(env, remPayload(r));
}
