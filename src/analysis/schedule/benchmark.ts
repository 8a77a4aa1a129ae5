import type { Batch } from "../../batch.js";
import type { DataModel } from "../../models/types.js";
import { edm, type NoiseProcess } from "../../noise/process.js";
import { createRng } from "../../numeric/rng.js";
import { Welford } from "../../numeric/welford.js";
import { exactNoisy } from "../dynamics/initial.js";
import { SAMPLERS, type SamplerName } from "../dynamics/registry.js";
import { entropicProfile, type EntropicProfile } from "./entropic-profile.js";
import { defaultMetricSettings, measure, metricNames, type MetricName, type MetricSettings } from "./metrics.js";
import { scheduleSigmas, SCHEDULE_KINDS, type ScheduleKind } from "./schedules.js";
import { profilePlan } from "./model-profile.js";
import { throwIfAborted } from "../../score/program.js";
import { sigmaGrid } from "../../noise/grid.js";

/** One line of the benchmark (the JSON contract of `infodyn schedule --evaluate --json`, plus `nfe`). */
export interface BenchmarkRow {
  /** Schedule kind, or "data" for the direct-sampling baseline. */
  kind: string;
  /** Sampler name, or "direct" for the baseline. */
  sampler: string;
  steps: number;
  /** Denoiser evaluations per sample (the final denoising step included). */
  nfe: number;
  metric: MetricName;
  /** Mean over repetitions. */
  value: number;
  /** Standard error of the mean over repetitions. */
  standardError: number;
}

/** Options of {@link evaluateSchedules}. */
export interface BenchmarkOptions {
  kinds?: readonly ScheduleKind[];
  /** Step counts n (default 4, 8, 16, 32, 64). */
  steps?: readonly number[];
  /** Samplers (default euler = deterministic DDIM, heun, em, ddim = stochastic DDIM). */
  samplers?: readonly SamplerName[];
  /** Paths per repetition (default 1000). */
  samples?: number;
  /** Repetitions with fresh seeds; standard errors are over these (default 4). */
  repeats?: number;
  seed?: number;
  sigmaMin: number;
  sigmaMax: number;
  rho?: number;
  /** Process of the `uniform` schedule (default EDM). */
  process?: NoiseProcess;
  /** Intervals of the entropic profile (default: {@link profilePlan}'s, 128 exact or 48 on tabulated nodes). */
  intervals?: number;
  /** A precomputed φ profile (e.g. from a denoiser's loss); default: the model's ({@link profilePlan}: exact, quadrature nodes or Monte Carlo). */
  profile?: EntropicProfile;
  /** Override metric settings. */
  metrics?: Partial<MetricSettings>;
  onProgress?: (done: number, total: number) => void;
  /** Checked between units of work: an aborted signal ends the run with an `AbortedError`. */
  signal?: AbortSignal;
}

/** The benchmark's output: settings echoed, one row per (kind, sampler, steps, metric), mode proportions. */
export interface BenchmarkResult {
  sigmaMin: number;
  sigmaMax: number;
  samples: number;
  repeats: number;
  seed: number;
  settings: MetricSettings;
  levels: { kind: ScheduleKind; steps: number; sigma: number[] }[];
  results: BenchmarkRow[];
  proportions: { kind: string; sampler: string; steps: number; mean: number[] }[];
}

const NFE: Record<SamplerName, (n: number) => number> = { euler: (n) => n + 1, ddim: (n) => n + 1, "euler-ancestral": (n) => n + 1, em: (n) => n + 1, lms: (n) => n + 1, "dpmpp-2m": (n) => n + 1, rk4: (n) => 4 * n + 1, heun: (n) => 2 * n + 1, dpm2: (n) => 2 * n + 1 };

/**
 * The sample-quality benchmark of THEORY.md §9.1 / issue 7: for each schedule, step count n and sampler, draw
 * `samples` paths from the exact noisy law p_{σ_max} (so only the discretisation errs), run the sampler with the
 * exact denoiser down the n + 1 levels, finish with the denoising step x ← m(x; σ_min) (k-diffusion's step to
 * σ = 0), and measure the distances of {@link measure}; `repeats` fresh seeds give means and standard errors.
 * Common random numbers: repetition r uses the same initial states, sampler noise and reference sample for every
 * schedule and sampler, so differences between schedules are sharper than their standard errors suggest.
 * A baseline (kind "data", sampler "direct", steps 0) measures N direct data draws the same way: an ideal
 * sampler matches it, and the finite-sample floor of each metric (W₁ ∝ N^{−½}, KDE smoothing) is read from it.
 *
 * @example
 * evaluateSchedules(model, { sigmaMin: 0.002, sigmaMax: 80, samples: 500, repeats: 2 }).results;
 */
