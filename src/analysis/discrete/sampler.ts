import type { DiscreteDataset } from "./dataset.js";

/**
 * The exact output law p̂ over V^L of the masked sampler run on the ascending survivals α_0 < … < α_n = 1
 * (THEORY.md §9.5), by dynamic programming over the (V+1)^L partially masked states (digit V = mask, same
 * position order as the dataset's index). Step α_i → α_{i+1}: each masked position is unmasked independently with
 * probability r = (α_{i+1} − α_i)/(1 − α_i) (r = 1 at the last step), its value drawn from the exact posterior
 * marginal p(x₀^d = v | x_t). The start is all masked (α_0 is taken as the level of that state).
 */
export function samplerLaw(ds: DiscreteDataset, alphas: ArrayLike<number>): Float64Array {
  const { V, L, p } = ds;
  const W = V + 1;
  const nStates = W ** L;
  let mass = new Float64Array(nStates);
  mass[nStates - 1] = 1; // all digits = V
  const digits = new Int32Array(L);
  const marg = new Float64Array(L * V);
  const masked = new Int32Array(L);
  for (let i = 0; i + 1 < alphas.length; i++) {
    const a0 = alphas[i];
    const a1 = alphas[i + 1];
    const r = i + 2 === alphas.length ? 1 : a0 >= 1 ? 1 : Math.max(0, (a1 - a0) / (1 - a0));
    const next = new Float64Array(nStates);
    for (let s = 0; s < nStates; s++) {
      const m = mass[s];
      if (m === 0) continue;
      let rest = s;
      let nm = 0;
      for (let d = 0; d < L; d++) {
        digits[d] = rest % W;
        rest = (rest - digits[d]) / W;
        if (digits[d] === V) masked[nm++] = d;
      }
      if (nm === 0 || r === 0) {
        next[s] += m;
        continue;
      }
      posteriorMarginals(p, V, L, digits, marg);
      spread(next, s, m, r, masked, nm, 0, marg, V, W);
    }
    mass = next;
  }
  // map fully revealed states (digits < V) to V^L indices
  const out = new Float64Array(V ** L);
  for (let j = 0; j < out.length; j++) {
    let rest = j;
    let s = 0;
    let w = 1;
    for (let d = 0; d < L; d++) {
      const x = rest % V;
      rest = (rest - x) / V;
      s += x * w;
      w *= W;
    }
    out[j] = mass[s];
  }
  return out;
}

/** p(x₀^d = v | x_t) for every position d into marg[d·V + v], x_t given by its digits (V = masked). */
function posteriorMarginals(p: Float64Array, V: number, L: number, digits: Int32Array, marg: Float64Array): void {
  marg.fill(0);
  let z = 0;
  for (let j = 0; j < p.length; j++) {
    if (p[j] === 0) continue;
    let rest = j;
    let ok = true;
    for (let d = 0; d < L && ok; d++) {
      const x = rest % V;
      rest = (rest - x) / V;
      if (digits[d] !== V && digits[d] !== x) ok = false;
    }
    if (!ok) continue;
    z += p[j];
    rest = j;
    for (let d = 0; d < L; d++) {
      const x = rest % V;
      rest = (rest - x) / V;
      marg[d * V + x] += p[j];
    }
  }
  for (let k = 0; k < marg.length; k++) marg[k] /= z;
}

/** Distributes mass m of state s over the outcomes of the masked positions masked[k…] (each independent). */
function spread(next: Float64Array, s: number, m: number, r: number, masked: Int32Array, nm: number, k: number, marg: Float64Array, V: number, W: number): void {
  if (k === nm) {
    next[s] += m;
    return;
  }
  const d = masked[k];
  const place = W ** d;
  if (r < 1) spread(next, s, m * (1 - r), r, masked, nm, k + 1, marg, V, W);
  for (let v = 0; v < V; v++) {
    const q = marg[d * V + v];
    if (q > 0) spread(next, s - (V - v) * place, m * r * q, r, masked, nm, k + 1, marg, V, W);
  }
}

/** KL(p₀ ‖ p̂) = Σ p₀ log(p₀/p̂) in nats (∞ if p̂ misses p₀'s support) and TV = ½ Σ |p₀ − p̂|. */
export function lawDistances(p0: ArrayLike<number>, q: ArrayLike<number>): { kl: number; tv: number } {
  let kl = 0;
  let tv = 0;
  for (let j = 0; j < p0.length; j++) {
    if (p0[j] > 0) kl += p0[j] * Math.log(p0[j] / q[j]);
    tv += Math.abs(p0[j] - q[j]);
  }
  return { kl: Math.max(0, kl), tv: tv / 2 };
}
