import type { Command } from "commander";
import { toRows } from "../batch.js";
import { envelope, modelInfo, withEnvelope } from "../contracts/envelope.js";
import { posteriorContract } from "../contracts/posterior.js";
import { InfodynError } from "../errors.js";
import { assertFinite, checkComputable } from "../analysis/validity.js";
import { interruptible } from "./abort.js";
import { checkMemory, checkWork, modelFactors } from "./budget.js";
import { emit, loadModel, loadPoints, parsePositiveList, type LoadedModel } from "./files.js";
import { exactModel } from "./needs.js";
import { formatTable } from "./table.js";

interface PosteriorOptions {
  sigma: string;
  points: string;
  json?: boolean;
  out?: string;
}

/**
 * `infodyn posterior MODEL --sigma S --points P [--json]`: exact posterior statistics at given points; for a
 * trained network (kind onnx) the posterior mean only.
 */
export function registerPosterior(program: Command): void {
  program
    .command("posterior")
    .description("posterior mean, trace of covariance, entropy and class probabilities at given noisy points")
    .argument("<model>", "model JSON file, or 'default' for the embedded dataset")
    .requiredOption("--sigma <s>", "noise level σ > 0: one number, or a comma-separated list with one per point (e.g. 0.5 or 0.5,1,2)")
    .requiredOption("--points <p>", "points as JSON ('[[0.1,0.2],[1,0]]'; '[0.1,0.5]' for a 1-D model) or a .npy/.npz/.csv file")
    .option("--json", "machine-readable JSON output")
    .option("--out <file>", "write the output to a file instead of stdout")
    .addHelpText("after", "\nA trained network (kind onnx) gives the posterior mean m(x) = D(x, σ) only.\n\nExample:\n  infodyn posterior examples/two-deltas.json --sigma 0.5 --points '[[0.2],[1.0]]' --json")
    .action(async (modelPath: string, opts: PosteriorOptions) => {
      const loaded = loadModel(modelPath);
      if (loaded.type === "denoiser" && loaded.kind === "onnx") return networkPosterior(loaded, opts);
      const { source } = loaded;
      const model = exactModel(loaded, "posterior");
      const x = loadPoints(opts.points, model.dim);
      const sig = parsePositiveList(opts.sigma, "--sigma");
      if (sig.length !== 1 && sig.length !== x.rows)
        throw new InfodynError(`--sigma: has ${sig.length} values, expected 1 or one per point (${x.rows})`);
      // σ within the range that can be computed for this model's scale, the work within the budget, and every
      // number finite before anything is printed (text or JSON): one line naming the culprit otherwise.
      checkComputable(model, sig, "--sigma");
      checkMemory("--points", [{ value: x.rows, label: "points" }, { value: Math.max(model.dim, model.numClasses, 1), label: "numbers per point" }]);
      checkWork("--points", [{ value: x.rows, label: "points" }, ...modelFactors(model)]);
      const sigma = sig.length === 1 ? sig[0] : Float64Array.from(sig);
      const post = model.posterior(x, sigma, { entropy: model.discrete, classProbs: model.numClasses > 0 });
      assertFinite({ mean: post.mean.data, traceCov: post.traceCov, entropy: post.entropy, classProbs: post.classProbs }, "posterior");
      const sigmas = Array.from({ length: x.rows }, (_, i) => (sig.length === 1 ? sig[0] : sig[i]));
      if (opts.json) {
        const env = envelope("posterior", modelInfo(loaded), { sigma: sig, numPoints: x.rows });
        const out = posteriorContract({ points: x, sigma: sigmas, stats: post, numClasses: model.numClasses, classNames: model.classNames }, env);
        emit(JSON.stringify(out, null, 2), opts.out);
        return;
      }
      const K = model.numClasses;
      const classProbs = post.classProbs
        ? Array.from({ length: x.rows }, (_, i) => Array.from(post.classProbs!.subarray(i * K, (i + 1) * K)))
        : undefined;
      const head = ["σ", "x", "m(x)", "Tr C", ...(post.entropy ? ["h (nats)"] : []), ...(classProbs ? ["p(c|x)"] : [])];
      const rows = sigmas.map((s, i) => [
        fmt(s),
        vec(toRows(x)[i]),
        vec(toRows(post.mean)[i]),
        fmt(post.traceCov[i]),
        ...(post.entropy ? [fmt(post.entropy[i])] : []),
        ...(classProbs ? [vec(classProbs[i])] : []),
      ]);
      emit(`model ${source} (${model.kind}, D = ${model.dim})\n` + formatTable(head, rows), opts.out);
    });
}

/** What a denoiser cannot give: every statistic but the mean needs the posterior itself. */
export const POSTERIOR_DENOISER_OMITTED: Record<string, string> = {
  traceCov: "Tr Cov[y|x] needs the posterior (an exact model); a denoiser gives its mean only",
  entropy: "h(x) = −Σ w log w needs the posterior weights (an exact model)",
  classProbs: "p(c|x) needs the posterior (an exact model)",
};

/** The posterior mean m(x) = D(x, σ) of a trained network at the query points, one call. */
async function networkPosterior(loaded: Extract<LoadedModel, { type: "denoiser" }>, opts: PosteriorOptions): Promise<void> {
  const { denoiser, source } = loaded;
  const x = loadPoints(opts.points, denoiser.dim);
  const sig = parsePositiveList(opts.sigma, "--sigma");
  if (sig.length !== 1 && sig.length !== x.rows)
    throw new InfodynError(`--sigma: has ${sig.length} values, expected 1 or one per point (${x.rows})`);
  checkMemory("--points", [{ value: x.rows, label: "points" }, { value: denoiser.dim, label: "numbers per point" }]);
  const sigma = sig.length === 1 ? sig[0] : Float64Array.from(sig);
  const mean = await interruptible(() => denoiser.denoise(x, sigma));
  assertFinite({ mean: mean.data }, "posterior");
  const sigmas = Array.from({ length: x.rows }, (_, i) => (sig.length === 1 ? sig[0] : sig[i]));
  if (opts.json) {
    const env = envelope("posterior", modelInfo(loaded), { sigma: sig, numPoints: x.rows });
    const out = withEnvelope(env, { sigma: sigmas, points: toRows(x), mean: toRows(mean), omitted: POSTERIOR_DENOISER_OMITTED });
    emit(JSON.stringify(out, null, 2), opts.out);
    return;
  }
  const rows = sigmas.map((s, i) => [fmt(s), vec(toRows(x)[i]), vec(toRows(mean)[i])]);
  emit(
    `model ${source} (${loaded.kind}, a denoiser, D = ${denoiser.dim}): the posterior mean only (Tr C, entropy and p(c|x) need an exact posterior)\n` +
      formatTable(["σ", "x", "m(x)"], rows),
    opts.out,
  );
}

const fmt = (v: number) => (Math.abs(v) >= 1e-3 && Math.abs(v) < 1e5) || v === 0 ? v.toPrecision(6) : v.toExponential(4);
const vec = (v: number[]) => `[${v.map(fmt).join(", ")}]`;
