export * from "./dataset.js";
export * from "./entropy.js";
export * from "./sampler.js";
export * from "./schedule.js";
export * from "./survival.js";
