import { informationProfile, type InformationProfile, type Peak } from "../analysis/info/grid.js";
import { ascending, logSigmas } from "../noise/grid.js";
import type { DataModel } from "../models/types.js";
import { pathsReport } from "../analysis/dynamics/report.js";
import { participationVsSigma } from "../analysis/thermo/participation.js";
import type { ReportPayload } from "../contracts/report.js";
import { decisionFigure, lyapunovFigure, participationFigure, trajectoriesFigure, type PathsData } from "./figures/dynamics.js";
import { classEntropyFigure, dataFigure, entropyProfileFigure, pathwiseVarianceFigure, rateEstimatorsFigure } from "./figures/info.js";
import { scheduleFigure } from "./figures/schedule.js";
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
  const grid = logSigmas(plan.sigma.levels, plan.sigma.min, plan.sigma.max);
  const sigmas = Array.from(ascending(grid));
  const profile = informationProfile(model, grid, {
    samples: plan.profile.samples,
    seed,
    budget: plan.profile.budget,
    onProgress: options.onProgress,
    signal: options.signal,
  });
  const figures: Record<string, VegaLiteSpec> = {};
  const add = (name: string, spec: VegaLiteSpec | undefined) => {
    if (spec) figures[name] = spec;
    return spec ? [name] : [];
  };
  const sections: ReportSection[] = [
    {
      id: "model",
      title: "The model",
      text: modelText(model, options.source, scale),
      figures: add("data", dataFigure(model, sample.points, sample.labels)),
    },
    {
      id: "profile",
      title: "Entropy profile",
      text:
        `How much the noisy state x_σ = y + σz tells about the data y, from σ = ${fmt(sigmas[0])} to ${fmt(sigmas[sigmas.length - 1])}. ` +
        `The entropy rate is computed by five estimators (THEORY.md §3); where their curves coincide the numbers are trustworthy. ` +
        `Expectations: ${[...new Set(profile.points.map((p) => p.method))].join("; ")}.`,
      figures: [...add("entropy-profile", entropyProfileFigure(profile)), ...add("rate-estimators", rateEstimatorsFigure(profile))],
    },
  ];
  const varFig = add("pathwise-entropy-variance", pathwiseVarianceFigure(profile));
  if (varFig.length)
    sections.push({
      id: "pathwise",
      title: "Pathwise entropy: where trajectories decide",
      text: `Var h peaks at σ ≈ ${fmt(profile.peaks.pathwiseEntropyVariance?.sigma)}: there, noisy states differ most in how undecided they are about which data point they belong to.`,
      figures: varFig,
    });
  const classFig = add("class-entropy", classEntropyFigure(profile));
  if (classFig.length)
    sections.push({
      id: "classes",
      title: "Class entropy: when the class is decided",
      text: `The class entropy H(c|x_σ) falls fastest at σ ≈ ${fmt(profile.peaks.classEntropyRate?.sigma)}.`,
      figures: classFig,
    });
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
  }) as unknown as PathsData & { lyapunov: ReportPayload["paths"]["lyapunov"] };
  const topRate = paths.lyapunov.rates.map((r) => Math.max(...r));
  const iTop = topRate.indexOf(Math.max(...topRate));
  sections.push({
    id: "dynamics",
    title: "Generative dynamics: trajectories, decisions and divergence",
    text:
      `${plan.paths.n} reverse-SDE trajectories from the exact noisy law at σ = ${fmt(sigmas[sigmas.length - 1])} down to ${fmt(sigmas[0])}` +
      (paths.decisionSigma ? `; each path's decision σ is where its pathwise entropy drops most` : "") +
      `. Along the probability-flow ODE, nearby trajectories separate fastest (largest local Lyapunov rate ${fmt(topRate[iTop])} per unit log σ) at σ ≈ ${fmt(paths.lyapunov.sigma[iTop])}.`,
    figures: [
      ...add("trajectories", trajectoriesFigure(model, paths)),
      ...add("decisions", decisionFigure(paths)),
      ...add("lyapunov", lyapunovFigure(paths)),
    ],
  });
  // Symmetry breaking: branchings, the decision tree and the free-energy landscape there (THEORY.md §5–6).
  throwIfAborted(options.signal);
  const bif = branchingSection(model, sample.points, add, plan.branchings);
  if (bif) sections.push(bif.section);
  // Memorization: participation ratio and condensation (THEORY.md §6, seed 004).
  let participation: ReturnType<typeof participationVsSigma> | undefined;
  if (model.discrete) {
    throwIfAborted(options.signal);
    const { samples, threshold } = plan.participation;
    participation = participationVsSigma(model, [...sigmas], { samples, seed });
    const condensation = crossing(participation.sigma, participation.meanInverseParticipation, threshold);
    sections.push({
      id: "memorization",
      title: "Memorization: how many data points shape the score",
      text:
        `1/Y = 1/Σ_j w_j² counts the data points that the score at x averages over. ` +
        (condensation
          ? `Below σ ≈ ${fmt(condensation)} it falls under ${threshold} on average: the posterior condenses onto single data points (memorization).`
          : `It stays above ${threshold} over the whole range.`),
      figures: add("participation", participationFigure(participation, condensation)),
    });
  }
  // Sampling schedules: entropic time from the profile's mmse (THEORY.md §7, §9.1).
  const schedules = scheduleSection(profile, sigmas, plan.schedules);
  const n = plan.schedules.steps;
  sections.push({
    id: "schedules",
    title: "Entropic time: where a sampler should spend its steps",
    text:
      `With ${n} steps on [${fmt(sigmas[0])}, ${fmt(sigmas[sigmas.length - 1])}], entropic time (equal steps of H(y|x_σ)) and rescaled entropic time ` +
      `(equal steps of ∫ mmse/s² ds) against EDM's ρ = 7 grid. Entropic time puts ${schedules.inWindow} of its ${n} steps within a factor ${plan.schedules.window} of ` +
      `the rate peak σ ≈ ${fmt(profile.peaks.entropyRateLogSigma?.sigma)}; EDM puts ${schedules.inWindowEdm} there. ` +
      `(Levels from the report's mmse profile, log-interpolated between its ${sigmas.length} noise levels.)`,
    figures: add("schedules", scheduleFigure(schedules.list)),
  });
  sections.push({ id: "summary", title: "Critical windows in plain words", text: criticalWindows(profile).join(" "), figures: [] });
  return {
    title: `infodyn report — ${options.source}`,
    sections,
    figures,
    plan,
    results: {
      seed,
      commandLine: options.commandLine ?? "",
      dataScale: scale,
      profile: { sigma: profile.sigma, points: profile.points, peaks: profile.peaks },
      paths: { sigma: paths.sigma, decisionSigma: paths.decisionSigma, lyapunov: paths.lyapunov },
      participation,
      bifurcations: bif?.results,
      schedules: Object.fromEntries(schedules.list.map(({ kind, schedule }) => [kind, Array.from(schedule.sigma)])),
      summary: criticalWindows(profile),
    },
  };
}

