/**
 * How complete a search for fixed points, modes or branchings is, as every command that searches reports it
 * (`search` in the JSON of `modes`, `thermo` and `bifurcations`).
 *
 * `complete` is true only where it is proven: in 1-D for point masses, where every fixed point is bracketed
 * (see `fixedPoints1d`); a Morse count Σ(−1)^index = 1 in 2-D and 3-D is a necessary condition and is reported
 * beside, not as completeness; in D > 3 only the modes that mean-shift reaches from the starts are found.
 *
 * @example
 * criticalPoints(triangle, 0.72).search; // { starts: 493, kinds: [...], complete: false, why: "not proven: …" }
 */
export interface SearchInfo {
  /** How many starting points (or intervals, for the 1-D bracketing) the search used. */
  starts: number;
  /** The kinds of starts, in words, with their counts. */
  kinds: string[];
  /** True only where every fixed point (mode, branching) is proven found. */
  complete: boolean;
  /** Why it is, or is not, complete, in words. */
  why: string;
}
