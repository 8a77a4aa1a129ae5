import type { Estimate } from "./expect.js";

/**
 * `∫_σ^∞ g(log s) d log s` at every level of an ascending grid, from the top down: `tail` (the integral above the
 * last level), then one trapezoid per interval in u = log σ. `errors` (the SEs of g) give each value's bound
 * `Σ |weight| SE` — an upper bound on its standard error, since the levels' errors may be correlated.
 *
 * @example
 * integrateFromTop([1, 2], [1, 1], [0, 0], 0); // [{ value: log 2, standardError: 0 }, { value: 0, standardError: 0 }]
 */
export function integrateFromTop(sigma: readonly number[], g: readonly number[], errors: readonly number[], tail: number): Estimate[] {
  const n = sigma.length;
  const out = new Array<Estimate>(n);
  let value = tail;
  let bound = 0;
  for (let i = n - 1; i >= 0; i--) {
    if (i < n - 1) {
      const h = 0.5 * Math.log(sigma[i + 1] / sigma[i]);
      value += h * (g[i] + g[i + 1]);
      bound += h * (errors[i] + errors[i + 1]);
    }
    out[i] = { value, standardError: bound };
  }
  return out;
}
