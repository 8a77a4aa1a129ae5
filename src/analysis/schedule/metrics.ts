import type { Batch } from "../../batch.js";
import type { DataModel } from "../../models/types.js";
import { createRng } from "../../numeric/rng.js";
import { klBins, klKde } from "./kl.js";
import { medianLengthScale, mmdRbf } from "./mmd.js";
import { modeProportions, modeTotalVariation } from "./modes.js";
import { slicedWasserstein2 } from "./sliced.js";
import { mixture1d, wasserstein1Exact, type Mixture1d } from "./wasserstein.js";

/** Distances of a sample to the data law: which apply depends on the model (1-D, discrete, mixture). */
export type MetricName = "w1" | "kl-bins" | "kl-kde" | "sliced-w2" | "mmd2" | "mode-tv";

/** Settings of the metrics, fixed once per model so every schedule is measured alike. */
export interface MetricSettings {
  /** Half-width ε of the bins around each point (discrete data). */
  binHalfWidth: number;
  /** KDE bandwidth (continuous 1-D data; the paper's 10⁻²). */
  kdeBandwidth: number;
  /** Data points of the KDE's Monte Carlo KL (the paper's 10³). */
  kdePoints: number;
  /** Random directions of sliced W₂ (D > 1). */
  projections: number;
  /** Rows used by MMD (its cost is quadratic). */
  mmdSamples: number;
  /** RBF length scale ℓ (median heuristic on a data sample). */
  mmdLengthScale: number;
  /** Extra noise s of the mode assignment (σ_min). */
  modeNoise: number;
}

/** Default settings: ε = ¼ of the smallest gap between points (≤ 0.05), the paper's KDE, ℓ by the median heuristic. */
export function defaultMetricSettings(model: DataModel, sigmaMin: number, seed = 0): MetricSettings {
  const ref = model.sample(500, createRng(seed ^ 0x5eed));
  const st = model.structure;
  let gap = Infinity;
  if (model.discrete && st?.type === "mixture") {
    const D = model.dim;
    for (let a = 0; a < st.means.rows; a++)
      for (let b = a + 1; b < st.means.rows; b++) {
        let d2 = 0;
        for (let d = 0; d < D; d++) d2 += (st.means.data[a * D + d] - st.means.data[b * D + d]) ** 2;
        gap = Math.min(gap, Math.sqrt(d2));
      }
  }
  return {
    binHalfWidth: Math.min(0.05, gap / 4),
    kdeBandwidth: 0.01,
    kdePoints: 1000,
    projections: 64,
    mmdSamples: 500,
    mmdLengthScale: medianLengthScale(ref.data, model.dim),
    modeNoise: sigmaMin,
  };
}

/** The metrics that apply to a model. */
export function metricNames(model: DataModel): MetricName[] {
  const st = model.structure;
  const one = model.dim === 1 && mixture1d(model) !== undefined;
  const names: MetricName[] = [];
  if (one) names.push("w1");
  if (model.discrete && st?.type === "mixture") names.push("kl-bins");
  else if (model.dim === 1) names.push("kl-kde");
  names.push("sliced-w2", "mmd2");
  if (st?.type === "mixture") names.push("mode-tv");
  return names;
}

/**
 * Every applicable distance between `samples` and the data law (THEORY.md §9.1): exact 1-D W₁ against the CDF,
 * the paper's KLs (bins for discrete data, KDE for continuous 1-D data), sliced W₂ and unbiased MMD² against
 * `reference` (a data sample of the same size), and the total variation of the mode proportions.
 * Returns the values by name and the mode proportions.
 */
export function measure(
  model: DataModel,
  samples: Batch,
  reference: Batch,
  settings: MetricSettings,
  seed: number,
): { values: Partial<Record<MetricName, number>>; proportions?: Float64Array } {
  const values: Partial<Record<MetricName, number>> = {};
  const D = model.dim;
  const mix: Mixture1d | undefined = D === 1 ? mixture1d(model) : undefined;
  const st = model.structure;
  if (mix) values.w1 = wasserstein1Exact(samples.data, mix);
  if (model.discrete && st?.type === "mixture") values["kl-bins"] = klBins(samples.data, D, st.means, st.weights, settings.binHalfWidth);
  else if (D === 1) values["kl-kde"] = klKde(samples.data, model, settings.kdeBandwidth, settings.kdePoints, createRng(seed ^ 0x6b6c));
  values["sliced-w2"] = slicedWasserstein2(samples.data, reference.data, D, settings.projections, createRng(seed ^ 0x5357));
  const m = Math.min(settings.mmdSamples, samples.rows, reference.rows);
  values.mmd2 = mmdRbf(samples.data.subarray(0, m * D), reference.data.subarray(0, m * D), D, settings.mmdLengthScale);
  const proportions = modeProportions(model, samples.data, settings.modeNoise);
  if (proportions) values["mode-tv"] = modeTotalVariation(model, proportions);
  return { values, proportions };
}
