/**
 * ONNX Runtime for Node (onnxruntime-node, CPU) as a {@link NetworkSession}. Node-only: the core never imports this
 * file; the CLI loads it for `{"kind": "onnx"}` model files. The runtime is imported when the first graph opens, so
 * commands on exact models do not pay for loading it.
 */
import { InfodynError } from "../errors.js";
import type { FeedTensor, NetworkSession, OutputTensor, ValueInfo } from "../network/session.js";
import { nativeThreads } from "./native.js";

/** Options of {@link openOnnxSession}. */
export interface OnnxSessionOptions {
  /** Threads of one run (ONNX Runtime's intra-op threads). @default INFODYN_THREADS, else min(2, cores) */
  threads?: number;
}

type Ort = typeof import("onnxruntime-node");

let ort: Promise<Ort> | undefined;

/**
 * Opens an .onnx graph on the CPU with `threads` intra-op threads, one inter-op thread and every graph
 * optimization. A file that does not load is one {@link InfodynError}: `net.onnx: cannot load the network (…)`.
 */
export async function openOnnxSession(path: string, options: OnnxSessionOptions = {}): Promise<NetworkSession> {
  ort ??= import("onnxruntime-node");
  const rt = await ort;
  let session: Awaited<ReturnType<Ort["InferenceSession"]["create"]>>;
  try {
    session = await rt.InferenceSession.create(path, {
      executionProviders: ["cpu"],
      intraOpNumThreads: options.threads ?? nativeThreads(),
      interOpNumThreads: 1,
      executionMode: "sequential",
      graphOptimizationLevel: "all",
    });
  } catch (e) {
    throw new InfodynError(`${path}: cannot load the network (${(e as Error).message.split("\n")[0]})`);
  }
  const info = (m: (typeof session.inputMetadata)[number]): ValueInfo =>
    m.isTensor ? { name: m.name, type: m.type, dims: m.shape } : { name: m.name };
  return {
    inputs: session.inputMetadata.map(info),
    outputs: session.outputMetadata.map(info),
    async run(feeds: Record<string, FeedTensor>): Promise<Record<string, OutputTensor>> {
      const tensors: Record<string, InstanceType<Ort["Tensor"]>> = {};
      for (const [name, f] of Object.entries(feeds)) tensors[name] = new rt.Tensor(f.type, f.data, f.dims);
      let out;
      try {
        out = await session.run(tensors);
      } catch (e) {
        throw new InfodynError(`${path}: the network failed to run (${(e as Error).message.split("\n")[0]})`);
      }
      const result: Record<string, OutputTensor> = {};
      for (const [name, t] of Object.entries(out)) {
        const tensor = t as InstanceType<Ort["Tensor"]>;
        result[name] = { type: tensor.type, data: tensor.data as ArrayLike<number>, dims: tensor.dims };
      }
      return result;
    },
    release: () => session.release(),
  };
}
