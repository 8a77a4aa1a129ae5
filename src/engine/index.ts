export * from "./kernel.js";
export { blockedPosteriorKernel } from "./blocked.js";
export { kernelBackendName, kernelBackends, registerKernelBackend, type KernelBackend } from "./backends.js";
export { emptyPartial, logitDifference, mergePartials, type PosteriorPartial } from "./partial.js";
export { finishPartial, shardPartial, shardedPosteriorKernel } from "./shard.js";
