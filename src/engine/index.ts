export type { DeltaSet, KernelRequest, KernelResult, PosteriorKernel } from "./types.js";
export { jsPosteriorKernel } from "./reference.js";
export { blockedPosteriorKernel } from "./blocked.js";
export {
  kernelBackendName,
  kernelBackends,
  posteriorKernel,
  registerKernelBackend,
  setPosteriorKernel,
  type KernelBackend,
} from "./backends.js";
export { TRACE_CANCELLED_RATIO } from "./finish.js";
export { emptyPartial, logitDifference, mergePartials, type PosteriorPartial } from "./partial.js";
export { finishPartial, shardPartial, shardedPosteriorKernel } from "./shard.js";
export { prunedPosteriorKernel, pruneReport, type PruneOptions, type PruneReport, type PrunedKernelResult } from "./pruned.js";
