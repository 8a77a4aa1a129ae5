import { bracketMaximum, brentMaximize } from "../../numeric/brent.js";

/** A located maximum of a profile curve, with the σ range its errors allow. */
export interface Peak {
  /** σ of the maximum: the grid argmax, or within the bracket by Brent's method when refined. */
  sigma: number;
  value: number;
  /** Standard error of `value` (Monte Carlo curves). */
  standardError?: number;
  /** True when the maximum sits at an end of the searched σ range (no interior peak found). */
  atBoundary: boolean;
  /**
   * The bracket `low ≤ sigma ≤ high` that holds the peak: the grid levels next to every level whose value is within
   * 2 standard errors of the maximum (the neighbours of the argmax on an exact curve); after an exact refinement,
   * σ·e^{±δu} with δu = √(2η|f|/|f''|) the shift of the argmax that value errors of η = 1e-9 relative allow.
   */
  low: number;
  high: number;
  /** True when Brent's method placed `sigma` (`refinePeaks`); absent for a grid argmax. */
  refined?: boolean;
}

/** Tolerance in log σ of an exact refinement (Brent + parabolic polish). */
const EXACT_TOL = 1e-10;
/**
 * Relative accuracy of an exact profile's values that a refined bracket assumes: the quadrature error budget the
 * scipy fixtures check (1e-9). Near a maximum, a value error η|f| moves the argmax by up to √(2η|f|/|f''|).
 */
const EXACT_VALUE_RTOL = 1e-9;
/** Step in log σ of the second difference f'' at a refined peak. */
const CURVATURE_STEP = 1e-3;

/**
 * The bracket of a grid maximum (ascending `sigmas`): every level j with `ys[k] − ys[j] ≤ 2 √(se_k² + se_j²)` (the
 * standard error of the difference of two independent levels; `errors` absent means exact values) could hold the
 * peak, and a peak at level j is only known to lie between j's neighbours. Returns the indices [lo, hi].
 *
 * @example
 * peakBracket([0, 5, 7, 6.9, 1], [0, 0.1, 0.1, 0.1, 0], 2); // [1, 4]: level 3 is within 2 SE of level 2
 */
export function peakBracket(ys: readonly number[], errors: readonly number[] | undefined, k: number): [number, number] {
  const n = ys.length;
  let first = k;
  let last = k;
  for (let j = 0; j < n; j++) {
    const se = errors ? Math.hypot(errors[k], errors[j]) : 0;
    if (ys[k] - ys[j] <= 2 * se) {
      first = Math.min(first, j);
      last = Math.max(last, j);
    }
  }
  return [Math.max(0, first - 1), Math.min(n - 1, last + 1)];
}

/**
 * Grid maximum of `ys` over ascending `sigmas`, with its bracket ({@link peakBracket}); with `refine`, Brent's
 * method in log σ on `f` between the grid neighbours (to 1e-10 on an exact curve, with the bracket σ·e^{±δu},
 * δu = √(2η|f|/|f''|), η = 1e-9, f'' by a second difference: 2 more evaluations; to 1e-4 on a Monte Carlo curve,
 * whose bracket stays the one its errors allow).
 *
 * Special cases: undefined when every value is NaN; a single level gives low = high = σ.
 *
 * @example
 * findPeak(() => NaN, [1, 2, 4], [0.1, 0.5, 0.2]); // { sigma: 2, value: 0.5, atBoundary: false, low: 1, high: 4 }
 */
export function findPeak(
  f: (sigma: number) => number,
  sigmas: readonly number[],
  ys: readonly number[],
  { refine = false, noisy = false, errors }: { refine?: boolean; noisy?: boolean; errors?: readonly number[] } = {},
): Peak | undefined {
  const [lo, k, hi] = bracketMaximum(sigmas, ys);
  if (k < 0) return undefined;
  const atBoundary = k === 0 || k === sigmas.length - 1;
  const [bl, bh] = peakBracket(ys, errors, k);
  const grid: Peak = { sigma: sigmas[k], value: ys[k], ...(errors ? { standardError: errors[k] } : {}), atBoundary, low: sigmas[bl], high: sigmas[bh] };
  if (!refine || atBoundary || lo === hi) return grid;
  // Monte Carlo curves (common random numbers within the refinement) are only worth locating to ~1e-4: beyond
  // that the peak moves with the seed.
  const tol = noisy ? 1e-4 : EXACT_TOL;
  const r = brentMaximize((u) => f(Math.exp(u)), Math.log(sigmas[lo]), Math.log(sigmas[hi]), { rtol: tol, xtol: tol, polish: !noisy });
  if (!(r.value >= ys[k]) && !noisy) return grid;
  const sigma = Math.exp(r.x);
  if (noisy) return { ...grid, sigma: Math.min(grid.high, Math.max(grid.low, sigma)), value: r.value, refined: true };
  // The bracket of an exact refinement: the argmax moves by δu = √(2η|f|/|f''|) in log σ under value errors η|f|.
  const h = CURVATURE_STEP;
  const curvature = (f(sigma * Math.exp(h)) - 2 * r.value + f(sigma * Math.exp(-h))) / (h * h);
  if (!(curvature < 0)) return { ...grid, sigma: Math.min(grid.high, Math.max(grid.low, sigma)), value: r.value, refined: true };
  const du = Math.max(EXACT_TOL, Math.sqrt((2 * EXACT_VALUE_RTOL * Math.abs(r.value)) / -curvature));
  return { sigma, value: r.value, atBoundary, low: Math.max(grid.low, sigma * Math.exp(-du)), high: Math.min(grid.high, sigma * Math.exp(du)), refined: true };
}

/**
 * A peak in words with the digits its bracket supports: σ rounded to the leading digit of the bracket's half-width,
 * e.g. `σ ≈ 9.0 (8.1–9.8)` for a grid peak, `σ ≈ 0.81424 (0.81421–0.81426)` after an exact refinement.
 *
 * @example
 * formatPeak({ sigma: 8.969689594, value: 4.9, atBoundary: false, low: 8.1364, high: 9.8173 }); // "σ ≈ 9.0 (8.1–9.8)"
 */
export function formatPeak(peak: Pick<Peak, "sigma" | "low" | "high">): string {
  const half = (peak.high - peak.low) / 2;
  if (!(half > 0)) return `σ ≈ ${peak.sigma.toPrecision(6)}`;
  const e = Math.floor(Math.log10(half));
  const fmt = (v: number) => (e >= 0 ? (Math.round(v / 10 ** e) * 10 ** e).toFixed(0) : v.toFixed(Math.min(100, -e)));
  return `σ ≈ ${fmt(peak.sigma)} (${fmt(peak.low)}–${fmt(peak.high)})`;
}
