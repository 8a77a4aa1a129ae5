import type { Batch } from "../../batch.js";
import { InfodynError } from "../../errors.js";
import type { Denoiser } from "../../models/types.js";
import { checkGrid } from "../../noise/grid.js";
import type { Rng } from "../../numeric/rng.js";
import { rowStreams } from "../dynamics/sampler.js";
import { Welford } from "../../numeric/welford.js";
import { drive, type DenoiseProgram, type Driven } from "../../score/program.js";
import type { Estimate } from "./expect.js";

/** Options of {@link onlineClassifier}. */
export interface OnlineClassifierOptions {
  /** One noise stream per path, or one Rng forked once per path (path i gets the i-th fork). */
  rng: Rng | readonly Rng[];
  /** p(c | x_σmax) of every path: the class frequencies π_c (default uniform). Length = number of classes. */
  prior?: ArrayLike<number>;
  /** Partitions of the classes whose group entropies −Σ_G p(G|x) log p(G|x), p(G|x) = Σ_{c∈G} p(c|x), are recorded too. */
  partitions?: readonly (readonly (readonly number[])[])[];
  /** Called after every step with the number done and the total. */
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
}

/** What the online Bayes classifier says along reverse paths (THEORY.md §9.3). */
export interface OnlineClassification {
  /** The levels of the paths, descending (the grid given). */
  sigma: number[];
  paths: number;
  numClasses: number;
  /**
   * Path average of the classifier's entropy −Σ_c p(c|x_σ) log p(c|x_σ) at each level (nats), with its standard
   * error over the paths: an estimate of H(c|x_σ) (the paths are draws of p_σ).
   */
  classEntropy: Estimate[];
  /** Per partition of `options.partitions`: the path average of H(G|x_σ) at each level, with its standard error. */
  groupEntropy: Estimate[][];
  /** p(c | x) of every path at the last level (paths × classes, row-major). */
  probabilities: Float64Array;
  /** The path states at the last level (paths × D). */
  x: Batch;
}

/**
 * The online Bayes classifier along reverse Euler–Maruyama paths of the unconditional denoiser (THEORY.md §9.3):
 * each path carries log p(c | its past) for every class c and updates it at every step by the ratio of the
 * class-c and unconditional transition kernels, so a trained network needs only its conditional and unconditional
 * outputs and no classifier.
 *
 * Formula: from σ_i to σ_{i+1}, `Δ_i = σ_i² − σ_{i+1}²`, scores `s_c = (D(x_i, σ_i, c) − x_i)/σ_i²` and
 * `s = (D(x_i, σ_i) − x_i)/σ_i²`, the step `x_{i+1} = x_i + Δ_i s + √Δ_i ξ` (the reverse SDE, as `eulerMaruyamaStep`),
 * and `log p(c|x_{i+1}) = log p(c|x_i) + (x_{i+1} − x_i)·(s_c − s) − (Δ_i/2)(‖s_c‖² − ‖s‖²) − log Z`: the log ratio
 * of the Gaussian kernels N(x_i + Δ_i s_c, Δ_i I) and N(x_i + Δ_i s, Δ_i I) at x_{i+1}. Since the forward process
 * is Markov, p(c | x_σmax … x_σ) = p(c | x_σ): the classifier is exact as Δ → 0 for any driving drift; at finite steps
 * each path's p(c|x) is off by the Euler–Maruyama kernels' error, of strong order ½ in the step (measured on a
 * labelled delta set: mean |p − p_exact| 0.031, 0.014, 0.011 at 100, 400, 1600 log-steps over 4 e-folds of σ). The start p(c | x_σmax) = π_c
 * ignores I(c; x_σmax) ≈ B/(2σ_max²) (B the between-class variance). It needs stochastic paths: on the
 * probability-flow ODE the kernel ratio is not defined.
 *
 * Method: one denoiser call per step on paths × (C + 1) rows (each path given every class, then unconditionally:
 * label −1, a network's null class); log p normalised by a log-sum-exp each step. The entropy is recorded at
 * every level, the last after the last step.
 *
 * Special cases: throws {@link InfodynError} for a grid that is not strictly descending and positive (a final 0 is
 * refused: the kernels degenerate there), fewer than 2 classes, a prior of the wrong length or not positive, or a
 * batch whose dimension differs from the denoiser's.
 *
 * @example
 * const model = deltas(fromRows([[-1], [1]]), { labels: [0, 1] });
 * const r = onlineClassifier(model, initialNoise(500, 1, 20, 0), logSigmas(200, 0.05, 20), 2, { rng: createRng(1) });
 * r.classEntropy.at(-1); // ≈ H(c|x_0.05) ≈ 0
 */
