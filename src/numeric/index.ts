export * from "./bessel.js";
export * from "./brent.js";
export * from "./eigen.js";
export * from "./logsumexp.js";
export * from "./quadrature.js";
export * from "./rng.js";
export * from "./sum.js";
export * from "./welford.js";
