import type { Batch } from "../../batch.js";
import type { DataModel } from "../../models/types.js";
import { brentRoot } from "../../numeric/brent.js";
import { createRng, type Rng } from "../../numeric/rng.js";
import { Welford } from "../../numeric/welford.js";
import { throwIfAborted } from "../../score/program.js";
import { eulerMaruyamaStep } from "../dynamics/sde.js";
import { checkComputable } from "../validity.js";

/**
 * Participation ratio `Y(x) = Σ_j w_j(x)²` of a discrete model's posterior weights at each row of x (THEORY.md §6);
 * `1/Y` ≈ the number of data points that shape the score. Special cases: non-discrete models → NaN.
 * @example participation(twoDeltas, fromRows([[0]]), 1)[0]; // returns 0.5
 */
export function participation(model: DataModel, x: Batch, sigma: number | Float64Array): Float64Array {
  const p = model.posterior(x, sigma, { participation: true }).participation;
  return p ?? new Float64Array(x.rows).fill(NaN);
}

/** Mean of Y and of 1/Y with standard errors, per σ. */
export interface ParticipationStats {
  sigma: number[];
  meanParticipation: number[];
  participationSE: number[];
  meanInverseParticipation: number[];
  inverseParticipationSE: number[];
}

function collect(sigma: number[], ys: Float64Array[]): ParticipationStats {
  const out: ParticipationStats = { sigma, meanParticipation: [], participationSE: [], meanInverseParticipation: [], inverseParticipationSE: [] };
  for (const y of ys) {
    const a = new Welford();
    const b = new Welford();
    for (const v of y) {
      a.push(v);
      b.push(1 / v);
    }
    out.meanParticipation.push(a.mean);
    out.participationSE.push(a.standardError);
    out.meanInverseParticipation.push(b.mean);
    out.inverseParticipationSE.push(b.standardError);
  }
  return out;
}

/**
 * Y and 1/Y averaged over `x ~ p_σ` (x = y + σz, y drawn from the data) at each σ: Monte Carlo with one seeded
 * stream, `samples` queries per σ.
 */
export function participationVsSigma(
  model: DataModel,
  sigmas: number[],
  {
    samples = 2000,
    seed = 0,
    onProgress,
    signal,
  }: { samples?: number; seed?: number; onProgress?: (done: number, total: number) => void; signal?: AbortSignal } = {},
): ParticipationStats {
  checkComputable(model, sigmas);
  const rng = createRng(seed);
  const ys = sigmas.map((s, k) => {
    throwIfAborted(signal);
    const x = model.sample(samples, rng);
    for (let i = 0; i < x.data.length; i++) x.data[i] += s * rng.normal();
    const y = participation(model, x, s);
    onProgress?.(k + 1, sigmas.length);
    return y;
  });
  return collect(sigmas, ys);
}

/** Participation along generative paths: statistics per σ level and each path's condensation σ. */
export interface PathParticipation extends ParticipationStats {
  /** Per path: the largest σ level at which 1/Y first falls below the threshold (log-interpolated), NaN if never. */
  condensationSigma: number[];
  threshold: number;
}

/**
 * Y(x_σ) along reverse-SDE paths (THEORY.md §4, Euler–Maruyama with the exact denoiser) on the descending levels
 * `sigmas`: `x ← x + (σ_i² − σ_{i+1}²) (m(x) − x)/σ_i² + √(σ_i² − σ_{i+1}²) ξ`, started at x = y + σ_0 z (exact
 * p_{σ_0}). Each path's condensation σ is where `1/Y` first drops below `threshold` going down.
 */
export function participationAlongPaths(
  model: DataModel,
  sigmas: number[],
  { paths = 200, seed = 0, threshold = 1.5 } = {},
): PathParticipation {
  const rng = createRng(seed);
  const x = model.sample(paths, rng);
  const streams = new Array<Rng>(paths).fill(rng); // one stream for all paths, drawn in row order
  for (let i = 0; i < x.data.length; i++) x.data[i] += sigmas[0] * rng.normal();
  const ys: Float64Array[] = [];
  for (let i = 0; i < sigmas.length; i++) {
    const s = sigmas[i];
    const post = model.posterior(x, s, { participation: true });
    ys.push(post.participation ?? new Float64Array(paths).fill(NaN));
    if (i + 1 === sigmas.length) break;
    eulerMaruyamaStep(x, post.mean, s, sigmas[i + 1], streams);
  }
  const cond = Array.from({ length: paths }, (_, p) => {
    for (let i = 1; i < sigmas.length; i++) {
      const a = 1 / ys[i - 1][p];
      const b = 1 / ys[i][p];
      if (a >= threshold && b < threshold) {
        const f = (Math.log(a) - Math.log(threshold)) / (Math.log(a) - Math.log(b));
        return Math.exp(Math.log(sigmas[i - 1]) + f * (Math.log(sigmas[i]) - Math.log(sigmas[i - 1])));
      }
      if (i === 1 && a < threshold) return sigmas[0];
    }
    return NaN;
  });
  return { ...collect(sigmas, ys), condensationSigma: cond, threshold };
}

/**
 * Condensation σ of one fixed query x: the largest σ in [σ_min, σ_max] where `1/Y(x, σ)` crosses the threshold
 * (onset of memorization, THEORY.md §6). Method: scan 200 log-spaced levels from σ_max down for the first sign
 * change of `1/Y − threshold`, then Brent in log σ. Special cases: no crossing → NaN; below the threshold already
 * at σ_max → σ_max.
 * @example condensationSigma(twoDeltas, [0.3], 1.5); // σ where 1/Y(0.3, σ) = 1.5
 */
export function condensationSigma(model: DataModel, x: ArrayLike<number>, threshold: number, { sigmaMin = 1e-3, sigmaMax = 1e3 } = {}): number {
  const q = { rows: 1, dim: model.dim, data: Float64Array.from(x) };
  const g = (ls: number) => 1 / participation(model, q, Math.exp(ls))[0] - threshold;
  const n = 200;
  const a = Math.log(sigmaMax);
  const b = Math.log(sigmaMin);
  if (g(a) < 0) return sigmaMax;
  for (let i = 1; i <= n; i++) {
    const ls = a + ((b - a) * i) / n;
    const cur = g(ls);
    if (cur < 0) return Math.exp(brentRoot(g, ls, a + ((b - a) * (i - 1)) / n, { xtol: 1e-13 }));
  }
  return NaN;
}
