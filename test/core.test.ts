import { describe, expect, it } from "vitest";
import { fromRows, type Batch } from "../src/batch.js";
import { sampleEuler, sampleHeun, sampleRK4 } from "../src/analysis/dynamics/ode.js";
import { eulerMaruyamaStep, sampleDdim, sampleEulerMaruyama } from "../src/analysis/dynamics/sde.js";
import { exactNoisy, initialNoise } from "../src/analysis/dynamics/initial.js";
import { finiteTimeLyapunov } from "../src/analysis/dynamics/lyapunov.js";
import { DOPRI5, EULER, HEUN, RK4, rkAdaptive, rkStep, rkWork, type Derivative, type Tableau } from "../src/analysis/dynamics/runge-kutta.js";
import { denoiserRates } from "../src/analysis/info/denoiser.js";
import { informationProfile } from "../src/analysis/info/grid.js";
import { profileAt } from "../src/analysis/info/profile.js";
import { entropicProfile } from "../src/analysis/schedule/entropic-profile.js";
import { denoiserMmse, modelMmse } from "../src/analysis/schedule/source.js";
import { scheduleSigmas } from "../src/analysis/schedule/schedules.js";
import { deltas } from "../src/models/deltas.js";
import { gaussian } from "../src/models/gaussian.js";
import { parseModel } from "../src/models/parse.js";
import type { SyncDenoiser } from "../src/models/types.js";
import { ascending, checkGrid, edmSigmas, logSigmas, sigmaGrid } from "../src/noise/grid.js";
import { ve } from "../src/noise/process.js";
import { createRng, type Rng } from "../src/numeric/rng.js";
import { AbortedError, drive, type DenoiseProgram } from "../src/score/program.js";
import { networkTestbed } from "../src/score/testbed.js";
import { InfodynError } from "../src/errors.js";
import { expectAllClose, expectClose } from "./helpers.js";

const twoDeltas = deltas(fromRows([[-1], [1]]));

describe("drive: one program for synchronous and asynchronous denoisers", () => {
  function* twice(x: Batch): DenoiseProgram<number> {
    const a = yield { x, sigma: 1 };
    const b = yield { x: a, sigma: 0.5 };
    return b.data[0];
  }
  it("runs synchronously on an exact model (no promise) and asynchronously on a network, with the same numbers", async () => {
    const x = fromRows([[0.3]]);
    const sync = drive(twice(x), twoDeltas);
    expect(typeof sync).toBe("number");
    expectClose(sync, Math.tanh(Math.tanh(0.3) / 0.25), { rtol: 1e-15 }, "m(m(0.3; 1); 0.5)");
    const net = networkTestbed(twoDeltas, { float32: false });
    const pending = drive(twice(x), net);
    expect(pending).toBeInstanceOf(Promise);
    expect(await pending).toBe(sync);
    expect(net.calls).toBe(2);
  });
  it("refuses an answer of the wrong shape and stops on an aborted signal", () => {
    const bad: SyncDenoiser = { dim: 1, denoise: () => fromRows([[0], [0]]) };
    expect(() => drive(twice(fromRows([[0.3]])), bad)).toThrow(/returned 2 × 1 for a batch of 1 × 1/);
    const ctl = new AbortController();
    ctl.abort("stop");
    expect(() => drive(twice(fromRows([[0.3]])), twoDeltas, { signal: ctl.signal })).toThrow(AbortedError);
  });
  it("an async run stops at the next denoiser call once its signal is aborted", async () => {
    const ctl = new AbortController();
    const net = networkTestbed(twoDeltas);
    const run = sampleEuler(net, fromRows([[3]]), logSigmas(50, 0.1, 5), { signal: ctl.signal });
    ctl.abort();
    await expect(run).rejects.toThrow(AbortedError);
    expect(net.calls).toBeLessThanOrEqual(1);
  });
});

