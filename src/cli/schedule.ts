import type { Command } from "commander";
import { SAMPLER_NAMES, type SamplerName } from "../analysis/dynamics/registry.js";
import { pointsSigmaRange, defaultSigmaRange } from "../analysis/scale.js";
import { evaluateSchedules } from "../analysis/schedule/benchmark.js";
import { entropicProfile } from "../analysis/schedule/entropic-profile.js";
import type { EntropicProfile } from "../analysis/schedule/entropic-profile.js";
import { modelSchedule, NODE_INTERVALS, NODE_SAMPLES, profilePlan, type ProfilePlan } from "../analysis/schedule/model-profile.js";
import { benchmarkTable } from "../analysis/schedule/report.js";
import { scheduleSigmas, SCHEDULE_KINDS, type Schedule, type ScheduleKind } from "../analysis/schedule/schedules.js";
import { denoiserMmse } from "../analysis/schedule/source.js";
import { envelope, modelInfo } from "../contracts/envelope.js";
import { benchmarkContract, scheduleContract, type MmseOrigin, type ScheduleParams, type ScheduleProfileInfo, type SigmaOrigin } from "../contracts/schedule.js";
import { InfodynError } from "../errors.js";
import type { DataModel } from "../models/types.js";
import { noiseProcess, PROCESS_NAMES, type ProcessName } from "../noise/process.js";
import { interruptible } from "./abort.js";
import { checkComputable } from "../analysis/validity.js";
import { checkMemory, checkOutput, checkWork, dimFactor, formatCount, modelFactors, WORK_BUDGET, type Factor } from "./budget.js";
import { emit, loadModel, parsePositiveList, plusOne, seedOption, sizeOption, type LoadedModel } from "./files.js";
import { exactModel } from "./needs.js";
import { progressBar } from "./progress.js";
import { formatTable } from "./table.js";

interface ScheduleCliOptions {
  kind?: string;
  steps?: string;
  sigmaMin?: string;
  sigmaMax?: string;
  process: string;
  rho: string;
  evaluate?: boolean;
  samplers: string;
  samples?: string;
  repeats: string;
  seed: string;
  json?: boolean;
  format?: string;
  out?: string;
}

/** EDM's range (Karras et al.), the default without a model. */
const EDM_RANGE = { min: 0.002, max: 80 };
const ENTROPIC = (k: ScheduleKind) => k === "entropic" || k === "rescaled-entropic";

