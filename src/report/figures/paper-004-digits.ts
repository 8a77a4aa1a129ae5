import { type Batch, row } from "../../batch.js";
import { dataMoments, exactNoisy, initialNoise } from "../../analysis/dynamics/initial.js";
import { sampleHeun } from "../../analysis/dynamics/ode.js";
import { edmSigmas, logSigmas } from "../../noise/grid.js";
import { type Mixture1d, wasserstein1Exact } from "../../analysis/schedule/wasserstein.js";
import { digitsModel } from "../../models/digits.js";
import type { DataModel } from "../../models/types.js";
import { createRng } from "../../numeric/rng.js";
import { figure, type VegaLiteSpec } from "../theme.js";
import { dashedRule, logspace, named, round, type Row } from "./paper-helpers.js";

/**
 * Seed 004 fig. 1: the generative process of a digit. Exact-score probability-flow sampling (Heun, EDM-style
 * grid from σ = 20 to 0.01, then x ← m(x)) of the self-generated 12 × 12 digit dataset (200 images,
 * {@link digitImages}); for three seeded samples, the state x_σ (shown as the VP-scaled image x/√(1 + σ²), clipped to
 * [0, 1]) and the denoiser's guess m(x_σ) = E[y | x_σ] at eight noise levels, from noise to image.
 */
export function seed004Fig1(seed = 0): VegaLiteSpec {
  const size = 12;
  const model = digitsModel({ size: 12, perDigit: 20 });
  const shown = [20, 6, 3, 1.5, 0.8, 0.4, 0.15, 0];
  const grid = Array.from(new Set([...logSigmas(60, 0.01, 20), ...shown.slice(0, -1)])).sort((a, b) => b - a);
  const sigmas = [...grid, 0];
  const n = 3;
  const x0 = exactNoisy(model, n, 20, seed);
  const snaps = new Map<number, { x: Float64Array; m: Float64Array }>();
  const final = sampleHeun(model, x0, sigmas, {
    callback: ({ sigma, x, denoised }) => {
      if (shown.includes(sigma)) snaps.set(sigma, { x: Float64Array.from(x.data), m: Float64Array.from(denoised.data) });
    },
  });
  snaps.set(0, { x: Float64Array.from(final.data), m: Float64Array.from(final.data) });
  const D = size * size;
  const cell = size + 3;
  const pixels: Row[] = [];
  const rowLabels: Row[] = [];
  const classes = model.posterior(final, 0.05, { classProbs: true }).classProbs!;
  for (let s = 0; s < n; s++) {
    let best = 0;
    for (let c = 1; c < 10; c++) if (classes[s * 10 + c] > classes[s * 10 + best]) best = c;
    rowLabels.push({ r: 2 * s, text: `sample ${s + 1}: x_σ` }, { r: 2 * s + 1, text: `m(x_σ) → “${best}”` });
    shown.forEach((sigma, col) => {
      const snap = snaps.get(sigma)!;
      const scale = 1 / Math.sqrt(1 + sigma * sigma);
      for (let q = 0; q < D; q++) {
        const [r, c] = [Math.floor(q / size), q % size];
        for (const [k, v] of [[0, snap.x[s * D + q] * scale], [1, snap.m[s * D + q]]] as const)
          pixels.push({ px: col * cell + c, py: (2 * s + k) * cell + r, v: round(Math.min(1, Math.max(0, v)), 3) });
      }
    });
  }
  const cols = shown.length;
  const rows = 2 * n;
  const unit = 4.5;
  const px = { field: "px", type: "quantitative", axis: null, scale: { domain: [-0.5, cols * cell - 2.5], nice: false, zero: false } };
  const py = { field: "py", type: "quantitative", axis: null, scale: { domain: [-0.5, rows * cell - 2.5], nice: false, zero: false, reverse: true } };
  return figure("Seed 004, fig. 1 — generating a digit with the exact score of 200 self-drawn 12 × 12 digits", {
    view: { stroke: null },
    width: (cols * cell - 2) * unit,
    height: (rows * cell - 2) * unit,
    layer: [
      {
        data: named("pixels", pixels),
        mark: { type: "rect" },
        transform: [
          { calculate: "datum.px - 0.5", as: "x0" },
          { calculate: "datum.px + 0.5", as: "x1" },
          { calculate: "datum.py - 0.5", as: "y0" },
          { calculate: "datum.py + 0.5", as: "y1" },
        ],
        encoding: {
          x: { ...px, field: "x0" },
          x2: { field: "x1" },
          y: { ...py, field: "y0" },
          y2: { field: "y1" },
          color: { field: "v", type: "quantitative", title: "grey level", scale: { domain: [0, 1], range: ["black", "white"] }, legend: null },
        },
      },
      {
        data: { values: shown.map((sigma, col) => ({ px: col * cell + (size - 1) / 2, py: -1.2, text: `σ = ${sigma}` })) },
        mark: { type: "text", baseline: "bottom", fontSize: 12 },
        encoding: { x: px, y: py, text: { field: "text" } },
      },
      {
        data: { values: rowLabels.map((l) => ({ px: -1, py: (l.r as number) * cell + (size - 1) / 2, text: l.text })) },
        mark: { type: "text", align: "right", fontSize: 12 },
        encoding: { x: px, y: py, text: { field: "text" } },
      },
    ],
  });
}

