import { informationProfile, type InformationProfile, type Peak } from "../analysis/info/grid.js";
import type { ProfilePoint } from "../analysis/info/profile.js";
import { ascending, logSigmas } from "../noise/grid.js";
import type { DataModel } from "../models/types.js";
import { pathsReport } from "../analysis/dynamics/report.js";
import { participationVsSigma } from "../analysis/thermo/participation.js";
import type { ReportPayload } from "../contracts/report.js";
import { decisionFigure, lyapunovFigure, participationFigure, sortedWithErrors, trajectoriesFigure, type PathsData } from "./figures/dynamics.js";
import { dataTilesFigure, denoisingTilesFigure, imageShape, samplesTilesFigure } from "./figures/images.js";
import { classEntropyFigure, dataFigure, entropyProfileFigure, pathwiseVarianceFigure, rateEstimatorsFigure } from "./figures/info.js";
import { projectionFigure, trajectoryProjectionFigure } from "./figures/projection.js";
import { scheduleFigure } from "./figures/schedule.js";
import { perClassWindowsFigure } from "./figures/semantics.js";
import { decisionLevelsFigure } from "./figures/hierarchy.js";
import { decisionLevels } from "../analysis/info/hierarchy.js";
import { semanticProfile } from "../analysis/info/semantics.js";
import { guidanceSection } from "./guidance.js";
import { principalAxes, type PrincipalAxes } from "./pca.js";
import { bracketPeak, compareBrackets, formatPeak, withError } from "./peaks.js";
import { labelledSample, reportPlan, type ReportPlan } from "./plan.js";
import { branchingSection, crossing, fmt, scheduleSection } from "./sections.js";
import type { VegaLiteSpec } from "./theme.js";
import { throwIfAborted } from "../score/program.js";

/** One section of the report: a heading, a paragraph of plain text, and the names of its figures. */
export interface ReportSection {
  id: string;
  title: string;
  text: string;
  figures: string[];
}

/**
 * Everything a report shows: sections, figure specs by name, every number (the payload of results.json; its
 * contract, with the envelope, is `reportContract` in contracts/) and the plan that chose them.
 */
export interface Report {
  title: string;
  sections: ReportSection[];
  figures: Record<string, VegaLiteSpec>;
  results: ReportPayload;
  plan: ReportPlan;
}

/** Options of {@link buildReport}. */
export interface ReportOptions {
  /** Name of the model in the report (a file path, or "default"). */
  source: string;
  /** The command line that produced the report, recorded in results.json as `commandLine`. */
  commandLine?: string;
  onProgress?: (done: number, total: number) => void;
  /** Checked between the analyses: an aborted signal ends the run with an `AbortedError`. */
  signal?: AbortSignal;
}

/**
 * Runs every analysis that applies to the model, with the choices of its {@link ReportPlan} (σ range and levels,
 * samples, paths, steps, seed …; `reportPlan(model, options)`), and assembles the report (no I/O: the CLI renders
 * and writes it).
 *
 * @example
 * const report = buildReport(model, reportPlan(model, { seed: 1 }), { source: "two-deltas.json" });
 */
