import { z } from "zod";
import { InfodynError } from "../errors.js";
import { nearest } from "../models/parse.js";
import { formatPath, knownKeysAt } from "../models/schema.js";
import { PROCESS_NAMES, type ProcessName } from "../noise/process.js";
import { NOISE_INPUTS } from "./noise-input.js";
import { PARAMETERIZATIONS } from "./parameterization.js";

/** One of `values`, with a did-you-mean for a near miss: `'epsilon' is not one of eps, x0, …; did you mean 'eps'?`. */
function oneOf<const T extends readonly [string, ...string[]]>(values: T, what: string) {
  return z.enum(values, {
    error: (iss) => {
      const got = iss.input;
      if (got === undefined) return `is required: the ${what} (one of ${values.join(", ")})`;
      const near = typeof got === "string" ? nearest(got, values) : undefined;
      return `${JSON.stringify(got)} is not a ${what} (expected one of ${values.join(", ")})${near ? `; did you mean '${near}'?` : ""}`;
    },
  });
}

const file = (what: string) => z.string({ error: `must name ${what}` }).min(1, `must name ${what}`);
const inputName = z.string({ error: "must name an input of the network" }).min(1, "must name an input of the network");
const positiveInt = (what: string) => z.number({ error: `must be ${what}` }).int(`must be ${what}`).min(1, `must be ${what}`);

/** A DDPM beta schedule: β_n ∈ (0, 1), one per timestep (the diffusers scheduler's `betas`). */
const betasSchema = z.strictObject({
  betas: z
    .array(z.number({ error: "must be a number in (0, 1)" }).gt(0, "must be in (0, 1)").lt(1, "must be in (0, 1)"), { error: "must be an array of numbers in (0, 1)" })
    .min(1, "must have at least one timestep"),
});

/**
 * The model file of a trained network exported to ONNX (DESIGN.md "Model files"; the conventions are those of
 * src/network/: parameterization.ts, noise-input.ts, process.ts). Strict: an unknown key is an error with a
 * did-you-mean. `data` (and `labels`) are the samples the expectations are taken over, normally the training set.
 */
export const onnxModelSchema = z.strictObject({
  kind: z.literal("onnx"),
  /** The .onnx graph, relative to the model file. */
  path: file("the .onnx file"),
  parameterization: oneOf(PARAMETERIZATIONS as unknown as readonly ["eps", ...string[]], "parameterization"),
  process: z.union([z.string(), betasSchema]),
  noiseInput: oneOf(NOISE_INPUTS as unknown as readonly ["sigma", ...string[]], "noise input"),
  inputs: z.strictObject({ x: inputName.optional(), noise: inputName.optional(), class: inputName.optional() }).optional(),
  output: z.string().min(1, "must name an output of the network").optional(),
  shape: z.array(positiveInt("a positive integer"), { error: "must be the shape of one sample, e.g. [1, 8, 8]" }).min(1, "must have at least one dimension").optional(),
  numClasses: positiveInt("an integer ≥ 1").optional(),
  nullClass: z.number({ error: "must be an integer ≥ 0" }).int("must be an integer ≥ 0").min(0, "must be an integer ≥ 0").optional(),
  sigmaData: z.number({ error: "must be a positive number" }).positive("must be positive").optional(),
  timeScale: z.number({ error: "must be a positive number" }).positive("must be positive").optional(),
  timestepTolerance: z.number({ error: "must be a number ≥ 0" }).nonnegative("must be ≥ 0").optional(),
  maxBatch: positiveInt("an integer ≥ 1").optional(),
  threads: positiveInt("an integer ≥ 1").optional(),
  data: file("the data samples (.npy, .npz or .csv)"),
  labels: file("the labels of the data samples").optional(),
  /** How the network was trained (settings, final loss): recorded, not read. */
  training: z.record(z.string(), z.unknown(), { error: "must be an object" }).optional(),
  name: z.string().optional(),
  description: z.string().optional(),
});

export type OnnxModelSpec = Omit<z.infer<typeof onnxModelSchema>, "process" | "parameterization" | "noiseInput"> & {
  process: ProcessName | { betas: number[] };
  parameterization: (typeof PARAMETERIZATIONS)[number];
  noiseInput: (typeof NOISE_INPUTS)[number];
};

/**
 * Validates an onnx model file: the schema, then the combinations of conventions. One {@link InfodynError}
 * naming the source and the field: `net.json: noiseInput: "timestep" needs a beta schedule (process {"betas": […]})`.
 */