describe("σ grids: one convention (descending), every interior level checked", () => {
  it("logSigmas(n) has σ_i = σ_min (σ_max/σ_min)^{(n−1−i)/(n−1)} at every i, the ends exact", () => {
    for (const n of [2, 3, 7, 41]) {
      const s = logSigmas(n, 0.02, 30);
      expect(s.length).toBe(n);
      expect(s[0]).toBe(30);
      expect(s[n - 1]).toBe(0.02);
      for (let i = 0; i < n; i++) expectClose(s[i], 0.02 * (30 / 0.02) ** ((n - 1 - i) / (n - 1)), { rtol: 4e-16 * 30 }, `n=${n} i=${i}`);
    }
    expect(logSigmas(1, 0.1, 10)).toEqual(Float64Array.from([10]));
    expect(Array.from(logSigmas(3, 0.1, 10, { zero: true }))).toEqual([10, expect.closeTo(1, 14), 0.1, 0]);
  });
  it("edmSigmas(n) is k-diffusion's get_sigmas_karras at every level (ρ = 7 and ρ = 3)", () => {
    for (const rho of [7, 3])
      for (const n of [2, 5, 18]) {
        const s = edmSigmas(n, 0.002, 80, rho);
        const ramp = (i: number) => i / (n - 1);
        for (let i = 0; i < n; i++) {
          const want = (80 ** (1 / rho) + ramp(i) * (0.002 ** (1 / rho) - 80 ** (1 / rho))) ** rho;
          expectClose(s[i], want, { rtol: 1e-14 }, `ρ=${rho} n=${n} i=${i}`);
        }
      }
  });
  it("sigmaGrid takes a user's list in either order and refuses unsorted, repeated or non-positive levels", () => {
    expect(Array.from(sigmaGrid([0.5, 1, 2]))).toEqual([2, 1, 0.5]);
    expect(Array.from(sigmaGrid([2, 1, 0.5]))).toEqual([2, 1, 0.5]);
    expect(() => sigmaGrid([1, 0.5, 2], "--sigma")).toThrow(/--sigma\[2\]: 2 breaks the order/);
    expect(() => sigmaGrid([1, 1])).toThrow(InfodynError);
    expect(() => sigmaGrid([1, 0])).toThrow(/sigma\[1\]: 0 is not a noise level/);
    expect(() => sigmaGrid([])).toThrow(InfodynError);
    expect(() => checkGrid([1, 2])).toThrow(/does not descend/);
    expect(() => checkGrid([2, 0, 1])).toThrow(/only the last may be 0/);
    expect(Array.from(ascending([4, 2, 1, 0]))).toEqual([1, 2, 4]);
  });
  it("every analysis refuses an unsorted or non-positive grid instead of falling back", () => {
    expect(() => informationProfile(twoDeltas, [0.5, 1, 2])).toThrow(/does not descend/);
    expect(() => informationProfile(twoDeltas, [2, 1, 0])).toThrow(/not a noise level/);
    expect(() => sampleEuler(twoDeltas, fromRows([[1]]), [0.5, 1])).toThrow(/does not descend/);
    expect(() => finiteTimeLyapunov(twoDeltas, fromRows([[1]]), [1, 2, 0.5])).toThrow(/does not descend/);
  });
  it("the profile's grid: every interior σ of informationProfile is the grid's level, in ascending order", () => {
    const grid = logSigmas(9, 0.1, 10);
    const p = informationProfile(twoDeltas, grid, { refinePeaks: false });
    expect(p.sigma).toEqual(Array.from(ascending(grid)));
    for (let i = 0; i < 9; i++) {
      expectClose(p.sigma[i], 0.1 * 100 ** (i / 8), { rtol: 1e-15 }, `σ_${i}`);
      expectClose(p.points[i].sigma, p.sigma[i], { rtol: 0 }, `point ${i}`);
      // the value at each interior level is the profile at that level, not at its neighbour
      expectClose(p.points[i].mmse, profileAt(twoDeltas, p.sigma[i]).mmse, { rtol: 1e-14 }, `mmse at σ_${i}`);
    }
  });
  it("the schedules' log, edm and uniform kinds: every interior level from its closed form", () => {
    const n = 6;
    const a = 0.01;
    const b = 20;
    const log = scheduleSigmas("log", n, a, b, { process: ve() }).sigma;
    const edm = scheduleSigmas("edm", n, a, b, { process: ve() }).sigma;
    const uni = scheduleSigmas("uniform", n, a, b, { process: ve() }).sigma;
    for (let i = 0; i <= n; i++) {
      const u = i / n;
      expectClose(log[i], a * (b / a) ** u, { rtol: 1e-14 }, `log ${i}`);
      expectClose(edm[i], (a ** (1 / 7) + u * (b ** (1 / 7) - a ** (1 / 7))) ** 7, { rtol: 1e-13 }, `edm ${i}`);
      expectClose(uni[i], Math.sqrt(a * a + u * (b * b - a * a)), { rtol: 1e-14 }, `uniform in t = σ² ${i}`);
    }
  });
});

