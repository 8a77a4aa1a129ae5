import { createRng } from "../../numeric/rng.js";
import { Welford } from "../../numeric/welford.js";
import { throwIfAborted } from "../../score/program.js";

/** Options of {@link remMonteCarlo}. */
export interface RemMonteCarloOptions {
  /** Independent energy landscapes drawn (default 50). */
  draws?: number;
  /** Seed of the normal draws (default 0). */
  seed?: number;
  /** Called after each draw with (done, total). */
  onProgress?: (done: number, total: number) => void;
  /** Checked between units of work: an aborted signal ends the run with an `AbortedError`. */
  signal?: AbortSignal;
}

/** Monte Carlo estimate of E[Y] per β, with standard errors over independent landscapes. */
export interface RemMonteCarlo {
  mean: number[];
  standardError: number[];
  draws: number;
}

/**
 * Participation ratio of one landscape at inverse temperature β: `Y = Σ_j w_j²`, `w_j = e^{βE_j}/Σ_k e^{βE_k}`
 * (Erratum 4: the 1/N of seed 004 eq. 35 would give N·Y), computed as `Σ e^{2β(E_j−E*)}/(Σ e^{β(E_j−E*)})²`,
 * E* = max E_j, so nothing overflows.
 * @example participationOfEnergies(new Float64Array([0, 0]), 1); // returns 0.5
 */
export function participationOfEnergies(energies: Float64Array, beta: number): number {
  let eMax = -Infinity;
  for (let j = 0; j < energies.length; j++) if (energies[j] > eMax) eMax = energies[j];
  let s1 = 0;
  let s2 = 0;
  for (let j = 0; j < energies.length; j++) {
    const e = Math.exp(beta * (energies[j] - eMax));
    s1 += e;
    s2 += e * e;
  }
  return s2 / (s1 * s1);
}

/**
 * Monte Carlo `E[Y]` for the random-energy model of seed 004: `N = 2^M` i.i.d. energies `E_j ~ N(0, M/2)`
 * (THEORY.md §6). Each draw is one landscape, shared by all β (estimates across β are correlated; each β's
 * standard error is the plain one over independent draws).
 *
 * Method: `draws` landscapes from one seeded stream; Welford mean and standard error per β.
 * Special cases: draws = 1 gives standardError NaN.
 *
 * @example remMonteCarlo(10, [2 * REM_BETA_C], { draws: 100, seed: 1 }).mean[0]; // ≈ 0.37
 */
export function remMonteCarlo(M: number, betas: readonly number[], options: RemMonteCarloOptions = {}): RemMonteCarlo {
  const { draws = 50, seed = 0, onProgress } = options;
  const N = 2 ** M;
  const scale = Math.sqrt(M / 2);
  const rng = createRng(seed);
  const acc = betas.map(() => new Welford());
  const energies = new Float64Array(N);
  for (let d = 0; d < draws; d++) {
    throwIfAborted(options.signal);
    rng.fillNormal(energies);
    for (let j = 0; j < N; j++) energies[j] *= scale;
    betas.forEach((b, i) => acc[i].push(participationOfEnergies(energies, b)));
    onProgress?.(d + 1, draws);
  }
  return { mean: acc.map((w) => w.mean), standardError: acc.map((w) => w.standardError), draws };
}