/** `infodyn schedule MODEL`: entropic and baseline σ grids (issue 7), and with `--evaluate` their sample quality. */
export function registerSchedule(program: Command): void {
  program
    .command("schedule")
    .description("entropic / rescaled-entropic / EDM / uniform / log / cosine noise schedules, and (--evaluate) their sample quality")
    .argument("[model]", "model JSON file (an exact model, or a denoiser: testbed or onnx), or 'default'; not needed for edm, uniform, log, cosine")
    .option("--kind <k>", `schedule: ${SCHEDULE_KINDS.join(", ")} (default entropic); with --evaluate a comma-separated list or 'all' (default all)`)
    .option("--steps <n>", "steps n (n + 1 levels), integer ≥ 1 (default 16); with --evaluate a comma-separated list (default 4,8,16,32,64)")
    .option("--sigma-min <a>", "smallest noise level (> 0); default: from the data (see README, Default noise levels), 0.002 without a model")
    .option("--sigma-max <b>", "largest noise level (> σ_min); default: from the data (see README, Default noise levels), 80 without a model")
    .option("--process <p>", `process for t(σ) and the 'uniform' schedule: ${PROCESS_NAMES.join(", ")}`, "edm")
    .option("--rho <r>", "EDM's ρ (> 0)", "7")
    .option("--evaluate", "run the sample-quality benchmark (exact score, distances to the data law)")
    .option("--samplers <list>", `--evaluate: samplers among ${SAMPLER_NAMES.join(", ")} (euler = deterministic DDIM, ddim = stochastic DDIM)`, "euler,heun,em,ddim")
    .option(
      "--samples <n>",
      `without --evaluate: Monte Carlo draws of x_σ per profile node (${NODE_INTERVALS + 1} log-σ nodes) where the model's mmse needs Monte Carlo ` +
        `(mixtures in D > 2, e.g. a dataset), integer ≥ 100 (default ${NODE_SAMPLES}; ignored for exact mmse); ` +
        `with --evaluate: paths per repetition, integer ≥ 10 (default 500; the profile then takes ${NODE_SAMPLES} draws per node)`,
    )
    .option("--repeats <n>", "--evaluate: repetitions for standard errors (integer ≥ 2)", "3")
    .option("--seed <s>", "seed (0 to 2³²−1); Monte Carlo node k of the profile uses seed + k", "0")
    .option("--json", "machine-readable JSON output")
    .option("--format <f>", "table (default); json: the bare list of σ's, descending with a final 0, to paste into a sampler; python: `sigmas = [...]` for k-diffusion and diffusers")
    .option("--out <file>", "write the output to a file instead of stdout")
    .addHelpText(
      "after",
      "\nThe entropic kinds need the model's mmse(σ) profile: exact (closed form, 1-D quadrature; Gauss–Legendre\n" +
        "and Brent), exact on 33 log-σ nodes (2-D quadrature, the sphere; a 4-point cubic rule), or Monte Carlo on\n" +
        "the nodes (SE(σ) of each level and SE of each entropy, by the delta method). The baselines print entropies\n" +
        "only where mmse is exact and cheap (closed form, 1-D), and otherwise say why and evaluate no posterior.\n" +
        "\nExamples:\n  infodyn schedule examples/two-deltas.json --kind rescaled-entropic --steps 8 --json\n" +
        "  infodyn schedule examples/digits.json --kind rescaled-entropic --samples 4000\n" +
        "  infodyn schedule examples/gmm-1d.json --evaluate --kind all --steps 4,8,16 --samples 1000",
    )
    .action(async (modelPath: string | undefined, opts: ScheduleCliOptions) => {
      const loaded: LoadedModel | undefined = modelPath === undefined ? undefined : loadModel(modelPath);
      const range = sigmaRange(loaded, opts);
      const { sigmaMin, sigmaMax } = range;
      const format = opts.format ?? "table";
      if (!["table", "json", "python"].includes(format)) throw new InfodynError(`--format: unknown format '${format}' (expected table, json or python)`);
      if (format !== "table" && (opts.evaluate || opts.json)) throw new InfodynError(`--format: ${format} prints one schedule's σ's; it does not combine with ${opts.evaluate ? "--evaluate" : "--json"}`);
      if (!PROCESS_NAMES.includes(opts.process as ProcessName))
        throw new InfodynError(`--process: unknown process '${opts.process}' (expected one of ${PROCESS_NAMES.join(", ")})`);
      const process = noiseProcess(opts.process as ProcessName);
      const [rho] = parsePositiveList(opts.rho, "--rho");
      const seed = seedOption(opts.seed);
      const kinds = parseKinds(opts.kind ?? (opts.evaluate ? "all" : "entropic"), opts.evaluate === true);
      const stepsText = opts.steps ?? (opts.evaluate ? "4,8,16,32,64" : "16");
      const stepSizes = stepsText.split(",").map((s) => sizeOption(s.trim(), "--steps", 1));
      // The levels of the largest schedule (and its output) within the budgets before anything is built.
      const widest = stepSizes.reduce((a, b) => (b.value > a.value ? b : a));
      const levels = { value: widest.value + 1, label: "levels", text: plusOne(widest.text) };
      checkMemory("--steps", [levels, { value: 8, label: "numbers per level" }]);
      checkOutput("--steps", [levels, { value: 4, label: "numbers per level" }]);
      const steps = stepSizes.map((s) => s.value);
      if (loaded?.type === "exact") checkComputable(loaded.model, [sigmaMin, sigmaMax], "--sigma-min/--sigma-max");
      const info = loaded ? modelInfo(loaded) : null;
      const exact = loaded?.type === "exact" ? loaded.model : undefined;
      const needsProfile = kinds.some(ENTROPIC);
      // Without --evaluate --samples is the profile's draws per node; with it, the benchmark's paths.
      const nodeSamples = opts.evaluate || opts.samples === undefined ? NODE_SAMPLES : sizeOption(opts.samples, "--samples", 100).value;
      const plan = exact && (needsProfile || !opts.evaluate) ? profilePlan(exact, sigmaMin, { samples: nodeSamples, seed }) : undefined;
      if (plan?.route === "monte-carlo" && needsProfile) checkProfileBudget(exact!, plan);
      if (!opts.evaluate) {
        if (steps.length !== 1) throw new InfodynError(`--steps: give one step count without --evaluate (got '${stepsText}')`);
        if (loaded === undefined && needsProfile)
          throw new InfodynError(`schedule: --kind ${kinds[0]} needs a model (its mmse profile); edm, uniform, log and cosine need none`);
      }
      const bench = opts.evaluate ? benchmarkOptions(loaded, kinds, steps, opts) : undefined; // refusals before any work
      // The profile: always for the entropic kinds; for the baselines (without --evaluate) only where mmse is exact
      // and cheap (closed form, 1-D quadrature: milliseconds; modelSchedule), so that an EDM grid is instant. A 2-D
      // quadrature takes ≈ 10 s for the 33 nodes of the four deltas (millions of design points at σ_min).
      let profile: EntropicProfile | undefined;
      let schedule: Schedule | undefined;
      let bar: ReturnType<typeof progressBar> | undefined;
      const barFor = (p: ProfilePlan) => (bar = progressBar(`mmse profile (${profileLabel(p)})`, p.route === "exact" ? undefined : 0)).update;
      if (exact && !opts.evaluate) {
        ({ schedule, profile } = modelSchedule(exact, kinds[0], steps[0], sigmaMin, sigmaMax, { process, rho, samples: nodeSamples, seed, progress: barFor }));
      } else if (exact && needsProfile) {
        profile = entropicProfile(plan!.source, sigmaMin, sigmaMax, { intervals: plan!.intervals, onProgress: barFor(plan!) });
      } else if (loaded?.type === "denoiser" && needsProfile) {
        const source = denoiserMmse(loaded.denoiser, loaded.data, { seed });
        bar = progressBar(`mmse profile (${NODE_INTERVALS + 1} nodes × ${loaded.data.rows} data samples, denoiser loss)`, 0);
        profile = await interruptible((signal) => entropicProfile(source, sigmaMin, sigmaMax, { intervals: NODE_INTERVALS, onProgress: bar!.update, signal }));
      }
      bar?.stop();
      const mmse: MmseOrigin = !profile ? "none" : loaded?.type === "denoiser" ? "denoiser" : plan!.route;
      const params: ScheduleParams = {
        kinds,
        steps,
        sigmaMin,
        sigmaMax,
        process: process.name,
        rho,
        seed,
        mmse,
        ...(mmse === "monte-carlo" ? { samples: plan!.samples } : {}),
        sigmaFrom: range.from,
      };
      const about: { profile?: ScheduleProfileInfo; entropyOmitted?: string } = profile
        ? { profile: { method: profile.source.method, rule: profile.rule, nodes: profile.u.length } }
        : loaded && !opts.evaluate
          ? {
              entropyOmitted: `${omittedWhy(exact, plan)}, not computed for --kind ${kinds[0]}; use --kind entropic or rescaled-entropic for levels and their entropies${plan?.route === "quadrature" ? "" : " with standard errors"}`,
            }
          : {};
      if (!opts.evaluate) {
        const s = schedule ?? scheduleSigmas(kinds[0], steps[0], sigmaMin, sigmaMax, { process, profile, rho });
        const contract = scheduleContract(s, info?.kind, envelope("schedule", info, params), about); // refuses a non-finite number
        if (opts.json) return emit(JSON.stringify(contract), opts.out);
        if (format !== "table") return emit(pasteable(s, format as "json" | "python", info?.source, process.name), opts.out);
        const g = (v: number) => (Number.isFinite(v) ? v.toPrecision(10) : "-");
        const g3 = (v: number) => (Number.isFinite(v) ? v.toPrecision(3) : "-");
        const withSE = s.standardError.some((v) => v > 0);
        const withHSE = s.entropyStandardError !== undefined;
        const rows = Array.from(s.sigma, (v, i) => [
          String(i),
          g(v),
          ...(withSE ? [g3(s.standardError[i])] : []),
          g(s.t[i]),
          ...(s.entropy ? [g(s.entropy[i])] : []),
          ...(withHSE ? [g3(s.entropyStandardError![i])] : []),
        ]);
        const head = ["i", "σ", ...(withSE ? ["SE(σ)"] : []), "t", ...(s.entropy ? ["entropy"] : []), ...(withHSE ? ["SE(entropy)"] : [])];
        const title = info
          ? `${s.kind} schedule of ${info.source} (${info.kind}${info.type === "denoiser" ? ", a denoiser" : ""}, D = ${info.dim}), ${steps[0]} steps, process ${process.name}`
          : `${s.kind} schedule (no model), ${steps[0]} steps, process ${process.name}`;
        const lines = [title, range.text];
        if (profile) lines.push(profileText(profile, plan, info?.type === "denoiser" ? info.samples : undefined));
        if (about.entropyOmitted) lines.push(`entropy column omitted: ${about.entropyOmitted}`);
        return emit([...lines, formatTable(head, rows)].join("\n"), opts.out);
      }
      const { model, samplers, samples, repeats } = bench!;
      const benchBar = progressBar("schedule benchmark", 0);
      const result = evaluateSchedules(model, {
        kinds,
        steps,
        samplers: samplers as SamplerName[],
        samples: samples.value,
        repeats: repeats.value,
        seed,
        sigmaMin,
        sigmaMax,
        rho,
        process,
        profile,
        onProgress: benchBar.update,
      });
      benchBar.stop();
      const evaluated = { ...params, evaluate: { samplers: samplers as SamplerName[], samples: result.samples, repeats: result.repeats } };
      const contract = benchmarkContract(result, model.kind, envelope("schedule", info, evaluated)); // refuses a non-finite number
      if (opts.json) return emit(JSON.stringify(contract), opts.out);
      const how = profile ? `\n${profileText(profile, plan)}` : "";
      emit(
        `sample-quality benchmark of ${info!.source} (${model.kind}, D = ${model.dim}); exact score, start from p_σmax, final denoising step; mean ± SE over ${result.repeats} repetitions of ${result.samples} paths\n${range.text}${how}\n\n${benchmarkTable(result)}`,
        opts.out,
      );
    });
}

