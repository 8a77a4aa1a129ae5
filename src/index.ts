export * from "./batch.js";
export * from "./errors.js";
export * from "./version.js";
export * from "./numeric/index.js";
export * from "./noise/index.js";
export * from "./engine/index.js";
export * from "./models/index.js";
export * from "./io/index.js";
