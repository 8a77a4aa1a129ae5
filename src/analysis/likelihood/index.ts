export * from "./pointwise-mmse.js";
export * from "./mmse-profile.js";
export * from "./immse.js";
export * from "./ode.js";
export * from "./pmi.js";
export * from "./exact.js";
export * from "./units.js";
export * from "./range.js";
