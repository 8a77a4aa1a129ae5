import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { ProfilePoint } from "../src/analysis/info/profile.js";
import { informationProfile } from "../src/analysis/info/grid.js";
import { loadModel } from "../src/cli/files.js";
import { kernelBackends, setPosteriorKernel } from "../src/engine/backends.js";
import type { DataModel } from "../src/models/types.js";
import { sigmaGrid } from "../src/noise/grid.js";
import { nativeKernel } from "../src/node/native.js";
import { runCli } from "./cli-run.js";
import { expectClose } from "./helpers.js";

// Issue 14, "Done when": infodyn's numbers on the scikit-learn digits (1797 × 64) and their 0-vs-1 subset (360)
// against an independent numpy computation, test/fixtures/make_digits_reference.py (THEORY.md §2–3, extended
// precision for the exact posteriors, its own RNG for the Monte Carlo expectations). CI never regenerates it; to do
// so after a change of the data: python3 test/fixtures/make_digits_reference.py (numpy 2.4.6 made it; ≈ 40 s).

interface Estimate {
  value: number;
  standardError: number;
}
interface ExactCase {
  sigma: number;
  x: number[];
  mean: number[];
  traceCov: number;
  entropy: number;
  participation: number;
  classProbs: number[];
  classEntropy: number;
  logDensity: number;
}
const MC_KEYS = [
  "conditionalEntropy",
  "mutualInformation",
  "mmse",
  "pathwiseEntropyVariance",
  "classEntropy",
  "classEntropyRate",
  "scoreNormSq",
] as const;
type McKey = (typeof MC_KEYS)[number];
type McPoint = { sigma: number; samples: number } & Record<McKey, Estimate>;
interface Reference {
  model: string;
  data: { npy: string; labels: string; rows: number; dim: number; classes: number[] };
  exact: ExactCase[];
  monteCarlo: McPoint[];
}

const root = join(import.meta.dirname, "..");
const fixture = JSON.parse(readFileSync(join(import.meta.dirname, "fixtures", "digits-reference.json"), "utf8")) as Record<string, Reference> & {
  numpy: string;
};
const STEMS = ["digits", "digits01"] as const;

/** The model as the CLI loads it (examples/STEM.json → the .npy beside it). */
function load(stem: string): DataModel {
  const m = loadModel(join(root, fixture[stem].model));
  if (m.type !== "exact") throw new Error(`${stem}: not an exact model`);
  return m.model;
}
const models = Object.fromEntries(STEMS.map((s) => [s, load(s)])) as Record<(typeof STEMS)[number], DataModel>;

const sha256 = (path: string) => createHash("sha256").update(readFileSync(path)).digest("hex");

/** Largest error seen per quantity, |got − want|/max(|want|, scale) (printed once, for the record of the agreement). */
const worst = new Map<string, number>();
function close(got: number, want: number, tol: { rtol?: number; atol?: number }, key: string, label: string, scale = 0): void {
  const r = Math.abs(got - want) / Math.max(Math.abs(want), scale, Number.MIN_VALUE);
  worst.set(key, Math.max(worst.get(key) ?? 0, r));
  expectClose(got, want, tol, label);
}

describe.each(STEMS)("%s: the fixture is of the committed dataset", (stem) => {
  const ref = fixture[stem];

  it("the sha256 of the .npy data and labels match the fixture's (a changed dataset must regenerate it)", () => {
    expect(sha256(join(root, "examples", `${stem}.npy`)), `examples/${stem}.npy`).toBe(ref.data.npy);
    expect(sha256(join(root, "examples", `${stem}-labels.npy`)), `examples/${stem}-labels.npy`).toBe(ref.data.labels);
  });

  it("the model loads as uniform deltas of that shape and those classes", () => {
    const m = models[stem];
    const st = m.structure;
    expect([m.kind, m.discrete, m.dim, m.numClasses]).toEqual(["deltas", true, ref.data.dim, ref.data.classes.length]);
    expect(st?.type).toBe("mixture");
    if (st?.type !== "mixture") return;
    expect(st.means.rows).toBe(ref.data.rows);
    // the numpy side assumes π_j = 1/N (the model file gives no weights)
    for (const p of st.weights) expectClose(p, 1 / ref.data.rows, { rtol: 1e-15 }, "π_j");
  });
});

// Part 1: the exact posterior at query points, for every posterior-kernel backend in this process (the TypeScript
// ones and, where `npm ci` built it, the native OpenBLAS one).
nativeKernel(); // registers "native-openblas" when the addon loads
const backends = kernelBackends().map((b) => [b.name, b.kernel] as const);

/**
 * Tolerances of the exact comparison, each with its reason. numpy's values are good to ~1e-15 (extended precision,
 * checked against its own float64 run); infodyn's are float64 evaluations of well-conditioned forms: the logits
 * ℓ_j = −‖x − y_j‖²/(2σ²) reach |ℓ| ≈ 1e4 at σ = 1, so each weight carries a relative rounding of ≈ 1e4·ε ≈ 2e-12.
 * 1e-10 (the issue's standard) leaves a margin of 50 over that; measured: ≤ 7e-14.
 */
