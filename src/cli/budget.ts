import { InfodynError } from "../errors.js";
import type { DataModel } from "../models/types.js";

/*
 * The command line's resource budgets, in one place (README "Command line", "Budgets"). Every size an option or a
 * file can declare — σ levels (--steps), samples, paths, repetitions, grid points, array shapes, the dimension —
 * is checked against them before any work starts; a refusal names the option, what it implies and what fits:
 *
 *   --steps: 1000000001 levels × 1000 paths needs 7.45 TiB; at most 134217 levels fit in the 1 GiB memory budget
 *
 * The estimates are upper bounds of the commands' dominant arrays and of their posterior-kernel work (query points
 * × data points × dimension, per σ level and evaluation); a run that passes them may still take minutes, but none
 * that fails them could have finished in reasonable time or memory.
 */

/** The most bytes one array (or one set of arrays of the same shape) may take: 1 GiB. */
export const MEMORY_BUDGET_BYTES = budgetFromEnv("INFODYN_MEMORY_BUDGET", 2 ** 30);

/**
 * The most multiply-adds of the posterior kernel one command may plan: 10¹² (about 15 minutes at the TypeScript
 * kernel's ~1 G multiply-adds per second, a few with the native one). `INFODYN_WORK_BUDGET` raises it.
 */
export const WORK_BUDGET = budgetFromEnv("INFODYN_WORK_BUDGET", 1e12);

/** The largest text or JSON output planned (V8 strings end at 512 MiB): 256 MiB, at ~24 bytes per number. */
export const OUTPUT_BUDGET_BYTES = 256 * 2 ** 20;

/** The largest model JSON file read (V8 strings end at 512 MiB; a dataset belongs in a .npy). */
export const MODEL_FILE_LIMIT_BYTES = 256 * 2 ** 20;

/** The largest array or label file read (`.npy`, `.npz`, `.csv`): the memory budget. */
export const ARRAY_FILE_LIMIT_BYTES = MEMORY_BUDGET_BYTES;

/** The most bytes the arrays of one `.npz` may inflate to, together: the memory budget. */
export const NPZ_INFLATE_LIMIT_BYTES = MEMORY_BUDGET_BYTES;

/**
 * A budget from the environment (a positive number, e.g. `INFODYN_WORK_BUDGET=1e13` for a long run on purpose),
 * else the default. A malformed value is an error at start-up rather than a silent default.
 */
function budgetFromEnv(name: string, fallback: number): number {
  const text = typeof process !== "undefined" ? process.env[name] : undefined;
  if (text === undefined || text === "") return fallback;
  const v = Number(text);
  if (!/^\d+(\.\d+)?([eE]\+?\d+)?$/.test(text.trim()) || !Number.isFinite(v) || v <= 0) {
    // read at start-up, before any command: one line and exit code 2, as for any bad input
    process.stderr.write(`infodyn: ${name}: '${text}' is not a positive number\n`);
    process.exit(2);
  }
  return v;
}

/** One factor of a size: its value, what it counts, and (for the one being checked) how the user wrote it. */
export interface Factor {
  value: number;
  /** What it counts, plural: "levels", "paths", "samples". */
  label: string;
  /** As the user wrote it (`9007199254740993` is not exactly a double), for the message. */
  text?: string;
}

/** The model's size for the cost estimates: its data points (or components, or Ising states) N and dimension D. */
export function modelSize(model: DataModel): { points: number; dim: number } {
  const st = model.structure;
  const points = st?.type === "mixture" ? st.means.rows : model.kind === "ising" ? 2 ** model.dim : 1;
  return { points: Math.max(1, points), dim: model.dim };
}

const factorText = (f: Factor) => `${f.text ?? formatCount(f.value)} ${f.label}`.trim();

/**
 * Refuses `option` when the product of `factors` × `bytesPerItem` exceeds {@link MEMORY_BUDGET_BYTES}:
 * `--steps: 1000000001 levels × 1000 paths × 8 bytes needs 7.45 TiB; at most 134217 levels fit in the 1 GiB memory budget`.
 * The first factor is the option's own; the largest value of it that fits is given.
 */
export function checkMemory(option: string, factors: Factor[], bytesPerItem = 8, what = ""): void {
  const total = factors.reduce((p, f) => p * f.value, bytesPerItem);
  if (total <= MEMORY_BUDGET_BYTES) return;
  const rest = total / factors[0].value;
  const fits = Math.floor(MEMORY_BUDGET_BYTES / rest);
  throw new InfodynError(
    `${option}: ${factors.map(factorText).join(" × ")} = ${formatCount(total / bytesPerItem)} ${bytesPerItem === 8 ? "float64 values" : `items of ${bytesPerItem} bytes`}${what ? ` for ${what}` : ""} (${formatBytes(total)}); ` +
      (fits >= 1 ? `at most ${formatCount(fits)} ${factors[0].label} fit in the ${formatBytes(MEMORY_BUDGET_BYTES)} memory budget` : `more than the ${formatBytes(MEMORY_BUDGET_BYTES)} memory budget even for 1 ${factors[0].label}`),
  );
}

