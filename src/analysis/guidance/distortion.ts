import type { Batch } from "../../batch.js";
import { InfodynError } from "../../errors.js";
import type { DataModel } from "../../models/types.js";
import { logSigmas } from "../../noise/grid.js";
import { createRng } from "../../numeric/rng.js";
import { Welford } from "../../numeric/welford.js";
import { exactNoisy } from "../dynamics/initial.js";
import type { Estimate } from "../info/expect.js";
import { defaultSigmaRange } from "../scale.js";
import { klBins } from "../schedule/kl.js";
import { slicedWasserstein2 } from "../schedule/sliced.js";
import { classMoments, classPoints, classSample } from "./class-law.js";
import { sampleGuided, type GuidedSamplerName } from "./guided.js";
import { checkSchedule, gridWithEdges, type GuidanceSchedule } from "./schedule.js";
import { gaussianFitKl, jackknife, knnEntropy, subsetMoments } from "./stats.js";

/** Options of {@link guidanceDistortion}. */
export interface DistortionOptions {
  label: number;
  schedule: GuidanceSchedule;
  /** @default "heun" */
  sampler?: GuidedSamplerName;
  /** Paths. @default 2000 */
  n?: number;
  /** Log-uniform steps from σ_max to σ_min, then the final step to σ = 0 (the window edges are added). @default 64 */
  steps?: number;
  /** @default the model's default range (scale.ts) */
  sigmaMin?: number;
  sigmaMax?: number;
  /** Seed of the starts, the em noise, the class draws and the projections. @default 0 */
  seed?: number;
  /** Directions of the sliced W₂. @default 64 */
  projections?: number;
  /** Groups of the jackknife standard errors. @default 20 */
  groups?: number;
  /** Starting states at σ_max (default: n draws of the exact unconditional p_σmax, path i from stream i of `seed`). */
  start?: Batch;
  /** Bins of the discrete KL: radius ε around each class point. @default ¼ of the smallest distance between points */
  epsilon?: number;
}

/** The guided law of class c against the true conditional p(y | c) (THEORY.md §9.2), with standard errors. */
export interface GuidanceDistortion {
  label: number;
  n: number;
  sigmaMin: number;
  sigmaMax: number;
  /** The sampler's grid, descending to 0 (window edges included). */
  sigma: number[];
  /** Per coordinate: E x_out (± SE over paths) and the class mean μ_c. */
  mean: Estimate[];
  classMean: number[];
  /** ‖E x_out − μ_c‖ (jackknife SE). */
  meanShift: Estimate;
  /** Per coordinate: Var x_out (± SE) and the class variance diag Σ_c. */
  variance: Estimate[];
  classVariance: number[];
  /** Tr Cov(x_out)/Tr Σ_c: < 1 is shrinkage (jackknife SE). */
  varianceRatio: Estimate;
  /**
   * KL in nats (jackknife SE): `knn`, KL(guided ‖ p(·|c)) = −Ĥ − E log p(y|c) with the Kozachenko–Leonenko entropy
   * Ĥ of the guided samples and the exact class log-density (continuous models), or `bins`, KL(π_c ‖ p̂) of the
   * class's delta bins (discrete models).
   */
  kl: Estimate & { method: KlMethod };
  /**
   * KL(N(m̂, Ĉ) ‖ N(μ_c, Σ_c)) of the fitted moments (continuous models; jackknife SE): THEORY.md §9.2's KL when the
   * guided law is Gaussian, and a lower bound of the true KL for a Gaussian class (at fixed moments the Gaussian has
   * the most entropy), so it cannot see a distortion of shape.
   */
  klGaussianFit?: Estimate;
  /** Sliced W₂ against n exact class draws (jackknife SE), and the same statistic between two class samples (its floor). */
  w2: Estimate;
  w2Floor: number;
  /** Mean exact p(c | x_out) at σ_min (± SE over paths), and the fraction of paths whose most probable class is c. */
  separability: Estimate;
  accuracy: Estimate;
  /** The final states (n × D). */
  samples: Batch;
}

/**
 * Distortion of guided sampling on an exact labelled model (deltas with labels, GMM): n guided paths
 * ({@link sampleGuided}) from the exact unconditional p_σmax down to σ = 0, compared with the class law p(y | c).
 * Every statistic is Monte Carlo with a standard error: per-path means by Welford, nonlinear statistics (shift,
 * variance ratio, KL, sliced W₂) by a delete-a-group jackknife. Separability is the mean exact posterior p(c | x) of
 * the final states at σ_min (THEORY.md §9.2: guidance acts only while the class is undecided, so it is what guidance
 * buys); the sliced W₂ has a positive floor from its finite samples, reported beside it.
 *
 * @example
 * const g = parseModel(JSON.parse(readFileSync("examples/gmm-4class.json", "utf8")));
 * guidanceDistortion(g, { label: 0, schedule: { type: "constant", w: 3 }, n: 1000 }).separability; // { value, standardError }
 */
