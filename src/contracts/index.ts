/*
 * The JSON contracts of the infodyn commands: one envelope `{command, version, model, params}` and, per command,
 * the interface of its payload and a builder `xxxContract(result, envelope)`. No `node:` module: a browser Web
 * Worker builds the same objects as the CLI, which only serialises them.
 */
export * from "./envelope.js";
export * from "./posterior.js";
export * from "./profile.js";
export * from "./denoiser-profile.js";
export * from "./paths.js";
export * from "./modes.js";
export * from "./bifurcations.js";
export * from "./thermo.js";
export * from "./schedule.js";
export * from "./rem.js";
export * from "./memorization.js";
export * from "./report.js";
export * from "./likelihood.js";
export * from "./guidance.js";
export * from "./semantics.js";
