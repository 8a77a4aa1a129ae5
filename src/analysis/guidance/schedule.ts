import { InfodynError } from "../../errors.js";

/*
 * Guidance schedules (THEORY.md §9.2). Two conventions meet here, and every name below says which it uses:
 * - our `w`: the guided score `s_w = s + w(s_c − s)`, i.e. the guided denoiser `D_w = D + w(D_c − D)`;
 *   w = 0 is the unconditional model, w = 1 the conditional one (no extra guidance);
 * - the CFG papers' `γ = w − 1` (Ventura et al.'s `w`, Ho & Salimans' `w`): `s_w = s_c + γ(s_c − s)`, the *extra*
 *   guidance; γ = 0 is the conditional model, γ = −1 the unconditional one, γ < 0 a "negative" window.
 * A diffusers `guidance_scale` g is our w (`noise_uncond + g (noise_cond − noise_uncond)`).
 */

/** A σ-window `(lo, hi]` where our weight is `w` (lo ≥ 0, hi ≤ ∞; γ = w − 1 inside). */
export interface GuidanceWindow {
  lo: number;
  hi: number;
  w: number;
}

/**
 * A guidance schedule, as our weight w(σ) (`D_w = D + w(D_c − D)`; the papers' γ = w − 1):
 * - `constant`: w at every σ;
 * - `windows`: `w` outside the windows, each window's own w on `(lo, hi]` (disjoint windows; a window's w < 1 is
 *   negative guidance, γ < 0);
 * - `linear`: THEORY.md §9.2's schedule in VE forward time t = σ² (ν = 1), in the papers' convention:
 *   `γ(t) = gamma0 + omega·t`, i.e. `w(σ) = 1 + gamma0 + omega σ²` (negative near the data end when gamma0 < 0,
 *   growing with σ; needs a finite σ_max: the distortion integrals diverge as σ_max → ∞ when omega > 0).
 */
export type GuidanceSchedule =
  | { type: "constant"; w: number }
  | { type: "windows"; w: number; windows: readonly GuidanceWindow[] }
  | { type: "linear"; gamma0: number; omega: number };

/** The papers' extra guidance γ = w − 1 from our weight w. */
export const gammaOf = (w: number): number => w - 1;
/** Our weight w = 1 + γ from the papers' extra guidance γ. */
export const weightOfGamma = (gamma: number): number => 1 + gamma;

/**
 * Our weight w(σ) of a schedule at one noise level (windows are half-open, `lo < σ ≤ hi`, as the guidance-interval
 * code of Kynkäänniemi et al. 2024 tests `σ > σ_lo and σ ≤ σ_hi`).
 *
 * Special cases: NaN σ gives NaN for the linear schedule and the outside w otherwise.
 *
 * @example
 * guidanceWeight({ type: "windows", w: 1, windows: [{ lo: 0.5, hi: 2, w: 3 }] }, 1); // returns 3
 */
export function guidanceWeight(schedule: GuidanceSchedule, sigma: number): number {
  switch (schedule.type) {
    case "constant":
      return schedule.w;
    case "linear":
      return 1 + schedule.gamma0 + schedule.omega * sigma * sigma;
    case "windows":
      for (const win of schedule.windows) if (sigma > win.lo && sigma <= win.hi) return win.w;
      return schedule.w;
  }
}

/**
 * Our weight on one sampler step from σ_i down to σ_{i+1}, at a stage evaluated at `stageSigma`: a piecewise-constant
 * schedule (`constant`, `windows`) gives the w of the piece holding the step's interior (its geometric midpoint
 * √(σ_i σ_{i+1}), or σ_i/2 when σ_{i+1} = 0), so a stage on a window edge belongs to the step it serves; the linear
 * schedule is evaluated at the stage's σ. With the window edges among the grid's levels ({@link gridWithEdges}) every
 * step lies in one piece and the sampler integrates the piecewise ODE without an edge error.
 */
