import type { Batch } from "../batch.js";
import { sampleRngs } from "../analysis/dynamics/initial.js";
import { informationProfile, type InformationProfile } from "../analysis/info/grid.js";
import { FALL_SPAN, onlineClassifier, steepestFall, type OnlineClassification } from "../analysis/info/online-classifier.js";
import { optimalityGap, type OptimalityGap } from "../analysis/info/optimality.js";
import { formatPeak, type Peak } from "../analysis/info/peak.js";
import { dataScale, nearestNeighbourDistances, pointsSigmaRange } from "../analysis/scale.js";
import { dataStarts, denoiserPathsRoute, denoiserProfileRoute, labelPrior } from "../analysis/denoiser-routes.js";
import { denoiserProfilePayload, type DenoiserProfile } from "../contracts/denoiser-profile.js";
import type { ProfilePayload } from "../contracts/profile.js";
import { meanOf } from "../contracts/likelihood.js";
import type { LyapunovSeries } from "../contracts/paths.js";
import { exactNll, sampleMoments } from "../analysis/likelihood/exact.js";
import { immseLikelihood } from "../analysis/likelihood/immse.js";
import { odeLikelihood } from "../analysis/likelihood/ode.js";
import { networkLikelihoodRange } from "../analysis/likelihood/range.js";
import { deltas } from "../models/deltas.js";
import type { DataModel, Denoiser } from "../models/types.js";
import { ascending, logSigmas } from "../noise/grid.js";
import { throwIfAborted } from "../score/program.js";
import { lyapunovFigure, type PathsData } from "./figures/dynamics.js";
import { dataTilesFigure, nearestPoint, samplesTilesFigure } from "./figures/images.js";
import { classEntropyComparisonFigure, classRateFigure, gapFigure, networkRatesFigure } from "./figures/network.js";
import { scheduleFigure } from "./figures/schedule.js";
import { bracketPeak, compareBrackets, withError } from "./peaks.js";
import { lyapunovText, type ReportSection } from "./report.js";
import { fmt, scheduleSection } from "./sections.js";
import type { VegaLiteSpec } from "./theme.js";

/** A trained network with the data it was trained on (an onnx model file, or any denoiser with data samples). */
export interface NetworkInput {
  denoiser: Denoiser;
  data: Batch;
  labels?: Int32Array;
  /** The network's conventions in words (parameterization, process, noise input), for the model section. */
  conventions: string;
  /** Image shape of one sample ([H, W] or [C, H, W]), for the image figures. */
  shape?: readonly number[];
  /** Training settings recorded in the model file, shown as they are. */
  training?: Record<string, unknown>;
}

/** Every choice of a network's report, echoed in results.json under `params`. */
export interface NetworkReportPlan {
  seed: number;
  /** The σ grid: the data samples' default range (README, Default noise levels) unless given. */
  sigma: { min: number; max: number; levels: number; rule: string; given: boolean };
  /** Monte Carlo samples per σ of the training set's exact profile. */
  exactSamples: number;
  /** The online Bayes classifier's paths and log steps (conditional networks). */
  classifier: { paths: number; steps: number };
  /** Reverse SDE paths on the network (log steps), kept in full, followed for Lyapunov rates in that many directions. */
  paths: { n: number; steps: number; keep: number; lyapunovPaths: number; lyapunovDirections: number };
  schedules: { steps: number; kinds: ("entropic" | "rescaled-entropic" | "edm")[]; window: number };
  /**
   * Likelihood of the first `points` training samples smoothed by `smoothing` (a density inside the network's
   * training range of σ): I-MMSE with `draws` noise draws per level, and the probability-flow ODE with `probes`
   * Hutchinson probes at tolerance `rtol`.
   */
  likelihood: { points: number; smoothing: number; draws: number; probes: number; rtol: number };
  /** When the loss departs from the exact mmse: by more than k standard errors and this fraction. */
  gap: { k: number; relative: number };
}

