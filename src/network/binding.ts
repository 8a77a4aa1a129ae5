import { InfodynError } from "../errors.js";
import { nearest } from "../models/parse.js";
import type { NetworkConventions } from "./denoiser.js";
import { fixedDim, type FeedTensor, type FeedType, type NetworkSession, type ValueInfo } from "./session.js";

/** A one-number-per-row input (noise level, class): its name, whether it is an integer tensor, and its feed. */
export interface RowInput {
  name: string;
  integer: boolean;
  /** One value for the whole run (a rank-0 or `[1]` input) rather than one per row. */
  scalar: boolean;
  feed(values: ArrayLike<number>, rows: number): FeedTensor;
}

/** The graph's inputs and output resolved against a model file's conventions. */
export interface Binding {
  session: NetworkSession;
  x: { name: string; type: "float32" | "float64"; sampleDims: readonly number[] };
  noise: RowInput;
  label?: RowInput;
  output: string;
  /** The graph's fixed batch size, when it has one (runs are padded to it). */
  batch?: number;
  maxBatch: number;
}

/**
 * Checks a loaded graph against the conventions and resolves its inputs: `x`, `noise` and (for a class-conditional
 * network) `class` by name, else the graph's inputs in that order; every graph input must be fed and every named
 * one must exist. The x input takes float32 or float64; its per-sample dimensions are `shape`, else the graph's
 * (when fixed), else [D], and must hold D numbers. One line names the culprit:
 * `net.json: inputs.noise: the network has no input 'sigmas' (its inputs: x, sigma); did you mean 'sigma'?`.
 */
export function bindNetwork(session: NetworkSession, c: NetworkConventions): Binding {
  const where = c.source ? `${c.source}: ` : "";
  function fail(field: string, message: string): never {
    throw new InfodynError(`${where}${field}: ${message}`);
  }
  const names = session.inputs.map((v) => v.name);
  const conditional = (c.numClasses ?? 0) > 0;
  const wanted: [role: "x" | "noise" | "class", name: string | undefined][] = [
    ["x", c.inputs?.x ?? names[0]],
    ["noise", c.inputs?.noise ?? names[1]],
    ...(conditional ? [["class", c.inputs?.class ?? names[2]] as ["class", string | undefined]] : []),
  ];
  const info = new Map<string, ValueInfo>(session.inputs.map((v) => [v.name, v]));
  for (const [role, name] of wanted) {
    if (name === undefined) fail(`inputs.${role}`, `the network has ${names.length} input${names.length === 1 ? "" : "s"} (${names.join(", ") || "none"}); no ${role} input`);
    if (!info.has(name)) {
      const near = nearest(name, names);
      fail(`inputs.${role}`, `the network has no input '${name}' (its inputs: ${names.join(", ")})${near ? `; did you mean '${near}'?` : ""}`);
    }
  }
  const fed = new Set(wanted.map(([, n]) => n!));
  if (fed.size < wanted.length) fail("inputs", `one input is named for two roles (${wanted.map(([r, n]) => `${r}: ${n}`).join(", ")})`);
  for (const n of names)
    if (!fed.has(n))
      fail("inputs", `the network's input '${n}' is not fed (fed: ${wanted.map(([r, v]) => `${r} = ${v}`).join(", ")})${conditional ? "" : "; a class input needs \"inputs.class\", \"numClasses\" or \"labels\""}`);

  const xInfo = info.get(wanted[0][1]!)!;
  const xType = xInfo.type ?? "float32";
  if (xType !== "float32" && xType !== "float64") return fail("inputs.x", `'${xInfo.name}' has element type ${xType}; infodyn feeds float32 or float64`);
  const dims = xInfo.dims;
  const batch = dims && dims.length > 0 ? fixedDim(dims[0]) : undefined;
  const graphSample = dims && dims.length > 1 && dims.slice(1).every((d) => fixedDim(d) !== undefined) ? (dims.slice(1) as number[]) : undefined;
  const sampleDims = c.shape ?? graphSample ?? [c.dim];
  const size = sampleDims.reduce((p, d) => p * d, 1);
  if (size !== c.dim) fail(c.shape ? "shape" : "inputs.x", `[${sampleDims}] holds ${size} numbers per sample, the data have ${c.dim}`);
  if (c.shape && graphSample && graphSample.join() !== c.shape.join())
    fail("shape", `[${c.shape}] differs from the network's input '${xInfo.name}' of shape [${dims!.join(", ")}]`);
  if (dims && dims.length > 0 && dims.length !== sampleDims.length + 1)
    fail(c.shape ? "shape" : "inputs.x", `the network's input '${xInfo.name}' has rank ${dims.length} ([${dims.join(", ")}]), the sample shape [${sampleDims}] needs ${sampleDims.length + 1}`);

  const noiseInfo = info.get(wanted[1][1]!)!;
  const noise = rowInput(noiseInfo, "inputs.noise", fail);
  if (noise.integer && c.noiseInput !== "timestep")
    fail("inputs.noise", `'${noiseInfo.name}' is an integer tensor (${noiseInfo.type}); only a "timestep" noise input can be (noiseInput is "${c.noiseInput}")`);
  const label = conditional ? rowInput(info.get(wanted[2][1]!)!, "inputs.class", fail) : undefined;
  if (label?.scalar) fail("inputs.class", `'${label.name}' takes one value per run, not one class per row`);

  const outNames = session.outputs.map((v) => v.name);
  const output = c.output ?? outNames[0];
  if (output === undefined) fail("output", "the network has no output");
  if (!outNames.includes(output)) {
    const near = nearest(output, outNames);
    fail("output", `the network has no output '${output}' (its outputs: ${outNames.join(", ")})${near ? `; did you mean '${near}'?` : ""}`);
  }
  const maxBatch = Math.min(c.maxBatch ?? 256, batch ?? Infinity);
  if (batch === 0) fail("inputs.x", `'${xInfo.name}' has a fixed batch dimension of 0`);
  return { session, x: { name: xInfo.name, type: xType, sampleDims }, noise, label, output, batch, maxBatch };
}

