import type { Command } from "commander";
import { classDecision, networkDecision } from "../analysis/guidance/decision.js";
import { networkDistortion, searchNetworkWindow } from "../analysis/guidance/network.js";
import { pointsSigmaRange } from "../analysis/scale.js";
import { deltas } from "../models/deltas.js";
import { interruptible } from "./abort.js";
import { dimFactor } from "./budget.js";
import { guidanceDistortion } from "../analysis/guidance/distortion.js";
import { GUIDED_SAMPLERS, type GuidedSamplerName } from "../analysis/guidance/guided.js";
import { checkSchedule, describeSchedule, type GuidanceSchedule } from "../analysis/guidance/schedule.js";
import { searchWindow } from "../analysis/guidance/search.js";
import { defaultSigmaRange } from "../analysis/scale.js";
import { checkComputable } from "../analysis/validity.js";
import { modelInfo } from "../contracts/envelope.js";
import { distortionJson, networkSearchJson, guidanceContract, guidanceEnvelope, guidanceScheduleJson, searchJson, type DistortionJson, type GuidanceJson, type GuidanceParams } from "../contracts/guidance.js";
import { InfodynError } from "../errors.js";
import { exactModel } from "./needs.js";
import type { DataModel } from "../models/types.js";
import { noiseProcess, PROCESS_NAMES, type ProcessName } from "../noise/process.js";
import { checkMemory, checkWork, modelFactors } from "./budget.js";
import { emit, loadModel, type LoadedModel, parsePositiveList, seedOption, sizeOption, DECIMAL } from "./files.js";
import { progressBar } from "./progress.js";
import { formatTable } from "./table.js";

interface GuidanceCliOptions {
  class: string;
  w: string;
  window?: string;
  wInside?: string;
  windows?: string;
  linear?: string;
  sampler: string;
  n?: string;
  steps?: string;
  seed: string;
  sigmaMin?: string;
  sigmaMax?: string;
  process: string;
  optimize?: boolean;
  separability?: string;
  edges?: string;
  searchN?: string;
  wMax: string;
  json?: boolean;
  out?: string;
}

function numberOption(text: string, name: string): number {
  const v = Number(text);
  if (!DECIMAL.test(text.trim()) || !Number.isFinite(v)) throw new InfodynError(`${name}: '${text}' is not a finite number`);
  return v;
}

/**
 * `infodyn guidance MODEL --class C`: classifier-free guidance on an exact labelled model (issue 17): the distortion
 * of the guided law against the true conditional (mean shift, variance, KL, sliced W₂, separability) for a
 * schedule, or with `--optimize --separability S` the σ-window that reaches S with the least KL, with the Pareto front;
 * and the σ-interval where the class is decided, in σ and in t/timestep of `--process`.
 */
