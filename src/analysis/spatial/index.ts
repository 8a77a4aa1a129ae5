export * from "./lattice.js";
export * from "./denoiser.js";
export * from "./homogeneous.js";
export * from "./correlation.js";