const FEED_TYPES: readonly FeedType[] = ["float32", "float64", "int64", "int32"];

/** A noise-level or class input: rank 0 or a fixed `[1]` is one value per run; otherwise `[rows, 1, …]`. */
function rowInput(v: ValueInfo, field: string, fail: (field: string, message: string) => never): RowInput {
  const type = (v.type ?? "float32") as FeedType;
  if (!FEED_TYPES.includes(type)) fail(field, `'${v.name}' has element type ${v.type}; infodyn feeds ${FEED_TYPES.join(", ")}`);
  const dims = v.dims;
  const scalar = dims !== undefined && (dims.length === 0 || (dims.length === 1 && fixedDim(dims[0]) === 1));
  const trailing = dims && dims.length > 1 ? dims.slice(1).map((d) => fixedDim(d) ?? 1) : [];
  if (trailing.some((d) => d !== 1)) fail(field, `'${v.name}' has shape [${dims!.join(", ")}]; expected one number per row ([batch] or [batch, 1])`);
  const integer = type === "int64" || type === "int32";
  return {
    name: v.name,
    integer,
    scalar,
    feed(values, rows) {
      const n = scalar ? 1 : rows;
      const shape = scalar ? (dims!.length === 0 ? [] : [1]) : [rows, ...trailing];
      const data =
        type === "int64"
          ? BigInt64Array.from({ length: n }, (_, i) => BigInt(Math.round(values[i])))
          : type === "int32"
            ? Int32Array.from({ length: n }, (_, i) => Math.round(values[i]))
            : type === "float64"
              ? Float64Array.from({ length: n }, (_, i) => values[i])
              : Float32Array.from({ length: n }, (_, i) => values[i]);
      return { type, data, dims: shape };
    },
  };
}
