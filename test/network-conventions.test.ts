import { describe, expect, it } from "vitest";
import { noiseInputValue } from "../src/network/noise-input.js";
import { networkMap, PARAMETERIZATIONS } from "../src/network/parameterization.js";
import { ddpmSigmas, fractionalTimestep, inputScale, nearestTimestep, networkProcess } from "../src/network/process.js";
import { flow, noiseProcess, PROCESS_NAMES } from "../src/noise/process.js";
import { createRng } from "../src/numeric/rng.js";
import { expectClose } from "./helpers.js";

/*
 * The conventions of src/network/ against the forward definitions they invert, written here in each process's
 * own coordinates (x_t = α_t y + σ_t z): an independent route from the VE maps. The end-to-end check on real
 * ONNX graphs is network.test.ts.
 */

describe("flow process: x_t = (1 − t) x₀ + t x₁ ↔ σ = t/(1 − t), s = 1 − t", () => {
  const p = flow();
  it("s(t)(x₀ + σ(t) x₁) is the straight path (1 − t) x₀ + t x₁ to 1e-15 relative", () => {
    const rng = createRng(15);
    for (const t of [1e-6, 0.01, 0.3, 0.5, 0.9, 0.999]) {
      const x0 = rng.normal();
      const x1 = rng.normal();
      expectClose(p.scale(t) * (x0 + p.sigma(t) * x1), (1 - t) * x0 + t * x1, { rtol: 4e-15, atol: 4e-16 }, `t=${t}`);
    }
  });
  // 1 − t near t = 1 cancels: the rounding of t (ε t) becomes a relative error ε t/(1 − t) = ε σ in s and σ, so the
  // tolerance is 2ε(1 + σ); inputScale uses 1/(1 + σ) directly and has no such loss.
  it("t(σ) = σ/(1 + σ) inverts σ(t) and s(t(σ)) = 1/(1 + σ), to the 2ε(1 + σ) the cancellation in 1 − t allows", () => {
    for (const s of [1e-5, 0.1, 1, 3, 80, 1e4]) {
      const tol = { rtol: 2 * 2 ** -52 * (1 + s) };
      expectClose(p.sigma(p.time(s)), s, tol, `σ=${s}`);
      expectClose(p.scale(p.time(s)), 1 / (1 + s), tol, `σ=${s}`);
      expectClose(inputScale("flow", s), p.scale(p.time(s)), tol, `σ=${s}`);
    }
  });
  it("dσ/dt = 1/(1 − t)² matches a central difference (h = 1e−6 t(1 − t): O(h²) ≈ 1e−10 relative)", () => {
    for (const t of [0.01, 0.3, 0.5, 0.9, 0.99]) {
      const h = 1e-6 * t * (1 - t);
      expectClose(p.sigmaDerivative(t), (p.sigma(t + h) - p.sigma(t - h)) / (2 * h), { rtol: 1e-7 }, `t=${t}`);
    }
  });
  it("is a --process name and round-trips through noiseProcess", () => {
    expect(PROCESS_NAMES).toContain("flow");
    expect(noiseProcess("flow").sigma(0.5)).toBe(1);
  });
});

describe("input scale s(σ) of each family equals the process's own s(t(σ))", () => {
  for (const name of PROCESS_NAMES) {
    it(name, () => {
      const proc = noiseProcess(name);
      const fam = networkProcess(name).family;
      for (const s of [0.01, 0.3, 1, 5, 60]) expectClose(inputScale(fam, s), proc.scale(proc.time(s)), { rtol: 1e-12 }, `σ=${s}`);
    });
  }
});