/** The payload of a network report's results.json. */
export interface NetworkReportPayload {
  seed: number;
  commandLine: string;
  network: { conventions: string; training?: Record<string, unknown> };
  dataScale: number;
  /** The network's profile, as `infodyn profile --json` gives it. */
  profile: ProfilePayload;
  /** The exact profile of the training set's empirical law on the same σ's (ascending). */
  exact: { sigma: number[]; mmse: number[]; mmseStandardError: number[]; classEntropy?: number[]; classEntropyRate?: number[]; classEntropyRateStandardError?: number[]; peaks: InformationProfile["peaks"] };
  gap: OptimalityGap;
  /** The online Bayes classifier's path average of H(c|x_σ) (descending σ), and where it falls fastest per unit log σ. */
  classifier?: { sigma: number[]; classEntropy: number[]; standardError: number[]; paths: number; steepestFall?: { sigma: number; value: number } };
  paths: { sigma: number[]; lyapunov: Omit<LyapunovSeries, "jacobian"> };
  images?: { shape: number[]; samplesShown: number };
  /**
   * How many reverse paths end on a training point: the network's denoised final state D(x, σ_min) within half the
   * training set's median nearest-neighbour distance (`spacing`) of its nearest training point.
   */
  copies: { paths: number; copies: number; spacing: number; medianDistance: number };
  schedules: Record<string, number[]>;
  /**
   * −log p of the first training samples smoothed by s, in bits per dimension (mean over the points ± SE over them),
   * by both routes on the network and exactly for the training set's smoothed law, with each route's cost.
   */
  likelihood: {
    points: number;
    smoothing: number;
    /** `standardError`: over the points; `estimateError`: the route's own error of the mean (Monte Carlo, probes). */
    immse: { bitsPerDim: number; standardError: number; estimateError: number; denoiserCalls: number; seconds: number };
    ode: { bitsPerDim: number; standardError: number; estimateError: number; denoiserCalls: number; seconds: number };
    exact: { bitsPerDim: number; standardError: number };
  };
  /** The analyses of an exact model's report left out, each with the reason. */
  skipped: Record<string, string>;
  summary: string[];
}

/** Why each analysis of an exact model's report is not run on a network. */
export const NETWORK_SKIPPED: Record<string, string> = {
  pathwiseEntropy:
    "the pathwise entropy h(x) = −Σ w log w and its variance need the posterior weights over data points, which a network does not give (the training set's are in the report of its dataset model file)",
  branchings: "modes, branchings and the decision tree are fixed points of an exact posterior mean; a network's are not located here",
  thermodynamics: "the free energy and the participation ratio are sums over the posterior weights of an exact law",
  memorization: "the memorization measures need the posterior weights; here the network's samples are compared with their nearest training points instead",
};

/** Options of {@link networkReportPlan}. */
export interface NetworkReportPlanOptions {
  seed?: number;
  sigmaMin?: number;
  sigmaMax?: number;
  /** Samples per σ of the training set's exact profile. @default 4000 */
  samples?: number;
}

/**
 * The plan of a network's report: 25 log-uniform levels over its data samples' default range, 64 classifier paths
 * and 64 reverse paths of 100 steps (8 followed for the Lyapunov rates of the 8 largest directions), schedules of 16 steps.
 */
export function networkReportPlan(data: Batch, options: NetworkReportPlanOptions = {}): NetworkReportPlan {
  const range = pointsSigmaRange(data.data, data.dim, "the data samples'");
  return {
    seed: options.seed ?? 0,
    sigma: {
      min: options.sigmaMin ?? range.min,
      max: options.sigmaMax ?? range.max,
      levels: 25,
      rule: range.rule,
      given: options.sigmaMin !== undefined || options.sigmaMax !== undefined,
    },
    exactSamples: options.samples ?? 4000,
    classifier: { paths: 64, steps: 100 },
    paths: { n: 64, steps: 100, keep: 12, lyapunovPaths: 8, lyapunovDirections: Math.min(data.dim, 8) },
    schedules: { steps: 16, kinds: ["entropic", "rescaled-entropic", "edm"], window: 2 },
    likelihood: { points: Math.min(8, data.rows), smoothing: 0.1 * dataScale(data.data, data.dim), draws: 16, probes: 2, rtol: 1e-3 },
    gap: { k: 3, relative: 0.1 },
  };
}

/** A network's report: sections, figures, every number, and its plan. */
export interface NetworkReport {
  title: string;
  sections: ReportSection[];
  figures: Record<string, VegaLiteSpec>;
  results: NetworkReportPayload;
  plan: NetworkReportPlan;
}