export function registerGuidance(program: Command): void {
  program
    .command("guidance")
    .description("classifier-free guidance: distortion of the guided law against p(y|c), the optimal guidance window, and where the class is decided")
    .argument("<model>", "an exact labelled model JSON file (deltas with labels, gmm), or a class-conditional denoiser with labelled data (an onnx model file, a testbed)")
    .requiredOption("--class <c>", "the class to guide towards: its index (0 …) or its name")
    .option("--w <w>", "our guidance weight w: D_w = D + w(D_c − D), 0 = unconditional, 1 = conditional (no extra guidance); the papers' γ = w − 1; a diffusers guidance_scale is w", "1")
    .option("--window <a,b>", "a σ-window (a, b] (0 ≤ a < b; b may be 'inf') where the weight is --w-inside instead of --w")
    .option("--w-inside <w>", "with --window: our weight inside the window (w < 1 is negative guidance, γ < 0)")
    .option("--windows <a:b:w,...>", "several disjoint σ-windows (a, b] with their own weight w each (b may be 'inf'); --w holds outside them")
    .option("--linear <gamma0,omega>", "THEORY §9.2's linear schedule in the papers' γ = w − 1: w(σ) = 1 + gamma0 + omega·σ² (replaces --w; needs a finite σ_max)")
    .option("--sampler <s>", `${GUIDED_SAMPLERS.join(" | ")}: the probability-flow ODE by Heun or Euler, or the reverse SDE by Euler–Maruyama`, "heun")
    .option("--n <n>", "guided paths (integer ≥ 2); default 2000, on a denoiser 200")
    .option("--steps <n>", "log-uniform steps from σ_max to σ_min, then one to σ = 0 (window edges are added as levels); default 64, on a denoiser 40")
    .option("--seed <s>", "seed of the starts, the em noise and the class draws (0 to 2³²−1)", "0")
    .option("--sigma-min <a>", "smallest σ (> 0), where separability p(c|x) is read; default: from the data")
    .option("--sigma-max <b>", "largest σ, where paths start from the exact p_σ; default: from the data, 10·√Tr Cov(y)")
    .option("--process <p>", `${PROCESS_NAMES.join(" | ")}: the process whose t (and 1000-step timestep) the decision interval is printed in`, "vp-linear")
    .option("--optimize", "search the window (a, b], the weight inside it and an optional late window (0, a] with w = 0 for the least KL at --separability")
    .option("--separability <s>", "with --optimize: the target mean exact p(c|x) at σ_min, in (0, 1)")
    .option("--edges <k>", "with --optimize: candidate window edges, log-uniform inside (σ_min, σ_max); default 6, on a denoiser 2")
    .option("--search-n <n>", "with --optimize: paths per candidate during the search (the optimum is re-measured with --n fresh paths); default 400, on a denoiser 100")
    .option("--w-max <w>", "with --optimize: the largest weight inside the window", "30")
    .option("--json", "machine-readable JSON output")
    .option("--out <file>", "write the output to a file instead of stdout")
    .addHelpText(
      "after",
      "\nConventions: our w (s_w = s + w(s_c − s)); the papers' γ = w − 1 is printed beside it. Windows are lo < σ ≤ hi." +
        "\nKL: nearest-neighbour estimate of KL(guided ‖ p(·|c)) (continuous models; the Gaussian-fit KL, a lower bound for a Gaussian class, beside it), or of the class's delta bins (deltas)." +
        "\nOn a denoiser: the paths run on the network; p(y|c) is the class's training points, separability and accuracy are the training set's exact p(c|x) at σ_min on the denoised end states, no KL (the search minimises sliced W₂); the decision interval is from the class rate E‖D(x,σ,c) − D(x,σ)‖²/σ³ on the labelled data." +
        "\n\nExamples:\n  infodyn guidance examples/gmm-4class.json --class d --w 3 --json" +
        "\n  infodyn guidance examples/gmm-4class.json --class d --w 1 --window 0.5,2.7 --w-inside 4 --sampler em" +
        "\n  infodyn guidance examples/gmm-4class.json --class d --optimize --separability 0.99" +
        "\n  infodyn guidance examples/digits-net.json --class 3 --w 2",
    )
    .action(async (modelPath: string, opts: GuidanceCliOptions) => {
      const loaded = loadModel(modelPath);
      const json = loaded.type === "denoiser" ? await interruptible((signal) => runNetworkGuidance(loaded, opts, signal)) : runGuidance(modelPath, opts, loaded);
      emit(opts.json ? JSON.stringify(json) : guidanceText(json), opts.out);
    });
}

