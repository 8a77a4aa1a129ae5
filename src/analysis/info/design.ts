import type { Batch } from "../../batch.js";
import type { DataModel } from "../../models/types.js";
import { gaussHermite2 } from "../../numeric/quadrature.js";
import { createRng } from "../../numeric/rng.js";
import { refinedDisk } from "./refined-disk.js";

/**
 * Nodes and weights for expectations over the noisy state, `E_x f(x) ≈ Σ_i w_i f(x_i)`, `x ~ p_σ`.
 * Quadrature designs have `monteCarlo = false` (weights sum to 1 up to the rule's error); Monte Carlo designs
 * carry strata so that a standard error can be reported.
 */
export interface Design {
  nodes: Batch;
  weights: Float64Array;
  monteCarlo: boolean;
  /** Stratum of each node (Monte Carlo), with the stratum probabilities π_k. */
  strata?: Int32Array;
  strataWeights?: Float64Array;
  /** How the design was made, for reports: "trapezoid-z (1-D)", "gauss-hermite 40² (2-D)", "monte-carlo". */
  method: string;
}

/** Options shared by the expectation designs. */
export interface DesignOptions {
  /** Monte Carlo sample count (default 20 000). */
  samples?: number;
  /**
   * Seed of the Monte Carlo draws (default 0). The same σ and seed give the same draws; a profile over a grid draws
   * level i from `levelSeed(seed, i)`, so its levels' errors are independent.
   */
  seed?: number;
  /** Work budget for 2-D quadrature: (number of nodes) × (mixture components) (default 4e7). */
  budget?: number;
  /** Force Monte Carlo even where quadrature applies. */
  monteCarlo?: boolean;
}

/** Half-width of the z-range: e^{−z²/2} < 1e-323 beyond it. */
const Z_MAX = 38.6;
const MAX_NODES_1D = 40_001;

/**
 * A design for `x ~ p_σ` of a mixture `Σ_k π_k N(μ_k, Σ_k + σ²I)`:
 * - D = 1: trapezoid rule in z per component, `x = μ_k + s_k z`, `s_k = √(λ_k + σ²)`, on |z| ≤ 38.6. The
 *   rule converges exponentially for analytic integrands; its step resolves the posterior's transitions
 *   between neighbouring components, whose width in z is ≈ (σ² + λ_min)/(span·s_k), so tails at small σ
 *   (which carry all of mmse there) are integrated too.
 * - D = 2: tensor Gauss–Hermite per component (n² nodes, n ≤ 40 within the work budget).
 * - otherwise (or beyond the budget): Monte Carlo, stratified by component when there are few components.
 * Returns undefined when the model has no mixture structure.
 */
export function mixtureDesign(model: DataModel, sigma: number, options: DesignOptions = {}): Design | undefined {
  const st = model.structure;
  if (!st || st.type !== "mixture") return undefined;
  const design = options.monteCarlo || st.means.dim > 2 ? undefined : quadratureDesign(model, st, sigma, options.budget ?? 4e7);
  return design ?? monteCarlo(model, sigma, options, st.means.rows);
}

/** The 1-D or 2-D quadrature design of a mixture, or undefined when the 2-D one would exceed the work budget. */
function quadratureDesign(
  model: DataModel,
  st: { weights: Float64Array; means: Batch; components?: readonly { lambda: Float64Array; vectors: Float64Array }[] },
  sigma: number,
  budget: number,
): Design | undefined {
  // p_σ depends only on the distinct components: coincident points (or identical Gaussians) merge, so a single
  // distinct point is one Gaussian, integrated by Gauss–Hermite, not a fine disk of nodes.
  const { weights: pi, means, components } = distinctComponents(st.weights, st.means, st.components);
  const K = means.rows;
  const cost = K; // a posterior evaluation costs ∝ number of components (points for deltas)
  if (means.dim === 1) return trapezoid1d(pi, means.data, components, sigma);
  const g = geometry(means, components);
  // One distinct component: no transitions between components, the posterior of a Gaussian is smooth in x.
  const width = K === 1 ? 1 : Math.min(1, (sigma * sigma + g.lamMin) / (g.span * Math.sqrt(g.lamMax + sigma * sigma)));
  const n = Math.min(40, Math.floor(Math.sqrt(budget / (K * cost))));
  // Smooth regime (posterior transitions wider than ~0.6 in z): Gauss–Hermite converges fast.
  if (width >= 0.6 && n >= 16) return gaussHermite2d(pi, means, components, sigma, n);
  // Sharp transitions: trapezoid on a disk in z, resolving them and the tails that carry mmse.
  const h = Math.min(0.2, width / 4);
  const zcut = Math.min(Z_MAX, Math.sqrt((g.nearest / (2 * Math.sqrt(g.lamMin + sigma * sigma))) ** 2 + 60));
  const nodes = (Math.PI * zcut * zcut) / (h * h);
  // The work estimate of the finest step a smooth integrand can need (h ≤ width/4) decides between quadrature and
  // Monte Carlo; the step itself is then refined per component until the design reaches its accuracy.
  return nodes * K * cost <= budget ? refinedDisk(model, pi, means, components, sigma, h, zcut) : undefined;
}

