import type { Batch } from "../../batch.js";
import { InfodynError } from "../../errors.js";
import type { DataModel, Denoiser } from "../../models/types.js";
import { logSigmas } from "../../noise/grid.js";
import { createRng } from "../../numeric/rng.js";
import { exactNoisy } from "../dynamics/initial.js";
import { classDistortion, type ClassDistortion, type GuidedRun } from "./distortion.js";
import { sampleGuided, type GuidedSamplerName } from "./guided.js";
import { checkSchedule, gridWithEdges, type GuidanceSchedule } from "./schedule.js";
import { jackknife } from "./stats.js";
import { slicedWasserstein2 } from "../schedule/sliced.js";
import { classSample } from "./class-law.js";
import { paretoFront } from "./search.js";

/*
 * Classifier-free guidance on a class-conditional network (issue 17 item 6): the guided paths run on the network,
 * and everything they are measured against comes from its labelled training set as an exact model (`deltas(data,
 * {labels})`): the class law p(y|c) is the class's training points, and p(c|x) at σ_min is the training set's exact
 * posterior, which at small σ is the class of the nearest training point (the exact classifier of the training set).
 */

/** Options of {@link networkGuidedRun} and {@link networkDistortion}. */
export interface NetworkGuidanceOptions {
  label: number;
  schedule: GuidanceSchedule;
  /** @default "heun" */
  sampler?: GuidedSamplerName;
  /** Paths. @default 200 */
  n?: number;
  /** Log-uniform steps from σ_max to σ_min, then the final step to σ = 0 (window edges added). @default 40 */
  steps?: number;
  sigmaMin: number;
  sigmaMax: number;
  /** Seed of the starts, the em noise, the class draws and the projections. @default 0 */
  seed?: number;
  /** @default 64 */
  projections?: number;
  /** @default 20 */
  groups?: number;
  /** Starting states at σ_max (default: n draws of the training set noised at σ_max, path i from stream i of `seed`). */
  start?: Batch;
  signal?: AbortSignal;
}

/** A guided run on a network: the end states x (= D_w(x_σmin, σ_min), the last denoising step) and the states at σ_min. */
export interface NetworkGuidedRun extends GuidedRun {
  /** The noisy states x_σmin before the final denoising step. */
  noisy: Batch;
}

/**
 * The guided paths on a network ({@link sampleGuided} driven asynchronously): `steps` log-uniform steps from σ_max to
 * σ_min and a final step to 0 (window edges added), from `start` or n draws of the training set's p_σmax.
 */
export async function networkGuidedRun(denoiser: Denoiser, training: DataModel, options: NetworkGuidanceOptions): Promise<NetworkGuidedRun> {
  const { label, schedule, sampler = "heun", n = 200, steps = 40, seed = 0, sigmaMin, sigmaMax } = options;
  checkSchedule(schedule);
  if (training.dim !== denoiser.dim) throw new InfodynError(`data: dimension ${training.dim} does not match the denoiser's ${denoiser.dim}`);
  const grid = gridWithEdges(logSigmas(steps + 1, sigmaMin, sigmaMax, { zero: true }), schedule);
  const start = options.start ?? exactNoisy(training, n, sigmaMax, seed);
  const rng = sampler === "em" ? createRng(seed + 0x5de) : undefined;
  let noisy: Batch | undefined;
  const callback = (s: { sigmaNext: number; x: Batch }) => {
    if (s.sigmaNext === 0) noisy = { rows: s.x.rows, dim: s.x.dim, data: Float64Array.from(s.x.data) };
  };
  const x = await sampleGuided(denoiser, start, grid, { label, schedule, sampler, rng, callback, signal: options.signal });
  return { x, noisy: noisy ?? x, sigmaMin, sigmaMax, grid };
}

/**
 * The distortion of guided sampling on a network against the class's training points: {@link classDistortion} on
 * the training set, with separability (mean p(c|x)) and accuracy (argmax p(c|x) = c) by the training set's exact
 * posterior at σ_min on the network's denoised end states D_w(x_σmin, σ_min). No KL: the reference law is a finite
 * sample, with no density to compare against (a nearest-neighbour KL in 64-D on a few hundred points would
 * mostly measure its own bias).
 *
 * @example
 * const d = await networkDistortion(net, deltas(data, { labels }), { label: 3, schedule: { type: "constant", w: 2 }, sigmaMin: 0.1, sigmaMax: 80 });
 * d.accuracy.value; // fraction of guided digits the training set classifies as 3
 */