/** The whole command on parsed options: the JSON contract (the text is made from it). */
export function runGuidance(modelPath: string, opts: GuidanceCliOptions, loaded: LoadedModel = loadModel(modelPath)): GuidanceJson {
  const model = exactModel(loaded, "guidance");
  if (!(model.numClasses >= 2 && model.structure?.type === "mixture")) throw new InfodynError(`guidance needs a labelled mixture (deltas with labels, or a gmm); ${loaded.source} is a ${model.kind} model with ${model.numClasses} classes`);
  const label = classOption(model, opts.class);
  if (!GUIDED_SAMPLERS.includes(opts.sampler as GuidedSamplerName)) throw new InfodynError(`--sampler: unknown sampler '${opts.sampler}' (expected one of ${GUIDED_SAMPLERS.join(", ")})`);
  const sampler = opts.sampler as GuidedSamplerName;
  if (!PROCESS_NAMES.includes(opts.process as ProcessName)) throw new InfodynError(`--process: unknown process '${opts.process}' (expected one of ${PROCESS_NAMES.join(", ")})`);
  const range = opts.sigmaMin === undefined || opts.sigmaMax === undefined ? defaultSigmaRange(model) : undefined;
  const sigmaMin = opts.sigmaMin === undefined ? range!.min : parsePositiveList(opts.sigmaMin, "--sigma-min")[0];
  const sigmaMax = opts.sigmaMax === undefined ? range!.max : parsePositiveList(opts.sigmaMax, "--sigma-max")[0];
  if (!(sigmaMax > sigmaMin)) throw new InfodynError(`--sigma-max: ${sigmaMax} must exceed --sigma-min ${sigmaMin}`);
  checkComputable(model, [sigmaMin, sigmaMax], "--sigma-min/--sigma-max");
  const n = sizeOption(opts.n ?? "2000", "--n", 2).value;
  const steps = sizeOption(opts.steps ?? "64", "--steps", 1).value;
  const seed = seedOption(opts.seed);
  checkMemory("--n", [{ value: n, label: "paths" }, { value: 4 * model.dim, label: "numbers per path" }]);
  checkWork("--n", [{ value: n, label: "paths" }, { value: steps + 1, label: "levels" }, { value: 4, label: "denoiser rows per step" }, ...modelFactors(model)]);
  const common = { label, sampler, n, steps, seed, sigmaMin, sigmaMax };
  const schedule = opts.optimize ? undefined : scheduleOption(opts);
  const process = noiseProcess(opts.process as ProcessName);
  checkOptimize(opts);
  const decision = classDecision(model, process, { sigmaMin, sigmaMax, seed });
  const notes: string[] = [];
  const base: Omit<GuidanceParams, "schedule"> = { class: label, sampler, n, steps, sigmaMin, sigmaMax, seed, process: process.name };
  const info = modelInfo(loaded);
  const className = model.classNames?.[label];
  if (opts.optimize) {
    const target = numberOption(opts.separability!, "--separability");
    if (!(target > 0 && target < 1)) throw new InfodynError(`--separability: ${target} is not in (0, 1)`);
    const edges = sizeOption(opts.edges ?? "6", "--edges", 1).value;
    const searchN = sizeOption(opts.searchN ?? "400", "--search-n", 2).value;
    const wMax = numberOption(opts.wMax, "--w-max");
    if (!(wMax > 0)) throw new InfodynError(`--w-max: ${wMax} must be > 0`);
    const bar = progressBar("guidance window search");
    const s = searchWindow(model, { ...common, separability: target, edges, searchN, wMax, onProgress: bar.update });
    bar.stop();
    const opt = searchJson(s);
    notes.push(`the optimum and constant guidance are re-measured on ${n} fresh paths (seed ${seed + 1}); the search ran ${s.evaluations} candidates on ${searchN} paths each`);
    const payload = { ...(className !== undefined ? { className } : {}), ...opt.optimum, decision, optimize: opt, notes };
    return guidanceContract(payload, guidanceEnvelope(info, { ...base, separability: target, edges, searchN, wMax }));
  }
  const d = guidanceDistortion(model, { ...common, schedule: schedule! });
  const payload = { ...(className !== undefined ? { className } : {}), route: "exact" as const, ...distortionJson(schedule!, d), decision, notes };
  return guidanceContract(payload, guidanceEnvelope(info, { ...base, schedule: guidanceScheduleJson(schedule!) }));
}

/** Multiply-adds assumed per output value of one network row (a small conv net), for the work budget. */
const NETWORK_COST_PER_VALUE = 1000;

/**
 * `guidance` on a class-conditional denoiser with labelled data (issue 17 item 6): guided paths on the network, the
 * class law and the classifier from its training set as an exact model (`deltas(data, {labels})`), the decision
 * interval from the network's class rate; `--optimize` minimises the sliced W₂ at the target separability.
 */
