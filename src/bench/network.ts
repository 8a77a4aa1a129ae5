/**
 * The network case of `npm run bench` (issue 15 item 8): denoiser calls per second of the digits network
 * (examples/digits-net.json, EDM-preconditioned conv net on the 8 × 8 scikit-learn digits) through infodyn's ONNX
 * route — `denoiser.denoise(batch, σ, {labels})` of the model {@link loadModel} loads, one full D(x; σ) with the
 * preconditioning maps — against the same network in torch (src/bench/torch_denoiser.py, run by Debian's
 * `/usr/bin/python3`: the module class of examples/make_networks.py with the ONNX file's weights) in the same run,
 * on the CPU with the same threads and the same batch. `node dist/bench/kernel.js network` runs it alone.
 *
 * Batches of {@link BATCHES} rows: the first digits noised at σ = 1 (seeded), their class labels. Each side warms
 * up, then each batch is timed in {@link ROUNDS} rounds, one measurement of ≥ {@link SECONDS} s per side and round
 * (calls awaited one after the other, as a sampler makes them), best of the rounds; the rounds alternate infodyn
 * and a fresh torch process so that a load that comes and goes on a shared machine weighs on both sides alike. torch is timed on float32 tensors it already holds; infodyn takes and returns float64
 * batches. Both sides' D of every batch must agree to {@link RTOL} of max|D| (float32 forward passes of the same
 * weights by two runtimes), else the case fails. Last line: `network ratio vs torch (batch 256): R`.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadModel } from "../cli/files.js";
import type { Denoiser } from "../models/types.js";
import { nativeThreads } from "../node/native.js";
import { createRng } from "../numeric/rng.js";

const BATCHES = [1, 64, 256, 1024];
const SIGMA = 1;
const SECONDS = 1;
const ROUNDS = 5;
const RTOL = 1e-4;
/** The Python with torch and onnx: `INFODYN_BENCH_PYTHON`, else Debian's (the `python3` first on PATH may not see torch). */
const TORCH_PYTHON = process.env.INFODYN_BENCH_PYTHON || "/usr/bin/python3";

/** Calls per second of one measurement: calls awaited one after the other for ≥ SECONDS s. */
async function measure(call: () => unknown): Promise<number> {
  let n = 0;
  const start = performance.now();
  let t = 0;
  do {
    await call();
    n++;
    t = (performance.now() - start) / 1000;
  } while (t < SECONDS);
  return n / t;
}

/** `best calls/s (rows/s), spread` of a list of measurements, spread = (best − worst) / best. */
function cell(r: number[], B: number): string {
  const best = Math.max(...r);
  const spread = (best - Math.min(...r)) / best;
  return `${best.toFixed(1).padStart(8)} calls/s (${Math.round(best * B).toString().padStart(7)} rows/s, spread ${(100 * spread).toFixed(0).padStart(2)}%)`;
}

/** The torch side's report (src/bench/torch_denoiser.py), or why it was skipped. */
type TorchRun = { torch: string; threads: number; check: number | null; results: { batch: number; callsPerSecond: number[] }[] } | { skip: string };

/** One torch process: every batch warmed up and measured once (src/bench/torch_denoiser.py); it writes its D to `dir`. */
function runTorch(dir: string, root: string, threads: number, sigmaData: number): TorchRun {
  const script = join(root, "src", "bench", "torch_denoiser.py");
  if (!existsSync(script)) return { skip: `${script} not found` };
  const cfg = {
    onnx: join(root, "examples", "digits-net.onnx"),
    examples: join(root, "examples"),
    dir,
    sigma: SIGMA,
    sigmaData,
    threads,
    batches: BATCHES,
    seconds: SECONDS,
    repeats: 1,
    reference: join(root, "test", "fixtures", "onnx", "networks-reference.json"),
  };
  const env = { ...process.env, OMP_NUM_THREADS: String(threads) };
  const p = spawnSync(TORCH_PYTHON, [script, JSON.stringify(cfg)], { encoding: "utf8", env });
  if (p.error) return { skip: `${TORCH_PYTHON}: ${p.error.message}` };
  if (p.status === 3) return { skip: `${TORCH_PYTHON} cannot import torch or onnx (${p.stderr.trim()})` };
  if (p.status !== 0) throw new Error(`torch run failed: ${p.stderr}`);
  return JSON.parse(p.stdout.trim().split("\n").pop()!);
}

/**
 * Runs the case in `dir` (a scratch folder) and prints its table; `ratio` is infodyn/torch in calls per second at
 * batch 256 (undefined where torch was skipped), `ok` false where the two sides' outputs disagree.
 */