export async function networkDistortion(denoiser: Denoiser, training: DataModel, options: NetworkGuidanceOptions): Promise<ClassDistortion & { noisy: Batch }> {
  const run = await networkGuidedRun(denoiser, training, options);
  return { ...classDistortion(training, run, options), noisy: run.noisy };
}

/** Options of {@link searchNetworkWindow}. */
export interface NetworkSearchOptions extends Omit<NetworkGuidanceOptions, "schedule" | "start"> {
  /** The mean exact p(c | x_out) to reach, in (0, 1). */
  separability: number;
  /** Candidate edges, log-uniform strictly inside (σ_min, σ_max). @default 2 */
  edges?: number;
  /** @default 30 */
  wMax?: number;
  /** Paths per evaluation during the search (the same starts for every candidate). @default 100 */
  searchN?: number;
  /** Tolerance in w of the root search. @default 0.02 */
  wTol?: number;
  /** Bisection steps per structure beyond its two ends. @default 10 */
  maxIter?: number;
  onProgress?: (done: number, total: number) => void;
}

/** One schedule evaluated by the network search: separability and sliced W₂ on the search's paths. */
export interface NetworkCandidate {
  schedule: GuidanceSchedule;
  separability: number;
  w2: number;
}

/** What {@link searchNetworkWindow} found; the optimum and constant guidance re-measured on n fresh paths (seed + 1). */
export interface NetworkWindowSearch {
  target: number;
  optimum: { schedule: GuidanceSchedule; search: NetworkCandidate; distortion: ClassDistortion };
  constant: { schedule: GuidanceSchedule; search: NetworkCandidate; distortion: ClassDistortion } | undefined;
  /** sliced W₂(optimum) − sliced W₂(constant) on the same fresh starts (paired), jackknife SE. */
  w2Difference?: { value: number; standardError: number };
  atTarget: NetworkCandidate[];
  /** Every evaluated schedule that no other beats in both separability and sliced W₂, by separability ascending. */
  front: NetworkCandidate[];
  evaluations: number;
}

/**
 * The guidance window of least sliced W₂ (against the class's training points) among the schedules whose
 * separability reaches a target (≥ target − 1.5/searchN, the staircase's step), on a network: constant guidance and windows (a, b] with w = 1 outside, a ∈ {0} ∪ edges, b ∈ edges ∪ {∞}; for each, the
 * weight inside by bisection on [0, wMax] (the network is asynchronous, so not the
 * synchronous Brent of `searchWindow`). Every candidate runs on the same `searchN` starts and compares with the same
 * class reference sample, so the comparison between candidates has no Monte Carlo noise between them.
 */