/** The mixture with coincident components merged (weights summed); the input itself when all are distinct. */
function distinctComponents<C extends { lambda: Float64Array; vectors: Float64Array }>(
  weights: Float64Array,
  means: Batch,
  components: readonly C[] | undefined,
): { weights: Float64Array; means: Batch; components: readonly C[] | undefined } {
  const K = means.rows;
  const D = means.dim;
  const key = (k: number) => {
    const parts = Array.from(means.data.subarray(k * D, (k + 1) * D));
    if (components) parts.push(...components[k].lambda, ...components[k].vectors);
    return parts.join(",");
  };
  const index = new Map<string, number>();
  const keep: number[] = [];
  const w: number[] = [];
  for (let k = 0; k < K; k++) {
    const id = key(k);
    const at = index.get(id);
    if (at === undefined) {
      index.set(id, keep.length);
      keep.push(k);
      w.push(weights[k]);
    } else w[at] += weights[k];
  }
  if (keep.length === K) return { weights, means, components };
  const data = new Float64Array(keep.length * D);
  keep.forEach((k, i) => data.set(means.data.subarray(k * D, (k + 1) * D), i * D));
  return { weights: Float64Array.from(w), means: { rows: keep.length, dim: D, data }, components: components && keep.map((k) => components[k]) };
}

function trapezoid1d(
  pi: Float64Array,
  mu: Float64Array,
  components: readonly { lambda: Float64Array }[] | undefined,
  sigma: number,
): Design {
  const K = mu.length;
  let lo = Infinity;
  let hi = -Infinity;
  let lamMin = Infinity;
  for (let k = 0; k < K; k++) {
    lo = Math.min(lo, mu[k]);
    hi = Math.max(hi, mu[k]);
    lamMin = Math.min(lamMin, components ? components[k].lambda[0] : 0);
  }
  const span = hi - lo;
  const xs: number[] = [];
  const ws: number[] = [];
  const s2 = sigma * sigma;
  for (let k = 0; k < K; k++) {
    if (pi[k] === 0) continue;
    const s = Math.sqrt((components ? components[k].lambda[0] : 0) + s2);
    const width = span > 0 ? (s2 + lamMin) / (span * s) : Infinity;
    const h = Math.max(Math.min(0.1, width / 4), (2 * Z_MAX) / (MAX_NODES_1D - 1));
    const m = Math.floor(Z_MAX / h);
    for (let i = -m; i <= m; i++) {
      const z = i * h;
      const w = (pi[k] * h * Math.exp(-0.5 * z * z)) / Math.sqrt(2 * Math.PI);
      if (w === 0) continue;
      xs.push(mu[k] + s * z);
      ws.push(w);
    }
  }
  return {
    nodes: { rows: xs.length, dim: 1, data: Float64Array.from(xs) },
    weights: Float64Array.from(ws),
    monteCarlo: false,
    method: "trapezoid-z (1-D)",
  };
}

/** Extent of the component means: span (largest distance), nearest-neighbour distance, λ range. */
function geometry(means: Batch, components: readonly { lambda: Float64Array }[] | undefined) {
  const K = means.rows;
  const D = means.dim;
  let span = 0;
  let nearest = Infinity;
  for (let a = 0; a < K; a++)
    for (let b = a + 1; b < K; b++) {
      let d2 = 0;
      for (let k = 0; k < D; k++) d2 += (means.data[a * D + k] - means.data[b * D + k]) ** 2;
      span = Math.max(span, Math.sqrt(d2));
      nearest = Math.min(nearest, Math.sqrt(d2));
    }
  let lamMin = Infinity;
  let lamMax = 0;
  for (let k = 0; k < K; k++)
    for (const l of components ? components[k].lambda : [0]) {
      lamMin = Math.min(lamMin, l);
      lamMax = Math.max(lamMax, l);
    }
  return { span: span || 1, nearest: Number.isFinite(nearest) ? nearest : 1, lamMin, lamMax };
}