export function onlineClassifier<Dn extends Denoiser>(
  denoiser: Dn,
  x0: Batch,
  sigmas: ArrayLike<number>,
  numClasses: number,
  options: OnlineClassifierOptions,
): Driven<Dn, OnlineClassification> {
  if (x0.dim !== denoiser.dim) throw new InfodynError(`x: dimension ${x0.dim} does not match the denoiser's ${denoiser.dim}`);
  return drive(onlineClassifierProgram(x0, sigmas, numClasses, options), denoiser, { signal: options.signal });
}

/** {@link onlineClassifier} as a program (one denoiser call per step). */
export function* onlineClassifierProgram(
  x0: Batch,
  sigmas: ArrayLike<number>,
  numClasses: number,
  options: OnlineClassifierOptions,
): DenoiseProgram<OnlineClassification> {
  checkGrid(sigmas, "sigmas", { min: 2 });
  const levels = sigmas.length;
  if (!(sigmas[levels - 1] > 0)) throw new InfodynError("sigmas: the online classifier needs a positive last level (its kernels degenerate at σ = 0)");
  const C = numClasses;
  if (!(Number.isInteger(C) && C >= 2)) throw new InfodynError(`numClasses: needs at least 2 classes (got ${C})`);
  const { rows: n, dim: D } = x0;
  const prior = options.prior ?? new Float64Array(C).fill(1 / C);
  if (prior.length !== C) throw new InfodynError(`prior: ${prior.length} entries for ${C} classes`);
  for (let c = 0; c < C; c++) if (!(prior[c] > 0)) throw new InfodynError(`prior[${c}]: must be positive (got ${prior[c]})`);
  const rngs = rowStreams(n, options.rng, "onlineClassifier");

  const x = Float64Array.from(x0.data);
  const logp = new Float64Array(n * C);
  let z = 0;
  for (let c = 0; c < C; c++) z += prior[c];
  for (let i = 0; i < n; i++) for (let c = 0; c < C; c++) logp[i * C + c] = Math.log(prior[c] / z);
  const W = C + 1;
  const X = new Float64Array(n * W * D);
  const rowLabels = new Int32Array(n * W);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < C; c++) rowLabels[i * W + c] = c;
    rowLabels[i * W + C] = -1;
  }
  const classEntropy: Estimate[] = [];
  const partitions = options.partitions ?? [];
  const groupEntropy: Estimate[][] = partitions.map(() => []);
  const record = () => {
    const w = new Welford();
    const wg = partitions.map(() => new Welford());
    for (let i = 0; i < n; i++) {
      let h = 0;
      for (let c = 0; c < C; c++) {
        const l = logp[i * C + c];
        if (l > -Infinity) h -= Math.exp(l) * l;
      }
      w.push(h);
      partitions.forEach((groups, k) => {
        let hg = 0;
        for (const g of groups) {
          let pg = 0;
          for (const c of g) pg += Math.exp(logp[i * C + c]);
          if (pg > 0) hg -= pg * Math.log(pg);
        }
        wg[k].push(hg);
      });
    }
    classEntropy.push({ value: w.mean, standardError: w.standardError });
    wg.forEach((x, k) => groupEntropy[k].push({ value: x.mean, standardError: x.standardError }));
  };
  const step = new Float64Array(D);
  const g = new Float64Array(C);
  for (let t = 0; t + 1 < levels; t++) {
    const sigma = sigmas[t];
    const s2 = sigma * sigma;
    const delta = s2 - sigmas[t + 1] * sigmas[t + 1];
    record();
    for (let i = 0; i < n; i++) for (let r = 0; r < W; r++) X.set(x.subarray(i * D, (i + 1) * D), (i * W + r) * D);
    const M = (yield { x: { rows: n * W, dim: D, data: X }, sigma, cond: { labels: rowLabels } }).data;
    const noise = Math.sqrt(delta);
    for (let i = 0; i < n; i++) {
      const xi = i * D;
      const u = (i * W + C) * D;
      // the unconditional Euler–Maruyama step x' − x = Δ s + √Δ ξ, s = (m − x)/σ²
      let ss = 0;
      for (let k = 0; k < D; k++) {
        const s = (M[u + k] - x[xi + k]) / s2;
        ss += s * s;
        step[k] = delta * s + noise * rngs[i].normal();
      }
      // (x' − x)·(s_c − s) − (Δ/2)(‖s_c‖² − ‖s‖²), with s_c − s = (m_c − m)/σ² and ‖s_c‖² − ‖s‖² = (s_c − s)·(s_c + s)
      let top = -Infinity;
      for (let c = 0; c < C; c++) {
        const o = (i * W + c) * D;
        let dot = 0;
        let quad = 0;
        for (let k = 0; k < D; k++) {
          const d = (M[o + k] - M[u + k]) / s2;
          const sum = (M[o + k] + M[u + k] - 2 * x[xi + k]) / s2;
          dot += step[k] * d;
          quad += d * sum;
        }
        g[c] = logp[i * C + c] + dot - 0.5 * delta * quad;
        if (g[c] > top) top = g[c];
      }
      let sum = 0;
      for (let c = 0; c < C; c++) sum += Math.exp(g[c] - top);
      const lz = top + Math.log(sum);
      for (let c = 0; c < C; c++) logp[i * C + c] = g[c] - lz;
      for (let k = 0; k < D; k++) x[xi + k] += step[k];
    }
    options.onProgress?.(t + 1, levels - 1);
  }
  record();
  const probabilities = new Float64Array(n * C);
  for (let k = 0; k < n * C; k++) probabilities[k] = Math.exp(logp[k]);
  return { sigma: Array.from(sigmas), paths: n, numClasses: C, classEntropy, groupEntropy, probabilities, x: { rows: n, dim: D, data: x } };
}


/** Levels between the two ends of each difference of {@link steepestFall}. */
export const FALL_SPAN = 5;

/**
 * Where the classifier's path-average class entropy falls fastest: the largest `(H_i − H_{i+k})/log(σ_i/σ_{i+k})`
 * over the descending levels (k = {@link FALL_SPAN}, fewer on a short grid: the paths are the same at every level, so
 * a difference over a few levels is smooth), at the geometric middle σ of its two ends.
 *
 * @example
 * steepestFall(onlineClassifier(model, x0, grid, 2, { rng })); // { sigma, value } in nats per unit log σ
 */
export function steepestFall(c: Pick<OnlineClassification, "sigma" | "classEntropy">): { sigma: number; value: number } {
  const H = c.classEntropy;
  const k = Math.min(FALL_SPAN, c.sigma.length - 1);
  let best = { sigma: c.sigma[0], value: -Infinity };
  for (let i = 0; i + k < c.sigma.length; i++) {
    const v = (H[i].value - H[i + k].value) / Math.log(c.sigma[i] / c.sigma[i + k]);
    if (v > best.value) best = { sigma: Math.sqrt(c.sigma[i] * c.sigma[i + k]), value: v };
  }
  return best;
}
