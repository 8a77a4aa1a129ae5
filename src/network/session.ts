/*
 * The part of an ONNX Runtime `InferenceSession` a network denoiser uses, written without onnxruntime's types so
 * that the same denoiser runs on onnxruntime-node (src/node/onnx.ts) and, later, onnxruntime-web in the browser.
 */

/** Element types a denoiser feeds. */
export type FeedType = "float32" | "float64" | "int64" | "int32";

/** One input tensor: row-major data and its dimensions. */
export interface FeedTensor {
  type: FeedType;
  data: Float32Array | Float64Array | BigInt64Array | Int32Array;
  dims: readonly number[];
}

/** One output tensor as the runtime returns it. */
export interface OutputTensor {
  type: string;
  data: ArrayLike<number | bigint>;
  dims: readonly number[];
}

/**
 * What a graph declares for an input or output: its element type (`float32`, `float64`, `int64`, …) and its
 * dimensions, where a symbolic one (`"batch"`) or a dynamic one (-1) is not a number ≥ 0. Either may be unknown.
 */
export interface ValueInfo {
  name: string;
  type?: string;
  dims?: readonly (number | string)[];
}

/** A loaded network: its declared inputs and outputs, and an asynchronous run. */
export interface NetworkSession {
  readonly inputs: readonly ValueInfo[];
  readonly outputs: readonly ValueInfo[];
  run(feeds: Record<string, FeedTensor>): Promise<Record<string, OutputTensor>>;
  release?(): Promise<void>;
}

/** A fixed dimension (a number ≥ 0), or undefined for a symbolic / dynamic one. */
export function fixedDim(d: number | string | undefined): number | undefined {
  return typeof d === "number" && d >= 0 ? d : undefined;
}