/**
 * A schedule as the σ's a sampler takes: descending, with the final 0 that k-diffusion's `get_sigmas_*` append
 * (`sample_euler(model, x, sigmas)`); diffusers' schedulers that accept `set_timesteps(sigmas=…)` append their own
 * final σ, so they take the list without it. These are VE σ's (x = y + σz), the σ of k-diffusion and of diffusers'
 * Euler/Heun/DPM-Solver schedulers (for a VP model σ = √((1 − ᾱ)/ᾱ)).
 */
export function pasteable(s: Schedule, format: "json" | "python", source: string | undefined, process: string): string {
  const desc = Array.from(s.sigma).reverse();
  const list = [...desc, 0].map((v) => String(v)).join(", ");
  if (format === "json") return `[${list}]`;
  return [
    `# infodyn ${s.kind} schedule${source ? ` of ${source}` : ""}: ${desc.length - 1} steps, σ from ${desc[0]} down to ${desc[desc.length - 1]} (VE σ, process ${process}), then 0`,
    `sigmas = [${list}]`,
    "# k-diffusion: sampling.sample_heun(model, x * sigmas[0], torch.tensor(sigmas))",
    "# diffusers: EulerDiscreteScheduler and others whose set_timesteps takes sigmas= append their own final sigma (see your scheduler's docs):",
    "# scheduler.set_timesteps(sigmas=sigmas[:-1])",
  ].join("\n");
}

