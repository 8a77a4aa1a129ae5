import type { Command } from "commander";
import { pathsReport } from "../analysis/dynamics/report.js";
import { lyapunovMethod, SAMPLER_EVALUATIONS, SAMPLER_NAMES, SAMPLER_SETTINGS, type SamplerName } from "../analysis/dynamics/registry.js";
import type { SamplerSettings } from "../analysis/dynamics/sampler.js";
import { envelope, modelInfo } from "../contracts/envelope.js";
import { pathsContract, type PathsParams } from "../contracts/paths.js";
import { InfodynError } from "../errors.js";
import { interruptible } from "./abort.js";
import { denoiserPathsRoute } from "../analysis/denoiser-routes.js";
import { checkMemory, checkOutput, checkSquare, checkWork, dimFactor, modelFactors } from "./budget.js";
import { emit, loadModel, parsePositiveList, plusOne, seedOption, sizeOption, DECIMAL } from "./files.js";
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
  eta?: string;
  churn?: string;
  sTmin?: string;
  sTmax?: string;
  sNoise?: string;
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
    .option(
      "--sampler <s>",
      `${SAMPLER_NAMES.join(" | ")}: reverse SDE (em); probability-flow ODE by Euler, Heun, RK4, DPM-2 (k-diffusion's sample_dpm_2), ` +
        "LMS (linear multistep, order 4), DPM-Solver++(2M); stochastic DDIM = Euler ancestral (k-diffusion's sample_euler_ancestral)",
      "em",
    )
    .option("--steps <n>", "steps of the paths' log-uniform σ grid (integer ≥ 1)", "200")
    .option("--n <n>", "number of trajectories (integer ≥ 1)", "1000")
    .option("--sigma-min <a>", "smallest σ (> 0); default: from the data (see README, Default noise levels)")
    .option("--sigma-max <b>", "largest σ, where paths start from the exact p_σ (> --sigma-min); default: from the data, 10·√Tr Cov(y)")
    .option("--lyapunov-paths <n>", "paths (the first ones) along which the Lyapunov exponents are computed (integer ≥ 1, at most --n): each needs the full posterior covariance, N·D² per ODE stage", "16")
    .option("--lyapunov-steps <n>", "steps of the Lyapunov tangent flow's own log-uniform grid over the same range (integer ≥ 1); default min(--steps, 50)")
    .option("--eta <e>", "ddim, euler-ancestral: η in [0, 1], the ancestral noise σ_up = min(σ', η σ'√(σ² − σ'²)/σ) (0 = deterministic DDIM); default 1")
    .option("--churn <s>", "euler, heun, dpm2: EDM's S_churn ≥ 0, each step first raises σ to σ(1 + γ), γ = min(S_churn/steps, √2 − 1), on the levels in [--s-tmin, --s-tmax]; default 0 (deterministic)")
    .option("--s-tmin <a>", "with --churn: lower end S_tmin ≥ 0 of the churn window; default 0")
    .option("--s-tmax <b>", "with --churn: upper end S_tmax ≥ --s-tmin of the churn window ('inf' allowed); default inf")
    .option("--s-noise <s>", "with --churn, or for ddim / euler-ancestral: S_noise ≥ 0, the scale of the added noise; default 1")
    .option("--seed <s>", "seed of the paths (0 to 2³²−1); path i does not depend on --n", "0")
    .option("--json", "machine-readable JSON output")
    .option("--out <file>", "write the output to a file instead of stdout")
    .addHelpText(
      "after",
      "\nLyapunov exponents are per unit log σ in the direction of generation (σ decreasing): positive = nearby paths separate;" +
        "\neach path's spectrum is sorted largest first, then averaged over the paths (± standard errors across them)." +
        "\nDenoiser evaluations per step: em, euler, ddim, euler-ancestral, lms, dpmpp-2m 1; heun, dpm2 2; rk4 4 (the churn adds none)." +
        "\n\nExamples:\n  infodyn paths examples/two-deltas.json --sampler heun --steps 200 --n 500 --json" +
        "\n  infodyn paths examples/four-deltas.json --sampler heun --churn 40 --s-tmin 0.05 --s-tmax 5 --s-noise 1.003",
    )
    .action(async (modelPath: string, opts: PathsCliOptions) => {
      const loaded = loadModel(modelPath);
      const { source } = loaded;
      if (!SAMPLER_NAMES.includes(opts.sampler as SamplerName))
        throw new InfodynError(`--sampler: unknown sampler '${opts.sampler}' (expected one of ${SAMPLER_NAMES.join(", ")})`);
      const samplerOptions = samplerOptionsOf(opts.sampler as SamplerName, opts);
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
      const evals = SAMPLER_EVALUATIONS[opts.sampler as SamplerName];
      const lyapEvals = SAMPLER_EVALUATIONS[lyapunovMethod(opts.sampler as SamplerName)];
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
        ...(samplerOptions ? { samplerOptions } : {}),
      };
      const bar = progressBar("paths");
      const report: Record<string, unknown> =
        loaded.type === "exact"
          ? pathsReport(loaded.model, { ...options, onProgress: bar.update })
          : { ...(await interruptible((signal) => denoiserPathsRoute(loaded.denoiser, loaded.data, { ...options, labels: loaded.labels, signal, onProgress: bar.update }))) };
      bar.stop();
      const kind = loaded.type === "exact" ? loaded.model.kind : loaded.kind;
      const sigma = report.sigma as number[];
      const params: PathsParams = { ...options, sigmaMax: sigma[0], start: report.start as PathsParams["start"] };
      // The contract is built for the text too: it refuses a non-finite number before anything is written.
      const contract = pathsContract(report, envelope("paths", modelInfo(loaded), params));
      emit(opts.json ? JSON.stringify(contract) : pathsTableText(report, source, kind), opts.out);
    });
}

