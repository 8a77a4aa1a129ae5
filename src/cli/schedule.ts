import type { Command } from "commander";
import { SAMPLER_NAMES, type SamplerName } from "../analysis/dynamics/registry.js";
import { evaluateSchedules } from "../analysis/schedule/benchmark.js";
import { entropicProfile } from "../analysis/schedule/entropic-profile.js";
import type { EntropicProfile } from "../analysis/schedule/entropic-profile.js";
import { benchmarkTable } from "../analysis/schedule/report.js";
import { scheduleSigmas, SCHEDULE_KINDS, type ScheduleKind } from "../analysis/schedule/schedules.js";
import { denoiserMmse, modelMmse } from "../analysis/schedule/source.js";
import { envelope, modelInfo } from "../contracts/envelope.js";
import { benchmarkContract, scheduleContract, type ScheduleParams } from "../contracts/schedule.js";
import { InfodynError } from "../errors.js";
import { noiseProcess, PROCESS_NAMES, type ProcessName } from "../noise/process.js";
import { interruptible } from "./abort.js";
import { checkComputable } from "../analysis/validity.js";
import { checkMemory, checkOutput, checkWork, dimFactor, modelFactors } from "./budget.js";
import { emit, loadModel, parsePositiveList, plusOne, seedOption, sizeOption, type LoadedModel } from "./files.js";
import { exactModel } from "./needs.js";
import { progressBar } from "./progress.js";
import { formatTable } from "./table.js";

interface ScheduleCliOptions {
  kind?: string;
  steps?: string;
  sigmaMin: string;
  sigmaMax: string;
  process: string;
  rho: string;
  evaluate?: boolean;
  samplers: string;
  samples: string;
  repeats: string;
  seed: string;
  json?: boolean;
  out?: string;
}

