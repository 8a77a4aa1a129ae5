export * from "./info/index.js";
export * from "./dynamics/index.js";
