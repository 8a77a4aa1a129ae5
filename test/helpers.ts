import { expect } from "vitest";

export interface Tolerance {
  /** Relative tolerance, |got − want| ≤ atol + rtol·|want|. */
  rtol?: number;
  /** Absolute tolerance. */
  atol?: number;
}

/**
 * Asserts |got − want| ≤ atol + rtol·|want| and prints got, want, Δ and tol on failure.
 * `label` says what is compared (x, σ, …).
 */
export function expectClose(got: number, want: number, tol: Tolerance, label = ""): void {
  const { rtol = 0, atol = 0 } = tol;
  const delta = Math.abs(got - want);
  const bound = atol + rtol * Math.abs(want);
  if (!(delta <= bound) || Number.isNaN(got) !== Number.isNaN(want)) {
    expect.fail(
      `${label ? label + ": " : ""}got ${got}, want ${want}, Δ = ${delta.toExponential(3)}, tol = ${bound.toExponential(3)}`,
    );
  }
}

/** expectClose on every element. */
export function expectAllClose(
  got: ArrayLike<number>,
  want: ArrayLike<number>,
  tol: Tolerance,
  label = "",
): void {
  expect(got.length, `${label} length`).toBe(want.length);
  for (let i = 0; i < want.length; i++) expectClose(got[i], want[i], tol, `${label}[${i}]`);
}

/**
 * H(c|x_σ) of two equally weighted classes N(±μ, s²I) (THEORY.md §9.3): `E_{v∼N(2q, 4q)} log(1 + e^{−v})`,
 * q = ‖μ‖²/(s² + σ²), by the trapezoid rule on ±12 sd (error far below 1e-10) — shares nothing with src/.
 */
export function twoClassEntropy(mu: readonly number[], s2: number, sigma: number): number {
  const q = mu.reduce((a, m) => a + m * m, 0) / (s2 + sigma * sigma);
  const m = 2 * q;
  const sd = 2 * Math.sqrt(q);
  const n = 4000;
  const h = (24 * sd) / n;
  let sum = 0;
  for (let i = 0; i <= n; i++) {
    const v = m - 12 * sd + i * h;
    const f = (v > 0 ? Math.log1p(Math.exp(-v)) : -v + Math.log1p(Math.exp(v))) * Math.exp(-((v - m) ** 2) / (2 * sd * sd));
    sum += (i === 0 || i === n ? 0.5 : 1) * f;
  }
  return (sum * h) / (sd * Math.sqrt(2 * Math.PI));
}

/**
 * erf for test oracles, independent of src/: its Maclaurin series for |x| < 2, the continued fraction of erfc
 * beyond (≲ 2e-15 absolute; test/likelihood-discrete-cli.test.ts checks it against scipy).
 */
export function erf(x: number): number {
  const t = Math.abs(x);
  if (t < 2) {
    let sum = t;
    let term = t;
    for (let n = 1; n < 200; n++) {
      term *= (-t * t) / n;
      sum += term / (2 * n + 1);
      if (Math.abs(term) < 1e-17) break;
    }
    return Math.sign(x) * (2 / Math.sqrt(Math.PI)) * sum;
  }
  let f = 0;
  for (let n = 60; n >= 1; n--) f = n / 2 / (t + f);
  return Math.sign(x) * (1 - Math.exp(-t * t) / Math.sqrt(Math.PI) / (t + f));
}