/**
 * Refuses `option` when the planned posterior-kernel work (the product of `factors`) exceeds {@link WORK_BUDGET}:
 * `--samples: 1e12 samples × 101 levels × 300 points × D = 2 is 6.06e16 multiply-adds; at most 3300 samples fit in
 * the work budget of 2e11 (INFODYN_WORK_BUDGET)`.
 */
export function checkWork(option: string, factors: Factor[]): void {
  const total = factors.reduce((p, f) => p * f.value, 1);
  if (total <= WORK_BUDGET) return;
  const fits = Math.floor(WORK_BUDGET / (total / factors[0].value));
  throw new InfodynError(
    `${option}: ${factors.map(factorText).join(" × ")} is ${formatCount(total)} multiply-adds of the posterior kernel; ` +
      (fits >= 1 ? `at most ${formatCount(fits)} ${factors[0].label} fit in` : "more than") +
      ` the work budget of ${formatCount(WORK_BUDGET)} (raise it with INFODYN_WORK_BUDGET)`,
  );
}

/**
 * Refuses `option` when the output (text or JSON) would hold more numbers than {@link OUTPUT_BUDGET_BYTES} allow at
 * ~24 bytes a number: `--steps: 20000001 levels × 14 numbers per level in the output need 6.26 GiB of text; …`.
 */
export function checkOutput(option: string, factors: Factor[]): void {
  const total = factors.reduce((p, f) => p * f.value, 24);
  if (total <= OUTPUT_BUDGET_BYTES) return;
  const fits = Math.floor(OUTPUT_BUDGET_BYTES / (total / factors[0].value));
  throw new InfodynError(
    `${option}: ${factors.map(factorText).join(" × ")} in the output need ${formatBytes(total)} of text; ` +
      `at most ${formatCount(fits)} ${factors[0].label} fit in the ${formatBytes(OUTPUT_BUDGET_BYTES)} output budget`,
  );
}

/**
 * The D × D matrices of Hessians, covariances and tangent maps a command takes at a point: refused when one would
 * not fit (`model: D = 20000: a 20000 × 20000 matrix needs 2.98 GiB; …`).
 */
export function checkSquare(dim: number, what = "a Hessian"): void {
  const bytes = dim * dim * 8;
  if (bytes <= MEMORY_BUDGET_BYTES) return;
  throw new InfodynError(
    `model: D = ${dim}: ${what} (${dim} × ${dim} float64) needs ${formatBytes(bytes)}; at most D = ${Math.floor(Math.sqrt(MEMORY_BUDGET_BYTES / 8))} fits in the ${formatBytes(MEMORY_BUDGET_BYTES)} memory budget`,
  );
}

/** N data points and D = dim as factors of the work (an exact model's size, {@link modelSize}). */
export function modelFactors(model: DataModel): Factor[] {
  const { points, dim } = modelSize(model);
  return [pointsFactor(points), dimFactor(dim)];
}

/** The dimension as a factor: `D = 2`. */
export const dimFactor = (D: number): Factor => ({ value: D, label: "", text: `D = ${D}` });
/** The data points as a factor. */
export const pointsFactor = (N: number): Factor => ({ value: N, label: N === 1 ? "data point" : "data points" });

/** `1 GiB`, `7.45 TiB`, `300 bytes`. */
export function formatBytes(n: number): string {
  const units = [["EiB", 2 ** 60], ["PiB", 2 ** 50], ["TiB", 2 ** 40], ["GiB", 2 ** 30], ["MiB", 2 ** 20], ["KiB", 2 ** 10]] as const;
  if (!Number.isFinite(n)) return "more bytes than a double can count";
  if (n >= 2 ** 70) return `${n.toExponential(2)} bytes`;
  for (const [unit, size] of units) if (n >= size) return `${+(n / size).toPrecision(3)} ${unit}`;
  return `${n} bytes`;
}

/** Integers below 10¹⁰ in full, else `6.06e16`. */
export function formatCount(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  return Number.isInteger(n) && Math.abs(n) < 1e10 ? String(n) : n.toPrecision(3).replace(/\.?0+e/, "e").replace("e+", "e");
}
