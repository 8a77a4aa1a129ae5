export * from "./design.js";
export * from "./expect.js";
export * from "./pointwise.js";
export * from "./profile.js";
export * from "./grid.js";
export * from "./denoiser.js";
