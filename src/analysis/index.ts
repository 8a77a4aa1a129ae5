export * from "./info/index.js";
export * from "./dynamics/index.js";
export * from "./thermo/index.js";
