/**
 * The posterior kernel's public names in one place, for the models and tools that import them from here: the
 * types (./types.ts), the reference kernel (./reference.ts) and the installed backend (./backends.ts). Engine
 * modules import those files directly, never this one, so that the engine has no import cycle
 * (test/engine-cycles.test.ts).
 */
export type { DeltaSet, KernelRequest, KernelResult, PosteriorKernel } from "./types.js";
export { jsPosteriorKernel } from "./reference.js";
export { posteriorKernel, setPosteriorKernel } from "./backends.js";