/** `infodyn schedule MODEL`: entropic and baseline σ grids (issue 7), and with `--evaluate` their sample quality. */
export function registerSchedule(program: Command): void {
  program
    .command("schedule")
    .description("entropic / rescaled-entropic / EDM / uniform / log / cosine noise schedules, and (--evaluate) their sample quality")
    .argument("[model]", "model JSON file (an exact model, or a denoiser: testbed), or 'default'; not needed for edm, uniform, log, cosine")
    .option("--kind <k>", `schedule: ${SCHEDULE_KINDS.join(", ")} (default entropic); with --evaluate a comma-separated list or 'all' (default all)`)
    .option("--steps <n>", "steps n (n + 1 levels), integer ≥ 1 (default 16); with --evaluate a comma-separated list (default 4,8,16,32,64)")
    .option("--sigma-min <a>", "smallest noise level (> 0)", "0.002")
    .option("--sigma-max <b>", "largest noise level (> σ_min)", "80")
    .option("--process <p>", `process for t(σ) and the 'uniform' schedule: ${PROCESS_NAMES.join(", ")}`, "edm")
    .option("--rho <r>", "EDM's ρ (> 0)", "7")
    .option("--evaluate", "run the sample-quality benchmark (exact score, distances to the data law)")
    .option("--samplers <list>", `--evaluate: samplers among ${SAMPLER_NAMES.join(", ")} (euler = deterministic DDIM, ddim = stochastic DDIM)`, "euler,heun,em,ddim")
    .option("--samples <n>", "--evaluate: paths per repetition (integer ≥ 10)", "500")
    .option("--repeats <n>", "--evaluate: repetitions for standard errors (integer ≥ 2)", "3")
    .option("--seed <s>", "seed (0 to 2³²−1)", "0")
    .option("--json", "machine-readable JSON output")
    .option("--out <file>", "write the output to a file instead of stdout")
    .addHelpText(
      "after",
      "\nExamples:\n  infodyn schedule examples/two-deltas.json --kind rescaled-entropic --steps 8 --json\n  infodyn schedule examples/gmm-1d.json --evaluate --kind all --steps 4,8,16 --samples 1000",
    )
    .action(async (modelPath: string | undefined, opts: ScheduleCliOptions) => {
      const loaded: LoadedModel | undefined = modelPath === undefined ? undefined : loadModel(modelPath);
      const [sigmaMin] = parsePositiveList(opts.sigmaMin, "--sigma-min");
      const [sigmaMax] = parsePositiveList(opts.sigmaMax, "--sigma-max");
      if (!(sigmaMax > sigmaMin)) throw new InfodynError(`--sigma-max: ${sigmaMax} must exceed --sigma-min ${sigmaMin}`);
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
      const params: ScheduleParams = {
        kinds,
        steps,
        sigmaMin,
        sigmaMax,
        process: process.name,
        rho,
        seed,
        mmse: loaded === undefined ? "none" : loaded.type === "exact" ? "exact" : "denoiser",
      };
      if (loaded?.type === "exact") checkComputable(loaded.model, [sigmaMin, sigmaMax], "--sigma-min/--sigma-max");
      const info = loaded ? modelInfo(loaded) : null;
      const bar = progressBar(opts.evaluate ? "schedule benchmark" : "entropic profile");
      if (!opts.evaluate) {
        if (steps.length !== 1) throw new InfodynError(`--steps: give one step count without --evaluate (got '${stepsText}')`);
        if (loaded === undefined && (kinds[0] === "entropic" || kinds[0] === "rescaled-entropic"))
          throw new InfodynError(`schedule: --kind ${kinds[0]} needs a model (its mmse profile); edm, uniform, log and cosine need none`);
        let profile: EntropicProfile | undefined;
        if (loaded?.type === "exact") profile = entropicProfile(modelMmse(loaded.model), sigmaMin, sigmaMax, { onProgress: bar.update });
        else if (loaded?.type === "denoiser") {
          const source = denoiserMmse(loaded.denoiser, loaded.data, { seed });
          profile = await interruptible((signal) => entropicProfile(source, sigmaMin, sigmaMax, { onProgress: bar.update, signal }));
        }
        bar.stop();
        const s = scheduleSigmas(kinds[0], steps[0], sigmaMin, sigmaMax, { process, profile, rho });
        const contract = scheduleContract(s, info?.kind, envelope("schedule", info, params)); // refuses a non-finite number
        if (opts.json) return emit(JSON.stringify(contract), opts.out);
        const g = (v: number) => (Number.isFinite(v) ? v.toPrecision(10) : "-");
        const withSE = s.standardError.some((v) => v > 0);
        const rows = Array.from(s.sigma, (v, i) => [String(i), g(v), g(s.t[i]), g(s.entropy?.[i] ?? NaN), ...(withSE ? [g(s.standardError[i])] : [])]);
        const head = ["i", "σ", "t", "entropy", ...(withSE ? ["SE(σ)"] : [])];
        if (!info)
          return emit([`${s.kind} schedule (no model), ${steps[0]} steps, process ${process.name}`, formatTable(["i", "σ", "t"], rows.map((r) => r.slice(0, 3)))].join("\n"), opts.out);
        return emit(
          [`${s.kind} schedule of ${info.source} (${info.kind}${info.type === "denoiser" ? ", a denoiser" : ""}, D = ${info.dim}), ${steps[0]} steps, process ${process.name}`,
            `entropy = H(y|x_σ) − H(y|x_σmin) in nats (integrated rate mmse/σ³${info.type === "denoiser" ? ` from the denoiser's loss on ${info.samples} data samples` : ""})`,
            formatTable(head, rows)].join("\n"),
          opts.out,
        );
      }
      if (loaded === undefined) throw new InfodynError("schedule: --evaluate needs a model (its exact score and data law)");
      const model = exactModel(loaded, "schedule --evaluate");
      const samplers = opts.samplers.split(",").map((s) => s.trim());
      for (const s of samplers)
        if (!SAMPLER_NAMES.includes(s as SamplerName)) throw new InfodynError(`--samplers: unknown sampler '${s}' (expected ${SAMPLER_NAMES.join(", ")})`);
      const samples = sizeOption(opts.samples, "--samples", 10);
      const repeats = sizeOption(opts.repeats, "--repeats", 2);
      checkMemory("--samples", [{ ...samples, label: "samples" }, dimFactor(model.dim), { value: 8, label: "arrays" }]);
      const totalSteps = steps.reduce((a, b) => a + b + 1, 0);
      const runs = [{ ...repeats, label: "repeats" }, { ...samples, label: "samples" }, { value: totalSteps, label: "levels (all step counts)" }, { value: kinds.length, label: "kinds" }, { value: samplers.length, label: "samplers" }];
      checkWork("--repeats", [...runs, ...modelFactors(model), { value: 2, label: "evaluations per step" }]);
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
        onProgress: bar.update,
      });
      bar.stop();
      const evaluated = { ...params, evaluate: { samplers: samplers as SamplerName[], samples: result.samples, repeats: result.repeats } };
      const contract = benchmarkContract(result, model.kind, envelope("schedule", info, evaluated)); // refuses a non-finite number
      if (opts.json) return emit(JSON.stringify(contract), opts.out);
      emit(`sample-quality benchmark of ${loaded.source} (${model.kind}, D = ${model.dim}); exact score, start from p_σmax, final denoising step; mean ± SE over ${result.repeats} repetitions of ${result.samples} paths\n\n${benchmarkTable(result)}`, opts.out);
    });
}

/** Schedule kinds from `--kind` ('all' or a list; one kind without --evaluate). */
export function parseKinds(text: string, many: boolean): ScheduleKind[] {
  const kinds = text === "all" ? [...SCHEDULE_KINDS] : text.split(",").map((k) => k.trim());
  for (const k of kinds)
    if (!SCHEDULE_KINDS.includes(k as ScheduleKind)) throw new InfodynError(`--kind: unknown schedule '${k}' (expected one of ${SCHEDULE_KINDS.join(", ")}, or all)`);
  if (!many && kinds.length !== 1) throw new InfodynError(`--kind: give one schedule without --evaluate (got '${text}')`);
  return kinds as ScheduleKind[];
}

