import type { Batch } from "../../batch.js";
import { rowStreams, samplerSettings, type SamplerOptions } from "./sampler.js";

/** Raises x from σ_i to σ̂_i in place and returns σ̂_i (see {@link churn}). */
export type Churn = (x: Batch, sigma: number) => number;

/**
 * EDM's stochastic churn before step i (Karras et al. 2022, Algorithm 2 lines 4–6; k-diffusion's `s_churn`,
 * `s_tmin`, `s_tmax`, `s_noise` of `sample_euler`, `sample_heun`, `sample_dpm_2`), in place on `x`: returns σ̂_i, the
 * level the step then starts from.
 *
 * Method: `γ_i = min(S_churn/n, √2 − 1)` if `S_tmin ≤ σ_i ≤ S_tmax`, else 0 (n = steps of the grid); `σ̂_i = σ_i(1 + γ_i)`;
 * if γ_i > 0, `x ← x + S_noise ε √(σ̂_i² − σ_i²)`, ε ~ N(0, I) from row r's stream (D draws per row, in coordinate
 * order): the noise raises the level of x from σ_i to σ̂_i. The clamp √2 − 1 keeps σ̂_i ≤ √2 σ_i, so the added
 * variance never exceeds the existing σ_i².
 *
 * Special cases: γ_i = 0 (S_churn = 0, or σ_i outside the window) returns σ_i itself and draws nothing (k-diffusion
 * draws ε on every step and discards it; the states agree, the streams do not). S_churn = 0 needs no `rng`;
 * otherwise `options.rng` is required. Throws an InfodynError for bad settings ({@link samplerSettings}) or a
 * missing rng, naming `sampler`.
 *
 * @example
 * const raise = churn({ sChurn: 40, sTmin: 0.05, sTmax: 50, sNoise: 1.003, rng: createRng(0) }, x.rows, 18, "heun");
 * raise(x, 10); // 10·(1 + min(40/18, √2 − 1)) ≈ 14.14, x noised up to it
 */
export function churn(options: SamplerOptions, rows: number, steps: number, sampler: string): Churn {
  const { sChurn, sTmin, sTmax, sNoise } = samplerSettings(options);
  if (sChurn === 0) return (_x, sigma) => sigma;
  const rngs = rowStreams(rows, options.rng, `${sampler} (sChurn > 0)`);
  const gammaMax = Math.SQRT2 - 1;
  return (x, sigma) => {
    const gamma = sTmin <= sigma && sigma <= sTmax ? Math.min(sChurn / steps, gammaMax) : 0;
    if (!(gamma > 0)) return sigma;
    const sigmaHat = sigma * (gamma + 1);
    const scale = Math.sqrt(sigmaHat * sigmaHat - sigma * sigma);
    const D = x.dim;
    for (let r = 0; r < x.rows; r++) {
      const rng = rngs[r];
      for (let k = r * D; k < (r + 1) * D; k++) x.data[k] += sNoise * rng.normal() * scale;
    }
    return sigmaHat;
  };
}