export function parseOnnxSpec(json: unknown, source?: string): OnnxModelSpec {
  const fail = (path: readonly PropertyKey[], message: string): never => {
    throw new InfodynError(`${source ? source + ": " : ""}${path.length ? formatPath(path) + ": " : ""}${message}`);
  };
  const r = onnxModelSchema.safeParse(json);
  if (!r.success) {
    const unknown = r.error.issues.find((i) => i.code === "unrecognized_keys");
    if (unknown && unknown.code === "unrecognized_keys") {
      const known = knownKeysAt(onnxModelSchema, unknown.path) ?? [];
      const near = nearest(unknown.keys[0], known);
      fail([...unknown.path, unknown.keys[0]], `unknown field of ${unknown.path.length ? formatPath(unknown.path) : "an onnx model"} (expected ${known.join(", ")})${near ? `; did you mean '${near}'?` : ""}`);
    }
    const first = r.error.issues[0];
    if (first.code === "invalid_union" && first.path.join() === "process") processIssue((json as { process?: unknown }).process, fail);
    fail(first.path, first.message);
  }
  const spec = r.data as OnnxModelSpec;
  if (typeof spec.process === "string" && !(PROCESS_NAMES as readonly string[]).includes(spec.process)) processIssue(spec.process, fail);
  checkConventions(spec, fail);
  return spec;
}

const PROCESS_TEXT = `one of ${PROCESS_NAMES.join(", ")}, or a DDPM schedule {"betas": [β₀, β₁, …]}`;

function processIssue(p: unknown, fail: (path: readonly PropertyKey[], message: string) => never): never {
  if (p === undefined) return fail(["process"], `is required: the forward process (${PROCESS_TEXT})`);
  if (typeof p === "string") {
    const near = nearest(p, PROCESS_NAMES);
    return fail(["process"], `${JSON.stringify(p)} is not a process (expected ${PROCESS_TEXT})${near ? `; did you mean '${near}'?` : ""}`);
  }
  if (typeof p === "object" && p !== null && !Array.isArray(p)) {
    const r = betasSchema.safeParse(p);
    if (!r.success) {
      const i = r.error.issues.find((j) => j.code === "unrecognized_keys") ?? r.error.issues[0];
      if (i.code === "unrecognized_keys") return fail(["process", i.keys[0]], `unknown field of a beta schedule (expected betas)${nearest(i.keys[0], ["betas"]) ? "; did you mean 'betas'?" : ""}`);
      return fail(["process", ...i.path], i.message);
    }
  }
  return fail(["process"], `must be ${PROCESS_TEXT}`);
}

/** Combinations that have no meaning, each refused naming the field to change. */
function checkConventions(s: OnnxModelSpec, fail: (path: readonly PropertyKey[], message: string) => never): void {
  const discrete = typeof s.process !== "string";
  const name = discrete ? "a beta schedule" : `the ${s.process} process`;
  if (s.noiseInput === "timestep" && !discrete) fail(["noiseInput"], `"timestep" needs a beta schedule (process {"betas": […]}); ${name} has a continuous t (noiseInput "t")`);
  if (s.noiseInput === "t" && discrete) fail(["noiseInput"], `a beta schedule has integer timesteps, not a continuous t: use noiseInput "timestep"`);
  const family = discrete ? "vp" : s.process === "ve" || s.process === "edm" ? "ve" : s.process === "flow" ? "flow" : "vp";
  if (s.parameterization === "v" && family === "ve")
    fail(["parameterization"], `"v" (v-prediction) is defined for variance-preserving processes (vp-linear, vp-cosine, betas) and flow, not for ${name}`);
  if (s.parameterization === "edm" && family !== "ve")
    fail(["parameterization"], `"edm" preconditioning acts on VE states (process "edm" or "ve"), not on ${name}; use eps, x0, v or score`);
  if (s.sigmaData !== undefined && s.parameterization !== "edm") fail(["sigmaData"], `is EDM preconditioning's σ_data; parameterization is "${s.parameterization}"`);
  if (s.timeScale !== undefined && s.noiseInput !== "t") fail(["timeScale"], `scales a "t" noise input; noiseInput is "${s.noiseInput}"`);
  if (s.timestepTolerance !== undefined && s.noiseInput !== "timestep") fail(["timestepTolerance"], `applies to a "timestep" noise input; noiseInput is "${s.noiseInput}"`);
  if (s.nullClass !== undefined && s.numClasses !== undefined && s.nullClass < s.numClasses)
    fail(["nullClass"], `${s.nullClass} is one of the ${s.numClasses} classes (0 … ${s.numClasses - 1}); the null class must be another id (e.g. ${s.numClasses})`);
}