/** The CLI flag of each sampler setting. */
const SETTING_FLAGS: Record<"eta" | "sChurn" | "sTmin" | "sTmax" | "sNoise", string> = { eta: "--eta", sChurn: "--churn", sTmin: "--s-tmin", sTmax: "--s-tmax", sNoise: "--s-noise" };


/**
 * The sampler settings given on the command line, checked against the sampler (registry.ts's `SAMPLER_SETTINGS`)
 * and their ranges, with the sampler's other settings at their defaults (`sTmax` left out when ∞: JSON has no ∞);
 * undefined when none was given. One {@link InfodynError} naming the option: `--churn: the sampler 'lms' takes no
 * --churn (euler, heun, dpm2 do)`, `--eta: '1.5' is not a number in [0, 1]`, `--s-tmin: has no effect without --churn > 0`.
 */
export function samplerOptionsOf(sampler: SamplerName, opts: Pick<PathsCliOptions, "eta" | "churn" | "sTmin" | "sTmax" | "sNoise">): SamplerSettings | undefined {
  const text = { eta: opts.eta, sChurn: opts.churn, sTmin: opts.sTmin, sTmax: opts.sTmax, sNoise: opts.sNoise };
  const keys = (Object.keys(text) as (keyof typeof text)[]).filter((k) => text[k] !== undefined);
  if (keys.length === 0) return undefined;
  const takes = SAMPLER_SETTINGS[sampler];
  for (const k of keys)
    if (!takes.includes(k)) {
      const others = SAMPLER_NAMES.filter((s) => SAMPLER_SETTINGS[s].includes(k));
      throw new InfodynError(`${SETTING_FLAGS[k]}: the sampler '${sampler}' takes no ${SETTING_FLAGS[k]} (${others.join(", ")} do)`);
    }
  const number = (k: keyof typeof text, fallback: number, max = Infinity): number => {
    const t = text[k];
    if (t === undefined) return fallback;
    const v = k === "sTmax" && /^(inf|infinity)$/i.test(t) ? Infinity : Number(t);
    const range = max < Infinity ? `in [0, ${max}]` : "≥ 0";
    if (!(v === Infinity || DECIMAL.test(t)) || !(v >= 0 && v <= max) || (k !== "sTmax" && !Number.isFinite(v)))
      throw new InfodynError(`${SETTING_FLAGS[k]}: '${t}' is not a number ${range}${k === "sTmax" ? " (or inf)" : ""}`);
    return v;
  };
  if (takes.includes("eta")) return { eta: number("eta", 1, 1), sNoise: number("sNoise", 1) };
  const sChurn = number("sChurn", 0);
  if (!(sChurn > 0)) {
    const idle = keys.find((k) => k !== "sChurn");
    if (idle) throw new InfodynError(`${SETTING_FLAGS[idle]}: has no effect without --churn > 0`);
  }
  const sTmin = number("sTmin", 0);
  const sTmax = number("sTmax", Infinity);
  if (!(sTmax >= sTmin)) throw new InfodynError(`--s-tmax: ${sTmax} must be ≥ --s-tmin ${sTmin}`);
  return { sChurn, sTmin, ...(sTmax < Infinity ? { sTmax } : {}), sNoise: number("sNoise", 1) };
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
  const cls = report.classifier as { paths: number; classEntropy: number[]; standardError: number[]; steepestFall: { sigma: number; value: number }; predicted: number[] } | undefined;
  if (cls) {
    const every = Math.max(1, Math.round((sigma.length - 1) / 10));
    const rows: string[][] = [];
    for (let i = 0; i < sigma.length; i += every) rows.push([g(sigma[i]), pm(cls.classEntropy[i], cls.standardError[i])]);
    if ((sigma.length - 1) % every !== 0) rows.push([g(sigma[sigma.length - 1]), pm(cls.classEntropy[sigma.length - 1], cls.standardError[sigma.length - 1])]);
    lines.push(
      `online Bayes classifier along the first ${cls.paths} paths (p(c|x) by the ratio of the class and unconditional kernels; nats, ± SE over the paths):`,
      formatTable(["σ", "H(c|x)"], rows),
      `  falls fastest at σ ≈ ${g(cls.steepestFall.sigma)} (${g(cls.steepestFall.value)} nats per unit log σ); paths ending on each class: ${cls.predicted.join(", ")}`,
    );
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