export async function runNetwork(dir: string): Promise<{ ratio?: number; ok: boolean }> {
  const root = fileURLToPath(new URL("../../", import.meta.url));
  const file = join(root, "examples", "digits-net.json");
  if (!existsSync(file) || !existsSync(join(root, "examples", "digits-net.onnx"))) {
    console.log("network: examples/digits-net.json or .onnx missing (examples/make_networks.py writes them); skipped");
    return { ok: true };
  }
  const spec = JSON.parse(readFileSync(file, "utf8")) as { sigmaData: number; threads?: number };
  const threads = spec.threads ?? nativeThreads(); // what node/onnx.ts gives ONNX Runtime (intra-op threads)
  const loaded = loadModel(file);
  if (loaded.type !== "denoiser" || !loaded.labels) throw new Error(`${file}: not a class-conditional network`);
  const denoiser: Denoiser = loaded.denoiser;
  const D = denoiser.dim;
  const rows = BATCHES[BATCHES.length - 1];
  const rng = createRng(2026);
  const x = new Float64Array(rows * D);
  for (let i = 0; i < rows * D; i++) x[i] = loaded.data.data[i] + SIGMA * rng.normal();
  const labels = loaded.labels.subarray(0, rows);

  console.log(`network: ${file.slice(root.length)} (D = ${D}), digits + σ·noise at σ = ${SIGMA}, their labels; ${threads} threads`);
  console.log(`  one call = D(x; σ) of a batch; best of ${ROUNDS} rounds of one ≥ ${SECONDS} s measurement per side; spread = (best − worst)/best`);
  const batches = BATCHES.map((B) => ({ B, x: { rows: B, dim: D, data: x.subarray(0, B * D) }, cond: { labels: labels.subarray(0, B) } }));
  const outs: Float64Array[] = [];
  for (const b of batches) {
    outs.push((await denoiser.denoise(b.x, SIGMA, b.cond)).data);
    const t0 = performance.now();
    while (performance.now() - t0 < 250 * SECONDS) await denoiser.denoise(b.x, SIGMA, b.cond); // warm-up
  }
  writeFileSync(join(dir, "x.f64"), new Uint8Array(x.buffer));
  writeFileSync(join(dir, "labels.i64"), new Uint8Array(BigInt64Array.from(labels, (l) => BigInt(l)).buffer));

  const ours: number[][] = BATCHES.map(() => []);
  const theirs: number[][] = BATCHES.map(() => []);
  let torch: TorchRun | undefined;
  const refs: Float64Array[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    for (const [k, b] of batches.entries()) ours[k].push(await measure(() => denoiser.denoise(b.x, SIGMA, b.cond)));
    if (torch && "skip" in torch) continue;
    torch = runTorch(dir, root, threads, spec.sigmaData);
    if ("skip" in torch) continue;
    for (const [k, B] of BATCHES.entries()) {
      theirs[k].push(torch.results.find((r) => r.batch === B)!.callsPerSecond[0]);
      if (round === 0) refs.push(new Float64Array(new Uint8Array(readFileSync(join(dir, `torch-${B}.f64`))).buffer));
    }
  }
  if (!torch || "skip" in torch) {
    console.log(`  torch: skipped — ${torch?.skip}`);
    BATCHES.forEach((B, k) => console.log(`  B = ${String(B).padStart(4)}  infodyn ${cell(ours[k], B)}  torch —`));
    console.log("network ratio vs torch (batch 256): skipped (no torch)");
    return { ok: true };
  }
  const check = torch.check === null ? "no reference fixture" : `max |Δ| ${torch.check.toExponential(1)}`;
  console.log(`  torch ${torch.torch}, ${torch.threads} threads, float32 under inference_mode; weights from the ONNX initializers (vs the trained torch model: ${check})`);
  let ok = true;
  let ratio: number | undefined;
  BATCHES.forEach((B, k) => {
    const ref = refs[k];
    let diff = 0;
    let scale = 0;
    for (let i = 0; i < ref.length; i++) {
      diff = Math.max(diff, Math.abs(outs[k][i] - ref[i]));
      scale = Math.max(scale, Math.abs(ref[i]));
    }
    const agree = ref.length === B * D && diff <= RTOL * scale;
    if (!agree) ok = false;
    const r = Math.max(...ours[k]) / Math.max(...theirs[k]);
    if (B === 256) ratio = r;
    console.log(
      `  B = ${String(B).padStart(4)}  infodyn ${cell(ours[k], B)}  torch ${cell(theirs[k], B)}  ratio ${r.toFixed(3)}  max |Δ| ${diff.toExponential(1)} of max|D| ${scale.toFixed(1)}${agree ? "" : `  (DISAGREE: above ${RTOL} relative)`}`,
    );
  });
  const spread = (r: number[]) => 1 - Math.min(...r) / Math.max(...r);
  if ([...ours, ...theirs].some((r) => spread(r) > 0.5))
    console.log("  note: a spread above 50% — the machine was loaded; OpenMP threads (torch's) suffer most from it, INFODYN_THREADS=1 compares one thread a side");
  if (!ok) console.log("network: infodyn and torch disagree on D(x; σ) — the timings compare different computations");
  console.log(`network ratio vs torch (batch 256): ${ratio!.toFixed(3)}`);
  return { ratio, ok };
}
