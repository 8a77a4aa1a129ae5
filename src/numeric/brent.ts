/** Options for {@link brentRoot}. */
export interface BrentRootOptions {
  /** Absolute tolerance on x (default 2e-12, as scipy.optimize.brentq). */
  xtol?: number;
  /** Relative tolerance on x (default 4·2⁻⁵², as scipy.optimize.brentq). */
  rtol?: number;
  /** Iteration cap (default 100). */
  maxIter?: number;
}

/**
 * A root of f in [a, b] by Brent's method.
 *
 * Formula: keeps a bracket [x_cur, x_blk] with f(x_cur)·f(x_blk) < 0 and |f(x_cur)| ≤ |f(x_blk)|;
 * tries inverse quadratic (or secant) interpolation and falls back to bisection whenever the
 * step is not short enough, so it never does worse than bisection. Stops when
 * |x_blk − x_cur|/2 < (xtol + rtol·|x_cur|)/2 or f(x_cur) = 0.
 *
 * Method: R. P. Brent, "Algorithms for Minimization without Derivatives" (1973), ch. 4, in the
 * form of scipy.optimize.brentq (C. Harris's brentq.c), ported step for step.
 *
 * Special cases: NaN when f(a) and f(b) have the same sign, when either is NaN, or when f
 * returns NaN inside the bracket. Returns a or b if f vanishes there. If `maxIter` runs out the
 * best point so far is returned.
 *
 * @example
 * brentRoot((x) => Math.cos(x) - x, 0, 1); // 0.7390851332151607
 */
export function brentRoot(
  f: (x: number) => number,
  a: number,
  b: number,
  { xtol = 2e-12, rtol = 8.881784197001252e-16, maxIter = 100 }: BrentRootOptions = {},
): number {
  let xpre = a;
  let xcur = b;
  let fpre = f(xpre);
  let fcur = f(xcur);
  if (Number.isNaN(fpre) || Number.isNaN(fcur)) return NaN;
  if (fpre === 0) return xpre;
  if (fcur === 0) return xcur;
  if (fpre > 0 === fcur > 0) return NaN;
  let xblk = 0;
  let fblk = 0;
  let spre = 0;
  let scur = 0;
  for (let i = 0; i < maxIter; i++) {
    if (fpre !== 0 && fcur !== 0 && fpre > 0 !== fcur > 0) {
      xblk = xpre;
      fblk = fpre;
      spre = scur = xcur - xpre;
    }
    if (Math.abs(fblk) < Math.abs(fcur)) {
      xpre = xcur;
      xcur = xblk;
      xblk = xpre;
      fpre = fcur;
      fcur = fblk;
      fblk = fpre;
    }
    const delta = (xtol + rtol * Math.abs(xcur)) / 2;
    const sbis = (xblk - xcur) / 2;
    if (fcur === 0 || Math.abs(sbis) < delta) return xcur;
    if (Math.abs(spre) > delta && Math.abs(fcur) < Math.abs(fpre)) {
      let stry: number;
      if (xpre === xblk) {
        stry = (-fcur * (xcur - xpre)) / (fcur - fpre); // secant
      } else {
        const dpre = (fpre - fcur) / (xpre - xcur);
        const dblk = (fblk - fcur) / (xblk - xcur);
        stry = (-fcur * (fblk * dblk - fpre * dpre)) / (dblk * dpre * (fblk - fpre)); // inverse quadratic
      }
      if (2 * Math.abs(stry) < Math.min(Math.abs(spre), 3 * Math.abs(sbis) - delta)) {
        spre = scur;
        scur = stry;
      } else {
        spre = scur = sbis;
      }
    } else {
      spre = scur = sbis;
    }
    xpre = xcur;
    fpre = fcur;
    xcur += Math.abs(scur) > delta ? scur : sbis > 0 ? delta : -delta;
    fcur = f(xcur);
    if (Number.isNaN(fcur)) return NaN;
  }
  return xcur;
}

