import type { Command } from "commander";
import { pmiContract, likelihoodEnvelope } from "../contracts/likelihood.js";
import { InfodynError } from "../errors.js";
import { exactPmi } from "../analysis/likelihood/exact.js";
import { gammaGrid } from "../analysis/likelihood/immse.js";
import { pointwiseMutualInformation } from "../analysis/likelihood/pmi.js";
import { DEFAULT_NODES, QUADRATURE_MAX_DIM } from "../analysis/likelihood/pointwise-mmse.js";
import { interruptible } from "./abort.js";
import { checkWork, dimFactor } from "./budget.js";
import { emit, loadPoints, parsePositiveList, sizeOption } from "./files.js";
import { fmt, setup, type SharedOptions } from "./likelihood.js";
import { progressBar } from "./progress.js";
import { formatTable } from "./table.js";

interface PmiOptions extends SharedOptions {
  labels: string;
  map?: boolean;
}

/**
 * `infodyn pmi MODEL --points P --labels L`: the pointwise mutual information log p(y|c) − log p(y) between each point
 * and its label, from the conditional and unconditional denoisers (the I-MMSE integral of their mmse difference).
 */
export function registerPmi(program: Command): void {
  program
    .command("pmi")
    .description("pointwise mutual information log p(y|c) − log p(y) between points and their labels, from a conditional denoiser")
    .argument("<model>", "labelled model JSON file (exact, or kind onnx with classes)")
    .requiredOption("--points <p>", "points y as JSON or a .npy/.npz/.csv file")
    .requiredOption("--labels <l>", "class index of each point: JSON ('[0,1]') or a .npy file")
    .option("--map", "also each coordinate's share of pmi (JSON `map`, points × D; for image data: where in the image the label is carried)")
    .option("--first <n>", "use only the first n points (and labels)")
    .option("--samples <n>", "Monte Carlo noise draws per point and σ level (D > 3 or a network; integer ≥ 2)", "16")
    .option("--nodes <n>", "Gauss–Hermite nodes per coordinate for D ≤ 3")
    .option("--step <h>", "step in log γ of the σ grid (default 0.2 exact, 0.25 network)")
    .option("--sigma-min <s>", "smallest σ (defaults as in likelihood)")
    .option("--sigma-max <s>", "largest σ")
    .option("--smoothing <s>", "the laws of y + s z (s ≥ 0)")
    .option("--seed <s>", "seed of the noise draws (integer in [0, 2^32))", "0")
    .option("--json", "machine-readable JSON output")
    .option("--out <file>", "write the output to a file instead of stdout")
    .addHelpText("after", "\npmi(y, c) = ½ ∫ [mmse(y, γ) − mmse_c(y, γ)] dγ; its mean over labelled data is I(y; c).\n\nExample:\n  infodyn pmi examples/gmm-2d.json --points '[[-1.5,0],[1.5,0]]' --labels '[0,1]' --json")
    .action(async (modelPath: string, opts: PmiOptions) => {
      const s = setup(modelPath, opts, "immse");
      const { loaded, denoiser, range, smoothing, seed, notes, points } = s;
      const K = denoiser.numClasses ?? 0;
      if (!(K > 0)) throw new InfodynError(`${loaded.source}: pmi needs a labelled (conditional) model; this one has no classes`);
      const labels = parseLabels(opts.labels, points.rows, K);
      const D = denoiser.dim;
      const step = opts.step !== undefined ? parsePositiveList(opts.step, "--step")[0] : loaded.type === "exact" ? 0.2 : 0.25;
      const nodes = opts.nodes !== undefined ? sizeOption(opts.nodes, "--nodes").value : undefined;
      const samples = sizeOption(opts.samples, "--samples", 2).value;
      const quadrature = loaded.type === "exact" && D <= QUADRATURE_MAX_DIM;
      const levels = gammaGrid(range.sigmaMin, range.sigmaMax, step).gamma.length;
      checkWork("--samples", [{ value: levels, label: "levels" }, { value: 2 * points.rows, label: "rows per point" }, { value: quadrature ? (nodes ?? DEFAULT_NODES[D]) ** D : samples, label: "draws" }, dimFactor(D)]);
      const exact = loaded.type === "exact" && loaded.model.structure?.type === "mixture" ? exactPmi(loaded.model, points, labels, smoothing) : undefined;
      const bar = progressBar("pmi");
      const t0 = performance.now();
      const estimate = await interruptible((signal) =>
        pointwiseMutualInformation(denoiser, points, labels, {
          sigmaMin: range.sigmaMin,
          sigmaMax: range.sigmaMax,
          step,
          smoothing,
          method: quadrature ? "quadrature" : "monte-carlo",
          nodes,
          samples,
          seed,
          signal,
          onProgress: bar.update,
          map: opts.map === true,
        }),
      );
      bar.stop();
      const seconds = (performance.now() - t0) / 1000;
      const params = { numPoints: points.rows, sigmaMin: range.sigmaMin, sigmaMax: range.sigmaMax, smoothing, seed, step: estimate.grid.step, levels: estimate.grid.gamma.length, mmse: estimate.mmseMethod, draws: estimate.draws };
      const out = pmiContract({ estimate, exact, seconds, notes }, likelihoodEnvelope("pmi", s.info, params));
      if (opts.json) return emit(JSON.stringify(out, null, 2), opts.out);
      const head = ["point", "label", "pmi (nats)", ...(out.standardError ? ["± SE"] : []), ...(out.exact ? ["exact"] : [])];
      const rows = out.pmi.map((v, i) => [String(i), String(labels[i]), fmt(v), ...(out.standardError ? [fmt(out.standardError[i])] : []), ...(out.exact ? [fmt(out.exact[i])] : [])]);
      emit(`model ${loaded.source} (${s.info.kind}, D = ${D}); ${out.cost.denoiserCalls} denoiser calls, ${seconds.toFixed(2)} s\n` + formatTable(head, rows), opts.out);
    });
}

/** Labels as JSON integers in [0, K) or a 1-D array file, one per point (the first n of a longer list). */
function parseLabels(text: string, n: number, K: number): Int32Array {
  let v: unknown;
  if (!text.trim().startsWith("[")) v = Array.from(loadPoints(text, 1, "--labels").data);
  else
    try {
      v = JSON.parse(text);
    } catch {
      throw new InfodynError(`--labels: not valid JSON (give class indices, e.g. '[0,1]')`);
    }
  if (!Array.isArray(v)) throw new InfodynError("--labels: expected an array of class indices");
  const labels = v.slice(0, n);
  if (labels.length !== n) throw new InfodynError(`--labels: ${(v as unknown[]).length} labels for ${n} points`);
  labels.forEach((c, i) => {
    if (!(Number.isInteger(c) && c >= 0 && c < K)) throw new InfodynError(`--labels[${i}]: ${JSON.stringify(c)} is not a class in [0, ${K})`);
  });
  return Int32Array.from(labels as number[]);
}