export function buildReport(model: DataModel, plan: ReportPlan, options: ReportOptions): Report {
  const seed = plan.seed;
  const sample = labelledSample(model, plan.dataSample, seed);
  const scale = plan.dataScale;
  const D = model.dim;
  const grid = logSigmas(plan.sigma.levels, plan.sigma.min, plan.sigma.max);
  const sigmas = Array.from(ascending(grid));
  const profile = informationProfile(model, grid, {
    samples: plan.profile.samples,
    seed,
    budget: plan.profile.budget,
    refinePeaks: plan.profile.refinePeaks,
    onProgress: options.onProgress,
    signal: options.signal,
  });
  const peak = (p: Peak | undefined) => bracketPeak(p, sigmas);
  const figures: Record<string, VegaLiteSpec> = {};
  const add = (name: string, spec: VegaLiteSpec | undefined) => {
    if (spec) figures[name] = spec;
    return spec ? [name] : [];
  };
  const shape = imageShape(model);
  const pca = D > 2 ? principalAxes(sample.points, D, 2) : undefined;
  const sections: ReportSection[] = [
    {
      id: "model",
      title: "The model",
      text: modelText(model, options.source, scale, pca),
      figures: [
        ...add("data", pca ? projectionFigure(model, pca, sample.points, sample.labels) : dataFigure(model, sample.points, sample.labels)),
        ...(shape ? add("data-images", dataTilesFigure(model, shape, sample.points, sample.labels)) : []),
      ],
    },
    {
      id: "profile",
      title: "Entropy profile",
      text:
        `How much the noisy state x_σ = y + σz tells about the data y, on ${sigmas.length} log-uniform levels from σ = ${fmt(sigmas[0])} to ${fmt(sigmas[sigmas.length - 1])}` +
        (plan.sigma.given
          ? " (a range given on the command line; the default comes from the data, README, Default noise levels). "
          : `: the default range of every infodyn command (README, Default noise levels): σ_max = 10 √Tr Cov(y), above which I(y; x_σ) ≈ Tr Cov/(2σ²) ≈ 0.005 nats is left; ` +
            `σ_min = a tenth of ${plan.sigma.rule}. `) +
        `The entropy rate is computed by five estimators (docs/theory.md §3). ${independenceText(profile)} ` +
        `Expectations: ${[...new Set(profile.points.map((p) => p.method))].join("; ")}.`,
      figures: [...add("entropy-profile", entropyProfileFigure(profile)), ...add("rate-estimators", rateEstimatorsFigure(profile))],
    },
  ];
  const varh = peak(profile.peaks.pathwiseEntropyVariance);
  const varFig = add("pathwise-entropy-variance", pathwiseVarianceFigure(profile));
  if (varFig.length)
    sections.push({
      id: "pathwise",
      title: "Pathwise entropy: where trajectories decide",
      text: varh
        ? `Var h peaks at σ ≈ ${formatPeak(varh)}${varh.atBoundary ? " (an end of the range: no interior peak)" : ""}: there, noisy states differ most in how undecided they are about which data point they belong to.`
        : "Var h has no peak in the range.",
      figures: varFig,
    });
  const cls = peak(profile.peaks.classEntropyRate);
  const classFig = add("class-entropy", classEntropyFigure(profile));
  if (classFig.length)
    sections.push({
      id: "classes",
      title: "Class entropy: when the class is decided",
      text: cls ? `The class entropy H(c|x_σ) falls fastest at σ ≈ ${formatPeak(cls)}${cls.atBoundary ? " (an end of the range)" : ""}.` : "The class entropy has no peak rate in the range.",
      figures: classFig,
    });
  // Semantic decisions: each class's critical window (THEORY.md §9.3).
  let semantics: ReportPayload["semantics"];
  let guidance: ReportPayload["guidance"];
  if (model.numClasses >= 2 && model.sampleLabelled) {
    throwIfAborted(options.signal);
    const sem = semanticProfile(model, sigmas, [Array.from({ length: model.numClasses }, (_, c) => [c])], { samples: plan.semantics.samples, seed: seed + 5 });
    const names = (c: number) => model.classNames?.[c] ?? String(c);
    const windows = sem.perClass.window.map((w, c) => ({ class: names(c), ...(w ? { sigma: w.sigma, low: w.low, high: w.high, atBoundary: w.atBoundary } : {}) }));
    // With three classes or more, the splits of the classes' Ward tree, coarsest first, and when each is decided.
    const tree = model.numClasses >= 3 ? decisionLevels(model, sigmas, { samples: Math.max(32, plan.semantics.samples), seed: seed + 6, signal: options.signal }) : undefined;
    const braces = (g: readonly number[]) => `{${g.map(names).join(", ")}}`;
    const splits = tree
      ? [...tree.levels].reverse().map((l) => ({ groups: l.split.groups.map((g) => g.map(names)), ...(l.split.decision ? { sigma: l.split.decision.sigma, low: l.split.decision.low, high: l.split.decision.high } : {}) }))
      : undefined;
    semantics = { samples: sem.samples, windows, ...(splits ? { splits } : {}) };
    const listed = sem.perClass.window.flatMap((w, c) => (w ? [`${names(c)} at σ ≈ ${formatPeak(bracketPeak(w, sigmas)!)}${w.atBoundary ? " (an end of the range)" : ""}`] : []));
    const splitText = tree
      ? ` The classes' tree (Ward merging of the class centres), coarsest split first, each decided where H(G_k | G_{k+1}, x_σ) falls fastest: ` +
        [...tree.levels]
          .reverse()
          .map((l) => `${braces(l.split.groups[0])} | ${braces(l.split.groups[1])} at σ ≈ ${l.split.decision ? formatPeak(bracketPeak(l.split.decision, sigmas)!) : "– (no peak in the range)"}`)
          .join("; ") +
        "."
      : "";
    sections.push({
      id: "semantics",
      title: "Semantic decisions: when each class is decided",
      text:
        `For a noisy state drawn from class c, r_c(σ) = E_{x|c} ‖m_c − m‖²/σ³ is the rate at which it learns its class (Σ_c π_c r_c = dH(c|x_σ)/dσ; ${plan.semantics.samples} labelled draws per σ). ` +
        (listed.length ? `Each class's critical window (peak of σ r_c): ${listed.join("; ")}.` : "No class has a window in the range.") +
        splitText +
        " `infodyn semantics` gives the same for any groups of classes (`--partition`, `--hierarchy`).",
      figures: [...add("class-windows", perClassWindowsFigure(sem, names)), ...(tree ? add("decision-levels", decisionLevelsFigure(tree, names)) : [])],
    });
    // Guidance: where it acts and what it costs (THEORY.md §9.2–9.3).
    throwIfAborted(options.signal);
    const guide = guidanceSection(model, { profile, semantics: sem, seed, names }, add);
    sections.push(guide.section);
    guidance = guide.results;
  }
  // Dynamics: trajectories, decisions, Lyapunov rates (THEORY.md §4; seed 000 §5–6, seed 001).
  throwIfAborted(options.signal);
  const paths = pathsReport(model, {
    n: plan.paths.n,
    steps: plan.paths.steps,
    sigmaMin: sigmas[0],
    sigmaMax: sigmas[sigmas.length - 1],
    seed,
    keep: plan.paths.keep,
    lyapunovPaths: plan.paths.lyapunovPaths,
    lyapunovSteps: plan.paths.lyapunovSteps,
    signal: options.signal,
  }) as unknown as PathsData & { lyapunov: ReportPayload["paths"]["lyapunov"] };
  // in the projection, paths are drawn below the data's spread along PC1 (above it they are noise on this scale)
  const sigmaShown = pca ? Math.sqrt(pca.variance[0]) : Infinity;
  sections.push({
    id: "dynamics",
    title: "Generative dynamics: trajectories, decisions and divergence",
    text:
      `${plan.paths.n} reverse-SDE trajectories from the exact noisy law at σ = ${fmt(sigmas[sigmas.length - 1])} down to ${fmt(sigmas[0])}` +
      (pca ? ` (${paths.trajectories.length} of them drawn, projected on the data's top two principal axes, below σ = ${fmt(Math.min(sigmaShown, sigmas[sigmas.length - 1]))})` : "") +
      (paths.decisionSigma ? `; each path's decision σ is where its pathwise entropy drops most` : "") +
      `. ${lyapunovText(paths, plan.paths.lyapunovPaths)}`,
    figures: [
      ...add("trajectories", pca ? trajectoryProjectionFigure(model, pca, paths, sample.points, sigmaShown) : trajectoriesFigure(model, paths)),
      ...add("decisions", decisionFigure(paths)),
      ...add("lyapunov", lyapunovFigure(paths)),
    ],
  });
  // Image data: posterior means along paths and the generated samples, as images.
  let images: ReportPayload["images"];
  if (shape) {
    const samples = samplesTilesFigure(model, shape, paths, sample.points, sample.labels);
    images = samples ? { shape: [...shape], samplesShown: samples.shown, copiesOfOnePoint: model.discrete ? samples.copies : undefined } : undefined;
    sections.push({
      id: "images",
      title: "Generation as images: posterior means and samples",
      text:
        `Along ${Math.min(6, paths.trajectories.length)} reverse trajectories, the posterior mean m(x_σ) = E[y | x_σ] (what an ideal denoiser returns) at σ decreasing from ${fmt(sigmas[sigmas.length - 1])} to ${fmt(sigmas[0])}: ` +
        `from the data mean to one image. Below, the final states at σ = ${fmt(sigmas[0])} (that much noise left) over the data point nearest each` +
        (samples && model.discrete
          ? `: ${samples.copies} of the ${samples.shown} have 1/Y = 1/Σ w² < 1.5 there, i.e. the posterior sits on one training point — the exact score of an empirical distribution generates copies of its training images (memorizing one training point).`
          : "."),
      figures: [...add("denoising-images", denoisingTilesFigure(model, shape, paths, sample.points, sample.labels)), ...add("sample-images", samples?.spec)],
    });
  }
  // Symmetry breaking: branchings, the decision tree and the free-energy landscape there (THEORY.md §5–6).
  throwIfAborted(options.signal);
  const bif = branchingSection(model, sample.points, add, plan.branchings, plan.sigma, options.signal);
  if (bif) sections.push(bif.section);
  // Memorization: participation ratio and condensation (THEORY.md §6, seed 004).
  let participation: ReturnType<typeof participationVsSigma> | undefined;
  let condensation: number | undefined;
  const { samples: pSamples, threshold } = plan.participation;
  if (model.discrete) {
    throwIfAborted(options.signal);
    participation = participationVsSigma(model, [...sigmas], { samples: pSamples, seed });
    condensation = crossing(participation.sigma, participation.meanInverseParticipation, threshold);
    const [inv0, se0] = [participation.meanInverseParticipation[0], participation.inverseParticipationSE[0]];
    sections.push({
      id: "memorization",
      title: "Memorization: how many data points shape the score",
      text:
        `1/Y = 1/Σ_j w_j² counts the data points that the score at x averages over (${pSamples} draws of x per σ). ` +
        (condensation
          ? `Below σ ≈ ${fmt3(condensation)} it falls under ${threshold} on average: one data point dominates the posterior. ` +
            (inv0 < ONE_POINT
              ? `At σ = ${fmt(sigmas[0])}, E[1/Y] = ${withError(inv0, se0)}: the posterior sits on the nearest training point, and the exact denoiser is memorizing one training point.`
              : `At σ = ${fmt(sigmas[0])}, E[1/Y] = ${withError(inv0, se0)}.`)
          : `It stays above ${threshold} over the whole range (E[1/Y] = ${withError(inv0, se0)} at σ = ${fmt(sigmas[0])}).`),
      figures: add("participation", participationFigure(participation, condensation)),
    });
  }
  // Sampling schedules: entropic time from the profile's mmse (THEORY.md §7, §9.1).
  const schedules = scheduleSection(profile.points.map((p) => p.mmse), sigmas, plan.schedules, profile.peaks.entropyRateLogSigma?.sigma);
  const n = plan.schedules.steps;
  const rate = peak(profile.peaks.entropyRateLogSigma);
  sections.push({
    id: "schedules",
    title: "Entropic time: where a sampler should spend its steps",
    text:
      `With ${n} steps on [${fmt(sigmas[0])}, ${fmt(sigmas[sigmas.length - 1])}], entropic time (equal steps of H(y|x_σ)) and rescaled entropic time ` +
      `(equal steps of ∫ mmse/s² ds) against EDM's ρ = 7 grid. Entropic time puts ${schedules.inWindow} of its ${n} steps within a factor ${plan.schedules.window} of ` +
      `the rate peak σ ≈ ${rate ? formatPeak(rate) : "–"}; EDM puts ${schedules.inWindowEdm} there. ` +
      `(Levels from the report's mmse profile, log-interpolated between its ${sigmas.length} noise levels.)`,
    figures: add("schedules", scheduleFigure(schedules.list)),
  });
  const inverseParticipationAtMin = participation
    ? { value: participation.meanInverseParticipation[0], standardError: participation.inverseParticipationSE[0] }
    : undefined;
  const summary = criticalWindows(profile, { condensation, threshold, discrete: model.discrete, inverseParticipationAtMin, dim: D });
  sections.push({ id: "summary", title: "Critical windows in plain words", text: summary.join(" "), figures: [] });
  return {
    title: `infodyn report — ${options.source}`,
    sections,
    figures,
    plan,
    results: {
      seed,
      commandLine: options.commandLine ?? "",
      dataScale: scale,
      profile: { sigma: profile.sigma, points: profile.points, peaks: profile.peaks, independent: profile.independent, ...(profile.omitted ? { omitted: profile.omitted } : {}) },
      paths: { sigma: paths.sigma, decisionSigma: paths.decisionSigma, lyapunov: paths.lyapunov },
      ...(pca ? { projection: { variance: pca.variance, explained: pca.explained } } : {}),
      ...(images ? { images } : {}),
      participation,
      ...(semantics ? { semantics } : {}),
      ...(guidance ? { guidance } : {}),
      bifurcations: bif?.results,
      schedules: Object.fromEntries(schedules.list.map(({ kind, schedule }) => [kind, Array.from(schedule.sigma)])),
      summary,
    },
  };
}