/**
 * σ_min and σ_max: the options where given, else the data's default range (analysis/scale.ts: a model's
 * {@link defaultSigmaRange}, a denoiser's data samples by {@link pointsSigmaRange}), else EDM's 0.002 … 80 (no model),
 * with one line saying which.
 */
export function sigmaRange(loaded: LoadedModel | undefined, opts: { sigmaMin?: string; sigmaMax?: string }) {
  const user = {
    min: opts.sigmaMin === undefined ? undefined : parsePositiveList(opts.sigmaMin, "--sigma-min")[0],
    max: opts.sigmaMax === undefined ? undefined : parsePositiveList(opts.sigmaMax, "--sigma-max")[0],
  };
  const needDefault = user.min === undefined || user.max === undefined;
  const data =
    !needDefault || loaded === undefined
      ? undefined
      : loaded.type === "exact"
        ? { ...defaultSigmaRange(loaded.model), from: "model" as const }
        : { ...pointsSigmaRange(loaded.data.data, loaded.data.dim, "the data samples'"), from: "samples" as const };
  const fallback = data ?? { ...EDM_RANGE, from: "edm" as const, rule: "" };
  const sigmaMin = user.min ?? fallback.min;
  const sigmaMax = user.max ?? fallback.max;
  const from: { min: SigmaOrigin; max: SigmaOrigin } = { min: user.min !== undefined ? "option" : fallback.from, max: user.max !== undefined ? "option" : fallback.from };
  if (!(sigmaMax > sigmaMin))
    throw new InfodynError(
      `--sigma-max: ${sigmaMax}${from.max === "option" ? "" : " (the default)"} must exceed --sigma-min ${sigmaMin}${from.min === "option" ? "" : " (the default)"}`,
    );
  const r = (v: number) => v.toPrecision(3);
  const text = !needDefault
    ? `σ range [${r(sigmaMin)}, ${r(sigmaMax)}] from --sigma-min/--sigma-max`
    : data
      ? `σ range [${r(sigmaMin)}, ${r(sigmaMax)}]: ${[from.min === "option" ? "σ_min from --sigma-min" : `σ_min = a tenth of ${data.rule}`, from.max === "option" ? "σ_max from --sigma-max" : "σ_max = 10 √Tr Cov(y)"].join(", ")} (see README, Default noise levels)`
      : `σ range [${r(sigmaMin)}, ${r(sigmaMax)}]: ${from.min === "option" ? "--sigma-min" : "EDM's σ_min 0.002"}, ${from.max === "option" ? "--sigma-max" : "EDM's σ_max 80"} (no model)`;
  return { sigmaMin, sigmaMax, from, text };
}

