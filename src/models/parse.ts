import { type Batch, fromRows } from "../batch.js";
import { InfodynError } from "../errors.js";
import { parseArrayFile, parseLabelFile } from "../io/index.js";
import { symmetricEigenvalues } from "../numeric/eigen.js";
import { createRng } from "../numeric/rng.js";
import { networkTestbed } from "../score/testbed.js";
import { deltas } from "./deltas.js";
import { gaussian } from "./gaussian.js";
import { gmm } from "./gmm.js";
import { ising, ISING_MAX_EXACT_SPINS } from "./ising.js";
import { parseJsonStrict } from "../io/json.js";
import type { z } from "zod";
import { denoiserSchemas, formatPath, knownKeysAt, modelSchemas, testbedSchema, type ModelKind, type ModelSpec } from "./schema.js";
import { sphere } from "./sphere.js";
import type { DataModel, Denoiser } from "./types.js";

/** Where a model comes from and how to read the files it names (the CLI supplies `readFile`). */
export interface ParseOptions {
  /** Name used in error messages, e.g. the model file's path. */
  source?: string;
  /** Reads a file named in the model (dataset paths), resolved by the caller. */
  readFile?: (path: string) => Uint8Array;
  /** Field path of this model inside an enclosing file (a testbed's `model`): errors then name `model.points[1]`. */
  prefix?: readonly PropertyKey[];
  /**
   * The most bytes one array the model implies may take (a testbed's `samples` × D, a sphere's point): a larger
   * declaration is refused before anything is allocated. @default unbounded (the CLI passes its 1 GiB budget)
   */
  maxArrayBytes?: number;
  /** Passed to the `.npz` reader: the most bytes an archive's arrays may inflate to. @default 1 GiB */
  maxInflatedBytes?: number;
}

/**
 * A model file, parsed: an exact data model (a posterior at every σ), or a denoiser with the data samples its
 * expectations are taken over (DESIGN.md "Model files"; each command says which it needs).
 */
export type ParsedModel =
  | { type: "exact"; model: DataModel; name?: string }
  | { type: "denoiser"; kind: "testbed"; denoiser: Denoiser; data: Batch; labels?: Int32Array; name?: string };

/**
 * Validates a model description (the parsed JSON of a model file, DESIGN.md) and builds its {@link DataModel}.
 * Every error is one {@link InfodynError} whose message names the source and the field:
 * `model.json: components[1].cov: not positive semi-definite`.
 */
export function parseModel(json: unknown, options: ParseOptions = {}): DataModel {
  const spec = validateModel(json, options.source, options.prefix);
  return buildModel(spec, options);
}

/**
 * Parses a model file of any kind: the data-model kinds give `{type: "exact", model}` (as {@link parseModel});
 * a `testbed` gives `{type: "denoiser", denoiser, data, labels}`: {@link networkTestbed} on the exact model it wraps
 * (an object, or a path read with `readFile` relative to this file), with `samples` data points (default 4096)
 * drawn from that model with `seed` (default 0; labelled models give their labels too). Errors name the field.
 *
 * @example
 * parseModelFile({ kind: "testbed", model: { kind: "deltas", points: [[-1], [1]] }, shrink: 0.1 }); // { type: "denoiser", … }
 */
export function parseModelFile(json: unknown, options: ParseOptions = {}): ParsedModel {
  const name = typeof (json as { name?: unknown })?.name === "string" ? (json as { name: string }).name : undefined;
  if (isObject(json) && json.kind === "testbed") return parseTestbed(json, options);
  const spec = validateModel(json, options.source, options.prefix, ["onnx", ...Object.keys(denoiserSchemas)]);
  return { type: "exact", model: buildModel(spec, options), ...(name !== undefined ? { name } : {}) };
}

/** Structural and linear-algebra validation; returns the typed spec. */
export function validateModel(json: unknown, source?: string, prefix: readonly PropertyKey[] = [], alsoKinds: readonly string[] = []): ModelSpec {
  const fail = failer(source, prefix);
  if (typeof json !== "object" || json === null || Array.isArray(json)) fail([], "a model must be a JSON object");
  const kind = (json as { kind?: unknown }).kind;
  if (kind === "testbed" && !alsoKinds.includes(kind))
    fail(["kind"], "a testbed is a denoiser, not a data model (parseModelFile loads it; a testbed cannot wrap a testbed)");
  if (kind === "onnx")
    fail(["kind"], "an onnx model is a trained network, not a data model: the command line's loadModel (src/cli/files.ts) opens it with its graph and data, or networkModel (infodyn/network) with a session");
  // Object.hasOwn, not `in`: "__proto__", "toString", "constructor" … are not model kinds
  if (typeof kind !== "string" || !Object.hasOwn(modelSchemas, kind))
    fail(["kind"], `unknown model kind ${JSON.stringify(kind)} (expected one of ${[...Object.keys(modelSchemas), ...alsoKinds].join(", ")})`);
  const schema = modelSchemas[kind as ModelKind];
  const result = schema.safeParse(json);
  if (!result.success) failIssues(result.error.issues, schema, `${kind} model`, fail);
  const spec = result.data as ModelSpec;
  checkShapes(spec, fail);
  return spec;
}

