import type { Command } from "commander";
import { pathsReport } from "../analysis/dynamics/report.js";
import { SAMPLER_NAMES, type SamplerName } from "../analysis/dynamics/registry.js";
import { envelope, modelInfo } from "../contracts/envelope.js";
import { pathsContract, type PathsParams } from "../contracts/paths.js";
import { InfodynError } from "../errors.js";
import { interruptible } from "./abort.js";
import { denoiserPathsRoute } from "./denoiser-routes.js";
import { checkMemory, checkOutput, checkSquare, checkWork, dimFactor, modelFactors } from "./budget.js";
import { emit, loadModel, parsePositiveList, plusOne, seedOption, sizeOption } from "./files.js";
import { progressBar } from "./progress.js";
import { formatTable } from "./table.js";
import { defaultSigmaRange, pointsSigmaRange, type SigmaRange } from "../analysis/scale.js";
import { checkComputable } from "../analysis/validity.js";
import type { LoadedModel } from "./files.js";

export { pathsReport } from "../analysis/dynamics/report.js";

interface PathsCliOptions {
  sampler: string;
  steps: string;
  n: string;
  sigmaMin?: string;
  sigmaMax?: string;
  lyapunovPaths: string;
  lyapunovSteps?: string;
  seed: string;
  json?: boolean;
  out?: string;
}

