export * from "./schedule.js";
export * from "./guided.js";
export * from "./gaussian.js";
export * from "./class-law.js";
export * from "./stats.js";
export * from "./distortion.js";
export * from "./search.js";
export * from "./decision.js";
