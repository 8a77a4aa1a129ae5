export * from "./weights.js";
export * from "./classify.js";
export * from "./attractors.js";
