// Trained networks as denoisers (issue 15): the conventions of an export and the denoiser on an abstract session.
// No `node:` import: the browser can run the same code on onnxruntime-web.
export * from "./binding.js";
export * from "./denoiser.js";
export * from "./model.js";
export * from "./noise-input.js";
export * from "./parameterization.js";
export * from "./process.js";
export * from "./schema.js";
export * from "./session.js";