/** The profile section's sentence on the estimators: which of them are independent routes for this model. */
function independenceText(profile: InformationProfile): string {
  const routes = profile.independent ?? [];
  const label = (name: string) => ESTIMATOR_WORDS[name] ?? name;
  const omitted = Object.entries(profile.omitted ?? {}).map(([name, why]) => `${label(name)} is left out (${why})`);
  const groups = routes.map((r) => (r.estimators.length > 1 ? `{${r.estimators.map(label).join(", ")}}` : label(r.estimators[0])));
  const head =
    routes.length > 1
      ? `For this model they are ${routes.length} independent routes, ${groups.join("; ")}: estimators within one route are one computed quantity, so only agreement between routes (within their errors) is a check.`
      : routes.length === 1
        ? `For this model they are one route (${routes[0].reason}): their agreement checks nothing.`
        : "";
  return [head, ...omitted.map((o) => o[0].toUpperCase() + o.slice(1) + ".")].filter(Boolean).join(" ");
}

const ESTIMATOR_WORDS: Record<string, string> = {
  scoreNorm: "score norm",
  divergence: "expected divergence",
  fisherTrace: "Fisher trace",
  jacobianSpectrum: "Jacobian spectrum",
  posteriorVariance: "posterior variance",
};

/**
 * The dynamics section's sentence on the Lyapunov spectrum, with the sign read right: the largest local rate λ₁
 * (per unit −log σ, the direction of generation) positive somewhere → where nearby trajectories separate fastest;
 * negative everywhere → every direction contracts, and where the least contracting one is.
 */
