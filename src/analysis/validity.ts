import { InfodynError } from "../errors.js";
import type { DataModel } from "../models/types.js";
import { createRng } from "../numeric/rng.js";

/*
 * What can be computed, checked before the work and after it: every output number finite, every invariant of
 * THEORY.md §3 held, or a refusal that names the quantity and the range that can be computed.
 */

/** Data length scales whose squares and reciprocals stay far from overflow and underflow in float64. */
export const SCALE_RANGE = [1e-100, 1e100] as const;
/** σ relative to the data's length scale L: logits ‖x − y‖²/(2σ²) and σ² stay finite and normal. */
export const SIGMA_RATIO_RANGE = [1e-50, 1e50] as const;

/**
 * The data's length scale L: the largest of the points' (or component means') extent and magnitude and the
 * components' largest standard deviation; a sphere's radius; 1 for a single point at the origin.
 *
 * @example
 * lengthScaleOf(parseModel({ kind: "deltas", points: [[-1], [1]] })); // 2
 */
export function lengthScaleOf(model: DataModel): number {
  const st = model.structure;
  let L = 0;
  const D = model.dim;
  if (st?.type === "mixture") {
    const { means, components } = st;
    for (let k = 0; k < D; k++) {
      let lo = Infinity;
      let hi = -Infinity;
      for (let i = 0; i < means.rows; i++) {
        const v = means.data[i * D + k];
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
      L = Math.max(L, hi - lo, Math.abs(lo), Math.abs(hi));
    }
    for (const c of components ?? []) for (const l of c.lambda) L = Math.max(L, Math.sqrt(Math.max(0, l)));
  } else if (st?.type === "gaussian") {
    for (let k = 0; k < D; k++) L = Math.max(L, Math.abs(st.mean[k]), Math.sqrt(Math.max(0, st.lambda[k])));
  } else if (st?.type === "sphere") {
    L = st.radius;
  } else {
    const y = model.sample(256, createRng(0));
    for (const v of y.data) L = Math.max(L, Math.abs(v));
  }
  return L > 0 ? L : 1;
}

/** The σ range that can be computed for a model: `[L·1e-50, L·1e50]`. */
export function computableSigmaRange(model: DataModel): [number, number] {
  const L = lengthScaleOf(model);
  return [L * SIGMA_RATIO_RANGE[0], L * SIGMA_RATIO_RANGE[1]];
}

/**
 * Refuses a model whose length scale is outside {@link SCALE_RANGE} and any σ outside
 * {@link computableSigmaRange}, with one {@link InfodynError} naming `name`, the value and the range.
 */
export function checkComputable(model: DataModel, sigmas: ArrayLike<number>, name = "sigma"): void {
  const L = lengthScaleOf(model);
  if (!(L >= SCALE_RANGE[0] && L <= SCALE_RANGE[1]))
    throw new InfodynError(
      `model: its length scale ${L.toPrecision(3)} is outside [${SCALE_RANGE[0]}, ${SCALE_RANGE[1]}], where squared distances over σ² stay finite; rescale the data`,
    );
  const [lo, hi] = computableSigmaRange(model);
  for (let i = 0; i < sigmas.length; i++) {
    const s = sigmas[i];
    if (s === 0 && i === sigmas.length - 1) continue; // a sampler's final 0
    if (!(s >= lo && s <= hi))
      throw new InfodynError(
        `${name}: ${s} is outside the range that can be computed for this model, [${lo.toPrecision(3)}, ${hi.toPrecision(3)}] (σ from 1e-50 to 1e50 times the data's length scale ${L.toPrecision(3)})`,
      );
  }
}

/**
 * Throws an {@link InfodynError} at the first number in `value` (nested objects, arrays, typed arrays) that is
 * NaN or ±∞, naming its path (`mutualInformation[3]`) and `what` produced it. Run on every result before it is
 * written, so no output ever carries a silent NaN (JSON would print `null`).
 */
export function assertFinite(value: unknown, what: string, path = ""): void {
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new InfodynError(`${what}: ${path || "value"} is ${value}, not a finite number: refused`);
    return;
  }
  if (value === null || typeof value !== "object") return;
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
    const a = value as unknown as ArrayLike<number>;
    for (let i = 0; i < a.length; i++) assertFinite(a[i], what, `${path}[${i}]`);
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((v, i) => assertFinite(v, what, `${path}[${i}]`));
    return;
  }
  for (const [k, v] of Object.entries(value)) assertFinite(v, what, path ? `${path}.${k}` : k);
}

/** One point of a profile as the invariants need it. */
export interface InvariantPoint {
  sigma: number;
  conditionalEntropy?: number;
  mutualInformation: number;
  mmse: number;
  classEntropy?: number;
  standardError?: { conditionalEntropy?: number; mutualInformation?: number; mmse?: number };
}

/**
 * Checks the invariants of THEORY.md §3 on a profile before anything is written, and throws an
 * {@link InfodynError} naming the first violation: `I ≥ 0`, `mmse ≥ 0`, `0 ≤ H(y|x_σ) ≤ H(y)` and
 * `H(c|x_σ) ≤ log C` for discrete data, `mmse ≤ D σ²`, H(y|x_σ) nondecreasing in σ. Tolerances: 1e-9 relative
 * for quadrature and closed forms (the designs' accuracy) plus 5 standard errors for Monte Carlo values.
 */
export function checkProfileInvariants(
  points: readonly InvariantPoint[],
  { dim, priorEntropy, numClasses = 0 }: { dim: number; priorEntropy?: number; numClasses?: number },
): void {
  const slack = (v: number, se = 0) => 1e-9 * (1 + Math.abs(v)) + 5 * se;
  const bad = (what: string, p: InvariantPoint) => {
    throw new InfodynError(`invariant violated at σ = ${p.sigma}: ${what} (refused rather than written)`);
  };
  let previous: InvariantPoint | undefined;
  for (const p of points) {
    const se = p.standardError ?? {};
    if (p.mutualInformation < -slack(0, se.mutualInformation)) bad(`I(y; x_σ) = ${p.mutualInformation} < 0`, p);
    if (p.mmse < -slack(0, se.mmse)) bad(`mmse = ${p.mmse} < 0`, p);
    if (p.mmse > dim * p.sigma * p.sigma * (1 + 1e-9) + 5 * (se.mmse ?? 0)) bad(`mmse = ${p.mmse} > Dσ² = ${dim * p.sigma * p.sigma}`, p);
    if (priorEntropy !== undefined && p.conditionalEntropy !== undefined) {
      const h = p.conditionalEntropy;
      if (h < -slack(0, se.conditionalEntropy) || h > priorEntropy + slack(priorEntropy, se.conditionalEntropy))
        bad(`H(y|x_σ) = ${h} outside [0, H(y) = ${priorEntropy}]`, p);
    }
    if (p.classEntropy !== undefined && numClasses > 0 && p.classEntropy > Math.log(numClasses) * (1 + 1e-9) + 1e-12)
      bad(`H(c|x_σ) = ${p.classEntropy} > log ${numClasses}`, p);
    if (previous?.conditionalEntropy !== undefined && p.conditionalEntropy !== undefined && p.sigma > previous.sigma) {
      const drop = previous.conditionalEntropy - p.conditionalEntropy;
      const tol = slack(previous.conditionalEntropy, Math.hypot(se.conditionalEntropy ?? 0, previous.standardError?.conditionalEntropy ?? 0));
      if (drop > tol) bad(`H(y|x_σ) decreases from ${previous.conditionalEntropy} at σ = ${previous.sigma} to ${p.conditionalEntropy}`, p);
    }
    previous = p;
  }
}