/** `infodyn paths MODEL`: sampled trajectories, pathwise entropy, decision σ's and Lyapunov exponents (issue 5). */
export function registerPaths(program: Command): void {
  program
    .command("paths")
    .description("sample reverse trajectories: pathwise entropy h(x_σ) and its variance, decision σ's, finite-time Lyapunov exponents")
    .argument("<model>", "model JSON file (an exact model, or a denoiser: testbed or onnx), or 'default' for the embedded dataset")
    .option("--sampler <s>", `${SAMPLER_NAMES.join(" | ")}: reverse SDE (em), probability-flow ODE (euler, heun, rk4), stochastic DDIM`, "em")
    .option("--steps <n>", "steps of the paths' log-uniform σ grid (integer ≥ 1)", "200")
    .option("--n <n>", "number of trajectories (integer ≥ 1)", "1000")
    .option("--sigma-min <a>", "smallest σ (> 0); default: from the data (see README, Default noise levels)")
    .option("--sigma-max <b>", "largest σ, where paths start from the exact p_σ (> --sigma-min); default: from the data, 10·√Tr Cov(y)")
    .option("--lyapunov-paths <n>", "paths (the first ones) along which the Lyapunov exponents are computed (integer ≥ 1, at most --n): each needs the full posterior covariance, N·D² per ODE stage", "16")
    .option("--lyapunov-steps <n>", "steps of the Lyapunov tangent flow's own log-uniform grid over the same range (integer ≥ 1); default min(--steps, 50)")
    .option("--seed <s>", "seed of the paths (0 to 2³²−1); path i does not depend on --n", "0")
    .option("--json", "machine-readable JSON output")
    .option("--out <file>", "write the output to a file instead of stdout")
    .addHelpText(
      "after",
      "\nLyapunov exponents are per unit log σ in the direction of generation (σ decreasing): positive = nearby paths separate;" +
        "\neach path's spectrum is sorted largest first, then averaged over the paths (± standard errors across them)." +
        "\n\nExample:\n  infodyn paths examples/two-deltas.json --sampler heun --steps 200 --n 500 --json",
    )
    .action(async (modelPath: string, opts: PathsCliOptions) => {
      const loaded = loadModel(modelPath);
      const { source } = loaded;
      if (!SAMPLER_NAMES.includes(opts.sampler as SamplerName))
        throw new InfodynError(`--sampler: unknown sampler '${opts.sampler}' (expected one of ${SAMPLER_NAMES.join(", ")})`);
      const given = (text: string | undefined, name: string) => (text === undefined ? undefined : parsePositiveList(text, name)[0]);
      const range = opts.sigmaMin === undefined || opts.sigmaMax === undefined ? defaultRange(loaded) : undefined;
      const sigmaMin = given(opts.sigmaMin, "--sigma-min") ?? range!.min;
      const sigmaMax = given(opts.sigmaMax, "--sigma-max") ?? range!.max;
      if (!(sigmaMax > sigmaMin))
        throw new InfodynError(
          opts.sigmaMax === undefined
            ? `--sigma-min: ${sigmaMin} must be below the default --sigma-max ${sigmaMax} (from the data)`
            : `--sigma-max: ${sigmaMax} must exceed --sigma-min ${sigmaMin}`,
        );
      if (loaded.type === "exact") checkComputable(loaded.model, [sigmaMin, sigmaMax], opts.sigmaMin === undefined && opts.sigmaMax === undefined ? "sigma range" : "--sigma-min/--sigma-max");
      const steps = sizeOption(opts.steps, "--steps", 1);
      const n = sizeOption(opts.n, "--n", 1);
      const lyapunovPaths = Math.min(sizeOption(opts.lyapunovPaths, "--lyapunov-paths", 1).value, n.value);
      const lyapunovSteps = opts.lyapunovSteps === undefined ? Math.min(steps.value, 50) : sizeOption(opts.lyapunovSteps, "--lyapunov-steps", 1).value;
      const seed = seedOption(opts.seed);
      // The budgets (budget.ts): the pathwise entropies (levels × paths), the Lyapunov tangents (Lyapunov paths ×
      // D², kept per level × D), the output (8 kept trajectories and the exponents per level), the kernel work.
      const D = loaded.type === "exact" ? loaded.model.dim : loaded.denoiser.dim;
      const levels = { value: steps.value + 1, label: "levels", text: plusOne(steps.text) };
      const lyapLevels = { value: lyapunovSteps + 1, label: "Lyapunov levels" };
      const paths = { ...n, label: "paths" };
      const lyapPaths = { value: lyapunovPaths, label: "Lyapunov paths" };
      checkMemory("--steps", [levels, paths]);
      checkMemory("--n", [paths, dimFactor(D), { value: 4, label: "state vectors" }]);
      checkMemory("--lyapunov-steps", [lyapLevels, lyapPaths, dimFactor(D)]);
      checkSquare(D, "the tangent map of each Lyapunov path");
      checkOutput("--steps", [levels, { value: 8 * D + 8, label: "numbers per level" }]);
      checkOutput("--lyapunov-steps", [lyapLevels, { value: 4 * D + 4, label: "numbers per level" }]);
      const evals = { em: 1, euler: 1, heun: 2, rk4: 4, ddim: 1 }[opts.sampler as SamplerName] ?? 4;
      const lyapEvals = { euler: 1, heun: 2, rk4: 4 }[opts.sampler] ?? 2;
      if (loaded.type === "exact")
        checkWork("--n", [paths, levels, ...modelFactors(loaded.model), { value: evals + 1, label: "evaluations per step" }]);
      if (loaded.type === "exact")
        checkWork("--lyapunov-steps", [lyapLevels, lyapPaths, { value: lyapEvals, label: "evaluations per step" }, { value: D, label: "tangent directions" }, ...modelFactors(loaded.model)]);
      const options = {
        sampler: opts.sampler as SamplerName,
        steps: steps.value,
        n: n.value,
        sigmaMin,
        sigmaMax,
        seed,
        lyapunovPaths,
        lyapunovSteps,
      };
      const bar = progressBar("paths");
      const report: Record<string, unknown> =
        loaded.type === "exact"
          ? pathsReport(loaded.model, { ...options, onProgress: bar.update })
          : { ...(await interruptible((signal) => denoiserPathsRoute(loaded.denoiser, loaded.data, { ...options, signal, onProgress: bar.update }))) };
      bar.stop();
      const kind = loaded.type === "exact" ? loaded.model.kind : loaded.kind;
      const sigma = report.sigma as number[];
      const params: PathsParams = { ...options, sigmaMax: sigma[0], start: report.start as PathsParams["start"] };
      // The contract is built for the text too: it refuses a non-finite number before anything is written.
      const contract = pathsContract(report, envelope("paths", modelInfo(loaded), params));
      emit(opts.json ? JSON.stringify(contract) : pathsTableText(report, source, kind), opts.out);
    });
}


/** The default σ range of a loaded model: the model's own, or that of a denoiser's data samples. */
function defaultRange(loaded: LoadedModel): SigmaRange {
  return loaded.type === "exact" ? defaultSigmaRange(loaded.model) : pointsSigmaRange(loaded.data.data, loaded.data.dim, "the data samples'");
}

