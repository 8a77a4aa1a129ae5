import type { DataModel } from "../../models/types.js";
import { brentRoot } from "../../numeric/brent.js";
import { ascending, logSigmas } from "../../noise/grid.js";
import { type CriticalPointOptions, type CriticalPointSet, criticalPoints, distance } from "./critical-points.js";
import { continueFixedPoint, foldPoint, stabilityMargin } from "./fold.js";
import { throwIfAborted } from "../../score/program.js";
import { checkComputable } from "../validity.js";

/**
 * How the number of modes changes at a branching, read downward in σ (from noise to data):
 * - `pitchfork`: a mode loses stability (`λ_max(C)/σ²` crosses 1) and new modes split off it continuously;
 * - `transcritical`: a mode loses stability by colliding with saddles and the count drops (the 3-fold split of
 *   a triangle's centre, where the cubic term lets the new modes appear earlier in saddle-nodes);
 * - `saddle-node`: a mode appears (or vanishes) together with a saddle, away from the existing modes.
 */
export type BranchingKind = "pitchfork" | "transcritical" | "saddle-node";

/** One σ at which the number of modes of `p_σ` changes. */
export interface Branching {
  sigma: number;
  /** Number of modes just above σ (more noise). */
  modesAbove: number;
  /** Number of modes just below σ. */
  modesBelow: number;
  kind: BranchingKind;
  /** Where it happens: the mode that loses stability, or the fold point of the new mode and its saddle. */
  location: Float64Array;
  /** Every simultaneous location (symmetric copies), the first being `location`. */
  locations: Float64Array[];
  /** Where σ was bracketed (merges of followed modes; σ is the bracket's geometric middle). */
  bracket?: [number, number];
}

/** Options of {@link branchings}. */
export interface BranchingOptions extends CriticalPointOptions {
  /** Intervals of the log-uniform σ grid on which mode counts are tracked (default 60). */
  steps?: number;
  /** Called with (done, total) after each σ of the grid. */
  onProgress?: (done: number, total: number) => void;
  /** Checked between units of work: an aborted signal ends the run with an `AbortedError`. */
  signal?: AbortSignal;
  /** Called with every critical-point set computed (grid levels and bisections), e.g. to collect `complete`. */
  onSet?: (set: CriticalPointSet) => void;
}

/**
 * Every σ in [σ_min, σ_max] where the number of modes of `p_σ` changes (THEORY.md §5), ascending.
 *
 * Method: mode counts from {@link criticalPoints} on a log σ grid; between neighbours with different counts,
 * bisection on the count to a relative width of 1e-4; then, inside that bracket, each mode above is followed
 * down by Newton. If it survives but is no longer a maximum, the branching is where it loses stability: Brent's
 * method on `λ_max(C(x*(σ)))/σ² − 1` along that branch (to ~1e-15 relative). A mode that vanishes, or a new
 * mode below that no surviving mode explains, gives a saddle-node located by {@link foldPoint} (augmented
 * Newton on `{m(x) = x, λ_max(C)/σ² = 1}`). Events within 1e-9 relative of each other are one branching.
 *
 * Special cases: two events that cancel inside one grid interval (a mode born and gone again) are missed —
 * refine the grid. Counts in D > 3 come from mean-shift and may miss modes.
 *
 * @example
 * branchings(deltas(fromRows([[-1], [1]])), 0.5, 2); // [{ sigma: 1, modesAbove: 1, modesBelow: 2, kind: "pitchfork", … }]
 */
