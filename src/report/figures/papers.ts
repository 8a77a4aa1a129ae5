import type { VegaLiteSpec } from "../theme.js";
import { seed000Fig1, seed000Fig2 } from "./paper-000.js";
import { seed004Fig1, seed004Fig4 } from "./paper-004-digits.js";
import { seed004Fig2, seed004Fig3 } from "./paper-004-thermo.js";

export { seed000Fig1, seed000Fig2, twoDeltaFixedPoints } from "./paper-000.js";
export { firstBranching, seed004Fig1, seed004Fig4 } from "./paper-004-digits.js";
export { fourDeltas, seed004Fig2, seed004Fig3 } from "./paper-004-thermo.js";
export { specData } from "./paper-helpers.js";

/** One reproduced paper figure. */
export interface PaperFigure {
  /** File stem, e.g. `seed004-fig3`. */
  name: string;
  title: string;
  /** One line: what the figure shows. */
  caption: string;
  spec: VegaLiteSpec;
}

const FIGURES: { name: string; title: string; caption: string; build: (seed: number, onProgress?: (d: number, t: number) => void) => VegaLiteSpec }[] = [
  {
    name: "seed000-fig1",
    title: "Seed 000, fig. 1",
    caption: "Two deltas at ±1: H(y|x_σ) and I(y;x_σ) against log σ, and the fixed points of the score over a heatmap of log p_σ(x), for equal weights (pitchfork at σ_c = 1) and weights 0.8/0.2 (saddle-node).",
    build: () => seed000Fig1(),
  },
  {
    name: "seed000-fig2",
    title: "Seed 000, fig. 2",
    caption: "The symmetry-breaking potential −log p_σ(x) of two deltas above, at and below σ_c, and probability-flow trajectories, both coloured by the expansion rate of the reverse flow (finite-time Lyapunov exponent): red where nearby paths separate.",
    build: () => seed000Fig2(),
  },
  {
    name: "seed004-fig1",
    title: "Seed 004, fig. 1",
    caption: "Generating digits with the exact empirical score of 200 self-drawn 12 × 12 digit images: the noisy state and the denoiser's guess m(x_σ) from σ = 20 to the image.",
    build: (seed) => seed004Fig1(seed),
  },
  {
    name: "seed004-fig2",
    title: "Seed 004, fig. 2",
    caption: "Two deltas: (a) order-parameter paths x*(σ) over the regularized free-energy gradient −∂F̃/∂x with σ_c = 1 dashed; (b) forward Brownian paths from the deltas with the critical time t_c = 1 dashed.",
    build: (seed) => seed004Fig2(seed),
  },
  {
    name: "seed004-fig3",
    title: "Seed 004, fig. 3",
    caption: "Negative regularized free energy of four deltas at (±1,0), (0,±1) at five times t = σ², with its maxima and saddles: one maximum splits into four at t_c = ½.",
    build: () => seed004Fig3(),
  },
  {
    name: "seed004-fig4",
    title: "Seed 004, fig. 4 (analogue)",
    caption: "8 × 8 digits: sliced Wasserstein distance and class-proportion error of samples whose reverse ODE starts at σ from a Gaussian (vs from the true p_σ), with the first branching σ dashed.",
    build: (seed, onProgress) => seed004Fig4(seed, onProgress),
  },
];

/** The names of the paper figures, in order. */
export const PAPER_FIGURE_NAMES: readonly string[] = FIGURES.map((f) => f.name);

/**
 * Every figure of the two papers (seed 000 figs. 1–2, seed 004 figs. 1–4), as Vega-Lite specs with a name, a title
 * and a one-line caption. `seed` drives every random draw; `onProgress(done, total)` sees each finished figure.
 *
 * @example
 * paperFigures(0).map((f) => f.name); // ["seed000-fig1", …, "seed004-fig4"]
 */
export function paperFigures(seed = 0, onProgress?: (done: number, total: number) => void): PaperFigure[] {
  return FIGURES.map((f, i) => {
    const spec = f.build(seed);
    onProgress?.(i + 1, FIGURES.length);
    return { name: f.name, title: f.title, caption: f.caption, spec };
  });
}
