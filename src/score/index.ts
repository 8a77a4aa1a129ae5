export * from "./program.js";
export * from "./testbed.js";
