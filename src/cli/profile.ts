import type { Command } from "commander";
import { DEFAULT_PROBES } from "../analysis/info/divergence.js";
import { formatPeak, informationProfile, type InformationProfile, type Peak } from "../analysis/info/grid.js";
import type { Estimate } from "../analysis/info/expect.js";
import type { EstimatorRoute } from "../analysis/info/routes.js";
import { FULL_COVARIANCE_MAX_DIM } from "../analysis/info/pointwise.js";
import { defaultSigmaRange, pointsSigmaRange, type SigmaRange } from "../analysis/scale.js";
import { envelope, modelInfo, type SigmaGridParams } from "../contracts/envelope.js";
import type { DenoiserProfile } from "../contracts/denoiser-profile.js";
import { exactProfilePayload, profileContract, type ProfileParams, type ProfilePayload } from "../contracts/profile.js";
import { InfodynError } from "../errors.js";
import { logSigmas, sigmaGrid } from "../noise/grid.js";
import { noiseProcess, PROCESS_NAMES, type ProcessName } from "../noise/process.js";
import { interruptible } from "./abort.js";
import { checkMemory, checkOutput, checkWork, dimFactor, modelFactors, type Factor } from "./budget.js";
import { DENOISER_ESTIMATORS, denoiserProfileRoute } from "../analysis/denoiser-routes.js";
import { emit, loadModel, parsePositiveList, plusOne, seedOption, sizeOption, type LoadedModel } from "./files.js";
import { progressBar } from "./progress.js";
import { formatTable } from "./table.js";

interface ProfileCliOptions {
  sigma?: string;
  sigmaMin?: string;
  sigmaMax?: string;
  steps: string;
  process?: string;
  samples: string;
  probes: string;
  refinePeaks?: boolean;
  seed: string;
  json?: boolean;
  out?: string;
}

const FROM_DATA = "default: from the data, see README, Default noise levels";