export function evaluateSchedules(model: DataModel, options: BenchmarkOptions): BenchmarkResult {
  const {
    kinds = SCHEDULE_KINDS,
    steps = [4, 8, 16, 32, 64],
    samplers = ["euler", "heun", "em", "ddim"],
    samples = 1000,
    repeats = 4,
    seed = 0,
    sigmaMin,
    sigmaMax,
    process = edm(),
    onProgress,
  } = options;
  const settings = { ...defaultMetricSettings(model, sigmaMin, seed), ...options.metrics };
  const needsProfile = kinds.some((k) => k === "entropic" || k === "rescaled-entropic");
  const plan = options.profile || !needsProfile ? undefined : profilePlan(model, sigmaMin, { seed });
  const profile = options.profile ?? (plan ? entropicProfile(plan.source, sigmaMin, sigmaMax, { intervals: options.intervals ?? plan.intervals }) : undefined);
  const levels = kinds.flatMap((kind) =>
    steps.map((n) => ({ kind, steps: n, sigma: scheduleSigmas(kind, n, sigmaMin, sigmaMax, { process, profile, rho: options.rho }).sigma })),
  );
  const names = metricNames(model);
  type Cell = { acc: Map<MetricName, Welford>; props?: Float64Array; row: Omit<BenchmarkRow, "metric" | "value" | "standardError"> };
  const cells: Cell[] = [{ acc: new Map(), row: { kind: "data", sampler: "direct", steps: 0, nfe: 0 } }];
  const total = repeats * (1 + levels.length * samplers.length);
  let done = 0;
  const record = (cell: Cell, s: Batch, reference: Batch, r: number) => {
    const { values, proportions } = measure(model, s, reference, settings, seed * 1009 + r);
    for (const name of names) {
      if (!cell.acc.has(name)) cell.acc.set(name, new Welford());
      cell.acc.get(name)!.push(values[name] ?? NaN);
    }
    if (proportions) {
      cell.props ??= new Float64Array(proportions.length);
      for (let k = 0; k < proportions.length; k++) cell.props[k] += proportions[k] / repeats;
    }
    onProgress?.(++done, total);
    throwIfAborted(options.signal);
  };
  for (const lv of levels) for (const sampler of samplers) cells.push({ acc: new Map(), row: { kind: lv.kind, sampler, steps: lv.steps, nfe: NFE[sampler](lv.steps) } });
  for (let r = 0; r < repeats; r++) {
    const base = (seed * 7919 + r * 104729) | 0;
    const reference = model.sample(samples, createRng(base ^ 0x0ef));
    record(cells[0], model.sample(samples, createRng(base ^ 0xda7a)), reference, r);
    const x0 = exactNoisy(model, samples, sigmaMax, base);
    let c = 1;
    for (const lv of levels) {
      const desc = sigmaGrid(lv.sigma, `${lv.kind} levels`); // the sampler's descending grid
      for (const sampler of samplers) {
        const x = SAMPLERS[sampler](model, x0, desc, { rng: createRng(base ^ 0x5a3b) });
        record(cells[c++], model.denoise(x, sigmaMin), reference, r);
      }
    }
  }
  const results: BenchmarkRow[] = [];
  for (const cell of cells)
    for (const name of names) {
      const w = cell.acc.get(name)!;
      results.push({ ...cell.row, metric: name, value: w.mean, standardError: repeats > 1 ? w.standardError : NaN });
    }
  return {
    sigmaMin,
    sigmaMax,
    samples,
    repeats,
    seed,
    settings,
    levels: levels.map((l) => ({ kind: l.kind, steps: l.steps, sigma: Array.from(l.sigma) })),
    results,
    proportions: cells.filter((c) => c.props).map((c) => ({ kind: c.row.kind, sampler: c.row.sampler, steps: c.row.steps, mean: Array.from(c.props!) })),
  };
}
