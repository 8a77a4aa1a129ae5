import type { Peak } from "../analysis/info/grid.js";

/** A peak with the σ bracket it is known to within (`low ≤ sigma ≤ high`). */
export interface BracketedPeak {
  sigma: number;
  low: number;
  high: number;
  value: number;
  atBoundary: boolean;
}

/**
 * The σ bracket of a profile peak: the peak's own `low`/`high` where the profile gives them (its Monte Carlo
 * error included), else the grid levels on either side of the level nearest the peak (its resolution on the grid).
 *
 * Special cases: undefined for no peak; at an end of the grid the bracket stops at that end.
 *
 * @example
 * bracketPeak({ sigma: 2, value: 1, atBoundary: false }, [1, 2, 4]); // { sigma: 2, low: 1, high: 4, … }
 */
export function bracketPeak(peak: (Peak & { low?: number; high?: number }) | undefined, sigmas: readonly number[]): BracketedPeak | undefined {
  if (!peak) return undefined;
  const { sigma, value, atBoundary } = peak;
  if (peak.low !== undefined && peak.high !== undefined && peak.low <= sigma && sigma <= peak.high)
    return { sigma, low: peak.low, high: peak.high, value, atBoundary };
  let k = 0;
  for (let i = 1; i < sigmas.length; i++) if (Math.abs(Math.log(sigmas[i] / sigma)) < Math.abs(Math.log(sigmas[k] / sigma))) k = i;
  const a = sigmas[Math.max(0, k - 1)];
  const b = sigmas[Math.min(sigmas.length - 1, k + 1)];
  return { sigma, low: Math.min(a, b, sigma), high: Math.max(a, b, sigma), value, atBoundary };
}

/**
 * A peak's σ with the digits its bracket supports, for prose: the rounding step is the power of ten below half the
 * bracket's width, with two to four significant digits; the bracket is rounded outward so that it still contains
 * the peak. A bracket narrower than four digits resolve (an exact refinement: ±1e-10) is left out.
 * (`formatPeak` of analysis/info prints every digit such a bracket supports; a report does not.)
 *
 * @example
 * formatPeak({ sigma: 8.969, low: 8.137, high: 9.886, value: 1, atBoundary: false }); // "9.0 (8.1–9.9)"
 * formatPeak({ sigma: 0.81394525, low: 0.81394524, high: 0.81394526, value: 1, atBoundary: false }); // "0.8139"
 */
export function formatPeak(p: BracketedPeak): string {
  const magnitude = Math.floor(Math.log10(Math.abs(p.sigma) || 1));
  const half = (p.high - p.low) / 2;
  const finest = magnitude - 3;
  const wanted = half > 0 ? Math.floor(Math.log10(half)) : -Infinity;
  const exponent = Math.max(finest, Math.min(wanted, magnitude - 1));
  const step = 10 ** exponent;
  const decimals = Math.max(0, -exponent);
  const show = (v: number) => (Math.round(v / step) * step).toFixed(decimals);
  if (wanted < finest) return show(p.sigma);
  const low = (Math.floor(p.low / step + 1e-9) * step).toFixed(decimals);
  const high = (Math.ceil(p.high / step - 1e-9) * step).toFixed(decimals);
  return `${show(p.sigma)} (${low}–${high})`;
}

/** "above" / "below" when a's bracket lies wholly above / below b's, else undefined (the brackets overlap). */
export function compareBrackets(a: BracketedPeak, b: BracketedPeak): "above" | "below" | undefined {
  if (a.low > b.high) return "above";
  if (a.high < b.low) return "below";
  return undefined;
}

/**
 * A Monte Carlo number with its standard error, to the digits the error supports: "7.494 ± 0.012" (the error to
 * two significant digits, the value to the same decimal), at most six significant digits for the value (then the
 * error with one: "1.00000 ± 3e-8"); four significant digits when there is no error (three, as 1.72e-6, below 10⁻³).
 *
 * @example
 * withError(7.49412, 0.0123); // "7.494 ± 0.012"
 */
export function withError(v: number, se: number | undefined): string {
  if (!(se !== undefined && se > 0 && Number.isFinite(se))) return v !== 0 && Math.abs(v) < 1e-3 ? v.toExponential(2) : Number(v.toPrecision(4)).toString();
  const exponent = Math.floor(Math.log10(se)) - 1;
  if (Math.floor(Math.log10(Math.abs(v) || se)) - exponent >= 6) return `${v.toPrecision(6)} ± ${se.toPrecision(1)}`;
  const decimals = Math.max(0, -exponent);
  const step = 10 ** exponent;
  return `${(Math.round(v / step) * step).toFixed(decimals)} ± ${(Math.round(se / step) * step).toFixed(decimals)}`;
}
