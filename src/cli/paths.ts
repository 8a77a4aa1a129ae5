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

export { pathsReport } from "../analysis/dynamics/report.js";

interface PathsCliOptions {
  sampler: string;
  steps: string;
  n: string;
  sigmaMin: string;
  sigmaMax?: string;
  seed: string;
  json?: boolean;
  out?: string;
}

/** `infodyn paths MODEL`: sampled trajectories, pathwise entropy, decision σ's and Lyapunov exponents (issue 5). */
export function registerPaths(program: Command): void {
  program
    .command("paths")
    .description("sample reverse trajectories: pathwise entropy h(x_σ) and its variance, decision σ's, finite-time Lyapunov exponents")
    .argument("<model>", "model JSON file (an exact model, or a denoiser: testbed), or 'default' for the embedded dataset")
    .option("--sampler <s>", `${SAMPLER_NAMES.join(" | ")}: reverse SDE (em), probability-flow ODE (euler, heun, rk4), stochastic DDIM`, "em")
    .option("--steps <n>", "steps of the log-uniform σ grid (integer ≥ 1)", "200")
    .option("--n <n>", "number of trajectories (integer ≥ 1)", "1000")
    .option("--sigma-min <a>", "smallest σ (> 0)", "0.01")
    .option("--sigma-max <b>", "largest σ, where paths start from the exact p_σ (default max(10, 5·√Tr Cov(y)))")
    .option("--seed <s>", "seed of the paths (0 to 2³²−1); path i does not depend on --n", "0")
    .option("--json", "machine-readable JSON output")
    .option("--out <file>", "write the output to a file instead of stdout")
    .addHelpText("after", "\nExample:\n  infodyn paths examples/two-deltas.json --sampler heun --steps 200 --n 500 --json")
    .action(async (modelPath: string, opts: PathsCliOptions) => {
      const loaded = loadModel(modelPath);
      const { source } = loaded;
      if (!SAMPLER_NAMES.includes(opts.sampler as SamplerName))
        throw new InfodynError(`--sampler: unknown sampler '${opts.sampler}' (expected one of ${SAMPLER_NAMES.join(", ")})`);
      const [sigmaMin] = parsePositiveList(opts.sigmaMin, "--sigma-min");
      const sigmaMax = opts.sigmaMax === undefined ? undefined : parsePositiveList(opts.sigmaMax, "--sigma-max")[0];
      if (sigmaMax !== undefined && !(sigmaMax > sigmaMin)) throw new InfodynError(`--sigma-max: ${sigmaMax} must exceed --sigma-min ${sigmaMin}`);
      const steps = sizeOption(opts.steps, "--steps", 1);
      const n = sizeOption(opts.n, "--n", 1);
      const seed = seedOption(opts.seed);
      // The budgets (budget.ts): the pathwise entropies (levels × paths), the Lyapunov tangents (≤ 64 paths × levels
      // × D², kept per level × D), the output (8 kept trajectories and the exponents per level), the kernel work.
      const D = loaded.type === "exact" ? loaded.model.dim : loaded.denoiser.dim;
      const levels = { value: steps.value + 1, label: "levels", text: plusOne(steps.text) };
      const paths = { ...n, label: "paths" };
      checkMemory("--steps", [levels, paths]);
      checkMemory("--n", [paths, dimFactor(D), { value: 4, label: "state vectors" }]);
      checkMemory("--steps", [levels, { value: Math.min(64, n.value), label: "Lyapunov paths" }, dimFactor(D)]);
      checkSquare(D, "the tangent map of each Lyapunov path");
      checkOutput("--steps", [levels, { value: 10 * D + 8, label: "numbers per level" }]);
      const evals = { em: 1, euler: 1, heun: 2, rk4: 4, ddim: 1 }[opts.sampler as SamplerName] ?? 4;
      if (loaded.type === "exact")
        checkWork("--n", [paths, levels, ...modelFactors(loaded.model), { value: evals + 1, label: "evaluations per step" }]);
      if (loaded.type === "exact")
        checkWork("--steps", [levels, { value: Math.min(64, n.value), label: "Lyapunov paths" }, { value: D, label: "tangent directions" }, ...modelFactors(loaded.model)]);
      const options = {
        sampler: opts.sampler as SamplerName,
        steps: steps.value,
        n: n.value,
        sigmaMin,
        sigmaMax,
        seed,
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


/** The readable summary of a {@link pathsReport}: about 20 σ rows, the decision histogram's peak, final exponents. */
export function pathsTableText(report: Record<string, unknown>, source: string, kind = String(report.model)): string {
  const g = (v: number | undefined) => (v === undefined || Number.isNaN(v) ? "-" : v === 0 ? "0" : Math.abs(v) >= 1e-3 && Math.abs(v) < 1e5 ? v.toPrecision(5) : v.toExponential(3));
  const sigma = report.sigma as number[];
  const h = report.pathwiseEntropy as { mean: number[]; variance: number[] } | undefined;
  const lyap = report.lyapunov as { method: string; paths: number; sigma: number[]; exponents: number[][]; rates: number[][] };
  const every = Math.max(1, Math.round((sigma.length - 1) / 20));
  const rows: string[][] = [];
  for (let i = 0; i < sigma.length; i += every) {
    const ex = i > 0 ? lyap.exponents[i - 1] : undefined;
    const rate = i > 0 ? lyap.rates[i - 1] : undefined;
    rows.push([g(sigma[i]), ...(h ? [g(h.mean[i]), g(h.variance[i])] : []), ex ? ex.map(g).join(" ") : "-", rate ? g(Math.max(...rate)) : "-"]);
  }
  const fd = (lyap as { jacobian?: string }).jacobian === "finite-difference" ? ", Jacobian by finite differences of the denoiser" : "";
  const lines = [
    `paths of ${source} (${kind}, D = ${report.dim}): ${report.n} trajectories, sampler ${report.sampler}, ${report.steps} log-uniform steps, seed ${report.seed}`,
    `Lyapunov exponents (${lyap.method} ODE, ${lyap.paths} paths${fd}): growth per unit log σ from σ_max down to σ, positive = separating`,
    formatTable(["σ", ...(h ? ["mean h", "Var h"] : []), "Λ over [σ, σ_max]", "top local rate"], rows),
  ];
  const dec = report.decisionSigma as { edges: number[]; counts: number[] } | undefined;
  if (dec) {
    const j = dec.counts.indexOf(Math.max(...dec.counts));
    lines.push(`decisions: most paths (${dec.counts[j]}) decide for σ in [${g(dec.edges[j])}, ${g(dec.edges[j + 1])}]`);
  }
  if (report.omitted) lines.push(`omitted (they need a posterior): ${Object.keys(report.omitted as object).join(", ")}`);
  return lines.join("\n");
}
