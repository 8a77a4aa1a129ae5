import type { Batch } from "../../batch.js";
import { InfodynError } from "../../errors.js";
import type { Denoiser } from "../../models/types.js";
import type { Rng } from "../../numeric/rng.js";
import { drive, type DenoiseProgram, type Driven } from "../../score/program.js";
import { EULER, HEUN, rkStep, rkWork, type Derivative } from "../dynamics/runge-kutta.js";
import { rowStreams, startState, toD, type StepInfo } from "../dynamics/sampler.js";
import { eulerMaruyamaStep } from "../dynamics/sde.js";
import { checkSchedule, guidanceWeight, stepWeight, type GuidanceSchedule } from "./schedule.js";

/*
 * Classifier-free guidance as programs (THEORY.md §9.2), written once for exact labelled models and conditional
 * networks: the guided denoiser `D_w(x, σ) = D(x, σ) + w(σ)(D(x, σ, c) − D(x, σ))`, equivalently the guided score
 * `s_w = s + w(s_c − s) = s_c + γ ∇log p_σ(c|x)` with γ = w − 1 (the papers' w), since `s_c − s = (D_c − D)/σ²`.
 * Our w: 0 = unconditional, 1 = conditional; a diffusers `guidance_scale` is our w.
 */

/**
 * One guided denoiser call as a program: `D_w = D + w(D_c − D)` on the rows of x, w one per batch or one per row.
 * Rows are asked of the denoiser in one batch of 2n (the n rows given class c, then the n rows unconditional:
 * label −1, a network's null class), as CFG batches them; w = 1 on every row asks only the conditional rows and
 * w = 0 only the unconditional ones.
 */
export function* guidedDenoise(x: Batch, sigma: number | Float64Array, label: number, w: number | Float64Array): DenoiseProgram<Batch> {
  const { rows: n, dim: D } = x;
  const all = (v: number) => (typeof w === "number" ? w === v : w.every((u) => u === v));
  if (all(1)) return yield { x, sigma, cond: { labels: new Int32Array(n).fill(label) } };
  if (all(0)) return yield { x, sigma, cond: { labels: new Int32Array(n).fill(-1) } };
  const X = new Float64Array(2 * n * D);
  X.set(x.data, 0);
  X.set(x.data, n * D);
  const labels = new Int32Array(2 * n);
  labels.fill(label, 0, n).fill(-1, n);
  const sig = typeof sigma === "number" ? sigma : Float64Array.from([...sigma, ...sigma]);
  const M = (yield { x: { rows: 2 * n, dim: D, data: X }, sigma: sig, cond: { labels } }).data;
  const out = new Float64Array(n * D);
  for (let i = 0; i < n; i++) {
    const wi = typeof w === "number" ? w : w[i];
    for (let k = i * D; k < (i + 1) * D; k++) out[k] = M[n * D + k] + wi * (M[k] - M[n * D + k]);
  }
  return { rows: n, dim: D, data: out };
}

/**
 * The guided denoiser `D_w(x, σ) = D(x, σ) + w(σ)(D(x, σ, c) − D(x, σ))` as a {@link Denoiser} (w pointwise in σ,
 * windows `lo < σ ≤ hi`), for any sampler of the registry: synchronous on an exact model, a promise on a network.
 * It ignores the caller's `cond` (it is the class-c guided model). The guided samplers below instead take each
 * step's weight from the step ({@link stepWeight}), which removes the ambiguity of a stage on a window edge.
 *
 * @example
 * const guided = guidedDenoiser(model, 0, { type: "constant", w: 3 });
 * sampleHeun(guided, initialNoise(100, model.dim, 20, 0), logSigmas(50, 0.01, 20, { zero: true }));
 */
export function guidedDenoiser<Dn extends Denoiser>(denoiser: Dn, label: number, schedule: GuidanceSchedule): Dn {
  checkLabel(denoiser, label);
  checkSchedule(schedule);
  return {
    dim: denoiser.dim,
    numClasses: 0,
    denoise(x: Batch, sigma: number | Float64Array) {
      const w = typeof sigma === "number" ? guidanceWeight(schedule, sigma) : sigma.map((s) => guidanceWeight(schedule, s));
      return drive(guidedDenoise(x, sigma, label, w), denoiser);
    },
  } as unknown as Dn;
}

/** The guided samplers: the probability-flow ODE by Euler or Heun, the reverse SDE by Euler–Maruyama. */
export type GuidedSamplerName = "euler" | "heun" | "em";
export const GUIDED_SAMPLERS: readonly GuidedSamplerName[] = ["heun", "euler", "em"];

