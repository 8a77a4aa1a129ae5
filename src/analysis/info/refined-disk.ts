import type { Batch } from "../../batch.js";
import type { DataModel } from "../../models/types.js";
import type { Design } from "./design.js";

/**
 * Relative agreement of two successive steps at which the design is accepted: each component's contributions to
 * the probe integrals change by at most `DISK_TOL · |total| / K` between its accepted step and the next finer one.
 */
export const DISK_TOL = 1e-10;
/** The coarsest step tried (the Gaussian weight alone is integrated to e^{−2π²/h²} ≈ 4e-14 at h = 0.8). */
const H_START = 0.8;
/** Successive steps shrink by 1/√2 (twice the nodes per level). */
const RATIO = Math.SQRT1_2;

interface Level {
  h: number;
  nodes: Float64Array;
  weights: Float64Array;
  /** Σ w q over the level's nodes, one per probe quantity. */
  sums: Float64Array;
}

/**
 * The 2-D trapezoid design in z on the disk ‖z‖ ≤ zcut per component, `x = μ_k + V_k diag(s_k) z`,
 * `s_k = √(λ_k + σ²)`, with each component's step sized by the accuracy it reaches: steps 0.8, 0.8/√2, … (down to
 * `hMin`, the step that resolves the sharpest possible transition, width/4), until the component's contributions
 * to the probe integrals agree with those of the next finer step to `DISK_TOL · |total| / K`; the coarser of the
 * two is kept. The trapezoid rule converges exponentially for analytic integrands (error ~ e^{−2πa/h}, a the
 * distance in z of the posterior's nearest complex pole, ≈ π(σ² + λ)/(Δ s) for a transition between components Δ
 * apart), so the kept step is accurate to about the agreement itself.
 *
 * Probe integrals, from one posterior call per level: Tr C(x), ‖m(x) − x‖², and h(x), h(x)² for discrete models or
 * −log p(k|x) and its square for continuous ones, and H(c|x) and Σ_c p(c|x)‖m_c − m‖² for labelled models (what the
 * profile integrates).
 *
 * Special cases: components with π_k = 0 get no nodes; a component that has not converged at `hMin` keeps `hMin`.
 */
export function refinedDisk(
  model: DataModel,
  pi: Float64Array,
  means: Batch,
  components: readonly { lambda: Float64Array; vectors: Float64Array }[] | undefined,
  sigma: number,
  hMin: number,
  zcut: number,
): Design {
  const K = means.rows;
  const steps: number[] = [];
  for (let h = H_START; h > hMin * (1 + 1e-12); h *= RATIO) steps.push(h);
  steps.push(hMin);
  const active = Array.from({ length: K }, (_, k) => pi[k] > 0);
  const level = new Int32Array(K); // index into steps of the coarser level compared
  const pair: [Level, Level][] = [];
  for (let k = 0; k < K; k++)
    if (active[k]) pair[k] = [diskLevel(model, pi, means, components, sigma, k, steps[0], zcut), diskLevel(model, pi, means, components, sigma, k, steps[1] ?? steps[0], zcut)];
  const done = active.map((a, k) => !a || steps.length === 1 || pair[k] === undefined);
  for (;;) {
    // the totals at the finer level of every component
    const Q = pair.find((p) => p)?.[1].sums.length ?? 0;
    const total = new Float64Array(Q);
    for (let k = 0; k < K; k++) if (active[k]) for (let q = 0; q < Q; q++) total[q] += pair[k][1].sums[q];
    let refined = false;
    for (let k = 0; k < K; k++) {
      if (done[k]) continue;
      const [a, b] = pair[k];
      let agree = true;
      for (let q = 0; q < Q; q++) if (!(Math.abs(a.sums[q] - b.sums[q]) <= (DISK_TOL * Math.abs(total[q])) / K)) agree = false;
      if (agree || level[k] + 2 >= steps.length) {
        done[k] = true;
        // converged: keep the coarser; at the last step: keep the finest (hMin)
        if (!agree) pair[k] = [b, b];
        continue;
      }
      level[k]++;
      pair[k] = [b, diskLevel(model, pi, means, components, sigma, k, steps[level[k] + 1], zcut)];
      refined = true;
    }
    if (!refined) break;
  }
  const kept = pair.filter((p) => p).map((p) => p[0]);
  let rows = 0;
  for (const l of kept) rows += l.weights.length;
  const nodes = new Float64Array(rows * 2);
  const weights = new Float64Array(rows);
  let o = 0;
  for (const l of kept) {
    nodes.set(l.nodes, 2 * o);
    weights.set(l.weights, o);
    o += l.weights.length;
  }
  return {
    nodes: { rows, dim: 2, data: nodes },
    weights,
    monteCarlo: false,
    method: `trapezoid-z disk (2-D, refined to ${DISK_TOL})`,
  };
}

