import type { DenoiserClassProfile } from "../../analysis/info/class-rate.js";
import type { InformationProfile } from "../../analysis/info/grid.js";
import type { OnlineClassification } from "../../analysis/info/online-classifier.js";
import type { OptimalityGap } from "../../analysis/info/optimality.js";
import type { DenoiserProfile } from "../../contracts/denoiser-profile.js";
import { figure, PANEL, sigmaRule, type VegaLiteSpec } from "../theme.js";
import { BAND_LEGEND, BAND_NOTE, bandedLines, captioned, peakLayers, row, type Row } from "./info.js";

/*
 * The figures of a network's report: its estimates (with ±2 SE bands) beside the exact values of its training set.
 */

const ESTIMATOR_NAMES: Record<string, string> = {
  scoreNorm: "score norm",
  divergence: "divergence",
  fisherTrace: "Fisher trace",
  jacobianSpectrum: "Jacobian spectrum",
  posteriorVariance: "loss/σ³",
};

/** A y scale that is logarithmic when every value is positive. */
const yScale = (rows: Row[]) => (rows.every((r) => r.value > 0 && r.lo > 0) ? { scale: { type: "log" } } : {});

function layered(title: { text: string; subtitle?: string[] }, layers: VegaLiteSpec[]): VegaLiteSpec {
  return figure("", { title, ...PANEL, resolve: BAND_LEGEND, layer: layers });
}

/** The network's loss against the exact mmse of its training set, per σ, with the σ where they part. */
export function gapFigure(gap: OptimalityGap): VegaLiteSpec {
  const rows = gap.sigma.flatMap((s, i) => [row(s, "network loss E‖y − D(x)‖²", gap.loss[i].value, gap.loss[i].standardError), row(s, "exact mmse of the training set", gap.exact[i].value, gap.exact[i].standardError)]);
  const positive = rows.filter((r) => r.value > 0);
  const layers = bandedLines(positive, "mean squared error");
  for (const l of layers) (l.encoding as { y: Record<string, unknown> }).y = { ...(l.encoding as { y: Record<string, unknown> }).y, ...yScale(positive) };
  return layered(
    captioned("The optimality gap: the network's loss against the exact mmse of its training set", [
      "The loss lies above the exact mmse; where it stays on it, the network reproduces its training set's optimum.",
      gap.parting ? `They part at σ ≈ ${+gap.parting.sigma.toPrecision(3)} (> 3 SE and > 10 % at and below it).` : "They do not part over the range.",
      BAND_NOTE,
    ]),
    [...layers, ...sigmaRule(gap.parting?.sigma, "they part")],
  );
}

/** Every rate estimator of the network with ±2 SE bands, and the exact rate of the training set. */
export function networkRatesFigure(p: DenoiserProfile, exact: InformationProfile | undefined): VegaLiteSpec {
  // dH/dlog σ = σ · dH/dσ; one curve per independent route (estimators of one route are one quantity), as the exact report
  const rows: Row[] = [];
  for (const route of p.independent)
    for (const r of p.rates) {
      const first = route.estimators.find((e) => r.entropyRateEstimators[e as keyof typeof r.entropyRateEstimators] !== undefined);
      if (!first) continue;
      const e = r.entropyRateEstimators[first as keyof typeof r.entropyRateEstimators]!;
      rows.push(row(r.sigma, `network: ${route.estimators.map((n) => ESTIMATOR_NAMES[n] ?? n).join(" = ")}`, r.sigma * e.value, r.sigma * e.standardError));
    }
  if (exact) for (const q of exact.points) rows.push(row(q.sigma, "exact (training set): mmse/σ²", q.mmse / (q.sigma * q.sigma), (q.standardError?.mmse ?? 0) / (q.sigma * q.sigma)));
  return layered(
    captioned("The entropy rate dH/dlog σ by the network's estimators, and the exact rate of its training set", [
      "For an exact score the routes agree; on a network their spread measures training error,",
      "but agreement alone does not certify it (a Wiener denoiser's routes agree).",
      BAND_NOTE,
    ]),
    [...bandedLines(rows, "dH(y|x_σ)/dlog σ (nats)"), ...peakLayers(p.peaks.entropyRateLogSigma, "network peak")],
  );
}

/** The class-entropy rate dH(c|x_σ)/dσ of the network (conditional − unconditional outputs) and of the training set. */
export function classRateFigure(network: DenoiserClassProfile, exact: InformationProfile | undefined): VegaLiteSpec {
  const rows: Row[] = network.rates.map((r) => row(r.sigma, "network: ‖D(x,c) − D(x)‖²/σ³", r.sigma * r.classEntropyRate.value, r.sigma * r.classEntropyRate.standardError));
  if (exact)
    for (const q of exact.points)
      if (q.classEntropyRate !== undefined) rows.push(row(q.sigma, "exact (training set)", q.sigma * q.classEntropyRate, q.sigma * (q.standardError?.classEntropyRate ?? 0)));
  return layered(
    captioned("When the class is decided: the class-entropy rate σ·dH(c|x_σ)/dσ", [
      "Network: its conditional and unconditional outputs; exact: the training set's class posterior.",
      "Shaded: the bracket of the network's peak.",
      BAND_NOTE,
    ]),
    [...bandedLines(rows, "σ · dH(c|x_σ)/dσ (nats)"), ...peakLayers(network.peak, "network peak")],
  );
}

/** H(c|x_σ): the network's integrated class rate, its online Bayes classifier along paths, and the exact value. */
export function classEntropyComparisonFigure(network: DenoiserClassProfile, classifier: OnlineClassification | undefined, exact: InformationProfile | undefined): VegaLiteSpec {
  const rows: Row[] = network.sigma.map((s, i) => row(s, "network: H(c) − ∫ rate", network.classEntropy[i].value, network.classEntropy[i].standardError));
  if (classifier) classifier.sigma.forEach((s, i) => rows.push(row(s, "network: online Bayes classifier", classifier.classEntropy[i].value, classifier.classEntropy[i].standardError)));
  if (exact) for (const q of exact.points) if (q.classEntropy !== undefined) rows.push(row(q.sigma, "exact (training set)", q.classEntropy, q.standardError?.classEntropy));
  return layered(
    captioned("The class entropy H(c|x_σ) by three routes", [
      "The integrated rate falls below 0 where the conditional and unconditional outputs differ by more",
      "than the class information allows (training error); the classifier stays in [0, log C].",
      BAND_NOTE,
    ]),
    bandedLines(rows, "H(c|x_σ) (nats)"),
  );
}