const TOL = {
  /** m(x) is a convex combination of pixel vectors (0…16, some pixels 0 everywhere): absolute, 1e-10 of the range. */
  mean: { atol: 16e-10 },
  /** Tr C(x) = Σ w‖y − m‖² (down to 1e-146 at σ = 1): relative, every term carries the weights' relative error. */
  traceCov: { rtol: 1e-10 },
  /** h(x) = −Σ w log w (1e-147 … 7.5 nats): relative, a sum of positive terms once written as log1p(rest) − Σ e a/S. */
  entropy: { rtol: 1e-10 },
  /** Σ w² ∈ (1/N, 1]: relative. */
  participation: { rtol: 1e-10 },
  /**
   * p(c|x), 1e-254 … 1: relative, with an absolute 1e-16: the native kernel's screened margin may leave out up to
   * SCREEN_MASS = 1e-17 of the weight (native/kernel.c; p(c|x) = 4.5e-22 for 9.5e-22 is within its contract).
   */
  classProbs: { rtol: 1e-10, atol: 1e-16 },
  /** log p_σ(x) ≈ −100 … −330: relative 1e-12 (a log-sum-exp of the logits, 3e-10 nats at most). */
  logDensity: { rtol: 1e-12 },
} as const;

/**
 * H(c|x): relative 1e-10 on the kernels that keep every point (a sum of positive terms since finishRow writes it as
 * (M₁/S) log1p(O/M₁) − Σ_{c≠c₁} p_c log p_c, M₁ the main class's mass: numpy's 2.2e-122 on digits01 at σ = 2, which the earlier form
 * log S − Σ_c (M_c/S) log M_c rounded to 0, is now matched); the native kernel's screened margin may leave out up
 * to SCREEN_MASS = 1e-17 of the weight (native/kernel.c), i.e. ≤ 1e-17 · |log 1e-17| < 1e-15 of H(c|x).
 */
const classEntropyTol = (backend: string) => ({ rtol: 1e-10, atol: backend.startsWith("native") ? 1e-15 : 0 });

describe.each(backends)("backend %s: the exact posterior agrees with numpy's (extended precision)", (name, kernel) => {
  it.each(STEMS)("%s: m, Tr C, h, Σw², p(c|x), H(c|x), log p_σ at σ = 1 … 40", (stem) => {
    const model = models[stem];
    const D = model.dim;
    const previous = setPosteriorKernel(kernel);
    try {
      const ref = fixture[stem].exact;
      for (const sigma of [...new Set(ref.map((c) => c.sigma))]) {
        const cases = ref.filter((c) => c.sigma === sigma);
        const x = { rows: cases.length, dim: D, data: Float64Array.from(cases.flatMap((c) => c.x)) };
        const got = model.posterior(x, sigma, { entropy: true, classProbs: true, participation: true, logDensity: true });
        const C = model.numClasses;
        cases.forEach((c, i) => {
          const at = `${name} ${stem} σ=${sigma} query ${i}`;
          for (let k = 0; k < D; k++) close(got.mean.data[i * D + k], c.mean[k], TOL.mean, "mean (of 16)", `${at} m[${k}]`, 16);
          close(got.traceCov[i], c.traceCov, TOL.traceCov, "traceCov", `${at} Tr C`);
          close(got.entropy![i], c.entropy, TOL.entropy, "entropy", `${at} h`);
          close(got.participation![i], c.participation, TOL.participation, "participation", `${at} Σw²`);
          for (let k = 0; k < C; k++) close(got.classProbs![i * C + k], c.classProbs[k], TOL.classProbs, "classProbs (of 1e-16)", `${at} p(${k}|x)`, 1e-16);
          close(got.classEntropy![i], c.classEntropy, classEntropyTol(name), "classEntropy", `${at} H(c|x)`);
          close(got.logDensity![i], c.logDensity, TOL.logDensity, "logDensity", `${at} log p`);
        });
      }
    } finally {
      setPosteriorKernel(previous);
    }
  });
});

// Part 2: Monte Carlo expectations. infodyn and numpy draw independently, so each difference has the combined
// standard error √(SE_a² + SE_b²). Bound: 4 of them. With 2 datasets × 4 σ × 7 quantities (fewer independent
// ones: h, I and Var h share draws) a correct code exceeds 3 combined SEs somewhere with probability ≈ 15%, and 4
// with ≈ 0.4% (Gaussian tails; the standard errors are themselves estimates, heavy-tailed where rare draws
// dominate, as mmse at σ = 2). An absolute floor of 1e-12 (the kernels' standard) covers quantities that are
// rounding-sized: H(c|x) of the 0-vs-1 subset at σ = 2 is ~1e-51, where the native kernel, exact to 1e-17 of the
// mass by design, may give 1e-20. Resolution: a factor 2 in mmse is caught, 1% is not (its combined SE is ~2%).
const Z_MAX = 4;
const FLOOR = 1e-12;
/**
 * infodyn's draws per σ: 4000 with the native kernel (≈ 1 s a dataset), 1000 with the TypeScript one (≈ 4× slower
 * per draw with class means): the file stays under ~30 s on two cores either way.
 */
