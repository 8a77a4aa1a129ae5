import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { profileAt, type ProfilePoint } from "../src/analysis/info/profile.js";
import { parseModel } from "../src/models/parse.js";
import { expectClose } from "./helpers.js";

// The 2-D expectation designs of src/analysis/info/design.ts (per-component trapezoid on a disk in z at small and
// medium σ, tensor Gauss–Hermite at large σ) against scipy dblquad over x (test/fixtures/make_design.py), for
// three labelled sets of 2–4 deltas and a Gaussian mixture with a full-covariance component, a point mass and an
// isotropic component.
const fixture = JSON.parse(readFileSync(join(import.meta.dirname, "fixtures", "design.json"), "utf8")) as Record<
  string,
  { model: unknown; profile: (Record<string, number> & { sigma: number; swapped: Record<string, number> })[] }
>;

const KEYS = ["mmse", "mutualInformation", "conditionalEntropy", "pathwiseEntropyVariance", "classEntropy", "classEntropyRate"] as const;

// README: the designs are "accurate to ~1e-9 relative". The oracle itself is good to ~1e-12 (its two
// integration orders agree to that, checked below), so 1e-9 tests the design, not the oracle.
const RTOL = 1e-9;

describe("2-D quadrature designs against scipy dblquad (E over x ~ p_σ)", () => {
  it("the oracle is self-consistent: total mass 1 and the two integration orders agree to 1e-11", () => {
    for (const [name, c] of Object.entries(fixture))
      for (const row of c.profile) {
        expectClose(row.mass, 1, { rtol: 1e-12 }, `${name} σ=${row.sigma} mass`);
        for (const [k, v] of Object.entries(row.swapped)) expectClose(v, row[k], { rtol: 1e-11, atol: 1e-300 }, `${name} σ=${row.sigma} ${k} swapped`);
      }
  });
  for (const [name, c] of Object.entries(fixture)) {
    it(`${name}: mmse, I, H(y|x), Var h, H(c|x) and its rate agree to ${RTOL} relative at small, medium and large σ`, () => {
      const model = parseModel(c.model);
      const methods: string[] = [];
      for (const want of c.profile) {
        const got: ProfilePoint = profileAt(model, want.sigma);
        methods.push(got.method);
        expect(got.method, `${name} σ=${want.sigma}`).not.toMatch(/monte-carlo/);
        for (const k of KEYS) {
          if (want[k] === undefined) {
            if (k === "conditionalEntropy" || k === "pathwiseEntropyVariance") expect(got[k]).toBe(undefined); // continuous mixture
            continue;
          }
          expectClose(got[k]!, want[k], { rtol: RTOL, atol: 1e-300 }, `${name} σ=${want.sigma} ${k} (${got.method})`);
        }
      }
      // small and medium σ resolve the sharp posterior transitions on a disk; large σ uses Gauss–Hermite
      expect(methods[0]).toMatch(/trapezoid-z disk/);
      expect(methods[1]).toMatch(/trapezoid-z disk/);
      expect(methods[2]).toMatch(/gauss-hermite/);
    });
  }
});