describe("DDPM timesteps", () => {
  it("σ_n of a constant β is √((1 − β)^−(n+1) − 1) (closed form, 1e-13 relative)", () => {
    const beta = 0.02;
    const s = ddpmSigmas(new Array(500).fill(beta));
    for (const n of [0, 1, 10, 100, 499]) expectClose(s[n], Math.sqrt((1 - beta) ** -(n + 1) - 1), { rtol: 1e-13 }, `n=${n}`);
  });
  it("fractional timesteps are linear in log σ; the nearest integer carries its relative σ error", () => {
    const s = Float64Array.of(1, 4, 16);
    expect(fractionalTimestep(s, 2)).toBeCloseTo(0.5, 15);
    expect(fractionalTimestep(s, 16)).toBe(2);
    expect(fractionalTimestep(s, 1)).toBe(0);
    expect(fractionalTimestep(s, 0.99)).toBeNaN();
    expect(fractionalTimestep(s, 16.01)).toBeNaN();
    expect(nearestTimestep(s, 5)).toEqual({ n: 1, gap: 4 / 5 - 1 });
  });
  it("an integer timestep input answers at σ_n within the tolerance and refuses beyond it, naming both", () => {
    const p = networkProcess({ betas: [0.5, 0.5] }); // σ = 1, √3
    expect(noiseInputValue("timestep", p, 1.005, { integer: true })).toEqual({ value: 0, sigma: 1 });
    const far = noiseInputValue("timestep", p, 1.2, { integer: true });
    expect(far.value).toBeNaN();
    expect(far.why).toMatch(/nearest, 0 \(σ = 1\), is 16\.7% off, more than the tolerance 1%/);
    expect(noiseInputValue("timestep", p, 1.2, { integer: true, tolerance: 0.2 })).toEqual({ value: 0, sigma: 1 });
    expect(noiseInputValue("timestep", p, 2).why).toMatch(/outside the schedule's σ_0 = 1 … σ_1 = 1\.73/);
  });
  it("noise inputs: σ, log σ, ¼ log σ, timeScale · t(σ)", () => {
    const ve = networkProcess("ve");
    expect(noiseInputValue("sigma", ve, 2).value).toBe(2);
    expect(noiseInputValue("logsigma", ve, 2).value).toBe(Math.log(2));
    expect(noiseInputValue("c_noise", ve, Math.exp(4)).value).toBeCloseTo(1, 15);
    expect(noiseInputValue("t", ve, 3).value).toBeCloseTo(9, 13); // ve: t = σ²
    expect(noiseInputValue("t", networkProcess("vp-linear"), 1, { timeScale: 999 }).value).toBeCloseTo(999 * noiseProcess("vp-linear").time(1), 10);
    expect(noiseInputValue("t", networkProcess("vp-linear"), 1e3).why).toMatch(/past the end of the vp-linear process/);
  });
});

/**
 * The network's target in its own coordinates, from y, z and (α_t, σ_t) of `x_t = α_t y + σ_t z` (VE σ = σ_t/α_t):
 * what a perfectly trained network outputs when the posterior is a point mass at y.
 */
function target(p: string, family: string, y: number, z: number, alpha: number, sigmaT: number, sigmaData: number): number {
  const xt = alpha * y + sigmaT * z;
  switch (p) {
    case "x0":
      return y;
    case "eps":
      return z;
    case "score": // ∇ log N(x_t; α y, σ_t²) = −(x_t − α y)/σ_t²
      return -(xt - alpha * y) / (sigmaT * sigmaT);
    case "v":
      return family === "flow" ? z - y : alpha * z - sigmaT * y;
    default: {
      // EDM (s = 1): F = (y − c_skip x)/c_out, Karras et al. 2022 eq. 7's training target
      const sigma = sigmaT;
      const q = sigma * sigma + sigmaData * sigmaData;
      return (y - (sigmaData * sigmaData / q) * xt) / ((sigma * sigmaData) / Math.sqrt(q));
    }
  }
}

describe("D = a x + b F recovers y from each parameterization's target (1e-12 relative)", () => {
  const rng = createRng(7);
  const cases: [string, (t: number) => [number, number]][] = [
    ["ve", (s) => [1, s]],
    ["vp", (s) => [1 / Math.sqrt(1 + s * s), s / Math.sqrt(1 + s * s)]],
    // flow at VE σ: t = σ/(1 + σ), α_t = 1 − t, σ_t = t
    ["flow", (s) => [1 - s / (1 + s), s / (1 + s)]],
  ];
  for (const p of PARAMETERIZATIONS)
    for (const [family, coeff] of cases) {
      const map0 = networkMap(p, family as "ve", 1);
      if (!map0) {
        it(`${p} on ${family}: undefined`, () => expect(map0).toBeUndefined());
        continue;
      }
      it(`${p} on ${family}`, () => {
        for (const sigma of [0.01, 0.2, 1, 7, 80]) {
          const [alpha, sigmaT] = coeff(sigma);
          const m = networkMap(p, family as "ve", sigma, 0.6)!;
          const y = rng.normal();
          const z = rng.normal();
          const x = y + sigma * z; // the VE state
          const xt = alpha * y + sigmaT * z;
          // the network is fed c_in x: s x = x_t for eps/x0/v/score, c_in x for EDM
          expectClose(m.cIn * x, p === "edm" ? x / Math.sqrt(sigma * sigma + 0.36) : xt, { rtol: 1e-13, atol: 1e-15 }, `${p} ${family} σ=${sigma} input`);
          const F = target(p, family, y, z, alpha, sigmaT, 0.6);
          expectClose(m.a * x + m.b * F, y, { rtol: 1e-12, atol: 1e-12 * (1 + Math.abs(x)) }, `${p} ${family} σ=${sigma}`);
        }
      });
    }
});