export function branchings(model: DataModel, sigmaMin: number, sigmaMax: number, options: BranchingOptions = {}): Branching[] {
  checkComputable(model, [sigmaMax, sigmaMin], "sigma range");
  const grid = ascending(logSigmas((options.steps ?? 60) + 1, sigmaMin, sigmaMax));
  const sets: CriticalPointSet[] = [];
  grid.forEach((s, i) => {
    throwIfAborted(options.signal);
    sets.push(criticalPoints(model, s, options));
    options.onSet?.(sets[sets.length - 1]);
    options.onProgress?.(i + 1, grid.length);
  });
  const found: Branching[] = [];
  const bracket = (lo: CriticalPointSet, hi: CriticalPointSet): void => {
    if (hi.sigma / lo.sigma - 1 <= 1e-4) {
      found.push(...classify(model, lo, hi));
      return;
    }
    throwIfAborted(options.signal);
    const mid = criticalPoints(model, Math.sqrt(lo.sigma * hi.sigma), options);
    options.onSet?.(mid);
    if (modes(mid) !== modes(lo)) bracket(lo, mid);
    if (modes(mid) !== modes(hi)) bracket(mid, hi);
  };
  for (let k = 0; k + 1 < sets.length; k++) if (modes(sets[k]) !== modes(sets[k + 1])) bracket(sets[k], sets[k + 1]);
  return found.sort((a, b) => a.sigma - b.sigma);
}

function modes(set: CriticalPointSet): number {
  return set.points.reduce((c, p) => c + (p.kind === "max" ? 1 : 0), 0);
}

/** The branching(s) inside a narrow bracket [lo.sigma, hi.sigma]. */
function classify(model: DataModel, lo: CriticalPointSet, hi: CriticalPointSet): Branching[] {
  const radius = 0.2 * hi.sigma;
  const maxLo = lo.points.filter((p) => p.kind === "max").map((p) => p.x);
  const maxHi = hi.points.filter((p) => p.kind === "max").map((p) => p.x);
  const events: { sigma: number; x: Float64Array; kind: BranchingKind }[] = [];
  const explained = new Set<number>();
  const nearestLo = (x: Float64Array) => {
    let best = -1;
    maxLo.forEach((y, j) => {
      if (distance(x, y) <= radius && (best < 0 || distance(x, y) < distance(x, maxLo[best]))) best = j;
    });
    return best;
  };
  const unstable: Float64Array[] = [];
  for (const x of maxHi) {
    const cont = continueFixedPoint(model, x, lo.sigma, radius);
    if (!cont) {
      const f = foldPoint(model, x, hi.sigma, lo.sigma, radius);
      events.push({ ...f, kind: "saddle-node" });
      continue;
    }
    if (stabilityMargin(model, cont, lo.sigma).margin < 0) {
      const j = nearestLo(cont);
      if (j >= 0) explained.add(j);
      continue;
    }
    unstable.push(x);
    // polish the mode first: near the branching other fixed points close in on it, and a start 1e-8 off can
    // make Newton land on one of them
    const base = continueFixedPoint(model, x, hi.sigma, radius) ?? x;
    const branch = (s: number) => stabilityMargin(model, continueFixedPoint(model, base, s, radius) ?? base, s).margin;
    const sigma = brentRoot(branch, lo.sigma, hi.sigma, { xtol: 1e-15 * hi.sigma });
    const at = continueFixedPoint(model, base, sigma, radius) ?? base;
    events.push({ sigma, x: Float64Array.from(at), kind: maxLo.length > maxHi.length ? "pitchfork" : "transcritical" });
  }
  maxLo.forEach((y, j) => {
    if (explained.has(j) || unstable.some((u) => distance(u, y) <= radius)) return;
    const f = foldPoint(model, y, lo.sigma, hi.sigma, radius);
    events.push({ ...f, kind: "saddle-node" });
  });
  events.sort((a, b) => a.sigma - b.sigma);
  const out: Branching[] = [];
  for (const e of events) {
    const last = out[out.length - 1];
    if (last && last.kind === e.kind && Math.abs(last.sigma - e.sigma) <= 1e-9 * e.sigma) {
      last.locations.push(e.x);
      continue;
    }
    out.push({ sigma: e.sigma, modesAbove: maxHi.length, modesBelow: maxLo.length, kind: e.kind, location: e.x, locations: [e.x] });
  }
  return out;
}
