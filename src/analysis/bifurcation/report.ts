import type { DataModel } from "../../models/types.js";
import { type Branching, branchings } from "./branchings.js";
import { type CriticalExponents, criticalExponents } from "./curie-weiss.js";
import { type TreeNode, decisionTree } from "./tree.js";

/** Everything `infodyn bifurcations` reports for one model. */
export interface BifurcationReport {
  sigmaMin: number;
  sigmaMax: number;
  steps: number;
  branchings: Branching[];
  /** Undefined for models without a mixture structure. */
  tree?: TreeNode;
  /** Only for two-delta models: the exponents of the symmetric (equal-weight) problem with the same a. */
  criticalExponents?: CriticalExponents;
}

/**
 * The default σ range of a model: `[E/20, 2E]` with `E` the largest distance of a data point (or component
 * mean, or sphere radius, or √λ_max for a Gaussian) from their weighted mean — one mode above 2E, every
 * branching of well-separated points inside.
 */
export function defaultSigmaRange(model: DataModel): [number, number] {
  const s = model.structure;
  let E = 1;
  if (s?.type === "mixture") {
    const D = s.means.dim;
    const c = new Float64Array(D);
    for (let j = 0; j < s.means.rows; j++) for (let p = 0; p < D; p++) c[p] += s.weights[j] * s.means.data[j * D + p];
    E = 0;
    for (let j = 0; j < s.means.rows; j++) {
      let d = 0;
      for (let p = 0; p < D; p++) d += (s.means.data[j * D + p] - c[p]) ** 2;
      E = Math.max(E, Math.sqrt(d));
    }
    for (const comp of s.components ?? []) E = Math.max(E, Math.sqrt(Math.max(...comp.lambda)));
  } else if (s?.type === "sphere") E = s.radius;
  else if (s?.type === "gaussian") E = Math.sqrt(Math.max(...s.lambda));
  if (!(E > 0)) E = 1;
  return [E / 20, 2 * E];
}

/**
 * Branchings, decision tree and (for two deltas) critical exponents of a model over [σ_min, σ_max]
 * (THEORY.md §5): {@link branchings} on a log grid of `steps` intervals, then {@link decisionTree} on the same
 * grid snapped to those branchings, then {@link criticalExponents}. `onProgress` sees both grids in turn.
 *
 * @example
 * bifurcationReport(deltas(fromRows([[-1], [1]])), 0.2, 5, 40).branchings[0].sigma; // returns ≈ 1
 */
export function bifurcationReport(
  model: DataModel,
  sigmaMin: number,
  sigmaMax: number,
  steps: number,
  onProgress?: (done: number, total: number) => void,
  seed = 0,
  signal?: AbortSignal,
): BifurcationReport {
  const total = 2 * (steps + 1);
  // The seed only matters for models without data points (sphere, Gaussian), whose search is anchored by draws.
  const found = branchings(model, sigmaMin, sigmaMax, { steps, seed, signal, onProgress: (d) => onProgress?.(d, total) });
  const tree = decisionTree(model, sigmaMin, sigmaMax, {
    steps,
    branchings: found,
    signal,
    onProgress: (d) => onProgress?.(steps + 1 + d, total),
  });
  const s = model.structure;
  const twoDeltas = model.kind === "deltas" && s?.type === "mixture" && s.means.rows === 2 && !s.components;
  return {
    sigmaMin,
    sigmaMax,
    steps,
    branchings: found,
    tree,
    criticalExponents: twoDeltas ? criticalExponents(s.means) : undefined,
  };
}
