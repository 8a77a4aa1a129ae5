import { describe, it } from "vitest";
import { noiseProcess, PROCESS_NAMES } from "../src/noise/index.js";
import { expectClose } from "./helpers.js";

const interior: Record<string, number[]> = {
  ve: [1e-6, 1e-3, 0.1, 1, 7.5, 1e3],
  edm: [1e-4, 0.002, 1, 80],
  "vp-linear": [1e-5, 1e-3, 0.1, 0.5, 0.9, 1],
  "vp-cosine": [1e-5, 1e-3, 0.1, 0.5, 0.9, 0.99],
  flow: [1e-6, 1e-3, 0.1, 0.5, 0.9, 0.99],
};

describe("noise processes", () => {
  for (const name of PROCESS_NAMES) {
    const p = noiseProcess(name);
    it(`${name}: t(σ(t)) = t to 1e-12 relative`, () => {
      for (const t of interior[name]) expectClose(p.time(p.sigma(t)), t, { rtol: 1e-12 }, `t=${t}`);
    });
    it(`${name}: σ(t(σ)) = σ over σ ∈ [1e-4, 1e3]`, () => {
      for (const s of [1e-4, 0.01, 0.5, 1, 10, 80, 1e3]) {
        const t = p.time(s);
        if (t > p.tMax) continue;
        expectClose(p.sigma(t), s, { rtol: 1e-10 }, `σ=${s}`);
      }
    });
    it(`${name}: dσ/dt matches a central finite difference (O(h²) error ≈ 1e-8 relative)`, () => {
      for (const t of interior[name]) {
        if (t >= p.tMax) continue;
        const h = 1e-5 * Math.min(t, p.tMax - t);
        const fd = (p.sigma(t + h) - p.sigma(t - h)) / (2 * h);
        expectClose(p.sigmaDerivative(t), fd, { rtol: 1e-7 }, `t=${t}`);
      }
    });
  }
  it("ve: σ² = ν² t and s = 1", () => {
    const p = noiseProcess("ve", 2);
    expectClose(p.sigma(3) ** 2, 12, { rtol: 1e-15 });
    expectClose(p.scale(3), 1, { rtol: 0 });
  });
  it("vp processes preserve variance: s² (1 + σ²) = 1", () => {
    for (const name of ["vp-linear", "vp-cosine"] as const) {
      const p = noiseProcess(name);
      for (const t of [0.01, 0.3, 0.7, 0.95]) expectClose(p.scale(t) ** 2 * (1 + p.sigma(t) ** 2), 1, { rtol: 1e-13 }, `${name} t=${t}`);
    }
  });
  it("vp-linear matches DDPM's closed form α² = exp(−β_min t − ½(β_max − β_min)t²)", () => {
    const p = noiseProcess("vp-linear");
    const t = 0.4;
    const alpha2 = Math.exp(-0.1 * t - 0.5 * 19.9 * t * t);
    expectClose(p.sigma(t), Math.sqrt((1 - alpha2) / alpha2), { rtol: 1e-13 });
  });
  it("vp-cosine starts at σ(0) = 0 and diverges at t = 1", () => {
    const p = noiseProcess("vp-cosine");
    expectClose(p.sigma(0), 0, { atol: 1e-300 });
    if (!(p.sigma(1 - 1e-9) > 1e6)) throw new Error("σ(1−1e-9) should be huge");
  });
});