/**
 * The report of a trained network beside the exact optimum of its training set: the network's profile by every
 * estimator that needs no posterior (THEORY.md §8), the training set's exact profile on the same σ's (its empirical
 * law as a delta mixture), the optimality gap ({@link optimalityGap}), the class decisions by the conditional and
 * unconditional outputs and by the online Bayes classifier, reverse paths and Lyapunov rates on the network, its
 * samples beside their nearest training points, and the entropic schedules of both. The analyses that need an exact
 * posterior are listed with one sentence each ({@link NETWORK_SKIPPED}).
 *
 * @example
 * const net = loadModel("examples/digits-net.json"); // a NetworkFile
 * const report = await buildNetworkReport({ ...net, conventions: "EDM" }, networkReportPlan(net.data), { source: "digits-net.json" });
 */
export async function buildNetworkReport(
  net: NetworkInput,
  plan: NetworkReportPlan,
  options: { source: string; commandLine?: string; signal?: AbortSignal; onProgress?: (done: number, total: number) => void },
): Promise<NetworkReport> {
  const { denoiser, data, labels, shape } = net;
  const D = data.dim;
  const seed = plan.seed;
  const grid = logSigmas(plan.sigma.levels, plan.sigma.min, plan.sigma.max);
  const sigmas = Array.from(ascending(grid));
  const levels = sigmas.length;
  const conditional = labels !== undefined && (denoiser.numClasses ?? 0) >= 2;
  // progress: the network's profile (1 or 2 passes over the levels), the exact profile, the classifier, the paths
  const total = (conditional ? 2 : 1) * levels + levels + (conditional ? plan.classifier.steps : 0) + 2 * plan.paths.steps + 2;
  let done = 0;
  const tick = (base: number) => (d: number) => options.onProgress?.(base + d, total);

  const network = await denoiserProfileRoute(denoiser, data, grid, { seed, labels: conditional ? labels : undefined, signal: options.signal, onProgress: tick(0) });
  done = (conditional ? 2 : 1) * levels;
  throwIfAborted(options.signal);
  const empirical = deltas(data, labels ? { labels: Array.from(labels) } : {});
  // Monte Carlo at every σ, as the network's side (a 2-D quadrature design over many points costs more than it gains here)
  const exact = informationProfile(empirical, grid, { samples: plan.exactSamples, seed: seed + 2, monteCarlo: true, signal: options.signal, onProgress: tick(done) });
  done += levels;
  const gap = optimalityGap(
    sigmas,
    network.rates.map((r) => r.mmse),
    exact.points.map((p) => ({ value: p.mmse, standardError: p.standardError?.mmse ?? 0 })),
    plan.gap,
  );

  let classifier: OnlineClassification | undefined;
  if (conditional) {
    const C = denoiser.numClasses!;
    const prior = labelPrior(labels!, C);
    const rngs = sampleRngs(seed + 3, plan.classifier.paths);
    const x0 = dataStarts(data, rngs, plan.sigma.max);
    const base = done;
    classifier = await onlineClassifier(denoiser, x0, logSigmas(plan.classifier.steps + 1, plan.sigma.min, plan.sigma.max), C, {
      rng: rngs.map((r) => r.fork()),
      prior,
      signal: options.signal,
      onProgress: tick(base),
    });
    done += plan.classifier.steps;
  }
  throwIfAborted(options.signal);
  const pathsBase = done;
  const paths = await denoiserPathsRoute(denoiser, data, {
    sampler: "em",
    steps: plan.paths.steps,
    n: plan.paths.n,
    sigmaMin: plan.sigma.min,
    sigmaMax: plan.sigma.max,
    seed: seed + 4,
    keep: plan.paths.keep,
    lyapunovPaths: plan.paths.lyapunovPaths,
    lyapunovDirections: plan.paths.lyapunovDirections,
    signal: options.signal,
    onProgress: tick(pathsBase),
  });

  const figures: Record<string, VegaLiteSpec> = {};
  const add = (name: string, spec: VegaLiteSpec | undefined) => {
    if (spec) figures[name] = spec;
    return spec ? [name] : [];
  };
  const scale = dataScale(data.data, D);
  const sections: ReportSection[] = [];
  const imageModel: DataModel = { ...empirical, shape: shape ? [...shape] : undefined } as DataModel;
  sections.push({
    id: "model",
    title: "The network and its training set",
    text:
      `Network ${options.source}: ${net.conventions}; D = ${D}${shape ? ` (images of ${shape.join(" × ")})` : ""}, ` +
      `${conditional ? `class-conditional with ${denoiser.numClasses} classes` : "unconditional"}. ` +
      `Its training set (the model file's data): ${data.rows} samples, scale √(Tr Cov/D) = ${fmt(scale)}. ` +
      `Every exact value in this report is that of the training set's empirical law (a mixture of ${data.rows} equal deltas), the optimum a denoiser trained on it could reach.` +
      (net.training ? ` Training as recorded in the model file: ${trainingText(net.training)}.` : ""),
    figures: shape ? add("data-images", dataTilesFigure(imageModel, shape, data.data, labels)) : [],
  });
  const parting = gap.parting;
  const at = (s: number) => sigmas.indexOf(s);
  sections.push({
    id: "gap",
    title: "The optimality gap: the network against the exact optimum of its training set",
    text:
      `The network's denoising loss E‖y − D(y + σz, σ)‖² on its ${data.rows} training samples (one noise draw each) against the exact mmse of the training set (${plan.exactSamples} Monte Carlo draws per σ), ` +
      `on ${levels} log-uniform levels from σ = ${fmt(sigmas[0])} to ${fmt(sigmas[levels - 1])}. No denoiser can go below the exact mmse: where the loss stays on it the network reproduces its training set's optimum (at small σ, its nearest training point: memorization); where it departs it is smoother (generalization, or training error). ` +
      (parting
        ? `They part at σ ≈ ${fmt(parting.sigma)} (${gap.rule}): there the loss is ${withError(gap.loss[at(parting.sigma)].value, gap.loss[at(parting.sigma)].standardError)} against ${withError(gap.exact[at(parting.sigma)].value, gap.exact[at(parting.sigma)].standardError)}, and at σ = ${fmt(sigmas[0])} it is ${fmtRatio(gap.ratio[0])}× the optimum. `
        : `They do not part over the range (${gap.rule}). `) +
      `What each disagreement detects: this gap measures the distance from the training set's optimum (any error, including being right for another law); the spread of the network's rate estimators below measures only whether it is the exact score of some law — a linear (Wiener) denoiser is, so its estimators agree while its loss on the digits is 6.3× their exact mmse at σ = 5.`,
    figures: [...add("optimality-gap", gapFigure(gap)), ...add("rate-estimators", networkRatesFigure(network, exact))],
  });
  const netPeak = network.peaks.entropyRateLogSigma;
  const exactPeak = exact.peaks.entropyRateLogSigma;
  let classPeaks: { network?: Peak; exact?: Peak } = {};
  let classifierFall: { sigma: number; value: number } | undefined;
  if (conditional && network.classes) {
    classPeaks = { network: network.classes.peak, exact: exact.peaks.classEntropyRate };
    const floorPeak = classPeaks.network?.atBoundary === true && classPeaks.network.sigma === sigmas[0];
    classifierFall = classifier ? steepestFall(classifier) : undefined;
    // the largest σ at which the integrated class entropy is significantly negative
    let negative = -1;
    network.classes.classEntropy.forEach((e, i) => {
      if (e.value < -2 * e.standardError) negative = i;
    });
    sections.push({
      id: "classes",
      title: "Class decisions: when the network decides the class",
      text:
        `The class-entropy rate from the network's conditional and unconditional outputs, E‖D(x,σ,c) − D(x,σ)‖²/σ³ (docs/theory.md §9.3), peaks at ${peakText(classPeaks.network, sigmas)}; ` +
        `the training set's exact rate peaks at ${peakText(classPeaks.exact, sigmas)}` +
        (floorPeak
          ? ". The network's rate rises to the small end of the range: there the difference of its conditional and unconditional outputs is their training error, a floor ε² that gives ε²/σ³, so this route does not locate the decision at small σ (the classifier below does). "
          : `${orderText(classPeaks.network, classPeaks.exact, sigmas)}. `) +
        (negative >= 0
          ? `Integrated from H(c) down, the network's rate gives H(c|x_σ) < 0 below σ ≈ ${fmt(sigmas[negative])}: there its conditional and unconditional outputs differ by more than any class information allows, a training error that biases this route upward. `
          : "") +
        (classifier
          ? `The online Bayes classifier along ${classifier.paths} reverse SDE paths of the network (${plan.classifier.steps} log steps; p(c|x) updated by the ratio of the class and unconditional kernels, which stays a probability whatever the network's error) ` +
            `loses class entropy fastest at σ ≈ ${fmt(classifierFall!.sigma)} (${fmt(classifierFall!.value)} nats per unit log σ, over ${FALL_SPAN} levels) and ends at H(c|x) = ${withError(classifier.classEntropy.at(-1)!.value, classifier.classEntropy.at(-1)!.standardError)} nats at σ = ${fmt(plan.sigma.min)}.`
          : ""),
      figures: [...add("class-entropy-rate", classRateFigure(network.classes, exact)), ...add("class-entropy", classEntropyComparisonFigure(network.classes, classifier, exact))],
    });
  }
  const pathsData = paths as unknown as PathsData;
  // The tiles without the empirical posterior's 1/Σw² (at σ_min every state sits on its nearest training point, copy
  // or not): copies are counted instead on the network's own denoised final states, against the training set's spacing.
  const tilesModel = { ...imageModel, discrete: false } as DataModel;
  const samples = shape ? samplesTilesFigure(tilesModel, shape, pathsData, data.data, labels) : undefined;
  const copies = await copiesOfTraining(denoiser, pathsData, data, plan.sigma.min);
  sections.push({
    id: "dynamics",
    title: "Generation by the network: samples and Lyapunov rates",
    text:
      `${plan.paths.n} reverse-SDE paths of the network (Euler–Maruyama, ${plan.paths.steps} log steps) from training samples noised at σ = ${fmt(plan.sigma.max)} down to ${fmt(plan.sigma.min)}. ` +
      `Copies: of the ${copies.paths} paths, ${copies.copies} end (the network's denoised state D(x, σ_min)) within half the training set's median nearest-neighbour distance (${fmt(copies.spacing)}) of a training point; the median distance is ${fmt(copies.medianDistance)}. ` +
      lyapunovText(pathsData, plan.paths.lyapunovPaths) + " (Jacobian–vector products of the network by central differences.)",
    figures: [...add("sample-images", samples?.spec), ...add("lyapunov", lyapunovFigure(pathsData))],
  });
  const schedNet = scheduleSection(network.rates.map((r) => r.mmse.value), sigmas, plan.schedules, netPeak?.sigma);
  const schedExact = scheduleSection(exact.points.map((p) => p.mmse), sigmas, { ...plan.schedules, kinds: ["entropic"] }, exactPeak?.sigma);
  const list = [...schedNet.list.map((l) => ({ kind: l.kind === "edm" ? "edm" : `${l.kind} (network loss)`, schedule: l.schedule })), { kind: "entropic (training set, exact)", schedule: schedExact.list[0].schedule }];
  sections.push({
    id: "schedules",
    title: "Entropic time from the network's loss",
    text:
      `With ${plan.schedules.steps} steps, entropic and rescaled-entropic time from the network's loss (what \`infodyn schedule --kind entropic\` gives for this model file), the training set's exact entropic time, and EDM's ρ = 7 grid. ` +
      `The network's entropic time puts ${schedNet.inWindow} of its steps within a factor ${plan.schedules.window} of its rate peak ${netPeak ? formatPeak(bracketPeak(netPeak, sigmas)!) : "(none)"}; EDM puts ${schedNet.inWindowEdm} there.`,
    figures: add("schedules", scheduleFigure(list)),
  });
  // Likelihood of a few training samples, smoothed into the network's training range of σ (a density there).
  throwIfAborted(options.signal);
  const lk = plan.likelihood;
  const first: Batch = { rows: lk.points, dim: D, data: data.data.slice(0, lk.points * D) };
  const lr = networkLikelihoodRange(data, lk.smoothing);
  const bits = (nll: Float64Array) => {
    const m = meanOf(Array.from(nll, (v) => v / (D * Math.LN2)));
    return { bitsPerDim: m.value, standardError: m.standardError };
  };
  // the route's own error of the mean over the points: √(Σ SE_i²)/n, in bits per dimension
  const routeError = (se: Float64Array) => Math.sqrt(se.reduce((a, v) => a + v * v, 0)) / (se.length * D * Math.LN2);
  let t0 = Date.now();
  const im = await immseLikelihood(denoiser, first, { sigmaMin: lr.sigmaMin, sigmaMax: lr.sigmaMax, step: 0.25, smoothing: lk.smoothing, method: "monte-carlo", samples: lk.draws, seed: seed + 6, signal: options.signal });
  const imSeconds = (Date.now() - t0) / 1000;
  options.onProgress?.(total - 1, total);
  t0 = Date.now();
  const od = await odeLikelihood(denoiser, first, { sigmaMin: lr.sigmaMin, sigmaMax: lr.sigmaMax, prior: sampleMoments(data), smoothing: lk.smoothing, rtol: lk.rtol, atol: lk.rtol * 1e-3, probes: lk.probes, seed: seed + 7, epsilon: 1e-2, signal: options.signal });
  const odSeconds = (Date.now() - t0) / 1000;
  options.onProgress?.(total, total);
  const exactBits = bits(exactNll(empirical, first, lk.smoothing));
  const likelihood = {
    points: lk.points,
    smoothing: lk.smoothing,
    immse: { ...bits(im.nll), estimateError: routeError(im.standardError), denoiserCalls: im.denoiserCalls, seconds: imSeconds },
    ode: { ...bits(od.nll), estimateError: routeError(od.standardError), denoiserCalls: od.denoiserCalls, seconds: odSeconds },
    exact: exactBits,
  };
  const bpd = (e: { bitsPerDim: number; standardError: number; estimateError?: number }) =>
    withError(e.bitsPerDim, e.standardError) + (e.estimateError !== undefined ? ` [± ${e.estimateError.toPrecision(2)}]` : "");
  sections.push({
    id: "likelihood",
    title: "Likelihood of training samples",
    text:
      `−log p of the first ${lk.points} training samples smoothed by s = ${fmt(lk.smoothing)} (a tenth of a coordinate's spread, inside the network's training range of σ, where the network's law has a density), in bits per dimension (mean over the points ± SE over them; each route's own error of that mean in brackets): ` +
      `I-MMSE integral ${bpd(likelihood.immse)} (${lk.draws} noise draws per level, ${im.denoiserCalls} denoiser calls, ${imSeconds.toFixed(1)} s); probability-flow ODE ${bpd(likelihood.ode)} (${lk.probes} Hutchinson probes above D = 16, rtol ${lk.rtol}, ${od.denoiserCalls} calls, ${odSeconds.toFixed(1)} s); ` +
      `the training set's own smoothed law, exactly: ${bpd(exactBits)}. The two routes agree only for an exact score: their difference measures how far the network's field is from the score of a density (docs/theory.md §8), and the gap to the exact value how much less the network concentrates on its training points. \`infodyn likelihood\` computes both for any points.`,
    figures: [],
  });
  sections.push({
    id: "skipped",
    title: "Not measured on a network",
    text: Object.values(NETWORK_SKIPPED).map((s) => s[0].toUpperCase() + s.slice(1) + ".").join(" "),
    figures: [],
  });
  const summary = networkSummary(network, exact, gap, classPeaks, sigmas, classifierFall);
  sections.push({ id: "summary", title: "In plain words", text: summary.join(" "), figures: [] });
  const { jacobian: _j, ...lyapunov } = paths.lyapunov;
  return {
    title: `infodyn report — ${options.source} (a network)`,
    sections,
    figures,
    plan,
    results: {
      seed,
      commandLine: options.commandLine ?? "",
      network: { conventions: net.conventions, ...(net.training ? { training: net.training } : {}) },
      dataScale: scale,
      profile: denoiserProfilePayload(network),
      exact: {
        sigma: sigmas,
        mmse: exact.points.map((p) => p.mmse),
        mmseStandardError: exact.points.map((p) => p.standardError?.mmse ?? 0),
        ...(labels
          ? {
              classEntropy: exact.points.map((p) => p.classEntropy ?? 0),
              classEntropyRate: exact.points.map((p) => p.classEntropyRate ?? 0),
              classEntropyRateStandardError: exact.points.map((p) => p.standardError?.classEntropyRate ?? 0),
            }
          : {}),
        peaks: exact.peaks,
      },
      gap,
      ...(classifier
        ? {
            classifier: {
              sigma: classifier.sigma,
              classEntropy: classifier.classEntropy.map((e) => e.value),
              standardError: classifier.classEntropy.map((e) => e.standardError),
              paths: classifier.paths,
              ...(classifierFall ? { steepestFall: classifierFall } : {}),
            },
          }
        : {}),
      paths: { sigma: paths.sigma, lyapunov },
      copies,
      ...(samples && shape ? { images: { shape: [...shape], samplesShown: samples.shown } } : {}),
      schedules: Object.fromEntries(list.map(({ kind, schedule }) => [kind, Array.from(schedule.sigma)])),
      likelihood,
      skipped: NETWORK_SKIPPED,
      summary,
    },
  };
}

