import type { DataModel } from "../../models/types.js";
import { integrate } from "../../numeric/quadrature.js";
import { mixtureDesign } from "../info/design.js";
import { profileAt, type ProfileOptions } from "../info/profile.js";

/**
 * How mmse(σ) of a model is computed on [σ_min, σ_max], and so which route entropic time takes (THEORY.md §9.1):
 * - `exact`: a closed form (Gaussian) or a 1-D adaptive quadrature (1-D mixtures), microseconds to milliseconds per
 *   σ: the profile integrates the exact rate (Gauss–Legendre) and refines each level by Brent's method;
 * - `quadrature`: exact values by a 2-D quadrature design (2-D mixtures whose design at σ_min fits the work budget)
 *   or the sphere's radial integral, up to seconds per σ: tabulated on the profile's nodes only (nodeRule's cubic);
 * - `monte-carlo`: everything else (mixtures in D > 2, such as a dataset; 2-D mixtures beyond the quadrature budget;
 *   models without structure): seeded Monte Carlo per node, with standard errors.
 */
export interface MmseRoute {
  route: "exact" | "quadrature" | "monte-carlo";
  /** In words, for reports: "closed form", "adaptive gauss-kronrod (1-D)", "2-D quadrature", "monte-carlo". */
  method: string;
}

/**
 * The {@link MmseRoute} of a model on a range starting at σ_min (the hardest σ for a quadrature design: its node
 * count grows as σ shrinks). Builds at most one 2-D design (at σ_min); no posterior is evaluated.
 *
 * @example
 * mmseRoute(parseModel({ kind: "gaussian", mean: [0, 0], cov: [[1, 0], [0, 2]] }), 0.01); // { route: "exact", method: "closed form" }
 */
export function mmseRoute(model: DataModel, sigmaMin: number): MmseRoute {
  const st = model.structure;
  if (st?.type === "gaussian") return { route: "exact", method: "closed form" };
  if (st?.type === "mixture" && model.dim === 1) return { route: "exact", method: "adaptive gauss-kronrod (1-D)" };
  if (st?.type === "sphere") return { route: "quadrature", method: "radial gauss-kronrod" };
  if (st?.type === "mixture" && model.dim === 2 && !mixtureDesign(model, sigmaMin)!.monteCarlo) return { route: "quadrature", method: "2-D quadrature" };
  return { route: "monte-carlo", method: "monte-carlo" };
}

/**
 * The exact mmse(σ) = E_x Tr C(x) of a data model (THEORY.md §2, §2b), the one input of entropic time (§9.1).
 *
 * Method:
 * - Gaussian: `Σ_i λ_i σ²/(λ_i + σ²)` (closed form).
 * - 1-D mixture `Σ_k π_k N(μ_k, λ_k)` (deltas: λ_k = 0): `∫ p_σ(x) Var(y|x) dx` by adaptive Gauss–Kronrod
 *   ({@link integrate}) between breakpoints at each μ_k ± 8s_k (`s_k² = λ_k + σ²`) and, between neighbouring
 *   means, at the decision point x* where `π_a N(x; μ_a, s_a²) = π_b N(x; μ_b, s_b²)` and x* ± (5, 30)·w with
 *   `w = s²/gap`, the width of the posterior's switch there, which carries all of mmse as σ → 0.
 *   `Var(y|x) = Σ_k r_k (C_k + (m_k − m)²)` (a sum of squares), `r_k ∝ π_k N(x; μ_k, s_k²)` in log space.
 *   This costs O(K) per node with no allocation, where the info profile's design costs 4·10⁴ nodes per component.
 * - otherwise: {@link profileAt}'s mmse (2-D quadrature, the sphere's radial integral, else seeded Monte Carlo:
 *   then not exact, and without its standard error; entropic time uses {@link nodeMmse} for those models).
 *
 * Special cases: σ ≤ 0 or NaN gives NaN; σ = ∞ gives Tr Cov (closed forms) or NaN.
 *
 * @example
 * exactMmse(parseModel({ kind: "gaussian", mean: [0], cov: [[4]] }), 2); // 4·4/(4 + 4) = 2
 */
