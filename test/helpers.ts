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
