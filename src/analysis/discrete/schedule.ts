import { brentRoot } from "../../numeric/brent.js";
import { conditionalEntropy } from "./entropy.js";

/**
 * EDS (THEORY.md §9.5): Φ = H(x₀|x_t)/H(x₀), t_i = Φ⁻¹(i/n). Φ depends on t only through α, so the schedule is
 * returned as the sampler's ascending survivals α_0 = 0 (t = 1, all masked) < … < α_n = 1 (t = 0, data): step k
 * ends where Φ = 1 − k/n, i.e. each step reveals H(x₀)/n nats. `hs` from subsetEntropies.
 */
export function edsAlphas(hs: Float64Array, n: number): Float64Array {
  const H = hs[hs.length - 1];
  const out = new Float64Array(n + 1);
  out[n] = 1;
  for (let k = 1; k < n; k++) {
    const target = 1 - k / n;
    out[k] = H > 0 ? brentRoot((a) => conditionalEntropy(hs, a) / H - target, 0, 1) : k / n;
  }
  return out;
}

/**
 * WDS for the masked process = uniform in α (THEORY.md §9.5: W₁(p_t, p₀) = L(1 − α_t) with Hamming cost):
 * α_k = k/n, ascending from 0 (all masked) to 1.
 */
export function uniformAlphas(n: number): Float64Array {
  const out = new Float64Array(n + 1);
  for (let k = 0; k <= n; k++) out[k] = k / n;
  return out;
}
