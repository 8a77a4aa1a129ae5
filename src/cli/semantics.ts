import type { Command } from "commander";
import { formatPeak } from "../analysis/info/peak.js";
import { decisionLevels, SPLIT_BATCHES, type Linkage } from "../analysis/info/hierarchy.js";
import { checkPartition, semanticProfile } from "../analysis/info/semantics.js";
import { defaultSigmaRange } from "../analysis/scale.js";
import { checkComputable } from "../analysis/validity.js";
import { envelope, modelInfo } from "../contracts/envelope.js";
import { classifierSemanticsPayload, decisionLevelsPayload, semanticsContract, semanticsPayload, type SemanticsParams } from "../contracts/semantics.js";
import { InfodynError } from "../errors.js";
import { ascending, logSigmas } from "../noise/grid.js";
import { sampleRngs } from "../analysis/dynamics/initial.js";
import { dataStarts, labelPrior } from "../analysis/denoiser-routes.js";
import { onlineClassifier } from "../analysis/info/online-classifier.js";
import { pointsSigmaRange } from "../analysis/scale.js";
import { interruptible } from "./abort.js";
import { checkWork, dimFactor, modelFactors } from "./budget.js";
import { emit, loadModel, parsePositiveList, seedOption, sizeOption, type LoadedModel } from "./files.js";
import { exactModel } from "./needs.js";
import { progressBar } from "./progress.js";
import { formatTable } from "./table.js";

interface SemanticsCliOptions {
  partition: string[];
  hierarchy?: boolean;
  linkage?: string;
  sigmaMin?: string;
  sigmaMax?: string;
  steps: string;
  samples: string;
  seed: string;
  json?: boolean;
  out?: string;
}