export async function runNetworkGuidance(loaded: LoadedModel & { type: "denoiser" }, opts: GuidanceCliOptions, signal?: AbortSignal): Promise<GuidanceJson> {
  const { denoiser, data, labels } = loaded;
  const C = denoiser.numClasses ?? 0;
  if (!(C >= 2) || !labels) throw new InfodynError(`${loaded.source}: guidance on a denoiser needs a class-conditional one with labelled data (its model file's labels)`);
  const training = deltas(data, { labels: Array.from(labels) });
  const label = classOption(training, opts.class);
  if (!GUIDED_SAMPLERS.includes(opts.sampler as GuidedSamplerName)) throw new InfodynError(`--sampler: unknown sampler '${opts.sampler}' (expected one of ${GUIDED_SAMPLERS.join(", ")})`);
  const sampler = opts.sampler as GuidedSamplerName;
  if (!PROCESS_NAMES.includes(opts.process as ProcessName)) throw new InfodynError(`--process: unknown process '${opts.process}' (expected one of ${PROCESS_NAMES.join(", ")})`);
  const range = pointsSigmaRange(data.data, data.dim, "the data samples'");
  const sigmaMin = opts.sigmaMin === undefined ? range.min : parsePositiveList(opts.sigmaMin, "--sigma-min")[0];
  const sigmaMax = opts.sigmaMax === undefined ? range.max : parsePositiveList(opts.sigmaMax, "--sigma-max")[0];
  if (!(sigmaMax > sigmaMin)) throw new InfodynError(`--sigma-max: ${sigmaMax} must exceed --sigma-min ${sigmaMin}`);
  const n = sizeOption(opts.n ?? "200", "--n", 2).value;
  const steps = sizeOption(opts.steps ?? "40", "--steps", 1).value;
  const seed = seedOption(opts.seed);
  checkOptimize(opts);
  const edges = sizeOption(opts.edges ?? "2", "--edges", 1).value;
  const searchN = sizeOption(opts.searchN ?? "100", "--search-n", 2).value;
  const wMax = numberOption(opts.wMax, "--w-max");
  if (!(wMax > 0)) throw new InfodynError(`--w-max: ${wMax} must be > 0`);
  const D = data.dim;
  checkMemory("--n", [{ value: n, label: "paths" }, { value: 4 * D, label: "numbers per path" }]);
  // heun: 2 stages a step, each asking 2 rows a path (class c and the null class); the search: ≈ 12 evaluations a structure
  const structures = 1 + ((edges + 1) * (edges + 2)) / 2 - 1;
  const evaluations = opts.optimize ? { value: 12 * structures * searchN + 2 * n, label: "paths over the search's evaluations" } : { value: n, label: "paths" };
  checkWork(opts.optimize ? "--search-n" : "--n", [evaluations, { value: steps + 1, label: "levels" }, { value: 4, label: "denoiser rows per step" }, dimFactor(D), { value: NETWORK_COST_PER_VALUE, label: "multiply-adds per output value of a network row (assumed)" }]);
  const process = noiseProcess(opts.process as ProcessName);
  const decision = await networkDecision(denoiser, data, labels, process, { sigmaMin, sigmaMax, seed, signal });
  const base: Omit<GuidanceParams, "schedule"> = { class: label, sampler, n, steps, sigmaMin, sigmaMax, seed, process: process.name };
  const info = modelInfo(loaded);
  const common = { label, sampler, n, steps, seed, sigmaMin, sigmaMax, signal };
  const notes = [
    `network route: ${n} guided paths on ${loaded.source} from its ${data.rows} training points noised at σ_max; p(y|c) = the ${countOf(labels, label)} training points of class ${label}; separability and accuracy = the training set's exact p(c|x) at σ_min = ${g(sigmaMin)} on the denoised end states D_w(x_σmin, σ_min)`,
    "no KL on the network route: the class law is a finite sample with no density (a nearest-neighbour KL in high dimension would mostly measure its bias); sliced W₂ is against n draws of the class's training points, its floor two such draws",
    `decision interval from the class rate E‖D(x,σ,c) − D(x,σ)‖²/σ³ of the network on ≤ 1000 labelled training points (32 levels)`,
  ];
  if (opts.optimize) {
    const target = numberOption(opts.separability!, "--separability");
    if (!(target > 0 && target < 1)) throw new InfodynError(`--separability: ${target} is not in (0, 1)`);
    const bar = progressBar("guidance window search (network)");
    const s = await searchNetworkWindow(denoiser, training, { ...common, separability: target, edges, searchN, wMax, onProgress: bar.update });
    bar.stop();
    const opt = networkSearchJson(s);
    notes.push(`least sliced W₂ at the target; the optimum and constant guidance re-measured on ${n} fresh paths (seed ${seed + 1}); the search ran ${s.evaluations} evaluations on ${searchN} paths each`);
    const payload = { route: "network" as const, ...opt.optimum, decision, optimize: opt, notes };
    return guidanceContract(payload, guidanceEnvelope(info, { ...base, separability: target, edges, searchN, wMax }));
  }
  const schedule = scheduleOption(opts);
  const d = await networkDistortion(denoiser, training, { ...common, schedule });
  const payload = { route: "network" as const, ...distortionJson(schedule, d), decision, notes };
  return guidanceContract(payload, guidanceEnvelope(info, { ...base, schedule: guidanceScheduleJson(schedule) }));
}

