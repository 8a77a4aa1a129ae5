import { InfodynError } from "../../errors.js";
import { sampleEuler, sampleHeun, sampleRK4 } from "./ode.js";
import type { Sampler } from "./sampler.js";
import { sampleDdim, sampleEulerMaruyama } from "./sde.js";

/** Sampler names as the CLI spells them: `em` (reverse SDE), `euler`, `heun`, `rk4` (probability-flow ODE), `ddim` (stochastic, η = 1). */
export type SamplerName = "em" | "euler" | "heun" | "rk4" | "ddim";
export const SAMPLER_NAMES: readonly SamplerName[] = ["em", "euler", "heun", "rk4", "ddim"];

/** Every sampler by name. */
export const SAMPLERS: Readonly<Record<SamplerName, Sampler>> = {
  em: sampleEulerMaruyama,
  euler: sampleEuler,
  heun: sampleHeun,
  rk4: sampleRK4,
  ddim: sampleDdim,
};

/** True for the samplers of the deterministic probability-flow ODE. */
export function isOdeSampler(name: SamplerName): name is "euler" | "heun" | "rk4" {
  return name === "euler" || name === "heun" || name === "rk4";
}

/** The sampler called `name`; throws an {@link InfodynError} naming `option` for an unknown one. */
export function samplerByName(name: string, option = "sampler"): Sampler {
  if (!SAMPLER_NAMES.includes(name as SamplerName))
    throw new InfodynError(`${option}: unknown sampler '${name}' (expected one of ${SAMPLER_NAMES.join(", ")})`);
  return SAMPLERS[name as SamplerName];
}