export function lyapunovText(paths: Pick<PathsData, "lyapunov">, lyapunovPaths: number): string {
  const { sigma, rates: raw, ratesStandardError } = paths.lyapunov;
  if (!raw.length) return "";
  const { rates, errors } = sortedWithErrors(raw, ratesStandardError);
  let i = 0;
  for (let k = 1; k < rates.length; k++) if (rates[k][0] > rates[i][0]) i = k;
  const v = rates[i][0];
  const se = ratesStandardError ? errors[i][0] : undefined;
  const value = se !== undefined ? withError(v, se) : fmt3(v);
  const where = `σ ≈ ${fmt3(sigma[i])}`;
  const per = `per unit of −log σ, mean over ${lyapunovPaths} probability-flow paths`;
  // a mean within two standard errors of 0 establishes neither separation nor contraction
  const significant = se === undefined || Math.abs(v) > 2 * se;
  if (v > 0 && significant)
    return `Along the probability-flow ODE, nearby trajectories separate fastest at ${where}: the largest local Lyapunov rate is λ₁ = +${value} (${per}); there the flow is deciding.`;
  if (!significant)
    return (
      `Along the probability-flow ODE the largest local Lyapunov rate, λ₁ = ${value} at ${where} (${per}), is within two standard errors of 0: ` +
      `the paths differ there (some separate, others contract), and on average they establish neither; elsewhere the rates are lower.`
    );
  return (
    `Along the probability-flow ODE no direction separates anywhere in the range: every local Lyapunov rate is negative, so nearby trajectories contract ` +
    `(a direction in which the data is flat contracts at −1, δ ∝ σ); the least contracting, λ₁ = ${value} (${per}), is at ${where}.`
  );
}