/** The benchmark's model and sizes, checked against the budgets (`--evaluate`). */
function benchmarkOptions(loaded: LoadedModel | undefined, kinds: ScheduleKind[], steps: number[], opts: ScheduleCliOptions) {
  if (loaded === undefined) throw new InfodynError("schedule: --evaluate needs a model (its exact score and data law)");
  const model = exactModel(loaded, "schedule --evaluate");
  const samplers = opts.samplers.split(",").map((s) => s.trim());
  for (const s of samplers)
    if (!SAMPLER_NAMES.includes(s as SamplerName)) throw new InfodynError(`--samplers: unknown sampler '${s}' (expected ${SAMPLER_NAMES.join(", ")})`);
  const samples = sizeOption(opts.samples ?? "500", "--samples", 10);
  const repeats = sizeOption(opts.repeats, "--repeats", 2);
  checkMemory("--samples", [{ ...samples, label: "samples" }, dimFactor(model.dim), { value: 8, label: "arrays" }]);
  const totalSteps = steps.reduce((a, b) => a + b + 1, 0);
  const runs = [{ ...repeats, label: "repeats" }, { ...samples, label: "samples" }, { value: totalSteps, label: "levels (all step counts)" }, { value: kinds.length, label: "kinds" }, { value: samplers.length, label: "samplers" }];
  const work = [...runs, ...modelFactors(model), { value: 2, label: "evaluations per step" }];
  checkWork("--repeats", work);
  checkBenchmarkWork(work);
  return { model, samplers, samples, repeats };
}

/**
 * The benchmark's own budget, a tenth of the work budget ({@link WORK_BUDGET}): besides the sampler's posterior
 * calls it measures every cell in TypeScript (mode assignment and bins O(samples N D), MMD O(samples² D)), and a
 * planned 2.1e11 multiply-adds (the defaults on the digits' 0-vs-1 subset: 360 points, D = 64) took 108 s of CPU
 * with the native kernel; at most 1e11 keeps the defaults within about a minute. Names `--samples`, the size to cut.
 */