/** The copy count of {@link NetworkReportPayload.copies} over the kept trajectories. */
async function copiesOfTraining(denoiser: Denoiser, paths: PathsData, data: Batch, sigmaMin: number): Promise<NetworkReportPayload["copies"]> {
  const D = data.dim;
  const P = paths.trajectories.length;
  const L = paths.sigma.length;
  const finals = new Float64Array(P * D);
  for (let p = 0; p < P; p++) finals.set(paths.trajectories[p][L - 1], p * D);
  const den = (await denoiser.denoise({ rows: P, dim: D, data: finals }, sigmaMin)).data;
  const nn = nearestNeighbourDistances(data.data, D);
  const spacing = nn.length ? nn[Math.floor(nn.length / 2)] : 0;
  const dist = Array.from({ length: P }, (_, p) => nearestPoint(data.data, D, den.subarray(p * D, (p + 1) * D)).distance).sort((a, b) => a - b);
  return { paths: P, copies: dist.filter((d) => d < spacing / 2).length, spacing, medianDistance: dist[Math.floor(P / 2)] ?? 0 };
}

const fmtRatio = (r: number) => (Number.isFinite(r) ? (r >= 100 ? r.toExponential(1) : r.toPrecision(3)) : "∞");

function peakText(p: Peak | undefined, sigmas: number[]): string {
  if (!p) return "no σ in the range";
  const b = bracketPeak(p, sigmas)!;
  return `${formatPeak(b)}${p.atBoundary ? " (an end of the range)" : ""}`;
}