type Fail = (path: readonly PropertyKey[], message: string) => never;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * The first schema issue as one error; an unknown key comes first, with the known ones and the nearest as a
 * "did you mean": `label: unknown field of a deltas model (expected kind, points, weights, labels, shape, name,
 * description); did you mean 'labels'?`.
 */
function failIssues(issues: readonly z.core.$ZodIssue[], schema: z.ZodType, what: string, fail: Fail): never {
  const unknown = issues.find((i) => i.code === "unrecognized_keys");
  if (unknown && unknown.code === "unrecognized_keys") {
    const key = unknown.keys[0];
    const known = knownKeysAt(schema, unknown.path) ?? [];
    const near = nearest(key, known);
    const where = unknown.path.length ? formatPath(unknown.path) : `a ${what}`;
    return fail(
      [...unknown.path, key],
      `unknown field of ${where}${known.length ? ` (expected ${known.join(", ")})` : ""}${near ? `; did you mean '${near}'?` : ""}`,
    );
  }
  return fail(issues[0].path, issues[0].message);
}

/** The known key nearest to `key` (edit distance ≤ 2, or ≤ a third of its length; case and prefixes count as near). */
export function nearest(key: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const k of known) {
    const d = k.toLowerCase() === key.toLowerCase() ? 0.5 : editDistance(key, k);
    if (d < bestD) {
      bestD = d;
      best = k;
    }
  }
  if (best === undefined) return undefined;
  const prefix = key.length >= 3 && (best.startsWith(key) || key.startsWith(best));
  return bestD <= Math.max(2, Math.floor(key.length / 3)) || prefix ? best : undefined;
}

function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 8) return Infinity;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length];
}

function failer(source?: string, prefix: readonly PropertyKey[] = []): Fail {
  return (p, message) => {
    const path = [...prefix, ...p];
    const field = path.length ? `${formatPath(path)}: ` : "";
    throw new InfodynError(`${source ? source + ": " : ""}${field}${message}`);
  };
}

function checkShapes(spec: ModelSpec, fail: Fail): void {
  switch (spec.kind) {
    case "deltas": {
      const D = spec.points[0].length;
      spec.points.forEach((p, i) => p.length !== D && fail(["points", i], `has ${p.length} entries, expected ${D}`));
      const N = spec.points.length;
      if (spec.weights) {
        if (spec.weights.length !== N) fail(["weights"], `has ${spec.weights.length} entries, expected ${N} (one per point)`);
        if (!spec.weights.some((w) => w > 0)) fail(["weights"], "must not all be zero");
      }
      if (spec.labels && spec.labels.length !== N) fail(["labels"], `has ${spec.labels.length} entries, expected ${N}`);
      checkImageShape(spec.shape, D, fail);
      return;
    }
    case "gaussian":
      checkCovariance(spec.cov, spec.mean.length, ["cov"], fail);
      return;
    case "gmm": {
      const D = spec.components[0].mean.length;
      spec.components.forEach((c, k) => {
        if (c.mean.length !== D) fail(["components", k, "mean"], `has ${c.mean.length} entries, expected ${D}`);
        if ((c.cov === undefined) === (c.variance === undefined))
          fail(["components", k], "needs exactly one of 'cov' (a matrix) or 'variance' (a number)");
        if (c.cov) checkCovariance(c.cov, D, ["components", k, "cov"], fail);
      });
      return;
    }
    case "ising": {
      const d = spec.couplings.length;
      if (d > ISING_MAX_EXACT_SPINS)
        fail(["couplings"], `${d} spins exceed the exact-enumeration limit of ${ISING_MAX_EXACT_SPINS}`);
      checkSquareSymmetric(spec.couplings, d, ["couplings"], fail);
      return;
    }
    default:
      return;
  }
}

