import type { DeltaSet, KernelRequest, KernelResult } from "./types.js";

/** Output arrays for B queries, shaped and present exactly as {@link jsPosteriorKernel} returns them. */
export function allocateResult(data: DeltaSet, B: number, want: KernelRequest): KernelResult {
  const { dim: D, labels, numClasses: K } = data;
  const hasClasses = (want.classProbs || want.classMeans) && labels !== undefined && K > 0;
  return {
    mean: new Float64Array(B * D),
    traceCov: new Float64Array(B),
    logPartition: new Float64Array(B),
    covariance: want.covariance ? new Float64Array(B * D * D) : undefined,
    entropy: want.entropy ? new Float64Array(B) : undefined,
    participation: want.participation ? new Float64Array(B) : undefined,
    classProbs: hasClasses ? new Float64Array(B * K) : undefined,
    classMeans: want.classMeans && hasClasses ? new Float64Array(B * K * D) : undefined,
    classEntropy: hasClasses ? new Float64Array(B) : undefined,
  };
}

/** Whether row b can have a posterior: σ > 0 (not NaN) and every coordinate of the query finite. */
export function validRow(q: Float64Array, b: number, D: number, s: number): boolean {
  if (!(s > 0)) return false;
  for (let k = 0; k < D; k++) if (!Number.isFinite(q[b * D + k])) return false;
  return true;
}

/** Row b of every array present set to NaN (the kernels' answer for a row that is not {@link validRow}). */
export function nanRow(out: KernelResult, b: number, D: number, K: number): void {
  out.mean.fill(NaN, b * D, (b + 1) * D);
  out.traceCov[b] = NaN;
  out.logPartition[b] = NaN;
  out.covariance?.fill(NaN, b * D * D, (b + 1) * D * D);
  if (out.entropy) out.entropy[b] = NaN;
  if (out.participation) out.participation[b] = NaN;
  out.classProbs?.fill(NaN, b * K, (b + 1) * K);
  out.classMeans?.fill(NaN, b * K * D, (b + 1) * K * D);
  if (out.classEntropy) out.classEntropy[b] = NaN;
}

/** Copies row `from` of `src` into row `to` of `dst` (every array present in both). */
export function copyResultRow(src: KernelResult, from: number, dst: KernelResult, to: number, D: number, K: number): void {
  const row = (a: Float64Array | undefined, b: Float64Array | undefined, w: number) => {
    if (a && b) b.set(a.subarray(from * w, (from + 1) * w), to * w);
  };
  row(src.mean, dst.mean, D);
  row(src.traceCov, dst.traceCov, 1);
  row(src.logPartition, dst.logPartition, 1);
  row(src.covariance, dst.covariance, D * D);
  row(src.entropy, dst.entropy, 1);
  row(src.participation, dst.participation, 1);
  row(src.classProbs, dst.classProbs, K);
  row(src.classMeans, dst.classMeans, K * D);
  row(src.classEntropy, dst.classEntropy, 1);
}