function gaussHermite2d(
  pi: Float64Array,
  means: Batch,
  components: readonly { lambda: Float64Array; vectors: Float64Array }[] | undefined,
  sigma: number,
  n: number,
): Design {
  const rule = gaussHermite2(n);
  const K = means.rows;
  const R = rule.weights.length;
  const nodes = new Float64Array(K * R * 2);
  const weights = new Float64Array(K * R);
  const s2 = sigma * sigma;
  for (let k = 0; k < K; k++) {
    const lam = components ? components[k].lambda : new Float64Array(2);
    const V = components ? components[k].vectors : Float64Array.from([1, 0, 0, 1]);
    const s0 = Math.sqrt(lam[0] + s2);
    const s1 = Math.sqrt(lam[1] + s2);
    for (let r = 0; r < R; r++) {
      const z0 = s0 * rule.z1[r];
      const z1 = s1 * rule.z2[r];
      const o = (k * R + r) * 2;
      nodes[o] = means.data[2 * k] + V[0] * z0 + V[1] * z1;
      nodes[o + 1] = means.data[2 * k + 1] + V[2] * z0 + V[3] * z1;
      weights[k * R + r] = pi[k] * rule.weights[r];
    }
  }
  return { nodes: { rows: K * R, dim: 2, data: nodes }, weights, monteCarlo: false, method: `gauss-hermite ${n}² (2-D)` };
}

/**
 * Seeded Monte Carlo `x = y + σz`, y drawn from the model: stratified by component (proportional
 * allocation) when the model is a mixture with at most samples/8 components, else plain draws.
 */
export function monteCarlo(model: DataModel, sigma: number, options: DesignOptions, components = 0): Design {
  const n = options.samples ?? 20_000;
  const rng = createRng(options.seed ?? 0);
  const D = model.dim;
  const st = model.structure;
  let y: Batch;
  let strata: Int32Array | undefined;
  let strataWeights: Float64Array | undefined;
  if (st?.type === "mixture" && components > 0 && components <= n / 8) {
    // Proportional allocation: n_k = max(2, round(n π_k)) draws from component k.
    strataWeights = st.weights;
    const counts = Array.from(st.weights, (p) => (p > 0 ? Math.max(2, Math.round(n * p)) : 0));
    const total = counts.reduce((a, b) => a + b, 0);
    y = { rows: total, dim: D, data: new Float64Array(total * D) };
    strata = new Int32Array(total);
    let i = 0;
    const z = new Float64Array(D);
    counts.forEach((c, k) => {
      const comp = st.components?.[k];
      const root = comp && comp.lambda.map(Math.sqrt);
      for (let j = 0; j < c; j++, i++) {
        strata![i] = k;
        for (let a = 0; a < D; a++) y.data[i * D + a] = st.means.data[k * D + a];
        if (comp && root) {
          // y = μ_k + V_k diag(√λ_k) z, z drawn in order (one buffer, the square roots taken once per component)
          for (let b = 0; b < D; b++) z[b] = root[b] * rng.normal();
          const V = comp.vectors;
          for (let a = 0; a < D; a++) {
            let acc = 0;
            for (let b = 0; b < D; b++) acc += V[a * D + b] * z[b];
            y.data[i * D + a] += acc;
          }
        }
      }
    });
  } else {
    y = model.sample(n, rng);
  }
  for (let i = 0; i < y.data.length; i++) y.data[i] += sigma * rng.normal();
  const weights = new Float64Array(y.rows).fill(1 / y.rows);
  if (strata && strataWeights) {
    const counts = new Float64Array(strataWeights.length);
    for (const k of strata) counts[k]++;
    for (let i = 0; i < y.rows; i++) weights[i] = strataWeights[strata[i]] / counts[strata[i]];
  }
  return { nodes: y, weights, monteCarlo: true, strata, strataWeights, method: strata ? "monte-carlo (stratified)" : "monte-carlo" };
}

/**
 * The seed of stream `stream` of a run seeded `seed` (σ level i of a profile, the probes of a level …): murmur3's
 * 32-bit finaliser of `seed ⊕ golden·(stream + 1)`, so neighbouring streams start from unrelated generator states
 * (`createRng(s)` and `createRng(s + 1)` begin in states a few bits apart, and their first draws nearly agree).
 *
 * @example
 * levelSeed(0, 3); // the seed of level 3 of a profile run with --seed 0
 */
export function levelSeed(seed: number, stream: number): number {
  let h = (seed ^ Math.imul(stream + 1, 0x9e3779b9)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}
