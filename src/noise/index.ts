export * from "./process.js";
export * from "./grid.js";
