import type { ProcessFamily } from "./process.js";
import { inputScale } from "./process.js";

/** What a network outputs (THEORY.md §1 conventions; x below is always the VE state `x = y + σ z`). */
export type Parameterization = "eps" | "x0" | "v" | "score" | "edm";
export const PARAMETERIZATIONS: readonly Parameterization[] = ["eps", "x0", "v", "score", "edm"];

/**
 * The affine maps between the VE state and a network: it is fed `c_in · x` and its output F gives the denoiser
 * `D(x, σ) = a · x + b · F` (every parameterization is affine in F).
 */
export interface NetworkMap {
  cIn: number;
  a: number;
  b: number;
}

/**
 * The network's input scale and output map at σ, for a process family with input scale `s = s(σ)` (process.ts).
 * With `x_t = s x`, the unit noise z, `α_t = s` and `σ_t = s σ` (so `x_t = α_t y + σ_t z`):
 *
 * - `x0`: F = ŷ, so `D = F` (a = 0, b = 1); input `s x`.
 * - `eps`: F = ẑ, the noise in `x = y + σ z`, so `D = x − σ F` (a = 1, b = −σ) in every process (`x_t = s(y + σ z)`);
 *   input `s x`.
 * - `score`: F = ∇_{x_t} log p_t(x_t). As `p_t(x_t) = p_σ(x_t/s)/s^D`, `F = (1/s)∇ log p_σ(x) = (D − x)/(s σ²)`
 *   (Tweedie), so `D = x + s σ² F` (a = 1, b = s σ²); input `s x`.
 * - `v`, vp (Salimans & Ho 2022): `v = α_t z − σ_t y`, hence `y = α_t x_t − σ_t v` (α_t² + σ_t² = 1):
 *   `D = s² x − s σ F` (a = s², b = −sσ); input `s x`.
 * - `v`, flow (rectified flow, the velocity `v = dx_t/dt = z − y` of `x_t = (1 − t) y + t z`): `y = x_t − t v`,
 *   `t = sσ`: `D = s x − s σ F` (a = s, b = −sσ); input `s x`. `v` on a ve process is not defined (undefined here).
 * - `edm` (Karras et al. 2022, Table 1, preconditioning with σ_data): input `c_in x`, `c_in = 1/√(σ² + σ_d²)`,
 *   `D = c_skip x + c_out F`, `c_skip = σ_d²/(σ² + σ_d²)`, `c_out = σ σ_d/√(σ² + σ_d²)`. Defined on VE states (s = 1).
 *
 * @example networkMap("eps", "vp", 1) // { cIn: 0.7071…, a: 1, b: −1 }
 */
export function networkMap(p: Parameterization, family: ProcessFamily, sigma: number, sigmaData = 0.5): NetworkMap | undefined {
  const s = inputScale(family, sigma);
  switch (p) {
    case "x0":
      return { cIn: s, a: 0, b: 1 };
    case "eps":
      return { cIn: s, a: 1, b: -sigma };
    case "score":
      return { cIn: s, a: 1, b: s * sigma * sigma };
    case "v":
      if (family === "vp") return { cIn: s, a: s * s, b: -s * sigma };
      if (family === "flow") return { cIn: s, a: s, b: -s * sigma };
      return undefined;
    case "edm": {
      if (family !== "ve") return undefined;
      const q = sigma * sigma + sigmaData * sigmaData;
      return { cIn: 1 / Math.sqrt(q), a: (sigmaData * sigmaData) / q, b: (sigma * sigmaData) / Math.sqrt(q) };
    }
  }
}