function modelText(model: DataModel, source: string, scale: number): string {
  const st = model.structure;
  const size = st?.type === "mixture" ? `${st.means.rows} ${model.discrete ? "points" : "components"}` : model.kind;
  return (
    `Model ${source}: ${model.kind}, ${size} in D = ${model.dim}` +
    (model.numClasses ? `, ${model.numClasses} classes (${(model.classNames ?? []).join(", ")})` : "") +
    `. Data scale √(Tr Cov/D) = ${fmt(scale)}.`
  );
}

/**
 * Plain-words summary of the critical windows, with numbers. A curve that is 0 over the whole range (one distinct
 * data point; identical classes) or peaks at an end of the range is said to be so, never called a peak.
 */
export function criticalWindows(profile: InformationProfile): string[] {
  const lines: string[] = [];
  const peaks = profile.peaks;
  const real = (p: Peak | undefined) => (p && p.value > 0 && !p.atBoundary ? p : undefined);
  const rate = real(peaks.entropyRateLogSigma);
  const varh = real(peaks.pathwiseEntropyVariance);
  const cls = real(peaks.classEntropyRate);
  const last = profile.points[profile.points.length - 1];
  const first = profile.points[0];
  const range = `[${fmt(first.sigma)}, ${fmt(last.sigma)}]`;
  if (peaks.entropyRateLogSigma && !(peaks.entropyRateLogSigma.value > 0))
    lines.push(`mmse is 0 at every σ in ${range}: the data is a single distinct point, so the noisy state has nothing to resolve.`);
  else if (peaks.entropyRateLogSigma?.atBoundary)
    lines.push(`The rate dH/dlog σ is largest at the end σ ≈ ${fmt(peaks.entropyRateLogSigma.sigma)} of the range ${range}: no interior peak (widen the range).`);
  if (rate)
    lines.push(
      `The data is resolved fastest (peak of dH/dlog σ = mmse/σ²) at σ ≈ ${fmt(rate.sigma)}; going down from σ = ${fmt(last.sigma)} to ${fmt(first.sigma)}, the noisy state's information about the data grows from ${fmt(last.mutualInformation)} to ${fmt(first.mutualInformation)} nats.`,
    );
  if (varh) lines.push(`Trajectories disagree most about which data point they are heading to (peak of Var h) at σ ≈ ${fmt(varh.sigma)}.`);
  if (peaks.classEntropyRate && !(peaks.classEntropyRate.value > 0))
    lines.push(`The class entropy does not change with σ: no position tells the classes apart (their points coincide).`);
  if (cls)
    lines.push(
      `The class is decided fastest (peak of dH(c|x)/dσ) at σ ≈ ${fmt(cls.sigma)}${rate ? `, ${cls.sigma > rate.sigma ? "above" : "below"} the peak of the overall rate: the class is settled ${cls.sigma > rate.sigma ? "before" : "after"} the fine detail` : ""}.`,
    );
  if (!lines.length) lines.push("No interior peaks in the σ range.");
  return lines;
}