/** Component k's trapezoid nodes and weights at step h on ‖z‖ ≤ zcut, with its probe integrals. */
function diskLevel(
  model: DataModel,
  pi: Float64Array,
  means: Batch,
  components: readonly { lambda: Float64Array; vectors: Float64Array }[] | undefined,
  sigma: number,
  k: number,
  h: number,
  zcut: number,
): Level {
  const m = Math.floor(zcut / h);
  const s2 = sigma * sigma;
  const lam = components ? components[k].lambda : [0, 0];
  const V = components ? components[k].vectors : [1, 0, 0, 1];
  const s0 = Math.sqrt(lam[0] + s2);
  const s1 = Math.sqrt(lam[1] + s2);
  const xs: number[] = [];
  const ws: number[] = [];
  const zz: number[] = [];
  for (let i = -m; i <= m; i++)
    for (let j = -m; j <= m; j++) {
      const a = i * h;
      const b = j * h;
      if (a * a + b * b > zcut * zcut) continue;
      const w = (pi[k] * h * h * Math.exp(-0.5 * (a * a + b * b))) / (2 * Math.PI);
      if (w === 0) continue;
      xs.push(means.data[2 * k] + V[0] * s0 * a + V[1] * s1 * b, means.data[2 * k + 1] + V[2] * s0 * a + V[3] * s1 * b);
      ws.push(w);
      zz.push(a * a + b * b);
    }
  const nodes = Float64Array.from(xs);
  const weights = Float64Array.from(ws);
  const n = weights.length;
  const x: Batch = { rows: n, dim: 2, data: nodes };
  const labelled = model.numClasses > 0;
  const C = model.numClasses;
  const post = model.posterior(x, sigma, { entropy: model.discrete, classProbs: labelled, classMeans: labelled, logDensity: !model.discrete });
  // −log p(k|x) = log p_σ(x) − log π_k − log N_k(x), log N_k = −log(2π s0 s1) − ‖z‖²/2
  const logp = model.discrete ? undefined : (post.logDensity ?? model.logDensity(x, sigma));
  const logNorm = Math.log(pi[k]) - Math.log(2 * Math.PI * s0 * s1);
  const sums = new Float64Array(labelled ? 6 : 4);
  for (let r = 0; r < n; r++) {
    const w = weights[r];
    const d0 = post.mean.data[2 * r] - nodes[2 * r];
    const d1 = post.mean.data[2 * r + 1] - nodes[2 * r + 1];
    const e = logp ? logp[r] - logNorm + 0.5 * zz[r] : post.entropy![r];
    sums[0] += w * post.traceCov[r];
    sums[1] += w * (d0 * d0 + d1 * d1);
    sums[2] += w * e;
    sums[3] += w * e * e;
    if (!labelled) continue;
    sums[4] += w * post.classEntropy![r];
    // Σ_c p(c|x)‖m_c − m‖², the class entropy rate's integrand
    let between = 0;
    for (let c = 0; c < C; c++) {
      const o = (r * C + c) * 2;
      const pc = post.classProbs![r * C + c];
      if (pc > 0) between += pc * ((post.classMeans![o] - post.mean.data[2 * r]) ** 2 + (post.classMeans![o + 1] - post.mean.data[2 * r + 1]) ** 2);
    }
    sums[5] += w * between;
  }
  return { h, nodes, weights, sums };
}