function countOf(labels: Int32Array, c: number): number {
  let k = 0;
  for (const l of labels) if (l === c) k++;
  return k;
}

/** --class as an index or a class name. */
function classOption(model: DataModel, text: string): number {
  const names = model.classNames ?? [];
  const byName = names.indexOf(text);
  if (byName >= 0) return byName;
  if (/^\d+$/.test(text) && Number(text) < model.numClasses) return Number(text);
  throw new InfodynError(`--class: '${text}' is not a class of the model (expected 0 … ${model.numClasses - 1}${names.length ? ` or one of ${names.join(", ")}` : ""})`);
}

/** The schedule of --w, --window, --w-inside. */
function scheduleOption(opts: GuidanceCliOptions): GuidanceSchedule {
  const given = (["window", "windows", "linear"] as const).filter((k) => opts[k] !== undefined);
  if (given.length > 1) throw new InfodynError(`--${given[1]}: cannot be combined with --${given[0]} (one schedule at a time)`);
  if (opts.linear !== undefined) return linearOption(opts.linear);
  const w = numberOption(opts.w, "--w");
  if ((opts.window === undefined) !== (opts.wInside === undefined)) throw new InfodynError(opts.window === undefined ? "--w-inside: needs --window a,b" : "--window: needs --w-inside W");
  if (opts.windows !== undefined) return windowsOption(opts.windows, w);
  if (opts.window === undefined) return { type: "constant", w };
  const parts = opts.window.split(",").map((p) => p.trim());
  if (parts.length !== 2) throw new InfodynError(`--window: '${opts.window}' is not two numbers a,b`);
  const schedule: GuidanceSchedule = { type: "windows", w, windows: [{ ...sigmaWindow(parts[0], parts[1], "--window"), w: numberOption(opts.wInside!, "--w-inside") }] };
  checkSchedule(schedule, "--window");
  return schedule;
}

/** One σ-window (a, b] of --window or --windows: 0 ≤ a < b, b may be 'inf'; `option` names it in errors. */
function sigmaWindow(loText: string, hiText: string, option: string): { lo: number; hi: number } {
  const lo = numberOption(loText, option);
  const hi = /^(inf|infinity)$/i.test(hiText) ? Infinity : numberOption(hiText, option);
  if (!(lo >= 0 && hi > lo)) throw new InfodynError(`${option}: (${lo}, ${hi}] is not a σ-window with 0 ≤ a < b`);
  return { lo, hi };
}

/** `--optimize` searches the schedule itself: it needs --separability and refuses a given schedule. */
function checkOptimize(opts: GuidanceCliOptions): void {
  if (!opts.optimize) return;
  if (opts.separability === undefined) throw new InfodynError("--optimize: needs --separability S, the target mean p(c|x) in (0, 1)");
  if (opts.window !== undefined || opts.wInside !== undefined || opts.windows !== undefined || opts.linear !== undefined) throw new InfodynError("--optimize: searches the window itself (leave out --window, --w-inside, --windows and --linear)");
}

