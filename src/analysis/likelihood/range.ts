import type { Batch } from "../../batch.js";
import type { DataModel } from "../../models/types.js";
import { dataScale, defaultSigmaRange } from "../scale.js";

/** The σ range of a likelihood run, with the scales it came from. */
export interface LikelihoodRange {
  sigmaMin: number;
  sigmaMax: number;
  /** The narrowest width of the law (its smallest standard deviation, or the smoothing s). */
  width: number;
  /** √Tr Cov(y). */
  spread: number;
}

/**
 * The default σ range of an exact model: `σ_min = 10⁻⁴ w` and `σ_max = 10⁴ √Tr Cov` for the I-MMSE route (the
 * tails of `immseWeights` then cost ≲ 10⁻⁸ of the integrand's scale, well below a relative 10⁻⁶), `10⁻³ w` and
 * `10³ √Tr Cov` for the ODE route (bias ≈ 10⁻⁶ D nats, reported; the prior's error ≲ 10⁻⁹), with w the law's
 * narrowest width: the smoothing s when s > 0, else the smallest standard deviation (`defaultSigmaRange`'s resolution).
 */
export function modelLikelihoodRange(model: DataModel, method: "immse" | "ode", smoothing = 0): LikelihoodRange {
  const r = defaultSigmaRange(model);
  const width = smoothing > 0 ? smoothing : r.resolution;
  const f = method === "immse" ? 1e4 : 1e3;
  return { sigmaMin: width / f, sigmaMax: r.spread * f, width, spread: r.spread };
}

/**
 * The default σ range of a trained network from its data samples: `σ_min = 10⁻² √(Tr Cov/D)` (a hundredth of a
 * coordinate's spread, near the small end a network is trained on) and `σ_max = 10 √Tr Cov` (`defaultSigmaRange`'s
 * top, where the data are lost in the noise); a network's answers outside its training range are its own guess.
 */
export function networkLikelihoodRange(data: Batch, smoothing = 0): LikelihoodRange {
  const perCoordinate = dataScale(data.data, data.dim);
  const spread = perCoordinate * Math.sqrt(data.dim);
  const width = Math.max(smoothing, perCoordinate * 1e-2);
  return { sigmaMin: width, sigmaMax: 10 * spread, width, spread };
}