function modelText(model: DataModel, source: string, scale: number, pca: PrincipalAxes | undefined): string {
  const st = model.structure;
  const size = st?.type === "mixture" ? `${st.means.rows} ${model.discrete ? "points" : "components"}` : model.kind;
  const shape = imageShape(model);
  return (
    `Model ${source}: ${model.kind}, ${size} in D = ${model.dim}` +
    (shape ? ` (images of ${shape.join(" × ")})` : "") +
    (model.numClasses ? `, ${model.numClasses} classes (${(model.classNames ?? []).join(", ")})` : "") +
    `. Data scale √(Tr Cov/D) = ${fmt(scale)}.` +
    (pca
      ? ` Shown on its top two principal axes, which carry ${(100 * pca.explained[0]).toFixed(1)}% and ${(100 * pca.explained[1]).toFixed(1)}% of the variance Tr Cov(y).`
      : "")
  );
}

/** What {@link criticalWindows} knows beyond the profile (the report's other analyses). */
export interface WindowContext {
  /** True for an empirical (discrete) distribution. */
  discrete?: boolean;
  /** The σ below which E[1/Y] < threshold (the posterior condenses onto single data points), if it does in the range. */
  condensation?: number;
  /** @default 1.5 */
  threshold?: number;
  /** E[1/Σ w²] at σ_min with its standard error: ≈ 1 when the posterior sits on one data point there. */
  inverseParticipationAtMin?: { value: number; standardError: number };
  /** Dimension D (the small-σ limit of mmse/σ² for a continuous density). */
  dim?: number;
}

