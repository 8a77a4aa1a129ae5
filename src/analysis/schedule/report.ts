import type { BenchmarkResult, BenchmarkRow } from "./benchmark.js";
import type { MetricName } from "./metrics.js";
import type { Schedule } from "./schedules.js";

/** JSON numbers: NaN and ±∞ become null. */
const num = (v: number) => (Number.isFinite(v) ? v : null);

/** `infodyn schedule --json`: `{"kind", "sigma" (n + 1, ascending), "t", "entropy", "entropyStandardError", "standardError"}`. */
export function scheduleJson(s: Schedule, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    kind: s.kind,
    ...extra,
    sigma: Array.from(s.sigma),
    t: Array.from(s.t, num),
    ...(s.entropy ? { entropy: Array.from(s.entropy) } : {}),
    ...(s.entropyStandardError ? { entropyStandardError: Array.from(s.entropyStandardError) } : {}),
    ...(s.standardError.some((v) => v > 0) ? { standardError: Array.from(s.standardError) } : {}),
  };
}

/** `infodyn schedule --evaluate --json`: `{"results": [{kind, sampler, steps, nfe, metric, value, standardError}], …settings}`. */
export function benchmarkJson(b: BenchmarkResult, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    ...extra,
    sigmaMin: b.sigmaMin,
    sigmaMax: b.sigmaMax,
    samples: b.samples,
    repeats: b.repeats,
    seed: b.seed,
    settings: b.settings,
    results: b.results.map((r) => ({ ...r, value: num(r.value), standardError: num(r.standardError) })),
    proportions: b.proportions,
    levels: b.levels,
  };
}

/** Figure data: one series per (schedule, sampler) of a metric against NFE (distance vs NFE per schedule). */
export function benchmarkFigureData(
  b: BenchmarkResult,
  metric: MetricName,
): { metric: MetricName; baseline?: { value: number; standardError: number }; series: { kind: string; sampler: string; steps: number[]; nfe: number[]; value: number[]; standardError: number[] }[] } {
  const rows = b.results.filter((r) => r.metric === metric);
  const base = rows.find((r) => r.kind === "data");
  const keys = [...new Set(rows.filter((r) => r.kind !== "data").map((r) => `${r.kind}\u0000${r.sampler}`))];
  const series = keys.map((key) => {
    const [kind, sampler] = key.split("\u0000");
    const rs = rows.filter((r) => r.kind === kind && r.sampler === sampler).sort((p, q) => p.nfe - q.nfe);
    return { kind, sampler, steps: rs.map((r) => r.steps), nfe: rs.map((r) => r.nfe), value: rs.map((r) => r.value), standardError: rs.map((r) => r.standardError) };
  });
  return { metric, baseline: base ? { value: base.value, standardError: base.standardError } : undefined, series };
}

/**
 * The text table: one block per (metric, sampler), rows = schedules, columns = steps, cells `value ± SE`,
 * with the direct-sampling baseline on top of each block.
 */
export function benchmarkTable(b: BenchmarkResult, metrics?: readonly MetricName[]): string {
  const fmt = (v: number) => (v === 0 ? "0" : Math.abs(v) >= 1e-3 && Math.abs(v) < 1e4 ? v.toPrecision(3) : v.toExponential(2));
  const cell = (r: BenchmarkRow | undefined) => (r ? `${fmt(r.value)} ± ${Number.isFinite(r.standardError) ? fmt(r.standardError) : "-"}` : "-");
  const ms = metrics ?? [...new Set(b.results.map((r) => r.metric))];
  const steps = [...new Set(b.results.filter((r) => r.kind !== "data").map((r) => r.steps))].sort((p, q) => p - q);
  const samplers = [...new Set(b.results.filter((r) => r.kind !== "data").map((r) => r.sampler))];
  const kinds = [...new Set(b.results.filter((r) => r.kind !== "data").map((r) => r.kind))];
  const blocks: string[] = [];
  for (const metric of ms)
    for (const sampler of samplers) {
      const base = b.results.find((r) => r.kind === "data" && r.metric === metric);
      const head = ["schedule", ...steps.map((n) => `n=${n}`)];
      const rows = kinds.map((kind) => [kind, ...steps.map((n) => cell(b.results.find((r) => r.kind === kind && r.sampler === sampler && r.steps === n && r.metric === metric)))]);
      const widths = head.map((h, j) => Math.max(h.length, ...rows.map((r) => r[j].length)));
      const line = (cs: string[]) => cs.map((c, j) => (j === 0 ? c.padEnd(widths[j]) : c.padStart(widths[j]))).join("  ");
      blocks.push(
        [`${metric}, sampler ${sampler} (direct data samples: ${cell(base)})`, line(head), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join("\n"),
      );
    }
  return blocks.join("\n\n");
}
