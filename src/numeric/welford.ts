/**
 * Running mean and variance by Welford's update.
 *
 * Formula: for the n-th value x,
 *   δ = x − mₙ₋₁,  mₙ = mₙ₋₁ + δ/n,  M₂ ← M₂ + δ·(x − mₙ),
 * so that variance = M₂/(n − 1) (unbiased), populationVariance = M₂/n and
 * standardError = √(variance/n). `merge` combines two accumulators by
 *   δ = m_B − m_A,  m = m_A + δ·n_B/n,  M₂ = M₂_A + M₂_B + δ²·n_A·n_B/n.
 *
 * Method: B. P. Welford, "Note on a method for calculating corrected sums of squares and
 * products", Technometrics 4 (1962) 419–420; pairwise merge from T. F. Chan, G. H. Golub and
 * R. J. LeVeque, "Updating formulae and a pairwise algorithm for computing sample variances"
 * (1979). Unlike Σx² − n·m², the update never subtracts two large nearly equal numbers. The
 * update runs on x − K with K the first value (exact for data within a factor 2 of K), so the
 * running mean stays small and its rounding does not leak into M₂: 1e9 + N(0, 1) data keeps
 * its variance to ~1e-15 instead of ~1e-8.
 *
 * Special cases: with no values mean is NaN; variance and standardError need n ≥ 2 and are NaN
 * before that (populationVariance is 0 for one value). A NaN value makes everything NaN.
 *
 * @example
 * const w = new Welford();
 * for (const x of [1, 2, 3, 4]) w.push(x);
 * w.mean; // 2.5
 * w.variance; // 1.6666666666666667
 */
export class Welford {
  private n = 0;
  /** Shift K (the first finite value); m is the mean of x − K. */
  private k = 0;
  private m = 0;
  private m2 = 0;

  /** Adds one value. */
  push(x: number): void {
    if (this.n === 0) this.k = Number.isFinite(x) ? x : 0;
    const y = x - this.k;
    this.n += 1;
    const delta = y - this.m;
    this.m += delta / this.n;
    this.m2 += delta * (y - this.m);
  }

  /** Folds another accumulator into this one (Chan–Golub–LeVeque). */
  merge(other: Welford): void {
    if (other.n === 0) return;
    if (this.n === 0) {
      this.n = other.n;
      this.k = other.k;
      this.m = other.m;
      this.m2 = other.m2;
      return;
    }
    const n = this.n + other.n;
    const delta = other.k - this.k + (other.m - this.m);
    this.m += (delta * other.n) / n;
    this.m2 += other.m2 + ((delta * delta * this.n) / n) * other.n;
    this.n = n;
  }

  /** Number of values pushed. */
  get count(): number {
    return this.n;
  }

  /** Sample mean (NaN when empty). */
  get mean(): number {
    return this.n > 0 ? this.k + this.m : NaN;
  }

  /** Unbiased variance M₂/(n − 1) (NaN for n < 2). */
  get variance(): number {
    return this.n > 1 ? this.m2 / (this.n - 1) : NaN;
  }

  /** Population variance M₂/n (NaN when empty). */
  get populationVariance(): number {
    return this.n > 0 ? this.m2 / this.n : NaN;
  }

  /** Standard error of the mean √(variance/n) (NaN for n < 2). */
  get standardError(): number {
    return Math.sqrt(this.variance / this.n);
  }
}

/**
 * Weighted running mean and variance (West's weighted form of Welford's update).
 *
 * Formula: with W = Σw, for a value x of weight w,
 *   W ← W + w,  δ = x − m,  m ← m + (w/W)·δ,  M₂ ← M₂ + w·δ·(x − m).
 * populationVariance = M₂/W; variance = M₂/(W − Σw²/W), the unbiased estimate for reliability
 * weights (it reduces to M₂/(n − 1) for equal weights); effectiveSampleSize = W²/Σw² (Kish);
 * standardError = √(variance/effectiveSampleSize).
 *
 * Method: D. H. D. West, "Updating mean and variance estimates: an improved method",
 * Comm. ACM 22 (1979) 532–535; run on x − K with K the first value, as in {@link Welford}.
 *
 * Special cases: values with weight 0 are skipped; a negative or NaN weight makes the
 * accumulator NaN. With W = 0 the mean is NaN; variance is NaN while W² = Σw² (one value).
 *
 * @example
 * const w = new WeightedWelford();
 * w.push(1, 1);
 * w.push(3, 3);
 * w.mean; // 2.5
 */
export class WeightedWelford {
  private w = 0;
  private w2 = 0;
  /** Shift K (the first finite value); m is the weighted mean of x − K. */
  private k = 0;
  private m = 0;
  private m2 = 0;

  /** Adds value x with weight w ≥ 0 (default 1). */
  push(x: number, w = 1): void {
    if (w === 0) return;
    if (!(w > 0)) {
      this.m = NaN;
      this.m2 = NaN;
      this.w = NaN;
      return;
    }
    if (this.w === 0) this.k = Number.isFinite(x) ? x : 0;
    const y = x - this.k;
    this.w += w;
    this.w2 += w * w;
    const delta = y - this.m;
    this.m += (w / this.w) * delta;
    this.m2 += w * delta * (y - this.m);
  }

  /** Total weight W = Σw. */
  get totalWeight(): number {
    return this.w;
  }

  /** Kish effective sample size W²/Σw² (0 when empty). */
  get effectiveSampleSize(): number {
    return this.w2 > 0 ? (this.w * this.w) / this.w2 : 0;
  }

  /** Weighted mean (NaN when empty). */
  get mean(): number {
    return this.w > 0 ? this.k + this.m : NaN;
  }

  /** Weighted population variance M₂/W (NaN when empty). */
  get populationVariance(): number {
    return this.w > 0 ? this.m2 / this.w : NaN;
  }

  /** Unbiased variance for reliability weights M₂/(W − Σw²/W) (NaN with fewer than two values). */
  get variance(): number {
    const denom = (this.w * this.w - this.w2) / this.w;
    return denom > 0 ? this.m2 / denom : NaN;
  }

  /** √(variance/effectiveSampleSize). */
  get standardError(): number {
    return Math.sqrt(this.variance / this.effectiveSampleSize);
  }
}
