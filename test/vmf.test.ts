import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { logBesselMgf, logBesselMgfScaled, besselRatio, vmfKullbackLeibler } from "../src/numeric/bessel.js";
import { expectClose } from "./helpers.js";

const fixture = JSON.parse(readFileSync(new URL("./fixtures/vmf.json", import.meta.url), "utf8")) as {
  cases: { d: number; kappa: number; kl: number; scaled: number }[];
};

describe("KL(vMF ‖ uniform) = κA_d(κ) − ln M_d(κ), the sphere's pointwise mutual information", () => {
  it("matches mpmath (40 digits beyond the cancelling ones) from κ = 1e-3 to 1e100, d = 2 … 784, to 1e-13 relative", () => {
    // the integral of 1 − A over ln t is done to 1e-14 relative; A and 1 − A are good to a few ulps
    for (const c of fixture.cases) expectClose(vmfKullbackLeibler(c.d, c.kappa), c.kl, { rtol: 1e-13 }, `d=${c.d} κ=${c.kappa}`);
  });
  it("ln M_d(κ) − κ matches mpmath to 1e-14 relative (Hankel, Debye and series regimes), where ln M − κ by subtraction fails", () => {
    for (const c of fixture.cases) expectClose(logBesselMgfScaled(c.d, c.kappa), c.scaled, { rtol: 1e-14, atol: 1e-15 }, `d=${c.d} κ=${c.kappa}`);
    expect(Math.abs(logBesselMgf(2, 1e20) - 1e20 - logBesselMgfScaled(2, 1e20))).toBeGreaterThan(1);
  });
  it("the direct form κA − ln M loses every digit at κ = 1e20 where this one keeps them (the failure it replaces)", () => {
    const c = fixture.cases.find((q) => q.d === 3 && q.kappa === 1e20)!;
    const direct = c.kappa * besselRatio(3, c.kappa) - logBesselMgf(3, c.kappa);
    expect(Math.abs(direct - c.kl) / c.kl).toBeGreaterThan(1e-3);
    expectClose(vmfKullbackLeibler(3, 1e20), c.kl, { rtol: 1e-13 }, "κ = 1e20");
  });
  it("special cases: 0 at κ = 0, ∞ at κ = ∞, κ²/(2d) at small κ, NaN for invalid arguments", () => {
    expect(vmfKullbackLeibler(3, 0)).toBe(0);
    expect(vmfKullbackLeibler(3, Infinity)).toBe(Infinity);
    expectClose(vmfKullbackLeibler(5, 1e-5), 1e-10 / 10, { rtol: 1e-6 }, "κ²/(2d)");
    expect(vmfKullbackLeibler(3, -1)).toBeNaN();
  });
});
