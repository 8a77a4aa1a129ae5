export * from "./kernel.js";