/** The Gaussian N(μ, s²) in 1-D: m(x) = μ + s²(x − μ)/(s² + σ²), the flow x(σ) = μ + √((s²+σ²)/(s²+σ₀²))(x₀ − μ). */
const MU = 0.7;
const S2 = 0.4;
const g1 = gaussian(Float64Array.from([MU]), Float64Array.from([S2]));
const flow1 = (x0: number, s0: number, s: number) => MU + Math.sqrt((S2 + s * s) / (S2 + s0 * s0)) * (x0 - MU);

describe("the Runge–Kutta driver", () => {
  it("every tableau satisfies its order conditions (Σb = 1, Σbc = ½, …; rows of a sum to c), DOPRI5's b̂ to order 4", () => {
    const check = (name: string, c: readonly number[], a: readonly (readonly number[])[], b: readonly number[], order: number) => {
      const S = b.length;
      for (let s = 0; s < S; s++) expectClose(a[s].reduce((x, y) => x + y, 0), c[s], { atol: 1e-15 }, `${name} row ${s}`);
      // bushy-tree conditions Σ b c^{k−1} = 1/k, and Σ b a c = 1/6 (order ≥ 3), through the order
      for (let k = 1; k <= order; k++) expectClose(b.reduce((acc, bs, s) => acc + bs * c[s] ** (k - 1), 0), 1 / k, { atol: 1e-15 }, `${name} Σbc^${k - 1}`);
      if (order >= 3) {
        let bac = 0;
        for (let s = 0; s < S; s++) for (let q = 0; q < s; q++) bac += b[s] * (a[s][q] ?? 0) * c[q];
        expectClose(bac, 1 / 6, { atol: 1e-15 }, `${name} Σbac`);
      }
    };
    for (const t of [EULER, HEUN, RK4, DOPRI5] as Tableau[]) check(t.name, t.c, t.a, t.b, t.order);
    check("dopri5 b̂", DOPRI5.c, DOPRI5.a, DOPRI5.bHat!, 4);
    // FSAL: the last row of a is b
    expect(DOPRI5.a[6]).toEqual(DOPRI5.b.slice(0, 6));
  });

  const f: Derivative = function* (y, sigma, out) {
    const m = yield { x: { rows: y.length, dim: 1, data: y }, sigma };
    for (let p = 0; p < y.length; p++) out[p] = (y[p] - m.data[p]) / sigma;
  };
  it("fixed steps converge at each tableau's order on the Gaussian flow (Euler 1, Heun 2, RK4 4, DOPRI5 5)", () => {
    // DOPRI5 on coarser grids (at 32 steps it nears the rounding floor); on this linear flow its error falls a
    // little faster than h⁵ before the asymptotic regime (ratios 75, 85 per halving), so only its lower bound bites
    for (const [tab, lo, hi, ns] of [[EULER, 0.9, 1.1, [8, 16, 32]], [HEUN, 1.9, 2.1, [8, 16, 32]], [RK4, 3.8, 4.2, [8, 16, 32]], [DOPRI5, 4.6, 8, [4, 8, 16]]] as const) {
      const errs = ns.map((n) => {
        const grid = logSigmas(n + 1, 0.2, 5);
        const y = Float64Array.from([3, -2]);
        const w = rkWork(tab, 2);
        for (let i = 0; i < n; i++) drive(rkStep(tab, f, y, grid[i], grid[i + 1], w), g1);
        return Math.max(Math.abs(y[0] - flow1(3, 5, 0.2)), Math.abs(y[1] - flow1(-2, 5, 0.2)));
      });
      const order = Math.log2(errs[1] / errs[2]);
      expect(order, `${tab.name}: errors ${errs.map((e) => e.toExponential(2))}`).toBeGreaterThan(lo);
      expect(order).toBeLessThan(hi);
    }
  });
  it("adaptive DOPRI5 meets its tolerance on the Gaussian flow, with fewer steps for a looser tolerance", () => {
    const run = (rtol: number) => {
      const y = Float64Array.from([3, -2, MU]);
      const r = drive(rkAdaptive(f, y, 80, 0.01, { rtol, atol: rtol * 1e-3 }), g1);
      return { y, r };
    };
    const tight = run(1e-10);
    const loose = run(1e-5);
    for (const [i, x0] of [3, -2, MU].entries()) {
      expectClose(tight.y[i], flow1(x0, 80, 0.01), { rtol: 1e-8, atol: 1e-9 }, `tight ${i}`);
      expectClose(loose.y[i], flow1(x0, 80, 0.01), { rtol: 1e-3, atol: 1e-4 }, `loose ${i}`);
    }
    expect(tight.r.sigmas[tight.r.sigmas.length - 1]).toBe(0.01);
    expect(loose.r.accepted).toBeLessThan(tight.r.accepted);
    expect(tight.r.evaluations).toBeGreaterThan(6 * tight.r.accepted);
  });
  it("an adaptive run that cannot meet the tolerance in maxSteps is refused", () => {
    const y = Float64Array.from([3]);
    expect(() => drive(rkAdaptive(f, y, 80, 0.01, { rtol: 1e-12, maxSteps: 5 }), g1)).toThrow(/more than 5 steps/);
  });
});