export function stepWeight(schedule: GuidanceSchedule, sigma: number, sigmaNext: number, stageSigma: number): number {
  if (schedule.type === "linear") return guidanceWeight(schedule, stageSigma);
  const mid = sigmaNext > 0 ? Math.sqrt(sigma * sigmaNext) : sigma / 2;
  return guidanceWeight(schedule, mid);
}

/** The finite positive σ's where a schedule's weight jumps (window edges), ascending, without repeats. */
export function scheduleEdges(schedule: GuidanceSchedule): number[] {
  if (schedule.type !== "windows") return [];
  const edges = schedule.windows.flatMap((w) => [w.lo, w.hi]).filter((s) => s > 0 && Number.isFinite(s));
  return [...new Set(edges)].sort((a, b) => a - b);
}

/**
 * A descending grid with the schedule's window edges inserted where they fall strictly inside it (a level already
 * on an edge is kept once), so every step of a sampler lies in one piece of the schedule.
 *
 * @example
 * gridWithEdges([4, 1, 0.25], { type: "windows", w: 1, windows: [{ lo: 0.5, hi: 2, w: 3 }] }); // [4, 2, 1, 0.5, 0.25]
 */
export function gridWithEdges(sigmas: ArrayLike<number>, schedule: GuidanceSchedule): Float64Array {
  const n = sigmas.length;
  const top = sigmas[0];
  const bottom = sigmas[n - 1];
  const levels = new Set(Array.from(sigmas));
  for (const e of scheduleEdges(schedule)) if (e < top && e > bottom) levels.add(e);
  return Float64Array.from([...levels].sort((a, b) => b - a));
}

/**
 * Checks a schedule at the boundary: finite weights, windows with `0 ≤ lo < hi ≤ ∞` and pairwise disjoint, a
 * finite linear schedule. Throws one {@link InfodynError} naming the field (`schedule.windows[1]: (0.5, 2] overlaps
 * windows[0]`).
 */
export function checkSchedule(schedule: GuidanceSchedule, name = "schedule"): void {
  const finite = (v: number, field: string) => {
    if (!Number.isFinite(v)) throw new InfodynError(`${name}.${field}: ${v} is not a finite number`);
  };
  if (schedule.type === "constant") return finite(schedule.w, "w");
  if (schedule.type === "linear") {
    finite(schedule.gamma0, "gamma0");
    return finite(schedule.omega, "omega");
  }
  finite(schedule.w, "w");
  schedule.windows.forEach((win, i) => {
    finite(win.w, `windows[${i}].w`);
    if (!(win.lo >= 0 && win.hi > win.lo) || Number.isNaN(win.hi))
      throw new InfodynError(`${name}.windows[${i}]: (${win.lo}, ${win.hi}] is not a σ-window with 0 ≤ lo < hi`);
    for (let j = 0; j < i; j++) {
      const o = schedule.windows[j];
      if (win.lo < o.hi && o.lo < win.hi) throw new InfodynError(`${name}.windows[${i}]: (${win.lo}, ${win.hi}] overlaps windows[${j}] (${o.lo}, ${o.hi}]`);
    }
  });
}

/** A schedule in words, with both conventions: `w = 3 (γ = 2) on (0.5, 2], w = 1 (γ = 0) elsewhere`. */
export function describeSchedule(schedule: GuidanceSchedule): string {
  const wg = (w: number) => `w = ${w} (γ = ${+(w - 1).toPrecision(12)})`;
  if (schedule.type === "constant") return `${wg(schedule.w)} at every σ`;
  if (schedule.type === "linear") return `γ(t) = ${schedule.gamma0} + ${schedule.omega}·t, t = σ² (w = 1 + γ)`;
  const parts = schedule.windows.map((win) => `${wg(win.w)} on (${win.lo}, ${win.hi}]`);
  return `${parts.join(", ")}, ${wg(schedule.w)} elsewhere`;
}