function orderText(a: Peak | undefined, b: Peak | undefined, sigmas: number[]): string {
  if (!a || !b) return "";
  const order = compareBrackets(bracketPeak(a, sigmas)!, bracketPeak(b, sigmas)!);
  return order ? ` (the network decides the class ${order === "above" ? "earlier, at higher noise" : "later, at lower noise"})` : " (their brackets overlap)";
}

function trainingText(t: Record<string, unknown>): string {
  return Object.entries(t)
    .filter(([, v]) => typeof v !== "object")
    .map(([k, v]) => `${k} ${v}`)
    .join(", ");
}

function networkSummary(
  network: DenoiserProfile,
  exact: InformationProfile,
  gap: OptimalityGap,
  classPeaks: { network?: Peak; exact?: Peak },
  sigmas: number[],
  classifierFall: { sigma: number } | undefined,
): string[] {
  const lines: string[] = [];
  const np = network.peaks.entropyRateLogSigma;
  lines.push(
    np?.atBoundary && np.sigma === sigmas[0]
      ? `The network's rate dH/dlog σ = loss/σ² grows to the small end of the range (${fmt(np.value)} nats at σ = ${fmt(sigmas[0])}, D = ${network.dim}), as a smooth denoiser's does (loss ≈ D_eff σ²), while the training set's exact rate peaks at ${peakText(exact.peaks.entropyRateLogSigma, sigmas)} and vanishes below it.`
      : `The network's rate dH/dlog σ peaks at ${peakText(np, sigmas)}, the training set's exact rate at ${peakText(exact.peaks.entropyRateLogSigma, sigmas)}.`,
  );
  lines.push(
    gap.parting
      ? `The network parts from the optimum of its training set below σ ≈ ${fmt(gap.parting.sigma)}; at σ = ${fmt(sigmas[0])} its loss is ${fmtRatio(gap.ratio[0])}× the exact mmse.`
      : `The network's loss does not part from the optimum over the range (${gap.rule}).`,
  );
  if (classPeaks.network || classPeaks.exact)
    lines.push(
      `The class is decided fastest at ${peakText(classPeaks.exact, sigmas)} in the training set; on the network, the class-rate route peaks at ${peakText(classPeaks.network, sigmas)}` +
        (classifierFall ? ` and its online classifier's entropy falls fastest at σ ≈ ${fmt(classifierFall.sigma)}.` : "."),
    );
  return lines;
}
