import type { Batch } from "../../batch.js";
import type { DataModel, SyncDenoiser } from "../../models/types.js";
import { createRng } from "../../numeric/rng.js";
import { FULL_COVARIANCE_MAX_DIM } from "./pointwise.js";

/** Finite-difference step of the posterior mean, relative: ε = FD_STEP · σ · min(1, σ/ℓ) (see {@link fdStep}). */
export const FD_STEP = 1e-5;

/**
 * The smallest step relative to |x| (2⁻³⁰ ≈ 1e-9): below it x ± ε would round to x (at σ = 1e-40 ε is 1e-86). The
 * floor only binds where the posterior's transitions are narrower than 1e-9 |x|, i.e. σ ≲ 3e-5 √(|x| Δ), where
 * the nodes hold one point each and the mean does not move.
 */
const STEP_FLOOR = 2 ** -30;

/** Hutchinson probes per node by default (D > 16). */
export const DEFAULT_PROBES = 1;

/** How {@link meanJacobianTrace} estimated Tr ∂m/∂x. */
export interface JacobianTrace {
  /** Per row: the estimate of Tr ∂m/∂x (x) (= Tr C(x)/σ² for the exact posterior mean, THEORY.md §2). */
  trace: Float64Array;
  /** "axes": central differences along the D coordinate axes (the exact trace of the difference quotient); "hutchinson": `probes` Rademacher probes per row. */
  method: "axes" | "hutchinson";
  probes: number;
  /** The step ε. */
  step: number;
}

/**
 * The step of a central difference of the posterior mean at noise σ: `ε = FD_STEP · σ · min(1, σ/ℓ)`, with ℓ a
 * length of the data (`2 √Tr Cov(y)`, {@link dataLength}; none known (∞): ε = FD_STEP · σ). The posterior mean turns over a width ≈ σ²/Δ in x
 * between two data points Δ ≤ ℓ apart, so ε/width ≤ 1e-5 and the O((ε/width)²) truncation is below 1e-10
 * relative; the rounding, O(ulp(m)/ε), is what remains: the route agrees with Tr C/σ² to 1e-9 of the rate on the
 * quadrature models of test/info.test.ts, to 1e-8 point by point (test/estimators.test.ts).
 */
export function fdStep(sigma: number, length: number): number {
  return FD_STEP * sigma * (length > 0 && Number.isFinite(length) ? Math.min(1, sigma / length) : 1);
}

const lengths = new WeakMap<object, number>();

/**
 * `2 √Tr Cov(y)` of a model with a mixture structure (weights, means, component variances), ∞ without one (then
 * {@link fdStep} is relative to σ alone); cached per model.
 */
export function dataLength(model: DataModel): number {
  const cached = lengths.get(model);
  if (cached !== undefined) return cached;
  const st = model.structure;
  let length = Infinity;
  if (st?.type === "mixture") {
    const D = st.means.dim;
    const K = st.means.rows;
    const mean = new Float64Array(D);
    for (let k = 0; k < K; k++) for (let a = 0; a < D; a++) mean[a] += st.weights[k] * st.means.data[k * D + a];
    let tr = 0;
    for (let k = 0; k < K; k++) {
      let d2 = 0;
      for (let a = 0; a < D; a++) d2 += (st.means.data[k * D + a] - mean[a]) ** 2;
      const lam = st.components?.[k]?.lambda;
      if (lam) for (const l of lam) d2 += Math.max(0, l);
      tr += st.weights[k] * d2;
    }
    if (tr > 0) length = 2 * Math.sqrt(tr);
  } else if (st?.type === "sphere") length = 2 * st.radius;
  lengths.set(model, length);
  return length;
}

/**
 * Per-row estimates of the trace of the posterior mean's Jacobian, `Tr ∂m/∂x(x)`, from the denoiser alone by central
 * differences (THEORY.md §8): an independent route to `Tr C(x)/σ²` (Tweedie, §2: `∂m/∂x = C/σ²`), because it
 * uses only the kernel's means at nearby points, never its second moments.
 *
 * Method:
 * - D ≤ 16 ("axes"): `Σ_k (m_k(x + εe_k) − m_k(x − εe_k)) / (x⁺_k − x⁻_k)`, the stored step in the denominator: the
 *   trace of the central-difference Jacobian, with no probe noise (2D denoiser rows per row of x).
 * - D > 16 ("hutchinson"): `vᵀ(m(x + εv) − m(x − εv)) / (2ε)` averaged over `probes` Rademacher vectors v per row
 *   (E_v vᵀAv = Tr A); seeded by `seed`, drawn row by row (2·probes rows per row of x).
 * ε from {@link fdStep}, at least 2⁻³⁰ |x| (so that x ± ε differ from x). A row's estimate carries its probe noise,
 * so the standard error of a mean over rows includes it.
 *
 * Special cases: rows whose posterior is one point give exactly 0 (m does not move).
 *
 * @example
 * meanJacobianTrace(twoDeltas, fromRows([[0]]), 1, { length: 2 }).trace[0]; // ≈ Tr C(0)/σ² = 1
 */
export function meanJacobianTrace(
  model: SyncDenoiser,
  x: Batch,
  sigma: number,
  { probes = DEFAULT_PROBES, seed = 0, length = Infinity }: { probes?: number; seed?: number; length?: number } = {},
): JacobianTrace {
  const D = x.dim;
  const B = x.rows;
  const eps = fdStep(sigma, length);
  const trace = new Float64Array(B);
  if (D <= FULL_COVARIANCE_MAX_DIM) {
    const X = new Float64Array(2 * B * D);
    for (let k = 0; k < D; k++) {
      X.set(x.data, 0);
      X.set(x.data, B * D);
      for (let i = 0; i < B; i++) {
        const h = Math.max(eps, STEP_FLOOR * Math.abs(x.data[i * D + k]));
        X[i * D + k] += h;
        X[(B + i) * D + k] -= h;
      }
      const M = model.denoise({ rows: 2 * B, dim: D, data: X }, sigma).data;
      for (let i = 0; i < B; i++) trace[i] += (M[i * D + k] - M[(B + i) * D + k]) / (X[i * D + k] - X[(B + i) * D + k]);
    }
    return { trace, method: "axes", probes: 0, step: eps };
  }
  const rng = createRng(seed);
  const V = new Float64Array(probes * B * D);
  const X = new Float64Array(2 * probes * B * D);
  const half = probes * B * D;
  const steps = new Float64Array(B);
  for (let i = 0; i < B; i++) {
    let top = 0;
    for (let k = 0; k < D; k++) top = Math.max(top, Math.abs(x.data[i * D + k]));
    const h = (steps[i] = Math.max(eps, STEP_FLOOR * top));
    for (let q = 0; q < probes; q++) {
      const o = (i * probes + q) * D;
      for (let k = 0; k < D; k++) {
        const v = rng.rademacher();
        V[o + k] = v;
        X[o + k] = x.data[i * D + k] + h * v;
        X[half + o + k] = x.data[i * D + k] - h * v;
      }
    }
  }
  const M = model.denoise({ rows: 2 * probes * B, dim: D, data: X }, sigma).data;
  for (let i = 0; i < B; i++) {
    let acc = 0;
    for (let q = 0; q < probes; q++) {
      const o = (i * probes + q) * D;
      for (let k = 0; k < D; k++) acc += V[o + k] * (M[o + k] - M[half + o + k]);
    }
    trace[i] = acc / (2 * steps[i] * probes);
  }
  return { trace, method: "hutchinson", probes, step: eps };
}