export function guidanceDistortion(model: DataModel, options: DistortionOptions): GuidanceDistortion {
  const { label, groups = 20 } = options;
  const run = guidedRun(model, options);
  const { x } = run;
  const D = model.dim;
  const law = classMoments(model, label);
  const moments = (idx: Int32Array) => subsetMoments(x.data, D, idx);
  const logClass = model.discrete ? undefined : classLogDensity(model, x, label);
  const kl = { ...jackknife(x.rows, groups, (idx) => guidedKl(model, x, label, idx, options.epsilon, logClass)), method: klMethod(model) };
  const klGaussianFit = model.discrete
    ? undefined
    : jackknife(x.rows, groups, (idx) => {
        const m = moments(idx);
        return gaussianFitKl(m.mean, m.cov, law.mean, law.cov, D);
      });
  const { samples, ...rest } = classDistortion(model, run, options);
  return { ...rest, kl, ...(klGaussianFit ? { klGaussianFit } : {}), samples };
}

/** {@link GuidanceDistortion} without its KLs: what {@link classDistortion} measures on any guided states. */
export type ClassDistortion = Omit<GuidanceDistortion, "kl" | "klGaussianFit">;

/**
 * The statistics of guided end states `run.x` against class c of an exact labelled model that need no density:
 * per-coordinate mean and variance (Welford), mean shift and Tr Cov ratio (jackknife), sliced W₂ against n class
 * draws with its two-sample floor, and separability/accuracy by the exact p(c | ·) at σ_min of `classAt`
 * (default `run.x`). The network route passes a training set as `model` (its class law the class's training
 * points) and the network's end states.
 */
export function classDistortion(model: DataModel, run: GuidedRun & { classAt?: Batch }, options: Pick<DistortionOptions, "label" | "seed" | "projections" | "groups">): ClassDistortion {
  const { label, seed = 0, projections = 64, groups = 20 } = options;
  const { x, sigmaMin, sigmaMax, grid } = run;
  const D = model.dim;
  const N = x.rows;
  const law = classMoments(model, label);

  const mean: Estimate[] = [];
  const variance: Estimate[] = [];
  for (let d = 0; d < D; d++) {
    const w = new Welford();
    for (let i = 0; i < N; i++) w.push(x.data[i * D + d]);
    const dev = new Welford();
    for (let i = 0; i < N; i++) dev.push(((x.data[i * D + d] - w.mean) ** 2 * N) / (N - 1));
    mean.push({ value: w.mean, standardError: w.standardError });
    variance.push({ value: dev.mean, standardError: dev.standardError });
  }
  const moments = (idx: Int32Array) => subsetMoments(x.data, D, idx);
  const meanShift = jackknife(N, groups, (idx) => Math.hypot(...Array.from(moments(idx).mean, (m, d) => m - law.mean[d])));
  let classTrace = 0;
  for (let d = 0; d < D; d++) classTrace += law.cov[d * D + d];
  const varianceRatio = jackknife(N, groups, (idx) => {
    const { cov } = moments(idx);
    let tr = 0;
    for (let d = 0; d < D; d++) tr += cov[d * D + d];
    return tr / classTrace;
  });

  const rng = createRng(seed + 0x9e37);
  const reference = classSample(model, label, N, rng);
  const projSeed = seed + 0x51ce;
  const w2 = jackknife(N, groups, (idx) => slicedWasserstein2(rowsOf(x, idx), reference.data, D, projections, createRng(projSeed)));
  const w2Floor = slicedWasserstein2(classSample(model, label, N, rng).data, reference.data, D, projections, createRng(projSeed));
  const { separability, accuracy } = classSeparability(model, run.classAt ?? x, label, sigmaMin);
  return {
    label,
    n: N,
    sigmaMin,
    sigmaMax,
    sigma: Array.from(grid),
    mean,
    classMean: Array.from(law.mean),
    meanShift,
    variance,
    classVariance: Array.from({ length: D }, (_, d) => law.cov[d * D + d]),
    varianceRatio,
    w2,
    w2Floor,
    separability,
    accuracy,
    samples: x,
  };
}

/** The end states of guided sampling on an exact model, with the σ range and grid used. */
export interface GuidedRun {
  x: Batch;
  sigmaMin: number;
  sigmaMax: number;
  grid: Float64Array;
}

/**
 * The guided paths of {@link guidanceDistortion}: `steps` log-uniform steps from σ_max to σ_min and a final step to 0,
 * the window edges added ({@link gridWithEdges}), from `start` or n draws of the exact p_σmax (path i from stream i
 * of `seed`), em noise forked from `seed`.
 */