export async function searchNetworkWindow(denoiser: Denoiser, training: DataModel, options: NetworkSearchOptions): Promise<NetworkWindowSearch> {
  const { separability: target, edges = 2, wMax = 30, searchN = 100, wTol = 0.02, maxIter = 10, seed = 0, sigmaMin, sigmaMax, label } = options;
  if (!(target > 0 && target < 1)) throw new InfodynError(`separability: ${target} is not in (0, 1)`);
  const start = exactNoisy(training, searchN, sigmaMax, seed);
  const reference = classSample(training, label, searchN, createRng(seed + 0x9e37));
  const levels = Array.from({ length: edges }, (_, i) => sigmaMin * (sigmaMax / sigmaMin) ** ((i + 1) / (edges + 1)));
  const structures: ((w: number) => GuidanceSchedule)[] = [(w) => ({ type: "constant", w })];
  for (const lo of [0, ...levels])
    for (const hi of [...levels, Infinity]) if (lo < hi && !(lo === 0 && hi === Infinity)) structures.push((w) => ({ type: "windows", w: 1, windows: [{ lo, hi, w }] }));
  const evaluated: NetworkCandidate[] = [];
  const evaluate = async (schedule: GuidanceSchedule): Promise<NetworkCandidate> => {
    const run = await networkGuidedRun(denoiser, training, { ...options, schedule, start });
    const sep = classDistortionSeparability(training, run, label);
    const c = { schedule, separability: sep, w2: slicedWasserstein2(run.x.data, reference.data, training.dim, options.projections ?? 64, createRng(seed + 0x51ce)) };
    evaluated.push(c);
    return c;
  };
  const atTarget: NetworkCandidate[] = [];
  let constantAt: NetworkCandidate | undefined;
  for (let j = 0; j < structures.length; j++) {
    const c = await rootSearch((w) => evaluate(structures[j](w)), target, wMax, wTol, maxIter, 1.5 / searchN);
    if (c) {
      atTarget.push(c);
      if (j === 0) constantAt = c;
    }
    options.onProgress?.(j + 1, structures.length);
  }
  if (atTarget.length === 0) throw new InfodynError(`separability: no schedule with w ≤ ${wMax} reaches ${target} on the network (raise --w-max, or ask for less)`);
  atTarget.sort((a, b) => a.w2 - b.w2);
  // the optimum: least sliced W₂ among every evaluated schedule that reaches the target (within the staircase's
  // step), not only among the roots — a schedule that overshoots the separability with less distortion is better
  const feasible = evaluated.filter((c) => c.separability >= target - 1.5 / searchN).sort((a, b) => a.w2 - b.w2);
  const remeasure = async (c: NetworkCandidate) => ({ schedule: c.schedule, search: c, distortion: classDistortion(training, await networkGuidedRun(denoiser, training, { ...options, schedule: c.schedule, seed: seed + 1 }), { ...options, seed: seed + 1 }) });
  const optimum = await remeasure(feasible[0]);
  const constant = constantAt ? await remeasure(constantAt) : undefined;
  let w2Difference: NetworkWindowSearch["w2Difference"];
  if (constant) {
    const a = optimum.distortion.samples;
    const b = constant.distortion.samples;
    const ref = classSample(training, label, a.rows, createRng(seed + 1 + 0x9e37));
    const sw = (x: Batch, idx: Int32Array) => slicedWasserstein2(pick(x, idx), ref.data, training.dim, options.projections ?? 64, createRng(seed + 1 + 0x51ce));
    w2Difference = jackknife(a.rows, options.groups ?? 20, (idx) => sw(a, idx) - sw(b, idx));
  }
  return { target, optimum, constant, ...(w2Difference ? { w2Difference } : {}), atTarget, front: paretoFront(evaluated, (c) => c.w2), evaluations: evaluated.length };
}

/** Mean exact p(c | ·) at σ_min of the training set on the run's denoised end states. */
function classDistortionSeparability(training: DataModel, run: NetworkGuidedRun, label: number): number {
  const post = training.posterior(run.x, run.sigmaMin, { classProbs: true });
  const C = training.numClasses;
  let s = 0;
  for (let i = 0; i < run.x.rows; i++) s += post.classProbs![i * C + label] / run.x.rows;
  return s;
}

/**
 * The weight w ∈ [0, wMax] where the separability of `f(w)` equals the target, by bisection (robust on a
 * staircase): undefined when [0, wMax] does not bracket it. Returns the evaluated interior candidate
 * closest to the target (on a network at small σ_min, p(c|x) of an end state is nearly 0 or 1, so the
 * separability of finitely many paths is a staircase in w with steps of ~1/paths); undefined when it is further
 * than `sepTol` (1.5/paths) from the target.
 */
async function rootSearch(f: (w: number) => Promise<NetworkCandidate>, target: number, wMax: number, wTol: number, maxIter: number, sepTol: number): Promise<NetworkCandidate | undefined> {
  let a = 0;
  let b = wMax;
  const fa = (await f(a)).separability - target;
  const fb = (await f(b)).separability - target;
  if (!(fa < 0 && fb > 0)) return undefined;
  let best: NetworkCandidate | undefined;
  for (let k = 0; k < maxIter && b - a > wTol; k++) {
    const w = (a + b) / 2;
    const c = await f(w);
    if (!best || Math.abs(c.separability - target) < Math.abs(best.separability - target)) best = c;
    if (c.separability === target) break;
    if (c.separability < target) a = w;
    else b = w;
  }
  best ??= await f((a + b) / 2);
  return Math.abs(best.separability - target) <= sepTol ? best : undefined;
}

function pick(x: Batch, idx: Int32Array): Float64Array {
  const D = x.dim;
  const out = new Float64Array(idx.length * D);
  idx.forEach((i, j) => out.set(x.data.subarray(i * D, (i + 1) * D), j * D));
  return out;
}
