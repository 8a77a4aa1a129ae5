export * from "./theme.js";
export * from "./render.js";
export * from "./html.js";
export * from "./report.js";
export * from "./figures/info.js";
export * from "./figures/dynamics.js";
export * from "./figures/landscape.js";
export * from "./figures/schedule.js";
