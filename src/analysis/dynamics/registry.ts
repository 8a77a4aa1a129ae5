import { InfodynError } from "../../errors.js";
import { dpmpp2mProgram, sampleDpmpp2m } from "./dpm-solver.js";
import { dpm2Program, sampleDpm2 } from "./dpm2.js";
import { lmsProgram, sampleLms } from "./lms.js";
import { odeProgram, sampleEuler, sampleHeun, sampleRK4 } from "./ode.js";
import { EULER, HEUN, RK4 } from "./runge-kutta.js";
import type { Sampler, SamplerProgram, SamplerSettings } from "./sampler.js";
import { ddimProgram, eulerMaruyamaProgram, sampleDdim, sampleEulerMaruyama } from "./sde.js";

/**
 * Sampler names as the CLI spells them (k-diffusion's function in brackets): `em` (reverse SDE, Euler–Maruyama);
 * the probability-flow ODE by `euler` (`sample_euler`), `heun` (`sample_heun`), `rk4`, `dpm2` (`sample_dpm_2`),
 * `lms` (`sample_lms`), `dpmpp-2m` (`sample_dpmpp_2m`); `ddim` = `euler-ancestral` (`sample_euler_ancestral`,
 * stochastic, η = 1 by default). euler, heun and dpm2 take EDM's churn (S_churn > 0: stochastic).
 */
export type SamplerName = "em" | "euler" | "heun" | "rk4" | "ddim" | "euler-ancestral" | "dpm2" | "lms" | "dpmpp-2m";
export const SAMPLER_NAMES: readonly SamplerName[] = ["em", "euler", "heun", "rk4", "ddim", "euler-ancestral", "dpm2", "lms", "dpmpp-2m"];

/** Every sampler by name. */
export const SAMPLERS: Readonly<Record<SamplerName, Sampler>> = {
  em: sampleEulerMaruyama,
  euler: sampleEuler,
  heun: sampleHeun,
  rk4: sampleRK4,
  ddim: sampleDdim,
  "euler-ancestral": sampleDdim,
  dpm2: sampleDpm2,
  lms: sampleLms,
  "dpmpp-2m": sampleDpmpp2m,
};

/** Every sampler by name, as a program (for callers that drive it themselves, e.g. inside a larger program). */
export const SAMPLER_PROGRAMS: Readonly<Record<SamplerName, SamplerProgram>> = {
  em: eulerMaruyamaProgram,
  euler: odeProgram(EULER),
  heun: odeProgram(HEUN),
  rk4: odeProgram(RK4),
  ddim: ddimProgram,
  "euler-ancestral": ddimProgram,
  dpm2: dpm2Program,
  lms: lmsProgram,
  "dpmpp-2m": dpmpp2mProgram,
};

/**
 * The settings each sampler takes, those of its k-diffusion namesake (the CLI accepts these and no others;
 * the library ignores the rest; odeProgram's churn also runs on rk4, which k-diffusion does not have).
 */
export const SAMPLER_SETTINGS: Readonly<Record<SamplerName, readonly (keyof SamplerSettings)[]>> = {
  em: [],
  euler: ["sChurn", "sTmin", "sTmax", "sNoise"],
  heun: ["sChurn", "sTmin", "sTmax", "sNoise"],
  rk4: [],
  ddim: ["eta", "sNoise"],
  "euler-ancestral": ["eta", "sNoise"],
  dpm2: ["sChurn", "sTmin", "sTmax", "sNoise"],
  lms: ["order"],
  "dpmpp-2m": [],
};

/**
 * Denoiser evaluations per step on a grid without a final 0 (the step to a final 0 costs one in every sampler;
 * EDM's churn costs none): em, euler, ddim, euler-ancestral, lms, dpmpp-2m 1; heun, dpm2 2; rk4 4.
 */
export const SAMPLER_EVALUATIONS: Readonly<Record<SamplerName, number>> = {
  em: 1,
  euler: 1,
  heun: 2,
  rk4: 4,
  ddim: 1,
  "euler-ancestral": 1,
  dpm2: 2,
  lms: 1,
  "dpmpp-2m": 1,
};

/** True for the one-step Runge–Kutta samplers of the probability-flow ODE (their tableau serves the Lyapunov flow). */
export function isOdeSampler(name: SamplerName): name is "euler" | "heun" | "rk4" {
  return name === "euler" || name === "heun" || name === "rk4";
}

/** The ODE method of the Lyapunov tangent flow for a sampler: its own tableau when it has one, else Heun. */
export function lyapunovMethod(name: SamplerName): "euler" | "heun" | "rk4" {
  return isOdeSampler(name) ? name : "heun";
}

/** The sampler called `name`; throws an {@link InfodynError} naming `option` for an unknown one. */
export function samplerByName(name: string, option = "sampler"): Sampler {
  if (!SAMPLER_NAMES.includes(name as SamplerName))
    throw new InfodynError(`${option}: unknown sampler '${name}' (expected one of ${SAMPLER_NAMES.join(", ")})`);
  return SAMPLERS[name as SamplerName];
}