/** Options for {@link brentMaximize}. */
export interface BrentMaximizeOptions {
  /** Absolute tolerance on x (default 1e-12·|b − a|). */
  xtol?: number;
  /** Relative tolerance on x (default 1e-10). */
  rtol?: number;
  /** Iteration cap (default 500). */
  maxIter?: number;
  /**
   * Refine the result with a symmetric three-point parabola (default true). Assumes f is
   * computed to about machine precision; turn it off for noisy f (Monte Carlo, loose quadrature).
   */
  polish?: boolean;
}

/** Result of {@link brentMaximize}. */
export interface MaximizeResult {
  /** Location of the maximum. */
  x: number;
  /** f(x). */
  value: number;
}

const GOLDEN = (3 - Math.sqrt(5)) / 2;

/**
 * The maximum of f on [a, b] by Brent's minimiser applied to −f.
 *
 * Formula: keeps the best point x, the second best w and the previous w as v; fits a parabola
 * through (v, w, x) and steps to its vertex when the step is inside the bracket and shorter
 * than half the step before last, otherwise takes a golden-section step into the larger part
 * of the bracket. Stops when |x − (a+b)/2| ≤ 2·tol − (b − a)/2 with tol = rtol·|x| + xtol/3.
 *
 * Method: R. P. Brent, "Algorithms for Minimization without Derivatives" (1973), ch. 5
 * (procedure `localmin`, netlib `fmin`), with −f. Finds a local maximum; for a global one,
 * scan a grid first and refine around {@link bracketMaximum}. Comparing values cannot place
 * a smooth maximum closer than ≈ √ε times the peak width (f is flat to O(Δx²): sin on [0, 3]
 * gives π/2 to 6e-9), so unless `polish: false` a final symmetric three-point parabola with a
 * tuned step moves x to ≈ ε^{2/3} times the peak width (π/2 to 1e-12; x·e^{−x} to 5e-11).
 *
 * Special cases: NaN for {x, value} when a or b is not finite or a > b (a = b gives that
 * point). A NaN from f counts as −∞. A maximum at an end of [a, b] is not polished. The
 * polish step is dropped if it moves more than half its probe step or lowers f noticeably
 * (kinks, plateaus), leaving Brent's point.
 *
 * @example
 * brentMaximize(Math.sin, 0, 3); // { x: 1.5707963…, value: 1 }
 */
export function brentMaximize(
  f: (x: number) => number,
  a: number,
  b: number,
  { xtol = 1e-12 * Math.abs(b - a), rtol = 1e-10, maxIter = 500, polish = true }: BrentMaximizeOptions = {},
): MaximizeResult {
  if (!Number.isFinite(a) || !Number.isFinite(b) || !(a <= b)) return { x: NaN, value: NaN };
  const a0 = a;
  const b0 = b;
  const g = (t: number): number => {
    const y = -f(t);
    return Number.isNaN(y) ? Infinity : y;
  };
  let x = a + GOLDEN * (b - a);
  let w = x;
  let v = x;
  let fx = g(x);
  let fw = fx;
  let fv = fx;
  let d = 0;
  let e = 0;
  for (let iter = 0; iter < maxIter; iter++) {
    const xm = 0.5 * (a + b);
    const tol1 = rtol * Math.abs(x) + xtol / 3;
    const tol2 = 2 * tol1;
    if (Math.abs(x - xm) <= tol2 - 0.5 * (b - a)) break;
    let golden = true;
    if (Math.abs(e) > tol1) {
      let r = (x - w) * (fx - fv);
      let q = (x - v) * (fx - fw);
      let p = (x - v) * q - (x - w) * r;
      q = 2 * (q - r);
      if (q > 0) p = -p;
      q = Math.abs(q);
      r = e;
      e = d;
      if (Math.abs(p) < Math.abs(0.5 * q * r) && p > q * (a - x) && p < q * (b - x)) {
        d = p / q; // parabolic step
        const u = x + d;
        if (u - a < tol2 || b - u < tol2) d = xm >= x ? tol1 : -tol1;
        golden = false;
      }
    }
    if (golden) {
      e = x >= xm ? a - x : b - x;
      d = GOLDEN * e;
    }
    const u = x + (Math.abs(d) >= tol1 ? d : d > 0 ? tol1 : -tol1);
    const fu = g(u);
    if (fu <= fx) {
      if (u >= x) a = x;
      else b = x;
      v = w;
      fv = fw;
      w = x;
      fw = fx;
      x = u;
      fx = fu;
    } else {
      if (u < x) a = u;
      else b = u;
      if (fu <= fw || w === x) {
        v = w;
        fv = fw;
        w = u;
        fw = fu;
      } else if (fu <= fv || v === x || v === w) {
        v = u;
        fv = fu;
      }
    }
  }
  const best = { x, value: f(x) };
  return polish ? polishMaximum(f, best, a0, b0) : best;
}

