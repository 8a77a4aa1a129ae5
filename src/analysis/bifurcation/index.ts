export * from "./branchings.js";
export * from "./critical-points.js";
export * from "./curie-weiss.js";
export * from "./fold.js";
export * from "./newton.js";
export * from "./tree.js";
export * from "./report.js";
