import type { Batch } from "../batch.js";
import type { PreparedSet } from "./prepared.js";
import { jsPosteriorKernel } from "./reference.js";
import { copyResultRow, nanRow, validRow } from "./result.js";
import type { DeltaSet, KernelRequest, KernelResult } from "./types.js";

const EPS = 2 ** -52;

/**
 * The reference kernel for one query, run on the points that can matter: bit-for-bit equal to
 * {@link jsPosteriorKernel} on the whole set.
 *
 * Method: approximate logits `ℓ̃_j = log π_j − (‖x−c‖² + ‖y_j−c‖² − 2(x−c)·(y_j−c))/(2σ²)` with a rounding bound
 * `β_j = 4(D+4) ε (‖x−c‖ + ‖y_j−c‖)²/(2σ²)` that covers both this route and the reference's direct sum. A point the
 * reference keeps (`ℓ_j − M > −750`) has `ℓ̃_j + β_j ≥ M̃ − β_* − 750`; those points, in their original order,
 * go to the reference, which then finds the same maximum, the same heaviest point and the same sums.
 * Used where σ is small against the data's spread, so that few points survive. A row that is not
 * {@link validRow} (σ ≤ 0, NaN, a non-finite query) comes out NaN ({@link nanRow}), as from the reference.
 */
export function screenedRow(
  data: DeltaSet,
  prep: PreparedSet,
  queries: Batch,
  b: number,
  s: number,
  want: KernelRequest,
  out: KernelResult,
): void {
  const { n, dim: D, points, logWeights, labels, numClasses } = data;
  if (!validRow(queries.data, b, D, s)) {
    nanRow(out, b, D, numClasses);
    return;
  }
  const x = queries.data.subarray(b * D, (b + 1) * D);
  const one: Batch = { rows: 1, dim: D, data: x };
  const { center, centered, norms } = prep;
  const xc = new Float64Array(D);
  let nx = 0;
  for (let k = 0; k < D; k++) {
    xc[k] = x[k] - center[k];
    nx += xc[k] * xc[k];
  }
  const inv = 1 / (2 * s * s);
  const gamma = 4 * (D + 4) * EPS * inv;
  const rx = Math.sqrt(nx);
  const approx = new Float64Array(n);
  const bound = new Float64Array(n);
  let M = -Infinity;
  let jStar = 0;
  for (let j = 0; j < n; j++) {
    const yo = j * D;
    let dot = 0;
    for (let k = 0; k < D; k++) dot += xc[k] * centered[yo + k];
    const l = logWeights[j] - (nx + norms[j] - 2 * dot) * inv;
    const r = rx + Math.sqrt(norms[j]);
    approx[j] = l;
    bound[j] = gamma * r * r;
    if (l > M) {
      M = l;
      jStar = j;
    }
  }
  const threshold = M - bound[jStar] - 751;
  let count = 0;
  for (let j = 0; j < n; j++) if (!(approx[j] + bound[j] < threshold)) count++;
  let sub = data;
  if (count < n) {
    const p = new Float64Array(count * D);
    const lw = new Float64Array(count);
    const lab = labels ? new Int32Array(count) : undefined;
    let i = 0;
    for (let j = 0; j < n; j++) {
      if (approx[j] + bound[j] < threshold) continue;
      p.set(points.subarray(j * D, (j + 1) * D), i * D);
      lw[i] = logWeights[j];
      if (lab) lab[i] = labels![j];
      i++;
    }
    sub = { n: count, dim: D, points: p, logWeights: lw, labels: lab, numClasses };
  }
  copyResultRow(jsPosteriorKernel(sub, one, s, want), 0, out, b, D, numClasses);
}
