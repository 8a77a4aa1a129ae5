/** Survival α(t), decreasing from 1 at t = 0 (data) to 0 at t = 1 (all masked), with α'(t) (THEORY.md §9.5). */
export interface Survival {
  name: "linear" | "cosine";
  alpha: (t: number) => number;
  dalpha: (t: number) => number;
  /** t(α), the inverse. */
  time: (alpha: number) => number;
}

/** α = 1 − t. */
export const linearSurvival: Survival = { name: "linear", alpha: (t) => 1 - t, dalpha: () => -1, time: (a) => 1 - a };

/** α = cos(πt/2). */
export const cosineSurvival: Survival = {
  name: "cosine",
  alpha: (t) => (t >= 1 ? 0 : Math.cos((Math.PI * t) / 2)),
  dalpha: (t) => (-Math.PI / 2) * Math.sin((Math.PI * t) / 2),
  time: (a) => (2 / Math.PI) * Math.acos(Math.min(1, Math.max(0, a))),
};

/** The survival named `name`. */
export const survivals = { linear: linearSurvival, cosine: cosineSurvival } as const;
