import type { Command } from "commander";
import { informationProfile, type InformationProfile } from "../analysis/info/grid.js";
import { envelope, modelInfo, type SigmaGridParams } from "../contracts/envelope.js";
import type { DenoiserProfile } from "../contracts/denoiser-profile.js";
import {
  exactProfilePayload,
  profileContract,
  type ProfileParams,
  type ProfilePayload,
  RATE_ESTIMATORS,
} from "../contracts/profile.js";
import { logSigmas, sigmaGrid } from "../noise/grid.js";
import { InfodynError } from "../errors.js";
import { noiseProcess, PROCESS_NAMES, type ProcessName } from "../noise/process.js";
import { interruptible } from "./abort.js";
import { DENOISER_ESTIMATORS, denoiserProfileRoute } from "./denoiser-routes.js";
import { checkMemory, checkOutput, checkWork, dimFactor, modelFactors, type Factor } from "./budget.js";
import { emit, loadModel, parsePositiveList, plusOne, seedOption, sizeOption } from "./files.js";
import { progressBar } from "./progress.js";
import { formatTable } from "./table.js";

interface ProfileCliOptions {
  sigma?: string;
  sigmaMin: string;
  sigmaMax: string;
  steps: string;
  process?: string;
  samples: string;
  seed: string;
  json?: boolean;
  out?: string;
}

/** `infodyn profile MODEL`: the information profile over a σ grid (issue 4's JSON contract); any denoiser. */
export function registerProfile(program: Command): void {
  program
    .command("profile")
    .description("entropy, mutual information, mmse and the entropy rate by five estimators over a σ grid, with their peaks")
    .argument("<model>", "model JSON file (an exact model, or a denoiser: testbed), or 'default' for the embedded dataset")
    .option("--sigma <list>", "explicit noise levels, comma-separated (e.g. 0.1,0.5,1)")
    .option("--sigma-min <a>", "smallest σ of a log-uniform grid (> 0)", "0.01")
    .option("--sigma-max <b>", "largest σ of a log-uniform grid", "100")
    .option("--steps <n>", "intervals of the log-uniform grid (n + 1 levels, integer ≥ 1)", "100")
    .option("--process <p>", `also report t(σ) and dH/dt for a forward process: ${PROCESS_NAMES.join(", ")} (ve with ν = 1)`)
    .option("--samples <n>", "Monte Carlo samples per σ where no quadrature applies (integer ≥ 100; exact models — a denoiser's data samples come from its model file)", "20000")
    .option("--seed <s>", "seed of the Monte Carlo draws (0 to 2³²−1)", "0")
    .option("--json", "machine-readable JSON output")
    .option("--out <file>", "write the output to a file instead of stdout")
    .addHelpText("after", "\nExample:\n  infodyn profile examples/two-deltas.json --sigma-min 0.05 --sigma-max 10 --steps 200 --json")
    .action(async (modelPath: string, opts: ProfileCliOptions) => {
      const loaded = loadModel(modelPath);
      const { grid, levels } = opts.sigma !== undefined ? listGrid(opts.sigma) : gridFromOptions(opts);
      const samples = sizeOption(opts.samples, "--samples", 100);
      const seed = seedOption(opts.seed);
      // Sizes against the budgets (budget.ts) before any work: the σ levels' arrays and output, the Monte Carlo
      // batch, and the posterior-kernel work of the whole profile.
      const D = loaded.type === "exact" ? loaded.model.dim : loaded.denoiser.dim;
      checkMemory(levels.option, [levels, { value: 64, label: "numbers per level" }]);
      checkOutput(levels.option, [levels, { value: 24, label: "numbers per level" }]);
      if (loaded.type === "exact") {
        checkMemory("--samples", [{ ...samples, label: "samples" }, dimFactor(D)]);
        checkWork("--samples", [{ ...samples, label: "samples" }, levels, ...modelFactors(loaded.model), { value: 4, label: "evaluations" }]);
      } else checkWork(levels.option, [levels, { value: loaded.data.rows, label: "data samples" }, dimFactor(D), { value: 4, label: "denoiser calls" }]);
      const sigmas = grid.spacing === "list" ? Float64Array.from(grid.sigma) : logSigmas(grid.levels, grid.sigmaMin, grid.sigmaMax);
      let process;
      if (opts.process !== undefined) {
        if (!PROCESS_NAMES.includes(opts.process as ProcessName))
          throw new InfodynError(`--process: unknown process '${opts.process}' (expected one of ${PROCESS_NAMES.join(", ")})`);
        process = noiseProcess(opts.process as ProcessName);
      }
      const params: ProfileParams = { grid, seed, process: process?.name ?? null };
      const bar = progressBar("profile");
      if (loaded.type === "exact") {
        const profile = informationProfile(loaded.model, sigmas, { samples: samples.value, seed, onProgress: bar.update });
        bar.stop();
        const env = envelope("profile", modelInfo(loaded), { ...params, samples: samples.value });
        // The contract is built for the text too: it refuses a non-finite number before anything is written.
        const contract = profileContract({ profile, process }, env);
        emit(opts.json ? JSON.stringify(contract) : profileTableText(profile, loaded.source, loaded.model.kind), opts.out);
        return;
      }
      const { denoiser, data } = loaded;
      const result = await interruptible((signal) => denoiserProfileRoute(denoiser, data, sigmas, { seed, signal, onProgress: bar.update }));
      bar.stop();
      const env = envelope("profile", modelInfo(loaded), { ...params, estimators: { samples: data.rows, ...DENOISER_ESTIMATORS } });
      const contract = profileContract({ denoiser: result, process }, env);
      emit(opts.json ? JSON.stringify(contract) : denoiserProfileText(result, loaded.source, loaded.kind), opts.out);
    });
}