/** An image shape's product must be the dimension D: `shape: [8, 8] has 64 pixels, but the points have D = 63`. */
function checkImageShape(shape: readonly number[] | undefined, D: number, fail: Fail): void {
  if (!shape) return;
  const pixels = shape.reduce((a, b) => a * b, 1);
  if (pixels !== D) fail(["shape"], `[${shape.join(", ")}] has ${pixels} pixels, but the points have D = ${D} coordinates`);
}

function checkSquareSymmetric(m: number[][], D: number, path: PropertyKey[], fail: Fail): void {
  if (m.length !== D) fail(path, `has ${m.length} rows, expected ${D}`);
  m.forEach((r, i) => r.length !== D && fail([...path, i], `has ${r.length} entries, expected ${D}`));
  for (let i = 0; i < D; i++)
    for (let j = 0; j < i; j++) {
      const a = m[i][j];
      const b = m[j][i];
      if (Math.abs(a - b) > 1e-12 * Math.max(Math.abs(a), Math.abs(b), 1e-300))
        fail(path, `not symmetric (entry [${i}][${j}] = ${a} but [${j}][${i}] = ${b})`);
    }
}

function checkCovariance(m: number[][], D: number, path: PropertyKey[], fail: Fail): void {
  checkSquareSymmetric(m, D, path, fail);
  const values = symmetricEigenvalues(fromRows(m, D).data, D);
  const top = Math.max(...values.map(Math.abs));
  const low = Math.min(...values);
  if (low < -1e-10 * Math.max(top, 1e-300)) fail(path, `not positive semi-definite (eigenvalue ${low})`);
}

function buildModel(spec: ModelSpec, options: ParseOptions): DataModel {
  const fail = failer(options.source, options.prefix);
  switch (spec.kind) {
    case "deltas": {
      const { labels, classNames } = encodeLabels(spec.labels);
      return deltas(fromRows(spec.points), { weights: spec.weights, labels, classNames, shape: spec.shape });
    }
    case "gaussian":
      return gaussian(Float64Array.from(spec.mean), fromRows(spec.cov).data);
    case "gmm":
      return gmm(
        spec.components.map((c) => ({
          weight: c.weight,
          mean: c.mean,
          cov: c.cov ? fromRows(c.cov).data : undefined,
          variance: c.variance,
        })),
        spec.components.map((c, k) => c.label ?? `component ${k}`),
      );
    case "sphere":
      if (spec.dim * 8 > (options.maxArrayBytes ?? Infinity))
        fail(["dim"], `${spec.dim} coordinates need ${bytesText(spec.dim * 8)} per point, more than the ${bytesText(options.maxArrayBytes!)} memory budget for an array`);
      return sphere(spec.dim, spec.radius);
    case "ising":
      return ising(fromRows(spec.couplings).data, spec.couplings.length, spec.temperature);
    case "dataset":
      return buildDataset(spec, options, fail);
  }
}

function buildDataset(spec: Extract<ModelSpec, { kind: "dataset" }>, options: ParseOptions, fail: Fail): DataModel {
  const { path, labels: labelsPath } = spec;
  if (!options.readFile) fail(["path"], "dataset models need a file reader (use the CLI or pass readFile)");
  if (spec.array !== undefined && !/\.npz$/i.test(path)) fail(["array"], `names an array of an .npz file, but path is ${path}`);
  if (spec.labelsArray !== undefined && !(labelsPath && /\.npz$/i.test(labelsPath)))
    fail(["labelsArray"], `names an array of an .npz labels file, but labels is ${labelsPath ?? "not given"}`);
  const npz = { maxInflatedBytes: options.maxInflatedBytes };
  const arr = parseArrayFile(readOrFail(path, options, fail, "path"), path, { ...npz, array: spec.array });
  if (arr.shape.length > 2 || arr.shape.length === 0)
    fail(["path"], `${path} has shape [${arr.shape}], expected a 2-D array (points × dimensions) or 1-D`);
  const n = arr.shape[0];
  const dim = arr.shape.length === 2 ? arr.shape[1] : 1;
  if (n === 0 || dim === 0) fail(["path"], `${path} holds no points`);
  checkImageShape(spec.shape, dim, fail);
  for (let i = 0; i < arr.data.length; i++)
    if (!Number.isFinite(arr.data[i])) fail(["path"], `${path} has a non-finite value at point ${Math.floor(i / dim)}`);
  let enc: ReturnType<typeof encodeLabels> = {};
  if (labelsPath) {
    const raw = parseLabelFile(readOrFail(labelsPath, options, fail, "labels"), labelsPath, { ...npz, array: spec.labelsArray });
    if (raw.length !== n) fail(["labels"], `${labelsPath} has ${raw.length} labels, expected ${n} (one per point)`);
    enc = encodeLabels(raw);
  }
  return deltas({ rows: n, dim, data: arr.data }, { ...enc, shape: spec.shape });
}