describe("samplers: pure steps and drivers", () => {
  it("sampleHeun is EDM's Algorithm 2 (S_churn = 0) to the bit, transcribed literally", () => {
    const model = deltas(fromRows([[-1, 0], [1, 0], [0, 1.5]]), { weights: [0.2, 0.3, 0.5] });
    const sigmas = edmSigmas(18, 0.002, 80, 7, { zero: true });
    const x0 = initialNoise(6, 2, 80, 3);
    // Algorithm 2 of Karras et al. (2022), lines 1–8, with the paper's symbols.
    const x = Float64Array.from(x0.data);
    const D = (v: Float64Array, t: number) => model.denoise({ rows: 6, dim: 2, data: v }, t).data;
    for (let i = 0; i < sigmas.length - 1; i++) {
      const tCur = sigmas[i];
      const tNext = sigmas[i + 1];
      const den = D(x, tCur);
      const dCur = x.map((xi, k) => (xi - den[k]) / tCur);
      const xNext = x.map((xi, k) => xi + (tNext - tCur) * dCur[k]);
      if (tNext !== 0) {
        const den2 = D(xNext, tNext);
        const dPrime = xNext.map((xi, k) => (xi - den2[k]) / tNext);
        for (let k = 0; k < x.length; k++) x[k] = x[k] + (tNext - tCur) * (0.5 * dCur[k] + 0.5 * dPrime[k]);
      } else x.set(xNext);
    }
    expect(Array.from(sampleHeun(model, x0, sigmas).data)).toEqual(Array.from(x));
  });

  /** A stub Rng whose normals are a fixed list (the one-step oracle needs known ξ). */
  function stub(values: number[]): Rng {
    let i = 0;
    const normal = () => values[i++ % values.length];
    const r: Rng = {
      uniform: () => 0.5,
      normal,
      rademacher: () => 1,
      categorical: () => 0,
      fillNormal: (out) => out.map(normal),
      fork: () => r,
    };
    return r;
  }
  it("one Euler–Maruyama step is x + (σ_i² − σ_{i+1}²)(m(x; σ_i) − x)/σ_i² + √(σ_i² − σ_{i+1}²) ξ (stub ξ)", () => {
    const x0 = fromRows([[0.4], [-1.3]]);
    const xi = [0.7, -1.1];
    const [s0, s1] = [1.5, 0.6];
    const out = sampleEulerMaruyama(g1, x0, [s0, s1], { rng: [stub([xi[0]]), stub([xi[1]])] });
    for (let r = 0; r < 2; r++) {
      const x = x0.data[r];
      const m = MU + (S2 * (x - MU)) / (S2 + s0 * s0);
      expectClose(out.data[r], x + ((s0 * s0 - s1 * s1) * (m - x)) / (s0 * s0) + Math.sqrt(s0 * s0 - s1 * s1) * xi[r], { rtol: 1e-15 }, `row ${r}`);
    }
    // the pure step is the same arithmetic
    const x = fromRows([[0.4]]);
    eulerMaruyamaStep(x, g1.denoise(x, s0), s0, s1, [stub([xi[0]])]);
    expect(x.data[0]).toBe(out.data[0]);
  });
  it("Euler–Maruyama on a Gaussian follows the exact mean/variance recursion e' = a e, v' = a² v + Δ, a = 1 − Δ/(s² + σ_i²)", () => {
    // Large steps make the recursion differ clearly from one using σ_{i+1} in the drift.
    const sigmas = [3, 1.5, 0.8, 0.3];
    const n = 40_000;
    const x0 = initialNoise(n, 1, 3, 11, { mean: Float64Array.from([MU]), variance: S2 });
    const out = sampleEulerMaruyama(g1, x0, sigmas, { rng: createRng(5) });
    let e = 0;
    let v = S2 + 9; // x0 ~ N(μ, s² + σ_max²)
    for (let i = 0; i + 1 < sigmas.length; i++) {
      const dv = sigmas[i] ** 2 - sigmas[i + 1] ** 2;
      const a = 1 - dv / (S2 + sigmas[i] ** 2);
      e *= a;
      v = a * a * v + dv;
    }
    let mean = 0;
    for (let r = 0; r < n; r++) mean += out.data[r] / n;
    let varr = 0;
    for (let r = 0; r < n; r++) varr += (out.data[r] - mean) ** 2 / (n - 1);
    expectClose(mean - MU, e, { atol: 4 * Math.sqrt(v / n) }, "mean (4 SE)");
    expectClose(varr, v, { atol: 4 * v * Math.sqrt(2 / n) }, "variance (4 SE)");
  });

  it("every sampler runs on an async float32 network and matches the exact model to float32 rounding", async () => {
    const model = deltas(fromRows([[-1, 0], [1, 0], [0, 1.5]]));
    const net = networkTestbed(model);
    const sigmas = logSigmas(30, 0.05, 4, { zero: true });
    const x0 = exactNoisy(model, 16, 4, 2);
    for (const [name, s, opts] of [
      ["euler", sampleEuler, {}],
      ["heun", sampleHeun, {}],
      ["rk4", sampleRK4, {}],
      ["em", sampleEulerMaruyama, { rng: createRng(4) }],
      ["ddim", sampleDdim, { rng: createRng(4) }],
    ] as const) {
      const pending = s(net, x0, sigmas, opts);
      expect(pending, name).toBeInstanceOf(Promise);
      const got = await pending;
      const want = s(model, x0, sigmas, name === "em" || name === "ddim" ? { rng: createRng(4) } : {});
      // float32 outputs (6e-8 relative) enter every step; the exact model's paths are contracting at the end
      expectAllClose(got.data, want.data, { atol: 1e-4 }, name);
    }
  });
  it("conditioning reaches the denoiser on every call", () => {
    const seen: (Int32Array | undefined)[] = [];
    const spy: SyncDenoiser = {
      dim: 1,
      denoise: (x, s, cond) => (seen.push(cond?.labels), twoDeltas.denoise(x, s)),
    };
    const labels = Int32Array.from([1, -1]);
    sampleHeun(spy, fromRows([[0.1], [0.2]]), [2, 1, 0.5], { cond: { labels } });
    expect(seen.length).toBe(4);
    for (const l of seen) expect(l).toBe(labels);
  });
});

