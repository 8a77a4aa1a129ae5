import { InfodynError } from "../../errors.js";
import { odeProgram, sampleEuler, sampleHeun, sampleRK4 } from "./ode.js";
import { EULER, HEUN, RK4 } from "./runge-kutta.js";
import type { Sampler, SamplerProgram } from "./sampler.js";
import { ddimProgram, eulerMaruyamaProgram, sampleDdim, sampleEulerMaruyama } from "./sde.js";

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

/** Every sampler by name, as a program (for callers that drive it themselves, e.g. inside a larger program). */
export const SAMPLER_PROGRAMS: Readonly<Record<SamplerName, SamplerProgram>> = {
  em: eulerMaruyamaProgram,
  euler: odeProgram(EULER),
  heun: odeProgram(HEUN),
  rk4: odeProgram(RK4),
  ddim: ddimProgram,
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