/**
 * The first branching of a labelled deltas model, read downward in σ: the largest σ at which the class means,
 * moved by mean-shift `x ← m(x)` (THEORY.md §5: it converges to the modes of p_σ), reach more than one mode
 * (modes merged within 0.05σ). Method: the first level with several modes on a descending log grid of `steps`
 * intervals over [σ_min, σ_max], then bisection in log σ to 1e-3 relative; `iterations` mean-shift steps per σ.
 * NaN when p_σ has one mode down to σ_min. Mean-shift is slow next to a branching, so the result is good to the
 * bisection width only when `iterations` is large enough (checked: 200 and 1000 agree on the digit data).
 */
export function firstBranching(model: DataModel, sigmaMax: number, sigmaMin: number, steps = 12, iterations = 200): number {
  const st = model.structure;
  const labels = (model as { set?: { labels?: Int32Array } }).set?.labels;
  if (!st || st.type !== "mixture" || !labels) return NaN;
  const D = model.dim;
  const K = model.numClasses;
  const starts = new Float64Array(K * D);
  const counts = new Float64Array(K);
  for (let j = 0; j < st.means.rows; j++) {
    counts[labels[j]] += st.weights[j];
    for (let d = 0; d < D; d++) starts[labels[j] * D + d] += st.weights[j] * st.means.data[j * D + d];
  }
  for (let c = 0; c < K; c++) for (let d = 0; d < D; d++) starts[c * D + d] /= counts[c];
  const modes = (sigma: number) => {
    let x: Batch = { rows: K, dim: D, data: Float64Array.from(starts) };
    for (let k = 0; k < iterations; k++) x = model.denoise(x, sigma);
    const reps: Float64Array[] = [];
    for (let i = 0; i < K; i++) {
      const r = row(x, i);
      if (!reps.some((q) => Math.hypot(...q.map((v, d) => v - r[d])) < 0.05 * sigma)) reps.push(r);
    }
    return reps.length;
  };
  const grid = logspace(sigmaMax, sigmaMin, steps + 1);
  for (let i = 1; i < grid.length; i++) {
    if (modes(grid[i]) === 1) continue;
    let [lo, hi] = [grid[i], grid[i - 1]];
    while (hi / lo > 1 + 1e-3) {
      const mid = Math.sqrt(lo * hi);
      if (modes(mid) > 1) lo = mid;
      else hi = mid;
    }
    return Math.sqrt(lo * hi);
  }
  return NaN;
}

/** Class-proportion error ½ Σ_c |p̂_c − π_c| of samples classified by their class posterior at a small σ. */
function classError(model: DataModel, x: Batch, weights: ArrayLike<number>): number {
  const K = model.numClasses;
  const probs = model.posterior(x, 0.05, { classProbs: true }).classProbs!;
  const counts = new Float64Array(K);
  for (let i = 0; i < x.rows; i++) {
    let best = 0;
    for (let c = 1; c < K; c++) if (probs[i * K + c] > probs[i * K + best]) best = c;
    counts[best] += 1 / x.rows;
  }
  let e = 0;
  for (let c = 0; c < K; c++) e += Math.abs(counts[c] - weights[c]);
  return e / 2;
}