/**
 * The readable summary of a {@link pathsReport}: the pathwise entropy (mean ± SE, Var h ± SE) on about 20 of the
 * paths' levels, the decision histogram's peak, then the Lyapunov spectrum on about 20 of its levels: the top
 * three exponents Λ over [σ, σ_max] and their sum, the top local rate and the sum of the local rates (± SE).
 */
export function pathsTableText(report: Record<string, unknown>, source: string, kind = String(report.model)): string {
  const g = (v: number | undefined) => (v === undefined || Number.isNaN(v) ? "-" : v === 0 ? "0" : Math.abs(v) >= 1e-3 && Math.abs(v) < 1e5 ? v.toPrecision(5) : v.toExponential(3));
  const e2 = (se: number) => (se !== 0 && Math.abs(se) < 1e-3 ? se.toExponential(1) : se.toPrecision(2));
  const pm = (v: number, se: number | undefined) => (se === undefined ? g(v) : `${g(v)} ± ${e2(se)}`);
  const sigma = report.sigma as number[];
  const h = report.pathwiseEntropy as { mean: number[]; variance: number[]; standardError: number[]; varianceStandardError?: number[] } | undefined;
  const lyap = report.lyapunov as {
    method: string;
    paths: number;
    sigma: number[];
    exponents: number[][];
    exponentsStandardError?: number[][];
    exponentSum?: number[];
    rates: number[][];
    ratesStandardError?: number[][];
    rateSum?: number[];
    rateSumStandardError?: number[];
    jacobian?: string;
  };
  const lines = [`paths of ${source} (${kind}, D = ${report.dim}): ${report.n} trajectories, sampler ${report.sampler}, ${report.steps} log-uniform steps from σ = ${g(sigma[0])} to ${g(sigma[sigma.length - 1])}, seed ${report.seed}`];
  if (h) {
    const every = Math.max(1, Math.round((sigma.length - 1) / 20));
    const rows: string[][] = [];
    for (let i = 0; i < sigma.length; i += every) rows.push([g(sigma[i]), pm(h.mean[i], h.standardError[i]), pm(h.variance[i], h.varianceStandardError?.[i])]);
    lines.push("pathwise entropy h(x_σ) over the paths (nats; ± standard errors):", formatTable(["σ", "mean h", "Var h"], rows));
  }
  const dec = report.decisionSigma as { edges: number[]; counts: number[] } | undefined;
  if (dec) {
    const j = dec.counts.indexOf(Math.max(...dec.counts));
    lines.push(`decisions: most paths (${dec.counts[j]}) decide for σ in [${g(dec.edges[j])}, ${g(dec.edges[j + 1])}]`);
  }
  const fd = lyap.jacobian === "finite-difference" ? ", Jacobian by finite differences of the denoiser" : "";
  const k = lyap.exponents[0]?.length ?? 0;
  const top = Math.min(3, k);
  const sums = k > 1 && lyap.exponentSum !== undefined && lyap.rateSum !== undefined;
  const every = Math.max(1, Math.round(lyap.sigma.length / 20));
  const rows: string[][] = [];
  for (let i = (lyap.sigma.length - 1) % every; i < lyap.sigma.length; i += every)
    rows.push([
      g(lyap.sigma[i]),
      ...Array.from({ length: top }, (_, j) => pm(lyap.exponents[i][j], lyap.exponentsStandardError?.[i][j])),
      ...(sums ? [g(lyap.exponentSum![i])] : []),
      pm(lyap.rates[i][0], lyap.ratesStandardError?.[i][0]),
      ...(sums ? [pm(lyap.rateSum![i], lyap.rateSumStandardError?.[i])] : []),
    ]);
  lines.push(
    `Lyapunov spectrum (${lyap.method} ODE, ${lyap.paths} paths, ${lyap.sigma.length} log-uniform steps${fd}; ${k} exponents): per unit log σ in the direction of generation (σ decreasing), positive = nearby paths separate; each path's spectrum sorted largest first, then averaged (± SE across paths)`,
    formatTable(
      ["σ", ...Array.from({ length: top }, (_, j) => `Λ${j + 1} over [σ, σ_max]`), ...(sums ? ["ΣΛ"] : []), "top local rate", ...(sums ? ["Σ local rates"] : [])],
      rows,
    ),
  );
  if (report.omitted) lines.push(`omitted (they need a posterior): ${Object.keys(report.omitted as object).join(", ")}`);
  return lines.join("\n");
}
