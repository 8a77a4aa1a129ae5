import type { Command } from "commander";
import { informationProfile, type InformationProfile } from "../analysis/info/grid.js";
import { logSigmas, sigmaGrid } from "../noise/grid.js";
import type { ProfilePoint } from "../analysis/info/profile.js";
import { InfodynError } from "../errors.js";
import { noiseProcess, PROCESS_NAMES, type ProcessName } from "../noise/process.js";
import { emit, integerOption, loadModel, parsePositiveList } from "./files.js";
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

const SERIES = [
  "conditionalEntropy",
  "mutualInformation",
  "mmse",
  "entropyRate",
  "marginalEntropyRate",
  "bandwidth",
  "scoreNormSq",
  "meanDivergence",
  "pathwiseEntropyVariance",
  "classEntropy",
  "classEntropyRate",
] as const;
const ESTIMATORS = ["scoreNorm", "divergence", "fisherTrace", "jacobianSpectrum", "posteriorVariance"] as const;

/** `infodyn profile MODEL`: the information profile over a σ grid (issue 4's JSON contract). */
export function registerProfile(program: Command): void {
  program
    .command("profile")
    .description("entropy, mutual information, mmse and the entropy rate by five estimators over a σ grid, with their peaks")
    .argument("<model>", "model JSON file, or 'default' for the embedded dataset")
    .option("--sigma <list>", "explicit noise levels, comma-separated (e.g. 0.1,0.5,1)")
    .option("--sigma-min <a>", "smallest σ of a log-uniform grid (> 0)", "0.01")
    .option("--sigma-max <b>", "largest σ of a log-uniform grid", "100")
    .option("--steps <n>", "intervals of the log-uniform grid (n + 1 levels, integer ≥ 1)", "100")
    .option("--process <p>", `also report t(σ) and dH/dt for a forward process: ${PROCESS_NAMES.join(", ")} (ve with ν = 1)`)
    .option("--samples <n>", "Monte Carlo samples per σ where no quadrature applies (integer ≥ 100)", "20000")
    .option("--seed <s>", "seed of the Monte Carlo draws (integer)", "0")
    .option("--json", "machine-readable JSON output")
    .option("--out <file>", "write the output to a file instead of stdout")
    .addHelpText("after", "\nExample:\n  infodyn profile examples/two-deltas.json --sigma-min 0.05 --sigma-max 10 --steps 200 --json")
    .action((modelPath: string, opts: ProfileCliOptions) => {
      const { model, source } = loadModel(modelPath);
      const sigmas = opts.sigma ? sigmaGrid(parsePositiveList(opts.sigma, "--sigma"), "--sigma") : gridFromOptions(opts);
      const samples = integerOption(opts.samples, "--samples", 100);
      const seed = integerOption(opts.seed, "--seed", -(2 ** 31));
      let process;
      if (opts.process !== undefined) {
        if (!PROCESS_NAMES.includes(opts.process as ProcessName))
          throw new InfodynError(`--process: unknown process '${opts.process}' (expected one of ${PROCESS_NAMES.join(", ")})`);
        process = noiseProcess(opts.process as ProcessName);
      }
      const bar = progressBar("profile");
      const profile = informationProfile(model, sigmas, { samples, seed, onProgress: bar.update });
      bar.stop();
      if (opts.json) {
        const out = profileJson(profile);
        if (process) {
          const ts = profile.sigma.map((s) => process.time(s));
          out.t = ts;
          out.entropyRateTime = profile.points.map((p, i) => p.entropyRate * process.sigmaDerivative(ts[i]));
        }
        emit(JSON.stringify(out), opts.out);
        return;
      }
      emit(profileTableText(profile, source, model.kind), opts.out);
    });
}

function gridFromOptions(opts: ProfileCliOptions): Float64Array {
  const [a] = parsePositiveList(opts.sigmaMin, "--sigma-min");
  const [b] = parsePositiveList(opts.sigmaMax, "--sigma-max");
  if (!(b > a)) throw new InfodynError(`--sigma-max: ${b} must exceed --sigma-min ${a}`);
  return logSigmas(integerOption(opts.steps, "--steps", 1) + 1, a, b);
}


/** The JSON contract of `infodyn profile --json` (issue 4): arrays aligned with `sigma`, keys omitted where undefined. */
export function profileJson(profile: InformationProfile): Record<string, unknown> {
  const pts = profile.points;
  const out: Record<string, unknown> = { dim: profile.dim, sigma: profile.sigma };
  const series = (pick: (p: ProfilePoint) => number | undefined) => {
    const v = pts.map(pick);
    return v.every((x) => x !== undefined) ? v : undefined;
  };
  for (const key of SERIES) {
    const v = series((p) => p[key]);
    if (v) out[key] = v;
    if (key === "entropyRate")
      out.entropyRateEstimators = Object.fromEntries(ESTIMATORS.map((e) => [e, pts.map((p) => p.entropyRateEstimators[e])]));
  }
  if (pts.some((p) => p.standardError)) {
    const se: Record<string, unknown> = {};
    for (const key of SERIES) {
      if (!(key in out)) continue;
      se[key] = pts.map((p) => (p.standardError ? p.standardError[key] ?? 0 : 0));
    }
    se.entropyRateEstimators = Object.fromEntries(
      ESTIMATORS.map((e) => [e, pts.map((p) => p.standardError?.entropyRateEstimators?.[e] ?? 0)]),
    );
    out.standardError = se;
  }
  out.peaks = profile.peaks;
  return out;
}

/** The readable table of a profile, with its peaks. */
export function profileTableText(profile: InformationProfile, source: string, kind: string): string {
  const g = (v: number | undefined) => (v === undefined ? "-" : Math.abs(v) >= 1e-3 && Math.abs(v) < 1e5 ? v.toPrecision(5) : v === 0 ? "0" : v.toExponential(3));
  const hasH = profile.points.every((p) => p.conditionalEntropy !== undefined);
  const hasVar = profile.points.every((p) => p.pathwiseEntropyVariance !== undefined);
  const hasClass = profile.points.every((p) => p.classEntropy !== undefined);
  const head = ["σ", ...(hasH ? ["H(y|x)"] : []), "I(y;x)", "mmse", "dH/dσ", "spread", ...(hasVar ? ["Var h"] : []), ...(hasClass ? ["H(c|x)", "dH(c|x)/dσ"] : [])];
  const rows = profile.points.map((p) => {
    const est = ESTIMATORS.map((e) => p.entropyRateEstimators[e]);
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
