export * from "./info/index.js";
export * from "./dynamics/index.js";
export * from "./thermo/index.js";
export * from "./bifurcation/index.js";
// Both thermo (phase diagram of two deltas) and bifurcation (Curie–Weiss from the full model's fixed points)
// measure the critical exponents; the barrel names them apart.
export { criticalExponents, type ExponentFit } from "./thermo/index.js";
export {
  criticalExponents as curieWeissExponents,
  type ExponentFit as CurieWeissExponentFit,
} from "./bifurcation/index.js";
export * from "./schedule/index.js";
export * from "./validity.js";
export * from "./likelihood/index.js";
export * from "./guidance/index.js";