export function guidedRun(model: DataModel, options: DistortionOptions): GuidedRun {
  const { label, schedule, sampler = "heun", n = 2000, steps = 64, seed = 0 } = options;
  checkSchedule(schedule);
  if (!(Number.isInteger(label) && label >= 0 && label < model.numClasses))
    throw new InfodynError(`class: ${label} is not a class of the model (${model.numClasses === 0 ? "it is unlabelled" : `0 … ${model.numClasses - 1}`})`);
  const range = options.sigmaMin === undefined || options.sigmaMax === undefined ? defaultSigmaRange(model) : undefined;
  const sigmaMin = options.sigmaMin ?? range!.min;
  const sigmaMax = options.sigmaMax ?? range!.max;
  const grid = gridWithEdges(logSigmas(steps + 1, sigmaMin, sigmaMax, { zero: true }), schedule);
  const start = options.start ?? exactNoisy(model, n, sigmaMax, seed);
  const rng = sampler === "em" ? createRng(seed + 0x5de) : undefined;
  const x = sampleGuided(model, start, grid, { label, schedule, sampler, rng });
  return { x, sigmaMin, sigmaMax, grid };
}

/** Mean exact p(c | x) at σ_min over the rows, and the fraction whose most probable class is c (± SE). */
export function classSeparability(model: DataModel, x: Batch, label: number, sigmaMin: number): { separability: Estimate; accuracy: Estimate } {
  const post = model.posterior(x, sigmaMin, { classProbs: true });
  const C = model.numClasses;
  const sep = new Welford();
  const acc = new Welford();
  for (let i = 0; i < x.rows; i++) {
    const p = post.classProbs!.subarray(i * C, (i + 1) * C);
    sep.push(p[label]);
    let best = 0;
    for (let c = 1; c < C; c++) if (p[c] > p[best]) best = c;
    acc.push(best === label ? 1 : 0);
  }
  return { separability: { value: sep.mean, standardError: sep.standardError }, accuracy: { value: acc.mean, standardError: acc.standardError } };
}

/** How {@link guidedKl} estimates the KL: delta bins for discrete data, nearest neighbours otherwise. */
export type KlMethod = "knn" | "bins";

/** Which KL {@link guidedKl} computes for a model. */
export function klMethod(model: DataModel): KlMethod {
  return model.discrete ? "bins" : "knn";
}

/**
 * log p(y | c) of the rows of x under the clean class law: `log p(c | y) + log p(y) − log π_c` at σ = 0 (exact for
 * GMMs with non-singular components).
 */
export function classLogDensity(model: DataModel, x: Batch, label: number): Float64Array {
  const post = model.posterior(x, 0, { classProbs: true });
  const logp = model.logDensity(x, 0);
  const C = model.numClasses;
  const logPi = Math.log(classMoments(model, label).weight);
  return logp.map((l, i) => Math.log(post.classProbs![i * C + label]) + l - logPi);
}

/**
 * The KL of the guided states `x` (rows `idx`, default all) against class c: for discrete models KL(π_c ‖ p̂) of the
 * class's delta bins (`klBins`, radius `epsilon`); otherwise KL(q ‖ p(·|c)) = −Ĥ(q) − E_q log p(y|c), Ĥ the
 * Kozachenko–Leonenko estimate ({@link knnEntropy}, k = 3), the class log-density exact ({@link classLogDensity};
 * pass `logClass` to reuse it).
 */
export function guidedKl(model: DataModel, x: Batch, label: number, idx?: Int32Array, epsilon?: number, logClass?: Float64Array): number {
  const D = model.dim;
  const rows = idx ?? Int32Array.from({ length: x.rows }, (_, i) => i);
  if (model.discrete) {
    const { points, weights } = classPoints(model, label);
    return klBins(rowsOf(x, rows), D, points, weights, epsilon ?? binRadius(model));
  }
  const lp = logClass ?? classLogDensity(model, x, label);
  let cross = 0;
  for (const i of rows) cross += lp[i] / rows.length;
  return -knnEntropy(x.data, D, rows) - cross;
}

function rowsOf(x: Batch, idx: Int32Array): Float64Array {
  const D = x.dim;
  const out = new Float64Array(idx.length * D);
  idx.forEach((i, j) => out.set(x.data.subarray(i * D, (i + 1) * D), j * D));
  return out;
}

/** ¼ of the smallest distance between two distinct points of a discrete model (the bins of the discrete KL). */
function binRadius(model: DataModel): number {
  const st = model.structure;
  if (st?.type !== "mixture") return NaN;
  const { rows: K, dim: D, data } = st.means;
  let best = Infinity;
  for (let a = 0; a < K; a++)
    for (let b = 0; b < a; b++) {
      let d2 = 0;
      for (let d = 0; d < D; d++) d2 += (data[a * D + d] - data[b * D + d]) ** 2;
      if (d2 > 0 && d2 < best) best = d2;
    }
  return Number.isFinite(best) ? Math.sqrt(best) / 4 : 1;
}
