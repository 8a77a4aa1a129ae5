export * from "./info/index.js";