/** `infodyn profile MODEL`: the information profile over a σ grid (issue 4's JSON contract); any denoiser. */
export function registerProfile(program: Command): void {
  program
    .command("profile")
    .description("entropy, mutual information, mmse and the entropy rate by its independent estimators over a σ grid, with their peaks")
    .argument("<model>", "model JSON file (an exact model, or a denoiser: testbed or onnx), or 'default' for the embedded dataset")
    .option("--sigma <list>", "explicit noise levels, comma-separated (e.g. 0.1,0.5,1)")
    .option("--sigma-min <a>", `smallest σ of the log-uniform grid (> 0; ${FROM_DATA})`)
    .option("--sigma-max <b>", `largest σ of the log-uniform grid (${FROM_DATA})`)
    .option("--steps <n>", "intervals of the log-uniform grid (n + 1 levels, integer ≥ 1)", "40")
    .option("--process <p>", `also report t(σ) and dH/dt for a forward process: ${PROCESS_NAMES.join(", ")} (ve with ν = 1)`)
    .option("--samples <n>", "Monte Carlo samples per σ where no quadrature applies, fresh draws at each σ (integer ≥ 100; exact models — a denoiser's data samples come from its model file)", "4000")
    .option("--probes <n>", `Hutchinson probes per sample for the divergence above D = ${FULL_COVARIANCE_MAX_DIM} (integer ≥ 1; exact models)`, String(DEFAULT_PROBES))
    .option("--refine-peaks", "refine each peak by Brent's method in log σ between its grid neighbours (exact models; ~20 more σ evaluations per peak; default: the grid argmax, with the bracket of the levels within 2 standard errors)")
    .option("--seed <s>", "seed of the Monte Carlo draws (0 to 2³²−1; level i draws from a seed derived from it and i)", "0")
    .option("--json", "machine-readable JSON output")
    .option("--out <file>", "write the output to a file instead of stdout")
    .addHelpText(
      "after",
      "\nExamples:\n  infodyn profile examples/digits.json                 # 41 levels from the data's range, 4000 samples each\n" +
        "  infodyn profile examples/two-deltas.json --sigma-min 0.05 --sigma-max 10 --steps 200 --refine-peaks --json",
    )
    .action(async (modelPath: string, opts: ProfileCliOptions) => {
      const loaded = loadModel(modelPath);
      const samples = sizeOption(opts.samples, "--samples", 100);
      const probes = sizeOption(opts.probes, "--probes", 1);
      const seed = seedOption(opts.seed);
      const { grid, levels, range } = opts.sigma !== undefined ? listGrid(opts.sigma) : gridFromOptions(opts, loaded);
      // Sizes against the budgets (budget.ts) before any work: the σ levels' arrays and output, the Monte Carlo
      // batch, and the posterior-kernel work of the whole profile.
      const D = loaded.type === "exact" ? loaded.model.dim : loaded.denoiser.dim;
      checkMemory(levels.option, [levels, { value: 64, label: "numbers per level" }]);
      checkOutput(levels.option, [levels, { value: 30, label: "numbers per level" }]);
      if (loaded.type === "exact") {
        // The posterior on every sample; the divergence route on at most 1000 of them per level: 2D denoiser rows each
        // up to D = 16 (below the posterior's work on 4000 samples), 2 per probe above, checked apart.
        checkMemory("--samples", [{ ...samples, label: "samples" }, dimFactor(D)]);
        checkWork("--samples", [{ ...samples, label: "samples" }, levels, ...modelFactors(loaded.model), { value: 4, label: "evaluations" }]);
        if (D > FULL_COVARIANCE_MAX_DIM) {
          const probed = { value: 2 * Math.min(samples.value, 1000), label: "denoiser rows per probe" };
          checkMemory("--probes", [{ ...probes, label: "probes" }, probed, dimFactor(D)]);
          checkWork("--probes", [{ ...probes, label: "probes" }, probed, levels, ...modelFactors(loaded.model)]);
        }
      } else checkWork(levels.option, [levels, { value: loaded.data.rows, label: "data samples" }, dimFactor(D), { value: 4, label: "denoiser calls" }]);
      const sigmas = grid.spacing === "list" ? Float64Array.from(grid.sigma) : logSigmas(grid.levels, grid.sigmaMin, grid.sigmaMax);
      let process;
      if (opts.process !== undefined) {
        if (!PROCESS_NAMES.includes(opts.process as ProcessName))
          throw new InfodynError(`--process: unknown process '${opts.process}' (expected one of ${PROCESS_NAMES.join(", ")})`);
        process = noiseProcess(opts.process as ProcessName);
      }
      const refinePeaks = opts.refinePeaks === true;
      const params: ProfileParams = { grid, seed, process: process?.name ?? null, ...(range ? { defaultRange: range } : {}) };
      const bar = progressBar("profile");
      if (loaded.type === "exact") {
        const profile = informationProfile(loaded.model, sigmas, { samples: samples.value, probes: probes.value, seed, refinePeaks, onProgress: bar.update });
        bar.stop();
        const env = envelope("profile", modelInfo(loaded), { ...params, samples: samples.value, probes: probes.value, refinePeaks });
        // The contract is built for the text too: it refuses a non-finite number before anything is written.
        const contract = profileContract({ profile, process }, env);
        emit(opts.json ? JSON.stringify(contract) : profileTableText(profile, loaded.source, loaded.model.kind), opts.out);
        return;
      }
      if (refinePeaks) throw new InfodynError("--refine-peaks: a denoiser's profile is an estimate; its peak is the grid argmax with its bracket");
      const { denoiser, data } = loaded;
      const result = await interruptible((signal) => denoiserProfileRoute(denoiser, data, sigmas, { seed, labels: loaded.labels, signal, onProgress: bar.update }));
      bar.stop();
      const env = envelope("profile", modelInfo(loaded), { ...params, estimators: { samples: data.rows, ...DENOISER_ESTIMATORS } });
      const contract = profileContract({ denoiser: result, process }, env);
      emit(opts.json ? JSON.stringify(contract) : denoiserProfileText(result, loaded.source, loaded.kind), opts.out);
    });
}

type Levels = Factor & { option: string };
interface GridChoice {
  grid: SigmaGridParams;
  levels: Levels;
  /** The data's default range, when an end of the grid came from it. */
  range?: SigmaRange;
}

function listGrid(text: string): GridChoice {
  const sigmas = sigmaGrid(parsePositiveList(text, "--sigma"), "--sigma");
  return { grid: { spacing: "list", sigma: Array.from(sigmas) }, levels: { value: sigmas.length, label: "levels", option: "--sigma" } };
}

/**
 * The log grid's parameters: each end as given, else from the data (`defaultSigmaRange` of an exact model,
 * `pointsSigmaRange` of a denoiser's data samples). Its levels are built after the budget check (logSigmas(10¹⁶)
 * would not return).
 */