describe("Lyapunov tangent flow on any denoiser", () => {
  const tri = deltas(fromRows([[0, 1], [-0.866, -0.5], [0.866, -0.5]]));
  it("finite-difference Jacobian products agree with the exact covariance route (1e-6 on exponents)", () => {
    const x0 = exactNoisy(tri, 8, 3, 1);
    const sigmas = logSigmas(60, 0.1, 3);
    const exact = finiteTimeLyapunov(tri, x0, sigmas);
    const fd = finiteTimeLyapunov(tri, x0, sigmas, { jacobian: "finite-difference" });
    expect(exact.jacobian).toBe("covariance");
    expect(fd.jacobian).toBe("finite-difference");
    // central differences: O(ε²) with ε = 1e-3 σ relative to the curvature scale (~σ); exponents are averages of logs
    expectAllClose(fd.exponents, exact.exponents, { atol: 1e-6 }, "exponents");
    expectAllClose(fd.x.data, exact.x.data, { atol: 1e-12 }, "states (same flow)");
  });
  it("on an async float32 network the exponents match the exact ones to the rounding over 2ε", async () => {
    const net = networkTestbed(g1);
    const x0 = fromRows([[2], [-1], [0.3]]);
    const sigmas = logSigmas(40, 0.1, 3);
    const got = await finiteTimeLyapunov(net, x0, sigmas, { epsilon: 1e-2 });
    // closed form for a Gaussian: Λ = ½ log((s² + σ²)/(s² + σ_max²)) / log(σ_max/σ) (Heun's discretisation error aside)
    const want = (0.5 * Math.log((S2 + 0.01) / (S2 + 9))) / Math.log(30);
    for (let r = 0; r < 3; r++) expectClose(got.exponents[r], want, { atol: 2e-3 }, `row ${r}`);
    expect(() => finiteTimeLyapunov(net, x0, sigmas, { jacobian: "covariance" })).toThrow(/needs an exact model/);
  });
});

