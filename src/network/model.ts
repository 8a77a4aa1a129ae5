import type { Batch } from "../batch.js";
import { InfodynError } from "../errors.js";
import { parseArrayFile, parseLabelFile } from "../io/index.js";
import { encodeLabels } from "../models/parse.js";
import { networkDenoiser, type NetworkDenoiser } from "./denoiser.js";
import { networkProcess } from "./process.js";
import type { OnnxModelSpec } from "./schema.js";
import type { NetworkSession } from "./session.js";

/** How {@link networkModel} reaches files: bytes of a data file, and a session on a graph (both relative to the model file). */
export interface NetworkFiles {
  read(path: string, field: "data" | "labels"): Uint8Array;
  open(path: string, options: { threads?: number }): Promise<NetworkSession>;
  /** Passed to the `.npz` reader. */
  maxInflatedBytes?: number;
}

/** A network and the data samples its expectations are taken over (what a denoiser model file loads as). */
export interface NetworkModel {
  denoiser: NetworkDenoiser;
  data: Batch;
  labels?: Int32Array;
}

/**
 * Builds the denoiser of a validated onnx model file ({@link parseOnnxSpec}) and reads its data: `data` holds
 * N samples (N × D, or N × shape), `labels` one class per sample. The network is class-conditional when the file
 * names `inputs.class`, `numClasses` or `nullClass`; its classes are then the integer ids 0 … K − 1 it was trained
 * on (K = `numClasses`, else the largest label + 1), which the labels file must hold as they are. The graph is
 * opened at the first call (`denoiser.ready()` opens it at once).
 */
export function networkModel(spec: OnnxModelSpec, files: NetworkFiles, source?: string): NetworkModel {
  const where = source ? `${source}: ` : "";
  const fail = (field: string, message: string): never => {
    throw new InfodynError(`${where}${field}: ${message}`);
  };
  const arr = parseArrayFile(files.read(spec.data, "data"), spec.data, { maxInflatedBytes: files.maxInflatedBytes });
  const N = arr.shape[0] ?? 0;
  const sampleShape = arr.shape.length === 1 ? [1] : arr.shape.slice(1);
  const D = sampleShape.reduce((p, d) => p * d, 1);
  if (N === 0 || D === 0) fail("data", `${spec.data} holds no samples (shape [${arr.shape}])`);
  for (let i = 0; i < arr.data.length; i++) if (!Number.isFinite(arr.data[i])) fail("data", `${spec.data} has a non-finite value in sample ${Math.floor(i / D)}`);
  const shape = spec.shape ?? (sampleShape.length > 1 ? sampleShape : undefined);
  if (spec.shape) {
    const size = spec.shape.reduce((p, d) => p * d, 1);
    if (size !== D) fail("shape", `[${spec.shape}] holds ${size} numbers per sample, ${spec.data} has ${D} (shape [${arr.shape}])`);
  }

  const conditional = spec.inputs?.class !== undefined || spec.numClasses !== undefined || spec.nullClass !== undefined;
  let labels: Int32Array | undefined;
  let K = 0;
  if (spec.labels) {
    const raw = parseLabelFile(files.read(spec.labels, "labels"), spec.labels, { maxInflatedBytes: files.maxInflatedBytes });
    if (raw.length !== N) fail("labels", `${spec.labels} has ${raw.length} labels, ${spec.data} has ${N} samples`);
    if (conditional) {
      raw.forEach((v, i) => {
        if (!(typeof v === "number" && Number.isInteger(v) && v >= 0))
          fail("labels", `${spec.labels}[${i}] = ${JSON.stringify(v)}: a class-conditional network's labels are the class ids it was trained on (integers ≥ 0)`);
      });
      K = spec.numClasses ?? (raw as number[]).reduce((m, v) => Math.max(m, v), -1) + 1;
      raw.forEach((v, i) => (v as number) >= K && fail("labels", `${spec.labels}[${i}] = ${v} is not below numClasses = ${K}`));
      labels = Int32Array.from(raw as number[]);
    } else labels = encodeLabels(raw).labels;
  } else if (conditional) {
    if (spec.numClasses === undefined) fail("numClasses", `a class-conditional network needs its number of classes ("numClasses", or a "labels" file)`);
    K = spec.numClasses!;
  }
  if (conditional && spec.nullClass !== undefined && spec.nullClass < K)
    fail("nullClass", `${spec.nullClass} is one of the ${K} classes (0 … ${K - 1}); the null class must be another id (e.g. ${K})`);

  const denoiser = networkDenoiser(() => files.open(spec.path, { threads: spec.threads }), {
    parameterization: spec.parameterization,
    process: networkProcess(spec.process),
    noiseInput: spec.noiseInput,
    inputs: spec.inputs,
    output: spec.output,
    dim: D,
    shape,
    numClasses: K,
    nullClass: spec.nullClass,
    sigmaData: spec.sigmaData,
    timeScale: spec.timeScale,
    timestepTolerance: spec.timestepTolerance,
    maxBatch: spec.maxBatch,
    source,
  });
  return { denoiser, data: { rows: N, dim: D, data: arr.data }, ...(labels ? { labels } : {}) };
}