/** `infodyn semantics MODEL --partition …`: when each group of classes is decided (issue 17, item 4). */
export function registerSemantics(program: Command): void {
  program
    .command("semantics")
    .description("semantic decisions: H(G|x_σ), H(c|G,x_σ) and dH(G|x_σ)/dσ for partitions of the classes, the per-class profile and each class's critical window")
    .argument("<model>", "a labelled exact model JSON file (deltas, dataset, gmm), a class-conditional network (onnx, testbed) with labels, or 'default'")
    .option("--partition <groups>", "groups of classes as JSON, by index or name, e.g. '[[0,1],[2,3]]' (repeat for several levels; default: each class alone)", (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option("--hierarchy", "instead of --partition: every level of the class hierarchy at once (class centres merged two by two, K groups down to 2), each with the σ where it is decided")
    .option("--linkage <name>", "with --hierarchy: how groups are merged, ward (the loss of between-group variance, the high-noise information) or average; default ward")
    .option("--sigma-min <a>", "smallest σ (> 0); default: from the data (see README, Default noise levels)")
    .option("--sigma-max <b>", "largest σ (> --sigma-min); default: from the data")
    .option("--steps <n>", "intervals of the log-uniform σ grid (integer ≥ 1)", "30")
    .option("--samples <n>", "labelled draws (c, y) per σ, x = y + σz (integer ≥ 2); on a network, the classifier's paths (at most 256)", "4000")
    .option("--seed <s>", "seed (0 to 2³²−1; level i draws from a seed derived from it and i)", "0")
    .option("--json", "machine-readable JSON output")
    .option("--out <file>", "write the output to a file instead of stdout")
    .addHelpText("after", "\nExample:\n  infodyn semantics examples/digits01.json --partition '[[0],[1]]' --json\n  infodyn semantics default --partition '[[0,1],[2,3]]'\n  infodyn semantics examples/digits.json --hierarchy --json")
    .action(async (modelPath: string, opts: SemanticsCliOptions) => {
      const loaded = loadModel(modelPath);
      const linkage = checkHierarchyOptions(opts);
      if (loaded.type === "denoiser") {
        if (opts.hierarchy) throw new InfodynError(`--hierarchy: needs an exact labelled model (deltas with labels, a gmm); ${loaded.source} is a denoiser: give its levels with --partition`);
        return networkSemantics(loaded, opts);
      }
      const model = exactModel(loaded, "semantics");
      if (!(model.numClasses >= 2)) throw new InfodynError(`${loaded.source}: semantics needs a labelled model with at least 2 classes (${model.kind} has ${model.numClasses})`);
      const partitions = opts.partition.length ? opts.partition.map((t, k) => parsePartition(t, model.classNames, model.numClasses, `--partition ${k + 1}`)) : [Array.from({ length: model.numClasses }, (_, c) => [c])];
      const range = opts.sigmaMin === undefined || opts.sigmaMax === undefined ? defaultSigmaRange(model) : undefined;
      const sigmaMin = opts.sigmaMin === undefined ? range!.min : parsePositiveList(opts.sigmaMin, "--sigma-min")[0];
      const sigmaMax = opts.sigmaMax === undefined ? range!.max : parsePositiveList(opts.sigmaMax, "--sigma-max")[0];
      if (!(sigmaMax > sigmaMin)) throw new InfodynError(`--sigma-max: ${sigmaMax} must exceed --sigma-min ${sigmaMin}${range ? " (one end from the data's default range: give both)" : ""}`);
      checkComputable(model, [sigmaMin, sigmaMax], "--sigma-min/--sigma-max");
      const steps = sizeOption(opts.steps, "--steps", 1);
      const samples = sizeOption(opts.samples, "--samples", 2);
      if (linkage && samples.value < 2 * SPLIT_BATCHES) throw new InfodynError(`--samples: must be ≥ ${2 * SPLIT_BATCHES} with --hierarchy (${SPLIT_BATCHES} batches of at least 2 draws, for the splits' errors; got ${samples.text})`);
      const seed = seedOption(opts.seed);
      checkWork("--samples", [{ ...samples, label: "samples" }, { value: steps.value + 1, label: "levels" }, ...modelFactors(model), { value: 2, label: "(the class means)" }]);
      const sigmas = Array.from(ascending(logSigmas(steps.value + 1, sigmaMin, sigmaMax)));
      const bar = progressBar("semantics");
      const levels = linkage ? decisionLevels(model, sigmas, { samples: samples.value, seed, linkage, onProgress: bar.update }) : undefined;
      const profile = levels?.profile ?? semanticProfile(model, sigmas, partitions, { samples: samples.value, seed, onProgress: bar.update });
      bar.stop();
      const params: SemanticsParams = { partitions: profile.partitions.map((p) => p.groups), sigmaMin, sigmaMax, steps: steps.value, samples: samples.value, seed, ...(linkage ? { hierarchy: { linkage } } : {}) };
      const payload = { ...semanticsPayload(profile, model.classNames), ...(levels ? decisionLevelsPayload(levels) : {}) };
      const out = semanticsContract(payload, envelope("semantics", modelInfo(loaded), params));
      if (opts.json) return emit(JSON.stringify(out), opts.out);
      const name = (c: number) => model.classNames?.[c] ?? String(c);
      const g = (v: number) => (Math.abs(v) >= 1e-3 && Math.abs(v) < 1e5 ? v.toPrecision(5) : v.toExponential(2));
      const lines = [`semantic decisions of ${loaded.source} (${model.kind}, ${model.numClasses} classes); entropies in nats, rates per unit σ; ${profile.method}`];
      const braces = (grp: readonly number[]) => `{${grp.map(name).join(", ")}}`;
      const when = (p: { sigma: number; low: number; high: number; atBoundary: boolean } | undefined) => (p ? `${formatPeak(p)}${p.atBoundary ? " (an end of the range)" : ""}` : "–");
      if (out.levels) {
        lines.push(`the class hierarchy (${linkage} linkage of the class centres), coarsest split first; "split decided": the peak of σ·dH(G|G′,x)/dσ (G′ the next coarser level: when that split is made), "level decided": the peak of σ·dH(G|x)/dσ`);
        for (const lv of [...out.levels].reverse()) lines.push(`  ${lv.partition.length} groups: split ${braces(lv.split.groups[0])} | ${braces(lv.split.groups[1])} decided at ${when(lv.split.decision)}; level decided at ${when(lv.decision)}`);
      }
      if (!out.levels) out.partitions.forEach((p, k) => {
        const label = p.groups.map((grp) => `{${grp.map(name).join(", ")}}`).join(" | ");
        const rows = out.sigma.map((s, i) => [g(s), `${g(p.groupEntropy.value[i])} ± ${p.groupEntropy.standardError[i].toPrecision(2)}`, `${g(p.withinEntropy.value[i])}`, `${g(p.groupEntropyRate!.value[i])} ± ${p.groupEntropyRate!.standardError[i].toPrecision(2)}`]);
        lines.push(`partition ${k + 1}: ${label}${p.peak ? ` — decided fastest (peak of σ·dH(G|x)/dσ) at ${formatPeak(p.peak)}${p.peak.atBoundary ? " (an end of the range)" : ""}` : ""}`);
        lines.push(formatTable(["σ", "H(G|x)", "H(c|G,x)", "dH(G|x)/dσ"], rows));
      });
      lines.push("critical window of each class (peak of σ r_c, r_c = E_{x|c}‖m_c − m‖²/σ³):");
      out.perClass!.forEach((c, i) => lines.push(`  ${name(i)} (${(100 * c.weight).toFixed(1)} % of the data): ${c.window ? formatPeak(c.window) + (c.window.atBoundary ? " (an end of the range)" : "") : "–"}`));
      emit(lines.join("\n"), opts.out);
    });
}

/**
 * `semantics` on a conditional denoiser (a network with labelled data): the online Bayes classifier along `--samples`
 * (at most 256) reverse Euler–Maruyama paths from the data noised at σ_max, `--steps` log steps, its group entropies
 * per partition.
 */
async function networkSemantics(loaded: LoadedModel & { type: "denoiser" }, opts: SemanticsCliOptions): Promise<void> {
  const { denoiser, data, labels } = loaded;
  const C = denoiser.numClasses ?? 0;
  if (!(C >= 2) || !labels) throw new InfodynError(`${loaded.source}: semantics on a denoiser needs a class-conditional one with labelled data (its model file's labels)`);
  const partitions = opts.partition.length ? opts.partition.map((t, k) => parsePartition(t, undefined, C, `--partition ${k + 1}`)) : [Array.from({ length: C }, (_, c) => [c])];
  const range = pointsSigmaRange(data.data, data.dim, "the data samples'");
  const sigmaMin = opts.sigmaMin === undefined ? range.min : parsePositiveList(opts.sigmaMin, "--sigma-min")[0];
  const sigmaMax = opts.sigmaMax === undefined ? range.max : parsePositiveList(opts.sigmaMax, "--sigma-max")[0];
  if (!(sigmaMax > sigmaMin)) throw new InfodynError(`--sigma-max: ${sigmaMax} must exceed --sigma-min ${sigmaMin}`);
  const steps = sizeOption(opts.steps, "--steps", 1);
  const paths = Math.min(256, sizeOption(opts.samples, "--samples", 2).value);
  const seed = seedOption(opts.seed);
  checkWork("--steps", [{ ...steps, label: "steps" }, { value: paths * (C + 1), label: "denoiser rows" }, dimFactor(data.dim)]);
  const prior = labelPrior(labels, C);
  const rngs = sampleRngs(seed, paths);
  const x0 = dataStarts(data, rngs, sigmaMax);
  const bar = progressBar("semantics (online classifier)");
  const r = await interruptible((signal) =>
    onlineClassifier(denoiser, x0, logSigmas(steps.value + 1, sigmaMin, sigmaMax), C, { rng: rngs.map((g) => g.fork()), prior, partitions, signal, onProgress: bar.update }),
  );
  bar.stop();
  const method = `online Bayes classifier along ${paths} reverse Euler–Maruyama paths of the denoiser (${steps.value} log steps from the data noised at σ_max); p(G|x) = Σ_{c∈G} p(c|x); ± SE over the paths`;
  const params: SemanticsParams = { partitions, sigmaMin, sigmaMax, steps: steps.value, samples: paths, seed };
  const out = semanticsContract(classifierSemanticsPayload(r, partitions, method), envelope("semantics", modelInfo(loaded), params));
  if (opts.json) return emit(JSON.stringify(out), opts.out);
  const g = (v: number) => (Math.abs(v) >= 1e-3 && Math.abs(v) < 1e5 ? v.toPrecision(5) : v.toExponential(2));
  const every = Math.max(1, Math.round(out.sigma.length / 20));
  const lines = [`semantic decisions of ${loaded.source} (${loaded.kind}, a denoiser, ${C} classes); ${method}`];
  out.partitions.forEach((p, k) => {
    const rows = out.sigma.flatMap((s, i) => (i % every === 0 || i === out.sigma.length - 1 ? [[g(s), `${g(p.groupEntropy.value[i])} ± ${p.groupEntropy.standardError[i].toPrecision(2)}`, g(p.withinEntropy.value[i])]] : []));
    lines.push(`partition ${k + 1}: ${p.groups.map((grp) => `{${grp.join(", ")}}`).join(" | ")} — H(G|x) falls fastest at σ ≈ ${g(p.steepestFall!.sigma)} (${g(p.steepestFall!.value)} nats per unit log σ)`);
    lines.push(formatTable(["σ", "H(G|x)", "H(c|G,x)"], rows));
  });
  emit(lines.join("\n"), opts.out);
}

/** The linkage of `--hierarchy` (undefined without it); `--linkage` alone or `--hierarchy` with `--partition` refused. */
function checkHierarchyOptions(opts: SemanticsCliOptions): Linkage | undefined {
  if (!opts.hierarchy) {
    if (opts.linkage !== undefined) throw new InfodynError("--linkage: only with --hierarchy");
    return undefined;
  }
  if (opts.partition.length) throw new InfodynError("--hierarchy: replaces --partition (the levels are the hierarchy's); give one of them");
  const linkage = opts.linkage ?? "ward";
  if (linkage !== "ward" && linkage !== "average") throw new InfodynError(`--linkage: must be ward or average (got ${JSON.stringify(linkage)})`);
  return linkage;
}

/** A partition from JSON: groups of class indices or names (`[["a","b"],["c"]]`), every class in one group. */
function parsePartition(text: string, names: readonly string[] | undefined, C: number, option: string): number[][] {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new InfodynError(`${option}: not valid JSON (${(e as Error).message}); write groups of classes, e.g. '[[0,1],[2,3]]'`);
  }
  if (!Array.isArray(v) || !v.every(Array.isArray)) throw new InfodynError(`${option}: must be a list of groups of classes, e.g. '[[0,1],[2,3]]'`);
  const groups = (v as unknown[][]).map((grp) =>
    grp.map((c) => {
      if (typeof c === "number") return c;
      if (typeof c === "string" && names?.includes(c)) return names.indexOf(c);
      throw new InfodynError(`${option}: ${JSON.stringify(c)} is not a class${names ? ` (classes: ${names.join(", ")})` : ""}`);
    }),
  );
  return checkPartition(groups, C, option);
}