const SAMPLES = nativeKernel() ? 4000 : 1000;
const SEED = 14;

/** A standard error from a profile point: absent means the number is exact (quadrature, closed form). */
function standardError(p: ProfilePoint, key: McKey): number {
  const se = (p.standardError as Record<string, unknown> | undefined)?.[key];
  return typeof se === "number" && Number.isFinite(se) ? se : 0;
}

/** z of each quantity, for the record. */
const zs: { where: string; z: number; floor: boolean }[] = [];
function compareMc(a: number, seA: number, b: Estimate, where: string): void {
  const se = Math.hypot(seA, b.standardError);
  const delta = Math.abs(a - b.value);
  zs.push({ where, z: se > 0 ? delta / se : delta === 0 ? 0 : Infinity, floor: delta > Z_MAX * se });
  expect(
    delta <= Z_MAX * se + FLOOR,
    `${where}: infodyn ${a} ± ${seA}, numpy ${b.value} ± ${b.standardError}, Δ = ${delta.toExponential(3)} = ${(delta / se).toFixed(2)} SE`,
  ).toBe(true);
}

describe.each(STEMS)("%s: Monte Carlo expectations agree with numpy's within 4 combined standard errors", (stem) => {
  const ref = fixture[stem].monteCarlo;
  const sigmas = ref.map((p) => p.sigma);

  it(`informationProfile at σ = ${sigmas.join(", ")} (${SAMPLES} draws per σ): H(y|x), I, mmse, Var h, H(c|x), its rate, E‖∇log p‖²`, () => {
    const model = models[stem];
    // the native kernel where it is built (the CLI's), else the default TypeScript one
    const native = nativeKernel();
    const previous = native ? setPosteriorKernel(native) : undefined;
    try {
      const profile = informationProfile(model, sigmaGrid(sigmas), { samples: SAMPLES, seed: SEED, refinePeaks: false });
      expect(profile.sigma).toEqual([...sigmas].sort((a, b) => a - b));
      for (const want of ref) {
        const p = profile.points.find((q) => q.sigma === want.sigma)!;
        for (const key of MC_KEYS) {
          const got = p[key];
          expect(got, `${stem} σ=${want.sigma} ${key}`).toBeTypeOf("number");
          compareMc(got as number, standardError(p, key), want[key], `${stem} σ=${want.sigma} ${key}`);
        }
      }
    } finally {
      if (previous) setPosteriorKernel(previous);
    }
  });
});

describe("the CLI route: infodyn profile --json on the digits", () => {
  it("agrees with numpy's Monte Carlo at the fixture's σ's (0-vs-1 subset; the full set costs 5× more)", async () => {
    const stem = "digits01";
    const ref = fixture[stem].monteCarlo;
    const sigmas = ref.map((p) => p.sigma).join(",");
    const r = await runCli(["profile", fixture[stem].model, "--sigma", sigmas, "--samples", String(SAMPLES), "--seed", String(SEED), "--json"], {
      timeoutMs: 60_000,
    });
    expect(r.code, r.stderr.slice(0, 400)).toBe(0);
    const out = JSON.parse(r.stdout) as { sigma: number[]; standardError?: Record<string, number[] | undefined> } & Record<string, unknown>;
    for (const want of ref) {
      const i = out.sigma.indexOf(want.sigma);
      expect(i, `σ = ${want.sigma} in the output`).toBeGreaterThanOrEqual(0);
      for (const key of MC_KEYS) {
        const got = (out[key] as number[] | undefined)?.[i];
        expect(got, `cli ${stem} σ=${want.sigma} ${key}`).toBeTypeOf("number");
        const se = out.standardError?.[key]?.[i];
        compareMc(got as number, typeof se === "number" ? se : 0, want[key], `cli ${stem} σ=${want.sigma} ${key}`);
      }
    }
  });
});

// For the record of the agreement (the report quotes these): printed once, after every comparison of the file.
afterAll(() => {
  const top = zs.filter((t) => !t.floor).sort((a, b) => b.z - a.z).slice(0, 3);
  const floor = zs.filter((t) => t.floor).map((t) => t.where);
  console.log(
    `numpy ${fixture.numpy}; exact, largest |Δ|/max(|want|, scale) per quantity: ${[...worst].map(([k, v]) => `${k} ${v.toExponential(1)}`).join(", ")}\n` +
      `Monte Carlo (${SAMPLES} draws per σ): ${zs.length} comparisons, largest |z|: ${top.map((t) => `${t.z.toFixed(2)} (${t.where})`).join(", ")}` +
      (floor.length ? `; within the ${FLOOR} floor only: ${floor.join(", ")}` : ""),
  );
});