type Levels = Factor & { option: string };

function listGrid(text: string): { grid: SigmaGridParams; levels: Levels } {
  const sigmas = sigmaGrid(parsePositiveList(text, "--sigma"), "--sigma");
  return { grid: { spacing: "list", sigma: Array.from(sigmas) }, levels: { value: sigmas.length, label: "levels", option: "--sigma" } };
}

/** The log grid's parameters; its levels are built after the budget check (logSigmas(10¹⁶) would not return). */
function gridFromOptions(opts: ProfileCliOptions): { grid: SigmaGridParams; levels: Levels } {
  const [a] = parsePositiveList(opts.sigmaMin, "--sigma-min");
  const [b] = parsePositiveList(opts.sigmaMax, "--sigma-max");
  if (!(b > a)) throw new InfodynError(`--sigma-max: ${b} must exceed --sigma-min ${a}`);
  const steps = sizeOption(opts.steps, "--steps", 1);
  const levels = steps.value + 1;
  return { grid: { spacing: "log", sigmaMin: a, sigmaMax: b, levels }, levels: { value: levels, label: "levels", text: plusOne(steps.text), option: "--steps" } };
}

/**
 * The payload of `infodyn profile --json` for an exact profile (without the envelope).
 * @deprecated Use `profileContract` (contracts/profile.ts), which adds the envelope.
 */
export function profileJson(profile: InformationProfile): ProfilePayload {
  return exactProfilePayload(profile);
}

const g = (v: number | undefined) => (v === undefined ? "-" : Math.abs(v) >= 1e-3 && Math.abs(v) < 1e5 ? v.toPrecision(5) : v === 0 ? "0" : v.toExponential(3));

/** The readable table of a profile, with its peaks. */
export function profileTableText(profile: InformationProfile, source: string, kind: string): string {
  const hasH = profile.points.every((p) => p.conditionalEntropy !== undefined);
  const hasVar = profile.points.every((p) => p.pathwiseEntropyVariance !== undefined);
  const hasClass = profile.points.every((p) => p.classEntropy !== undefined);
  const head = ["σ", ...(hasH ? ["H(y|x)"] : []), "I(y;x)", "mmse", "dH/dσ", "spread", ...(hasVar ? ["Var h"] : []), ...(hasClass ? ["H(c|x)", "dH(c|x)/dσ"] : [])];
  const rows = profile.points.map((p) => {
    const est = RATE_ESTIMATORS.map((e) => p.entropyRateEstimators[e]);
    // Every estimator but mmse/σ³ is a difference against the bandwidth D/σ, so its rounding (and a Monte Carlo
    // error) scales with D/σ: the spread is reported in those units.
    const spread = (Math.max(...est) - Math.min(...est)) / p.bandwidth;
    return [
      g(p.sigma),
      ...(hasH ? [g(p.conditionalEntropy)] : []),
      g(p.mutualInformation),
      g(p.mmse),
      g(p.entropyRate),
      spread.toExponential(1),
      ...(hasVar ? [g(p.pathwiseEntropyVariance)] : []),
      ...(hasClass ? [g(p.classEntropy), g(p.classEntropyRate)] : []),
    ];
  });
  const peakLines = Object.entries(profile.peaks).map(
    ([k, v]) => `  ${k}: σ = ${v!.sigma.toPrecision(10)} (value ${g(v!.value)})${v!.atBoundary ? " — at the edge of the range" : ""}`,
  );
  return [
    `information profile of ${source} (${kind}, D = ${profile.dim}); entropies in nats, rates per unit σ`,
    `expectations: ${[...new Set(profile.points.map((p) => p.method))].join(", ")}; spread = range of the five rate estimators / (D/σ)`,
    formatTable(head, rows),
    "peaks:",
    ...peakLines,
  ].join("\n");
}

/** The readable table of a denoiser's profile: estimates ± standard errors, what is left out and why. */
export function denoiserProfileText(p: DenoiserProfile, source: string, kind: string): string {
  const se = (v: number) => (v === 0 ? "0" : v.toExponential(1));
  const rows = p.rates.map((r, i) => {
    const est = Object.values(r.entropyRateEstimators).map((e) => e!.value);
    const spread = (Math.max(...est) - Math.min(...est)) / (p.dim / r.sigma);
    return [
      g(r.sigma),
      g(p.mutualInformation[i].value),
      g(r.mmse.value),
      se(r.mmse.standardError),
      g(r.entropyRate.value),
      se(r.entropyRate.standardError),
      spread.toExponential(1),
    ];
  });
  const n = p.rates[0]?.entropyRateEstimators.jacobianSpectrum ? "five" : "four";
  const peak = p.peaks.entropyRateLogSigma;
  return [
    `information profile of ${source} (${kind}, a denoiser, D = ${p.dim}); entropies in nats, rates per unit σ`,
    `expectations: ${p.method}; spread = range of the ${n} rate estimators / (D/σ)`,
    `omitted (they need a posterior): H(y|x), Var h, H(c|x), dH(c|x)/dσ`,
    formatTable(["σ", "I(y;x)", "mmse", "± SE", "dH/dσ", "± SE", "spread"], rows),
    "peaks (grid argmax):",
    ...(peak ? [`  entropyRateLogSigma: σ = ${peak.sigma.toPrecision(10)} (value ${g(peak.value)})${peak.atBoundary ? " — at the edge of the range" : ""}`] : []),
  ].join("\n");
}
