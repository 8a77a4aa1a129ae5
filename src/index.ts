// The root import is the computing library only; figures and the HTML report (vega, vega-lite, resvg) are `infodyn/report`.
export * from "./batch.js";
export * from "./errors.js";
export * from "./version.js";
export * from "./numeric/index.js";
export * from "./noise/index.js";
export * from "./engine/index.js";
export * from "./models/index.js";
export * from "./io/index.js";
export * from "./score/index.js";
export * from "./network/index.js";
export * from "./analysis/index.js";
export * from "./contracts/index.js";