function gridFromOptions(opts: ProfileCliOptions, loaded: LoadedModel): GridChoice {
  const given = (text: string | undefined, name: string) => (text === undefined ? undefined : parsePositiveList(text, name)[0]);
  let a = given(opts.sigmaMin, "--sigma-min");
  let b = given(opts.sigmaMax, "--sigma-max");
  const steps = sizeOption(opts.steps, "--steps", 1);
  let range: SigmaRange | undefined;
  if (a === undefined || b === undefined) {
    range = loaded.type === "exact" ? defaultSigmaRange(loaded.model) : pointsSigmaRange(loaded.data.data, loaded.data.dim, "the data samples'");
    a ??= range.min;
    b ??= range.max;
  }
  if (!(b > a)) throw new InfodynError(`--sigma-max: ${b} must exceed --sigma-min ${a}${range ? " (one end from the data's default range: give both)" : ""}`);
  const levels = steps.value + 1;
  return {
    grid: { spacing: "log", sigmaMin: a, sigmaMax: b, levels },
    levels: { value: levels, label: "levels", text: plusOne(steps.text), option: "--steps" },
    range,
  };
}

/**
 * The payload of `infodyn profile --json` for an exact profile (without the envelope).
 * @deprecated Use `profileContract` (contracts/profile.ts), which adds the envelope.
 */
export function profileJson(profile: InformationProfile): ProfilePayload {
  return exactProfilePayload(profile);
}

const g = (v: number | undefined) => (v === undefined ? "-" : Math.abs(v) >= 1e-3 && Math.abs(v) < 1e5 ? v.toPrecision(5) : v === 0 ? "0" : v.toExponential(3));
const se = (v: number | undefined) => (v === undefined ? "-" : v === 0 ? "0" : v.toExponential(1));

/**
 * The routes' check at one σ: the largest |difference| of an independent route from mmse/σ³, in standard errors
 * of the difference (Monte Carlo: `z`), or relative to the bandwidth D/σ (quadrature: the differences are
 * rounding and finite-difference error, which scale with D/σ). "-" with a single route.
 */
function routeCheck(
  diff: Partial<Record<string, number>> | undefined,
  err: Partial<Record<string, number>> | undefined,
  bandwidth: number,
  mixed = false,
): string {
  const keys = Object.keys(diff ?? {});
  if (!diff || keys.length === 0) return "-";
  if (!err) {
    const rel = (Math.max(...keys.map((k) => Math.abs(diff[k]!))) / bandwidth).toExponential(1);
    return mixed ? `${rel} rel` : rel;
  }
  const z = keys.map((k) => (diff[k] === 0 ? 0 : Math.abs(diff[k]!) / (err[k] ?? 0)));
  return Math.max(...z).toFixed(1);
}

/** The routes in words: one line each, names in one route joined by `=`. */
function routeLines(routes: EstimatorRoute[], omitted: Record<string, string> | undefined): string[] {
  const n = routes.length;
  return [
    `independent routes to the rate: ${n === 1 ? "one (no check)" : n}; names joined by = are one quantity, not ${n === 1 ? "checks" : "separate checks"}:`,
    ...routes.map((r) => `  ${r.estimators.join(" = ")}: ${r.reason}`),
    ...Object.entries(omitted ?? {}).map(([k, why]) => `  ${k}: omitted (${why})`),
  ];
}

function peakLine(name: string, p: Peak): string {
  const value = p.standardError !== undefined ? `${g(p.value)} ± ${se(p.standardError)}` : g(p.value);
  return `  ${name}: ${formatPeak(p)}, value ${value}${p.atBoundary ? " — at the edge of the range" : ""}`;
}