/** E[1/Σ w²] below this at σ_min: the posterior sits on one training point (its weight ≳ 0.98 on average). */
export const ONE_POINT = 1.05;

/**
 * Plain-words summary of the critical windows, with numbers. A curve that is 0 over the whole range (one distinct
 * data point; identical classes) or peaks at an end of the range is said to be so, never called a peak. Peaks are
 * printed with their σ bracket and the digits it supports ({@link formatPeak}); two peaks are said to be in an order
 * ("above", "before") only when their brackets do not overlap. Monte Carlo numbers carry their standard error.
 * For an empirical distribution whose posterior condenses in the range, the small-σ regime is named for what it is:
 * memorizing one training point.
 */
export function criticalWindows(profile: InformationProfile, context: WindowContext = {}): string[] {
  const lines: string[] = [];
  const peaks = profile.peaks;
  const sigmas = profile.points.map((p) => p.sigma);
  const real = (p: Peak | undefined) => (p && p.value > 0 && !p.atBoundary ? bracketPeak(p, sigmas) : undefined);
  const rate = real(peaks.entropyRateLogSigma);
  const varh = real(peaks.pathwiseEntropyVariance);
  const cls = real(peaks.classEntropyRate);
  const last = profile.points[profile.points.length - 1];
  const first = profile.points[0];
  const range = `[${fmt(first.sigma)}, ${fmt(last.sigma)}]`;
  const info = (p: ProfilePoint) => withError(p.mutualInformation, p.standardError?.mutualInformation);
  if (peaks.entropyRateLogSigma && !(peaks.entropyRateLogSigma.value > 0))
    lines.push(`mmse is 0 at every σ in ${range}: the data is a single distinct point, so the noisy state has nothing to resolve.`);
  else if (peaks.entropyRateLogSigma?.atBoundary) {
    const atSmall = peaks.entropyRateLogSigma.sigma === first.sigma;
    lines.push(
      context.discrete === false && atSmall
        ? `The rate dH/dlog σ = mmse/σ² grows all the way to the small end σ = ${fmt(first.sigma)} of the range ${range}, as it must for a continuous density: mmse ≈ Dσ² as σ → 0, so the rate tends to D${context.dim ? ` = ${context.dim}` : ""} and has no interior peak.`
        : `The rate dH/dlog σ is largest at the end σ ≈ ${fmt(peaks.entropyRateLogSigma.sigma)} of the range ${range}: no interior peak (widen the range).`,
    );
  }
  if (rate)
    lines.push(
      `The data is resolved fastest (peak of dH/dlog σ = mmse/σ²) at σ ≈ ${formatPeak(rate)}; going down from σ = ${fmt(last.sigma)} to ${fmt(first.sigma)}, the noisy state's information about the data grows from ${info(last)} to ${info(first)} nats.`,
    );
  if (varh) lines.push(`Trajectories disagree most about which data point they are heading to (peak of Var h) at σ ≈ ${formatPeak(varh)}.`);
  if (peaks.classEntropyRate && !(peaks.classEntropyRate.value > 0))
    lines.push(`The class entropy does not change with σ: no position tells the classes apart (their points coincide).`);
  if (cls) {
    const order = rate ? compareBrackets(cls, rate) : undefined;
    const relation = !rate
      ? ""
      : order
        ? `, ${order} the peak of the overall rate: the class is settled ${order === "above" ? "before" : "after"} the fine detail`
        : `; the overall rate's peak bracket overlaps it, so this profile cannot tell whether the class is settled before or after the fine detail`;
    lines.push(`The class is decided fastest (peak of dH(c|x)/dσ) at σ ≈ ${formatPeak(cls)}${relation}.`);
  }
  const atMin = context.inverseParticipationAtMin;
  if (context.discrete && context.condensation !== undefined && atMin && atMin.value < ONE_POINT)
    lines.push(
      `Below σ ≈ ${fmt3(context.condensation)} one data point dominates the posterior on average (E[1/Σ w²] < ${context.threshold ?? 1.5}); at σ = ${fmt(first.sigma)}, E[1/Σ w²] = ${withError(atMin.value, atMin.standardError)}` +
        (first.conditionalEntropy !== undefined ? ` and H(y|x_σ) = ${withError(first.conditionalEntropy, first.standardError?.conditionalEntropy)} nats` : "") +
        `: the posterior sits on the nearest training point, so the small-σ regime is memorizing one training point.`,
    );
  if (!lines.length) lines.push("No interior peaks in the σ range.");
  return lines;
}

const fmt3 = (v: number) => v.toPrecision(3);