describe("network paths on the test bed (async, float32, perturbed by stated amounts)", () => {
  const model = parseModel({ kind: "deltas", points: [[-1, 0.2], [1, -0.4], [0.3, 1.2]], weights: [0.5, 0.2, 0.3] });
  const data = model.sample(4000, createRng(21));
  it("denoiserRates on a shrunk network: loss = mmse + α² E‖m‖² (centre 0), within 4 SE; the routes disagree", async () => {
    const alpha = 0.2;
    const net = networkTestbed(model, { shrink: alpha });
    for (const sigma of [0.3, 1, 3]) {
      const exact = profileAt(model, sigma);
      const r = await denoiserRates(net, data, sigma, { seed: 2 });
      // E‖m‖² = E‖y‖² − mmse (E[y·m] = E‖m‖²)
      let y2 = 0;
      for (const [w, p] of [[0.5, [-1, 0.2]], [0.2, [1, -0.4]], [0.3, [0.3, 1.2]]] as const) y2 += w * (p[0] ** 2 + p[1] ** 2);
      const want = exact.mmse + alpha * alpha * (y2 - exact.mmse);
      expectClose(r.mmse.value, want, { atol: 4 * r.mmse.standardError + 1e-6 }, `σ=${sigma} loss`);
      expect(r.mmse.value - exact.mmse, `σ=${sigma}: loss above the mmse`).toBeGreaterThan(0);
    }
  });
  it("a noisy network's loss is mmse + D τ²; a biased one's is mmse + ‖b‖²", async () => {
    const sigma = 0.7;
    const exact = profileAt(model, sigma);
    const noisy = await denoiserRates(networkTestbed(model, { noise: 0.1, seed: 3 }), data, sigma, { seed: 4 });
    expectClose(noisy.mmse.value, exact.mmse + 2 * 0.01, { atol: 4 * noisy.mmse.standardError }, "noisy");
    const biased = await denoiserRates(networkTestbed(model, { bias: [0.3, -0.1] }), data, sigma, { seed: 4 });
    expectClose(biased.mmse.value, exact.mmse + 0.1, { atol: 4 * biased.mmse.standardError }, "biased");
  });
  it("entropic time from a network's loss (async) equals the exact model's loss route to float32, and the exact levels within SE", async () => {
    const g = parseModel({ kind: "gaussian", mean: [0], cov: [[1]] });
    const y = g.sample(4096, createRng(1));
    const fromNet = await entropicProfile(denoiserMmse(networkTestbed(g), y, { seed: 9 }), 0.05, 10, { intervals: 24 });
    const fromModel = entropicProfile(denoiserMmse(g, y, { seed: 9 }), 0.05, 10, { intervals: 24 });
    expect(fromModel).not.toBeInstanceOf(Promise);
    expectAllClose(fromNet.mmse, fromModel.mmse, { rtol: 1e-6 }, "node mmse");
    const exact = entropicProfile(modelMmse(g), 0.05, 10, { intervals: 24 });
    for (let k = 0; k < exact.mmse.length; k++) expectClose(fromNet.mmse[k], exact.mmse[k], { atol: 4 * fromNet.mmseStandardError[k] + 1e-6 }, `node ${k}`);
  });
  it("conditioning flows through the test bed and the estimators: given its class, a one-point-per-class model has loss 0", async () => {
    // labelled deltas, one point per class: E[y | x, c] = y_c exactly, so the conditional loss is 0 (float32 aside)
    // while the unconditional one is the mmse > 0
    const m = parseModel({ kind: "deltas", points: [[-1, 0], [1, 0.5]], labels: [0, 1] });
    const draw = m.sampleLabelled!(2000, createRng(3));
    const net = networkTestbed(m);
    const cond = await denoiserRates(net, draw.points, 1, { seed: 1, labels: draw.labels });
    const uncond = await denoiserRates(net, draw.points, 1, { seed: 1 });
    expect(cond.mmse.value).toBeLessThan(1e-12);
    expectClose(uncond.mmse.value, profileAt(m, 1).mmse, { atol: 4 * uncond.mmse.standardError }, "unconditional loss = mmse");
    expect(uncond.mmse.value).toBeGreaterThan(0.1);
  });
});