function checkBenchmarkWork(work: Factor[]): void {
  const budget = WORK_BUDGET / 10;
  const total = work.reduce((p, f) => p * f.value, 1);
  if (total <= budget) return;
  const samples = work[1].value;
  const fits = Math.floor((budget / total) * samples);
  throw new InfodynError(
    `--samples: ${work.map((f) => `${f.text ?? formatCount(f.value)} ${f.label}`.trim()).join(" × ")} is ${formatCount(total)} multiply-adds of the posterior kernel, ` +
      `beyond the benchmark's budget of ${formatCount(budget)} (a tenth of the work budget: every sample is also measured, about a minute in all); ` +
      (fits >= 10 ? `at most ${fits} samples fit, or fewer --kind, --steps, --samplers` : "give fewer --kind, --steps or --samplers") +
      " (or raise INFODYN_WORK_BUDGET)",
  );
}

/** Why a baseline schedule of a model prints no entropies. */
function omittedWhy(model: DataModel | undefined, plan: ProfilePlan | undefined): string {
  if (!model || !plan) return "a denoiser's mmse is a Monte Carlo estimate (its loss)";
  const what = `the mmse of this model (${model.kind}, D = ${model.dim})`;
  if (plan.route === "quadrature") return `${what} needs a ${plan.method} at each of the profile's ${plan.intervals + 1} nodes (seconds)`;
  return `${what} needs Monte Carlo (${plan.samples} draws at each of ${plan.intervals + 1} nodes)`;
}

/** "33 nodes × 4000 draws, monte carlo" for the progress bar. */
function profileLabel(plan: ProfilePlan): string {
  const nodes = plan.intervals + 1;
  if (plan.route === "monte-carlo") return `${nodes} nodes × ${plan.samples} draws, monte carlo`;
  if (plan.route === "quadrature") return `${nodes} nodes, ${plan.method}`;
  return `${plan.intervals} intervals, ${plan.method}`;
}

/** One line on how the profile's mmse and clocks were computed. */
function profileText(profile: EntropicProfile, plan: ProfilePlan | undefined, dataSamples?: number): string {
  const nodes = profile.u.length;
  const what = "entropy = H(y|x_σ) − H(y|x_σmin) in nats, the integrated rate mmse/σ³";
  if (dataSamples !== undefined)
    return `${what}; mmse from the denoiser's loss on ${dataSamples} data samples at ${nodes} log-σ nodes (seed + k at node k), 4-point cubic rule in log σ; SE by the delta method over the nodes`;
  if (plan?.route === "monte-carlo")
    return `${what}; mmse by Monte Carlo, ${plan.samples} draws of x_σ at each of ${nodes} log-σ nodes (seed + k at node k), 4-point cubic rule in log σ; SE(σ) and SE(entropy) by the delta method over the independent nodes`;
  if (plan?.route === "quadrature") return `${what}; mmse exact (${plan.method}) at ${nodes} log-σ nodes, 4-point cubic rule in log σ between them`;
  return `${what}; mmse exact (${profile.source.method}), ${profile.rule} on ${nodes - 1} log-σ intervals`;
}

/** The Monte Carlo profile's posterior work (nodes × draws × data points × D) and memory within the budgets. */
function checkProfileBudget(model: DataModel, plan: ProfilePlan): void {
  const samples = { value: plan.samples!, label: "samples" };
  checkWork("--samples", [samples, { value: plan.intervals + 1, label: "profile nodes" }, ...modelFactors(model)]);
  checkMemory("--samples", [samples, modelFactors(model)[0]], 8, "the posterior weights of one node");
}

/** Schedule kinds from `--kind` ('all' or a list; one kind without --evaluate). */
export function parseKinds(text: string, many: boolean): ScheduleKind[] {
  const kinds = text === "all" ? [...SCHEDULE_KINDS] : text.split(",").map((k) => k.trim());
  for (const k of kinds)
    if (!SCHEDULE_KINDS.includes(k as ScheduleKind)) throw new InfodynError(`--kind: unknown schedule '${k}' (expected one of ${SCHEDULE_KINDS.join(", ")}, or all)`);
  if (!many && kinds.length !== 1) throw new InfodynError(`--kind: give one schedule without --evaluate (got '${text}')`);
  return kinds as ScheduleKind[];
}