function readOrFail(path: string, options: ParseOptions, fail: Fail, field: string): Uint8Array {
  try {
    return options.readFile!(path);
  } catch (e) {
    if (e instanceof InfodynError) throw e;
    return fail([field], `cannot read ${path} (${(e as Error).message})`);
  }
}

function parseTestbed(json: unknown, options: ParseOptions): ParsedModel {
  const fail: Fail = failer(options.source, options.prefix);
  const result = testbedSchema.safeParse(json);
  if (!result.success) failIssues(result.error.issues, testbedSchema, "testbed", fail);
  const spec = result.data;
  let exact: DataModel;
  if (typeof spec.model === "string") {
    const path = spec.model;
    if (!options.readFile) fail(["model"], "a model path needs a file reader (use the CLI or pass readFile)");
    const bytes = readOrFail(path, options, fail, "model");
    let inner: unknown;
    try {
      inner = parseJsonStrict(bytes, path);
    } catch (e) {
      // `tri.json: not valid JSON (…)` → `t.json: model: tri.json is not valid JSON (…)`
      const why = (e as Error).message.startsWith(`${path}: `) ? (e as Error).message.slice(path.length + 2) : (e as Error).message;
      fail(["model"], `${path} is ${why.startsWith("not ") ? why : `not a valid model file: ${why}`}`);
    }
    // The wrapped file names its own fields; its dataset paths are relative to it.
    const base = path.includes("/") ? path.slice(0, path.lastIndexOf("/") + 1) : "";
    exact = parseModel(inner, {
      source: `${options.source ? options.source + ": " : ""}model ${path}`,
      readFile: (p) => options.readFile!(isAbsolutePath(p) ? p : base + p),
      maxArrayBytes: options.maxArrayBytes,
      maxInflatedBytes: options.maxInflatedBytes,
    });
  } else {
    exact = parseModel(spec.model, { ...options, prefix: [...(options.prefix ?? []), "model"] });
  }
  const D = exact.dim;
  for (const field of ["centre", "bias"] as const) {
    const v = spec[field];
    if (v && v.length !== D) fail([field], `has ${v.length} entries, expected ${D} (the model's dimension)`);
  }
  const denoiser = networkTestbed(exact, {
    shrink: spec.shrink,
    centre: spec.centre,
    bias: spec.bias,
    noise: spec.noise,
    float32: spec.float32,
    seed: spec.seed,
  });
  const n = spec.samples ?? 4096;
  const budget = options.maxArrayBytes ?? Infinity;
  if (n * D * 8 > budget)
    fail(["samples"], `${n} samples × D = ${D} need ${bytesText(n * D * 8)}; at most ${Math.floor(budget / (8 * D))} fit in the ${bytesText(budget)} memory budget`);
  const rng = createRng(spec.seed ?? 0);
  const drawn = exact.sampleLabelled ? exact.sampleLabelled(n, rng) : { points: exact.sample(n, rng), labels: undefined };
  return {
    type: "denoiser",
    kind: "testbed",
    denoiser,
    data: drawn.points,
    ...(drawn.labels ? { labels: drawn.labels } : {}),
    ...(spec.name !== undefined ? { name: spec.name } : {}),
  };
}

const isAbsolutePath = (p: string) => p.startsWith("/") || /^[A-Za-z]:[\\/]/.test(p);

/** Labels (numbers or strings) → class indices in sorted order of the distinct values, and their names. */
export function encodeLabels(raw?: readonly (number | string)[]): { labels?: Int32Array; classNames?: string[] } {
  if (!raw) return {};
  const distinct = [...new Set(raw)];
  const numeric = distinct.every((v) => typeof v === "number");
  distinct.sort((a, b) => (numeric ? (a as number) - (b as number) : String(a).localeCompare(String(b))));
  const index = new Map(distinct.map((v, i) => [v, i]));
  return { labels: Int32Array.from(raw, (v) => index.get(v)!), classNames: distinct.map(String) };
}

/** `1 GiB`, `30.5 GiB`. */
function bytesText(n: number): string {
  for (const [unit, size] of [["TiB", 2 ** 40], ["GiB", 2 ** 30], ["MiB", 2 ** 20], ["KiB", 2 ** 10]] as const)
    if (n >= size) return `${+(n / size).toPrecision(3)} ${unit}`;
  return `${n} bytes`;
}