/** Options of {@link sampleGuided}. */
export interface GuidedSampleOptions {
  /** The class c guided towards (0 … numClasses − 1). */
  label: number;
  schedule: GuidanceSchedule;
  /** @default "heun" */
  sampler?: GuidedSamplerName;
  /** em: one noise stream per row, or one Rng forked per row (row i's noise does not depend on the batch). */
  rng?: Rng | readonly Rng[];
  /** Called at the start of every step, with the guided D_w as `denoised`. */
  callback?: (step: StepInfo & { w: number }) => void;
  signal?: AbortSignal;
}

/**
 * Guided sampling as a program, from `sigmas[0]` down a descending grid (a final 0 allowed), the input not modified.
 * Step i from σ_i to σ_{i+1} with our weight `w_i(σ)` = {@link stepWeight} (the piece of the step for windows, the
 * stage's σ for the linear schedule):
 * - `euler`, `heun`: the probability-flow ODE `dx/dσ = (x − D_w(x; σ))/σ` (= −σ s_w) by the Runge–Kutta driver with
 *   the EULER / HEUN tableau (EDM's Algorithm 1 with D_w); a step to σ = 0 is the Euler step `x ← D_w(x; σ_i)`;
 * - `em`: the reverse SDE by {@link eulerMaruyamaStep} with D_w,
 *   `x ← x + (σ_i² − σ_{i+1}²)(D_w − x)/σ_i² + √(σ_i² − σ_{i+1}²) ξ`; a step to σ = 0 is the final denoising
 *   `x ← D_w(x; σ_i)` (no noise), so em ends on the data as the ODE does.
 * Window edges should be levels of the grid ({@link gridWithEdges}); between edges each step sees one w.
 */
export function* guidedSampleProgram(x0: Batch, sigmas: ArrayLike<number>, options: GuidedSampleOptions): DenoiseProgram<Batch> {
  const { label, schedule, sampler = "heun" } = options;
  checkSchedule(schedule);
  const x = startState(x0, sigmas);
  const { rows, dim } = x;
  const rngs = sampler === "em" ? rowStreams(rows, options.rng, "guided em") : [];
  const tab = sampler === "euler" ? EULER : HEUN;
  const work = rkWork(tab, x.data.length);
  for (let i = 0; i + 1 < sigmas.length; i++) {
    const sigma = sigmas[i];
    const sigmaNext = sigmas[i + 1];
    const w = stepWeight(schedule, sigma, sigmaNext, sigma);
    const denoised = yield* guidedDenoise(x, sigma, label, w);
    options.callback?.({ i, sigma, sigmaHat: sigma, sigmaNext, x, denoised, w });
    if (sampler === "em" || sigmaNext === 0) {
      if (sigmaNext === 0) x.data.set(denoised.data);
      else eulerMaruyamaStep(x, denoised, sigma, sigmaNext, rngs);
      continue;
    }
    const f: Derivative = function* (y, s, out) {
      toD(y, yield* guidedDenoise({ rows, dim, data: y }, s, label, stepWeight(schedule, sigma, sigmaNext, s)), s, out);
    };
    toD(x, denoised, sigma, work.k[0]);
    yield* rkStep(tab, f, x.data, sigma, sigmaNext, work, { firstStageDone: true });
  }
  return x;
}

/**
 * Guided samples: {@link guidedSampleProgram} driven on a conditional denoiser (an exact labelled model at once, a
 * network as a promise).
 *
 * @example
 * const model = gmm([{ weight: 1, mean: [-1], variance: 0.1 }, { weight: 1, mean: [1], variance: 0.1 }]);
 * const x0 = exactNoisy(model, 500, 20, 0);
 * sampleGuided(model, x0, logSigmas(60, 0.01, 20, { zero: true }), { label: 1, schedule: { type: "constant", w: 2 } });
 */
export function sampleGuided<Dn extends Denoiser>(denoiser: Dn, x0: Batch, sigmas: ArrayLike<number>, options: GuidedSampleOptions): Driven<Dn, Batch> {
  if (x0.dim !== denoiser.dim) throw new InfodynError(`x: dimension ${x0.dim} does not match the denoiser's ${denoiser.dim}`);
  checkLabel(denoiser, options.label);
  return drive(guidedSampleProgram(x0, sigmas, options), denoiser, { signal: options.signal });
}

function checkLabel(denoiser: Denoiser, label: number): void {
  const C = denoiser.numClasses ?? 0;
  if (!(Number.isInteger(label) && label >= 0 && label < C))
    throw new InfodynError(`class: ${label} is not a class of the model (${C === 0 ? "it is unlabelled" : `0 … ${C - 1}`})`);
}
