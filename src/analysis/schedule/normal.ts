const INV_SQRT_2PI = 0.3989422804014327;

/** The standard normal density φ(z). */
export function normalPdf(z: number): number {
  return INV_SQRT_2PI * Math.exp(-0.5 * z * z);
}

/**
 * The standard normal CDF Φ(z): ≈ 1e-16 absolute for |z| ≤ 3 (series), ≈ 1e-15 + z²ε relative below −3 (continued fraction).
 *
 * Method: for |z| ≤ 3 the series `Φ(z) = ½ + φ(z) Σ_k z^{2k+1}/(2k+1)!!` (all terms of one sign); below −3 the
 * continued fraction of the Mills ratio `Φ(z) = φ(z)/(|z| + 1/(|z| + 2/(|z| + …)))` by modified Lentz
 * (Abramowitz & Stegun 26.2.14); Φ(z) = 1 − Φ(−z) above 3.
 *
 * Special cases: Φ(−∞) = 0, Φ(∞) = 1, NaN → NaN.
 *
 * @example
 * normalCdf(-1); // 0.15865525393145707
 */
export function normalCdf(z: number): number {
  if (Number.isNaN(z)) return NaN;
  if (z > 3) return 1 - normalCdf(-z);
  if (z < -3) {
    if (z < -38.5) return 0;
    return normalPdf(z) / millsContinuedFraction(-z);
  }
  let term = z;
  let sum = z;
  for (let k = 1; k < 200 && Math.abs(term) > 1e-17 * Math.abs(sum); k++) {
    term *= (z * z) / (2 * k + 1);
    sum += term;
  }
  return 0.5 + normalPdf(z) * sum;
}

/**
 * The continued fraction `f(x) = x + 1/(x + 2/(x + 3/(x + …)))` with `Q(x) = φ(x)/f(x)` (the inverse Mills ratio,
 * A&S 26.2.14), by the modified Lentz method to 1e-16; for x > 3, where it converges in a few dozen terms.
 */
export function millsContinuedFraction(x: number): number {
  const tiny = 1e-300;
  let f = x;
  let C = x;
  let D = 0;
  for (let k = 1; k < 1000; k++) {
    D = x + k * D;
    D = D === 0 ? 1 / tiny : 1 / D;
    C = x + k / C;
    if (C === 0) C = tiny;
    const delta = C * D;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return f;
}