export function exactMmse(model: DataModel, sigma: number, options: ProfileOptions = {}): number {
  if (!(sigma > 0)) return NaN;
  const st = model.structure;
  if (st?.type === "gaussian") {
    let m = 0;
    for (const l of st.lambda) m += l === 0 ? 0 : isFinite(sigma) ? (l * sigma * sigma) / (l + sigma * sigma) : l;
    return m;
  }
  if (st?.type === "mixture" && model.dim === 1) {
    const lam = Float64Array.from(st.weights, (_, k) => st.components?.[k]?.lambda[0] ?? 0);
    return mixtureMmse1d(st.weights, st.means.data, lam, sigma);
  }
  if (!isFinite(sigma)) return NaN;
  return profileAt(model, sigma, options).mmse;
}

/** mmse(σ) of the 1-D mixture `Σ_k w_k N(mu_k, lambda_k)` by adaptive quadrature (see {@link exactMmse}). */
export function mixtureMmse1d(w: ArrayLike<number>, mu: ArrayLike<number>, lambda: ArrayLike<number>, sigma: number): number {
  const K = mu.length;
  const order = Array.from({ length: K }, (_, k) => k).filter((k) => w[k] > 0).sort((a, b) => mu[a] - mu[b]);
  const s2 = Float64Array.from(order, (k) => lambda[k] + sigma * sigma);
  const logc = Float64Array.from(order, (k, j) => Math.log(w[k]) - 0.5 * Math.log(2 * Math.PI * s2[j]));
  const m = Float64Array.from(order, (k) => mu[k]);
  const gain = Float64Array.from(order, (k, j) => lambda[k] / s2[j]); // m_k = μ_k + gain_k (x − μ_k)
  const ck = Float64Array.from(order, (k, j) => lambda[k] * (1 - gain[j])); // C_k = λσ²/(λ+σ²)
  const n = order.length;
  const logr = new Float64Array(n);
  const mk = new Float64Array(n);
  const f = (x: number): number => {
    let top = -Infinity;
    for (let j = 0; j < n; j++) {
      const d = x - m[j];
      logr[j] = logc[j] - (0.5 * d * d) / s2[j];
      if (logr[j] > top) top = logr[j];
    }
    let z = 0;
    let mean = 0;
    for (let j = 0; j < n; j++) {
      logr[j] = Math.exp(logr[j] - top);
      z += logr[j];
      mk[j] = m[j] + gain[j] * (x - m[j]);
      mean += logr[j] * mk[j];
    }
    mean /= z;
    let v = 0;
    for (let j = 0; j < n; j++) {
      const d = mk[j] - mean;
      v += logr[j] * (ck[j] + d * d);
    }
    // p(x) Var(y|x) = e^top Σ r̃_j (…) with r̃_j = e^{logr_j − top}.
    return Math.exp(top) * v;
  };
  const pts: number[] = [];
  for (let j = 0; j < n; j++) {
    const s = Math.sqrt(s2[j]);
    pts.push(m[j] - 40 * s, m[j] - 8 * s, m[j], m[j] + 8 * s, m[j] + 40 * s);
    if (j + 1 < n && m[j + 1] > m[j]) {
      const gap = m[j + 1] - m[j];
      const sa = s2[j];
      const sb = s2[j + 1];
      // Decision point for equal widths; for unequal widths the same formula with the mean width (a breakpoint only).
      const sm = 0.5 * (sa + sb);
      const xs = 0.5 * (m[j] + m[j + 1]) + (sm * (logc[j] - logc[j + 1])) / gap;
      const width = sm / gap;
      for (const c of [-30, -5, 0, 5, 30]) {
        const x = xs + c * width;
        if (x > m[j] && x < m[j + 1]) pts.push(x);
      }
    }
  }
  pts.sort((a, b) => a - b);
  // Absolute goal: 1e-15 of the bound mmse ≤ min(σ², Var y) shared among the panels (relative 1e-12 otherwise).
  let mean = 0;
  let second = 0;
  let wsum = 0;
  for (let j = 0; j < n; j++) {
    const wk = w[order[j]];
    wsum += wk;
    mean += wk * m[j];
    second += wk * (m[j] * m[j] + lambda[order[j]]);
  }
  const variance = second / wsum - (mean / wsum) ** 2;
  const epsabs = (1e-15 * Math.min(sigma * sigma, Math.max(variance, 0))) / pts.length;
  let total = 0;
  for (let i = 0; i + 1 < pts.length; i++) {
    if (!(pts[i + 1] > pts[i])) continue;
    total += integrate(f, pts[i], pts[i + 1], { epsabs, epsrel: 1e-12 }).value;
  }
  return total;
}