/** The readable table of a profile: estimates (± standard errors where Monte Carlo), the routes, the peaks. */
export function profileTableText(profile: InformationProfile, source: string, kind: string): string {
  const pts = profile.points;
  const mc = pts.some((p) => p.standardError);
  const mixed = mc && pts.some((p) => !p.standardError);
  const every = (pick: (p: (typeof pts)[number]) => unknown) => pts.every((p) => pick(p) !== undefined);
  type Column = [string, (p: (typeof pts)[number]) => number | undefined, (p: (typeof pts)[number]) => number | undefined];
  const columns: Column[] = [
    ...(every((p) => p.conditionalEntropy) ? [["H(y|x)", (p) => p.conditionalEntropy, (p) => p.standardError?.conditionalEntropy] as Column] : []),
    ["I(y;x)", (p) => p.mutualInformation, (p) => p.standardError?.mutualInformation],
    ["mmse", (p) => p.mmse, (p) => p.standardError?.mmse],
    ["dH/dσ", (p) => p.entropyRate, (p) => p.standardError?.entropyRate],
    ...(every((p) => p.pathwiseEntropyVariance) ? [["Var h", (p) => p.pathwiseEntropyVariance, (p) => p.standardError?.pathwiseEntropyVariance] as Column] : []),
    ...(every((p) => p.classEntropy)
      ? ([
          ["H(c|x)", (p) => p.classEntropy, (p) => p.standardError?.classEntropy],
          ["dH(c|x)/dσ", (p) => p.classEntropyRate, (p) => p.standardError?.classEntropyRate],
        ] as Column[])
      : []),
  ];
  const head = ["σ", ...columns.flatMap(([name]) => (mc ? [name, "± SE"] : [name])), "routes"];
  const rows = pts.map((p) => [
    g(p.sigma),
    ...columns.flatMap(([, v, e]) => (mc ? [g(v(p)), se(e(p) ?? 0)] : [g(v(p))])),
    routeCheck(p.routeDifference, p.standardError?.routeDifference, p.bandwidth, mixed),
  ]);
  const refined = Object.values(profile.peaks).some((p) => p?.refined);
  return [
    `information profile of ${source} (${kind}, D = ${profile.dim}); entropies in nats, rates per unit σ`,
    `expectations: ${[...new Set(pts.map((p) => p.method))].join(", ")}${mc ? " (fresh draws at each σ: the levels' errors are independent)" : ""}`,
    mc
      ? "routes = the largest |difference| of an independent route from mmse/σ³, in standard errors of the difference (|z| > 4: disagreement)" +
        (mixed ? "; on quadrature levels (SE 0) relative to D/σ, marked rel" : "")
      : "routes = the largest |difference| of an independent route from mmse/σ³, relative to D/σ",
    formatTable(head, rows),
    ...routeLines(profile.independent, profile.omitted),
    `peaks (${refined ? (mc ? "refined by Brent's method inside the bracket of the levels within 2 SE" : "refined by Brent's method; bracket: the shift value errors of 1e-9 allow") : mc ? "grid argmax; bracket: the neighbours of every level within 2 SE of the maximum" : "grid argmax; bracket: its grid neighbours"}):`,
    ...Object.entries(profile.peaks).map(([k, v]) => peakLine(k, v!)),
  ].join("\n");
}

/** The readable table of a denoiser's profile: estimates ± standard errors, the routes, what is left out and why. */
/**
 * One line when the integrated class entropy of a conditional denoiser is significantly negative (below −2 SE):
 * its conditional and unconditional outputs differ by more than any class information allows there.
 */
function negativeClassEntropy(p: DenoiserProfile): string[] {
  const h = p.classes?.classEntropy;
  if (!h) return [];
  let last = -1;
  h.forEach((e, i) => {
    if (e.value < -2 * e.standardError) last = i;
  });
  if (last < 0) return [];
  return [
    `note: H(c|x) < 0 at σ ≤ ${g(p.sigma[last])}: there the network's conditional and unconditional outputs differ by more than any class information allows ` +
      `(their training error, which biases dH(c|x)/dσ upward); \`infodyn report\` sets them beside the exact values of the training set and the online Bayes classifier`,
  ];
}

export function denoiserProfileText(p: DenoiserProfile, source: string, kind: string): string {
  const pair = (e: Estimate) => [g(e.value), se(e.standardError)];
  const rows = p.rates.map((r, i) => {
    const diff = r.routeDifference;
    const values = diff ? Object.fromEntries(Object.entries(diff).map(([k, e]) => [k, e!.value])) : undefined;
    const errors = diff ? Object.fromEntries(Object.entries(diff).map(([k, e]) => [k, e!.standardError])) : undefined;
    const cls = p.classes ? [...pair(p.classes.classEntropy[i]), ...pair(p.classes.rates[i].classEntropyRate)] : [];
    return [g(r.sigma), ...pair(p.mutualInformation[i]), ...pair(r.mmse), ...pair(r.entropyRate), ...cls, routeCheck(values, errors, p.dim / r.sigma)];
  });
  const peak = p.peaks.entropyRateLogSigma;
  const classPeak = p.peaks.classEntropyRate;
  const classHead = p.classes ? ["H(c|x)", "± SE", "dH(c|x)/dσ", "± SE"] : [];
  return [
    `information profile of ${source} (${kind}, a denoiser, D = ${p.dim}); entropies in nats, rates per unit σ`,
    `expectations: ${p.method}`,
    "routes = the largest |difference| of an independent route from the loss mmse/σ³, in standard errors of the difference",
    `omitted (they need a posterior): H(y|x), Var h${p.classes ? "" : ", H(c|x), dH(c|x)/dσ"}`,
    formatTable(["σ", "I(y;x)", "± SE", "mmse", "± SE", "dH/dσ", "± SE", ...classHead, "routes"], rows),
    ...routeLines(p.independent, undefined),
    "peaks (grid argmax; bracket: the neighbours of every level within 2 SE of the maximum):",
    ...(peak ? [peakLine("entropyRateLogSigma", peak)] : []),
    ...(classPeak ? [peakLine("classEntropyRate", classPeak)] : []),
    ...negativeClassEntropy(p),
  ].join("\n");
}