/** `--windows a:b:w,c:d:w`: disjoint σ-windows (a, b], each with its weight; `outside` (--w) elsewhere. */
function windowsOption(text: string, outside: number): GuidanceSchedule {
  const windows = text.split(",").map((item, i) => {
    const parts = item.trim().split(":").map((p) => p.trim());
    if (parts.length !== 3) throw new InfodynError(`--windows: window ${i + 1} '${item.trim()}' is not a:b:w`);
    return { ...sigmaWindow(parts[0], parts[1], `--windows (window ${i + 1})`), w: numberOption(parts[2], `--windows (window ${i + 1})`) };
  });
  const schedule: GuidanceSchedule = { type: "windows", w: outside, windows };
  checkSchedule(schedule, "--windows");
  return schedule;
}

/** `--linear gamma0,omega`: w(σ) = 1 + γ₀ + ω σ² (THEORY.md §9.2, the papers' γ). */
function linearOption(text: string): GuidanceSchedule {
  const parts = text.split(",").map((p) => p.trim());
  if (parts.length !== 2) throw new InfodynError(`--linear: '${text}' is not two numbers gamma0,omega`);
  const schedule: GuidanceSchedule = { type: "linear", gamma0: numberOption(parts[0], "--linear"), omega: numberOption(parts[1], "--linear") };
  checkSchedule(schedule, "--linear");
  return schedule;
}

const g = (v: number) => (v === 0 ? "0" : Math.abs(v) >= 1e-3 && Math.abs(v) < 1e5 ? v.toPrecision(4) : v.toExponential(3));
const pm = (e: { value: number; standardError: number }) => `${g(e.value)} ± ${g(e.standardError)}`;
const r4 = (v: number) => Number(v.toPrecision(4));
const scheduleText = (s: DistortionJson["schedule"]) =>
  describeSchedule(
    s.type === "windows"
      ? { type: "windows", w: r4(s.w), windows: s.windows.map((x) => ({ lo: r4(x.lo), hi: x.hi === undefined ? Infinity : r4(x.hi), w: r4(x.w) })) }
      : s.type === "constant"
        ? { type: "constant", w: r4(s.w) }
        : s,
  );

/** The readable summary of a {@link GuidanceJson}. */
export function guidanceText(j: GuidanceJson): string {
  const p = j.params;
  const level = (l: { sigma: number; t: number; timestep?: number }) => `σ = ${g(l.sigma)} (t = ${g(l.t)}${l.timestep !== undefined ? `, timestep ${Math.round(l.timestep)}` : ""})`;
  const lines = [
    `guidance towards class ${p.class}${j.className ? ` (${j.className})` : ""} of ${j.model?.source}: ${p.n} ${p.sampler} paths, ${p.steps} steps from σ = ${g(p.sigmaMax)} to ${g(p.sigmaMin)}, seed ${p.seed}`,
    `class decided at ${level(j.decision.peak)}; half-maximum interval ${level(j.decision.low)} to ${level(j.decision.high)} (${(100 * j.decision.fractionInside).toFixed(0)}% of the class information; ${p.process})`,
  ];
  const kl = j.kl !== undefined;
  const row = (name: string, d: DistortionJson) => [name, scheduleText(d.schedule), pm(d.separability), ...(kl ? [pm(d.kl!)] : [pm(d.accuracy)]), pm(d.w2), pm(d.meanShift), pm(d.varianceRatio)];
  const head = ["", "schedule", "separability", kl ? `KL (${j.kl!.method})` : "accuracy", "sliced W₂", "mean shift", "Tr Cov ratio"];
  if (j.optimize) {
    const o = j.optimize;
    lines.push(`least ${o.objective === "w2" ? "sliced W₂" : "KL"} at separability ${o.target} (${o.evaluations} candidates searched):`);
    lines.push(formatTable(head, [row("optimum", o.optimum), ...(o.constant ? [row("constant", o.constant)] : [])]));
    if (o.klDifference) lines.push(`KL(optimum) − KL(constant) on the same paths: ${pm(o.klDifference)}`);
    if (o.w2Difference) lines.push(`sliced W₂(optimum) − sliced W₂(constant) on the same starts: ${pm(o.w2Difference)}`);
    if (o.objective !== "w2") lines.push(`Pareto front (separability vs KL on the search's paths): ${o.front.length} schedules`);
  } else lines.push(formatTable(head, [row("guided", j)]));
  lines.push(`sliced W₂ floor (two exact class samples of the same size): ${g(j.w2Floor)}`, ...j.notes);
  return lines.join("\n");
}