const EPS = 2.220446049250313e-16;

/**
 * One symmetric-parabola step from a converged maximum (x, f₀):
 *   x* = x + h·(f₊ − f₋)/(4·drop),  drop = f₀ − (f₊ + f₋)/2,  f± = f(x ± h).
 * Its error is ≈ ε·|f|/(f''·h) from rounding plus ≈ f'''h²/(6f'') from asymmetry; h is tuned
 * until drop ≈ ε^{2/3}·|f₀| (rounding error ≈ ε^{-1/3}·… smaller than drop), which balances
 * the two at ≈ ε^{2/3} times the peak width, below the ≈ √ε reachable by comparing values.
 * The step is kept only if it moves less than h/2 and loses less than drop/64 in f (a wrong
 * step of that length would lose up to drop/4; rounding of f loses far less than drop/64).
 */
function polishMaximum(
  f: (x: number) => number,
  best: MaximizeResult,
  a0: number,
  b0: number,
): MaximizeResult {
  const { x, value: f0 } = best;
  if (!Number.isFinite(f0)) return best;
  const noise = 2 * EPS * Math.abs(f0) + Number.MIN_VALUE;
  const target = noise * 1.6e5; // ≈ ε^{-1/3}·noise
  let h = 1e-6 * Math.max(Math.abs(x), b0 - a0, Number.MIN_VALUE);
  for (let iter = 0; iter < 12; iter++) {
    if (x - h < a0 || x + h > b0) return best;
    const fp = f(x + h);
    const fm = f(x - h);
    const drop = f0 - 0.5 * (fp + fm);
    const ratio = drop / target;
    if (!(ratio > 0.25 && ratio < 4)) {
      // drop ∝ h² near a smooth peak; ∝ h at a kink. Step towards the target, at most ×16.
      h *= drop > 0 ? Math.min(16, Math.max(1 / 16, Math.sqrt(1 / ratio))) : 16;
      continue;
    }
    const step = (h * (fp - fm)) / (4 * drop);
    if (!(Math.abs(step) < 0.5 * h)) return best;
    const xs = x + step;
    const fs = f(xs);
    return fs >= f0 - drop / 64 ? { x: xs, value: fs } : best;
  }
  return best;
}

/**
 * Index triple [lo, k, hi] around the argmax k of a sampled curve ys over grid xs, for refining
 * a grid maximum with {@link brentMaximize} on [xs[lo], xs[hi]].
 *
 * Formula: k = argmaxᵢ ys[i] (first one on ties), lo = max(k − 1, 0), hi = min(k + 1, n − 1).
 *
 * Method: one scan; NaN entries are ignored. `xs` is only used for its length (the grid is
 * assumed increasing), so the triple indexes both arrays.
 *
 * Special cases: [−1, −1, −1] when there is no non-NaN value; at an end of the grid the triple
 * repeats the end index ([0, 0, 1] or [n − 2, n − 1, n − 1]); one point gives [0, 0, 0].
 *
 * @example
 * bracketMaximum([0, 1, 2, 3], [0, 5, 7, 1]); // [1, 2, 3]
 */
export function bracketMaximum(
  xs: ArrayLike<number>,
  ys: ArrayLike<number>,
): [number, number, number] {
  const n = Math.min(xs.length, ys.length);
  let k = -1;
  let best = -Infinity;
  for (let i = 0; i < n; i++) {
    const y = ys[i];
    if (y > best || (k < 0 && y === -Infinity)) {
      best = y;
      k = i;
    }
  }
  if (k < 0) return [-1, -1, -1];
  return [Math.max(k - 1, 0), k, Math.min(k + 1, n - 1)];
}
