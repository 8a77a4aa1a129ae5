/**
 * Forward noise processes in EDM notation (THEORY.md §1): `x_t = s(t) (y + σ(t) z)`.
 * Every analysis works in σ; a process only converts between t and σ and supplies the chain rule
 * `d/dt = (dσ/dt) d/dσ`.
 */
export interface NoiseProcess {
  readonly name: ProcessName;
  /** σ(t). */
  sigma(t: number): number;
  /** Scale s(t). */
  scale(t: number): number;
  /** Inverse: t(σ). */
  time(sigma: number): number;
  /** dσ/dt at t. */
  sigmaDerivative(t: number): number;
  /** The t-range on which the process is defined. */
  readonly tMin: number;
  readonly tMax: number;
}

export type ProcessName = "ve" | "edm" | "vp-linear" | "vp-cosine" | "flow";
export const PROCESS_NAMES: readonly ProcessName[] = ["ve", "edm", "vp-linear", "vp-cosine", "flow"];

/**
 * Variance exploding (Brownian, seed 004): `σ²(t) = ν² t`, `s = 1`.
 * @example ve(1).time(2) // returns 4
 */
export function ve(nu = 1): NoiseProcess {
  return {
    name: "ve",
    sigma: (t) => nu * Math.sqrt(t),
    scale: () => 1,
    time: (sigma) => (sigma / nu) ** 2,
    sigmaDerivative: (t) => nu / (2 * Math.sqrt(t)),
    tMin: 0,
    tMax: Infinity,
  };
}

/** EDM (Karras et al. 2022): `σ(t) = t`, `s = 1`. */
export function edm(): NoiseProcess {
  return {
    name: "edm",
    sigma: (t) => t,
    scale: () => 1,
    time: (sigma) => sigma,
    sigmaDerivative: () => 1,
    tMin: 0,
    tMax: Infinity,
  };
}

/**
 * Variance preserving, linear β (DDPM): `β(t) = β_min + t(β_max − β_min)` on t ∈ [0, 1],
 * `B(t) = ∫₀ᵗ β = β_min t + ½(β_max − β_min)t²`, `α = e^{−B/2}`, `s = α`,
 * `σ = √(1 − α²)/α = √(e^{B} − 1)` (computed with expm1), `dσ/dt = β e^{B}/(2σ)`.
 * Inverse: `B = log1p(σ²)`, solved as a quadratic in t (stable form).
 */
export function vpLinear(betaMin = 0.1, betaMax = 20): NoiseProcess {
  const db = betaMax - betaMin;
  const B = (t: number) => betaMin * t + 0.5 * db * t * t;
  return {
    name: "vp-linear",
    sigma: (t) => Math.sqrt(Math.expm1(B(t))),
    scale: (t) => Math.exp(-0.5 * B(t)),
    time(sigma) {
      const b = Math.log1p(sigma * sigma);
      // ½ db t² + βmin t − b = 0  ⇒  t = 2b / (βmin + √(βmin² + 2 db b))  (no cancellation)
      return (2 * b) / (betaMin + Math.sqrt(betaMin * betaMin + 2 * db * b));
    },
    sigmaDerivative(t) {
      const b = B(t);
      const sigma = Math.sqrt(Math.expm1(b));
      return ((betaMin + db * t) * Math.exp(b)) / (2 * sigma);
    },
    tMin: 0,
    tMax: 1,
  };
}

/**
 * Variance preserving, cosine schedule (Nichol & Dhariwal 2021), offset `s = 0.008`:
 * `α(t) = cos(θ(t))/cos(θ(0))`, `θ(t) = (t + s)/(1 + s)·π/2`, `σ = √(1 − α²)/α`.
 * Defined for t ∈ [0, 1) (σ → ∞ at t = 1). Using `σ² = (cos²θ₀ − cos²θ)/cos²θ = sin(θ−θ₀)sin(θ+θ₀)/cos²θ`
 * avoids the cancellation of `1 − α²` near t = 0.
 */
export function vpCosine(offset = 0.008): NoiseProcess {
  const k = Math.PI / (2 * (1 + offset));
  const theta0 = offset * k;
  const c0 = Math.cos(theta0);
  const theta = (t: number) => (t + offset) * k;
  const sigmaOf = (t: number) => {
    const th = theta(t);
    return Math.sqrt(Math.sin(th - theta0) * Math.sin(th + theta0)) / Math.cos(th);
  };
  return {
    name: "vp-cosine",
    sigma: sigmaOf,
    scale: (t) => Math.cos(theta(t)) / c0,
    time(sigma) {
      // cos θ = c0 α = c0/√(1+σ²)  ⇒  θ = atan(√(1 + σ² − c0²)/c0)... written without cancellation:
      // tan²θ = (1 + σ²)/c0² − 1 = (σ² + sin²θ0)/c0²
      const th = Math.atan(Math.sqrt(sigma * sigma + Math.sin(theta0) ** 2) / c0);
      return th / k - offset;
    },
    sigmaDerivative(t) {
      // σ² = (c0²/cos²θ) − 1  ⇒  2σ dσ/dt = 2 c0² tanθ/cos²θ · k
      const th = theta(t);
      const c = Math.cos(th);
      return (c0 * c0 * Math.tan(th) * k) / (c * c * sigmaOf(t));
    },
    tMin: 0,
    tMax: 1,
  };
}

/**
 * Flow matching / rectified flow (Liu et al. 2022; Lipman et al. 2022): the straight path
 * `x_t = (1 − t) x₀ + t x₁` from data x₀ = y to noise x₁ = z, t ∈ [0, 1). Written as `s(t)(y + σ(t) z)`:
 * `s = 1 − t`, `σ = t/(1 − t)`; inverse `t = σ/(1 + σ)` (so `s = 1/(1 + σ)`), `dσ/dt = 1/(1 − t)²`.
 * σ → ∞ as t → 1: the pure-noise end is never reached at a finite σ.
 * @example flow().sigma(0.5) // returns 1
 */
export function flow(): NoiseProcess {
  return {
    name: "flow",
    sigma: (t) => t / (1 - t),
    scale: (t) => 1 - t,
    time: (sigma) => sigma / (1 + sigma),
    sigmaDerivative: (t) => 1 / ((1 - t) * (1 - t)),
    tMin: 0,
    tMax: 1,
  };
}

/** A process by name (`ve` takes ν, default 1). */
export function noiseProcess(name: ProcessName, nu = 1): NoiseProcess {
  switch (name) {
    case "ve":
      return ve(nu);
    case "edm":
      return edm();
    case "vp-linear":
      return vpLinear();
    case "vp-cosine":
      return vpCosine();
    case "flow":
      return flow();
  }
}