/** Sliced Wasserstein-1 distance between samples and a deltas model, over `directions` seeded unit vectors. */
function slicedW1(model: DataModel, x: Batch, directions: number, seed: number): number {
  const st = model.structure;
  if (!st || st.type !== "mixture") return NaN;
  const D = model.dim;
  const rng = createRng(seed);
  const u = new Float64Array(D);
  let total = 0;
  for (let k = 0; k < directions; k++) {
    rng.fillNormal(u);
    const norm = Math.hypot(...u);
    const proj = (b: Batch, i: number) => row(b, i).reduce((a, v, d) => a + (v * u[d]) / norm, 0);
    const mix: Mixture1d = {
      weights: Float64Array.from(st.weights),
      means: Float64Array.from({ length: st.means.rows }, (_, i) => proj(st.means, i)),
      sds: new Float64Array(st.means.rows),
    };
    total += wasserstein1Exact(Float64Array.from({ length: x.rows }, (_, i) => proj(x, i)), mix);
  }
  return total / directions;
}

/**
 * Seed 004 fig. 4, the analogue of Raya & Ambrogioni's experiment: sample quality against the σ at which reverse
 * sampling starts, from the Gaussian `N(mean, (σ² + Var) I)` (which matches p_σ's first two moments) or from the
 * true p_σ (the reference), on the 8 × 8 digit dataset (100 images). Quality: sliced Wasserstein-1 distance to the
 * data (32 directions) and class-proportion error. Probability-flow ODE (Heun, EDM grid with 12 levels down to
 * 0.01, then x ← m(x)), 200 samples with the same seeds at every start. The first branching
 * (the largest σ with several modes, {@link firstBranching}) is dashed: starting from the Gaussian above it costs
 * little, below it the classes come out wrong.
 */
export function seed004Fig4(seed = 0, onProgress?: (done: number, total: number) => void): VegaLiteSpec {
  const model = digitsModel({ size: 8, perDigit: 10 });
  const moments = dataMoments(model);
  const weights = new Float64Array(10).fill(0.1);
  const branching = firstBranching(model, 3, 0.1);
  const starts = logspace(0.15, 12, 9);
  const n = 200;
  const values: Row[] = [];
  starts.forEach((sigma, k) => {
    const grid = edmSigmas(12, 0.01, sigma, 7, { zero: true });
    for (const [start, x0] of [
      ["Gaussian N(mean, (σ² + Var) I)", initialNoise(n, model.dim, sigma, seed, moments)],
      ["true p_σ (reference)", exactNoisy(model, n, sigma, seed)],
    ] as const) {
      const x = sampleHeun(model, x0, grid);
      values.push(
        { sigma, start, metric: "sliced W₁ to the data (grey levels)", value: slicedW1(model, x, 32, seed + 1) },
        { sigma, start, metric: "class-proportion error ½Σ|p̂ − π|", value: classError(model, x, weights) },
      );
    }
    onProgress?.(k + 1, starts.length);
  });
  const sx = { field: "sigma", type: "quantitative", scale: { type: "log", nice: false }, title: "σ at which reverse sampling starts (log scale)" };
  const panel = (metric: string) => ({
    width: 360,
    height: 240,
    layer: [
      {
        data: named(metric, values.filter((v) => v.metric === metric)),
        mark: { type: "line", point: true },
        encoding: {
          x: sx,
          y: { field: "value", type: "quantitative", title: metric.split(" (")[0] },
          color: { field: "start", type: "nominal", title: "initial law", legend: { orient: "bottom", direction: "horizontal" } },
        },
      },
      ...dashedRule("firstBranching", "sigma", branching, `first branching σ = ${branching.toFixed(2)}`, sx),
    ],
  });
  return figure("Seed 004, fig. 4 (analogue) — sample quality vs the σ where generation starts from a Gaussian (8 × 8 digits)", {
    hconcat: [panel("sliced W₁ to the data (grey levels)"), panel("class-proportion error ½Σ|p̂ − π|")],
  });
}
