/**
 * The integration rule of a profile tabulated on its nodes (estimated mmse: Monte Carlo, a denoiser's loss, or exact
 * node values), as weights on the node rates so that every clock value is linear in the node mmse and its standard
 * error follows by the delta method.
 *
 * Method: on the interval [u_k, u_{k+1}] (uniform step h in u = log σ), the cubic through the rates at the four
 * nearest nodes — k−1 … k+2 inside, the first or last four at the ends — integrated from u_k to u_k + θh (Lagrange
 * basis, exact polynomial integrals). At θ = 1 inside: `h(−f_{k−1} + 13f_k + 13f_{k+1} − f_{k+2})/24`, error
 * `(11/720) h⁵ f⁽⁴⁾` per interval (fourth order; the trapezoid's `h³ f''/12` is second order and was measured at 3
 * standard errors on the digits' levels with 32 intervals). Grids of fewer than 3 intervals take the trapezoid.
 * A steep rise (a rate growing by more than ≈ 13× per node, the onset of discrete data) can give an interval a
 * slightly negative increment: the clocks there are ≈ 0 and no level target falls in it.
 *
 * @example
 * nodeRule(32, 5, 1); // { first: 4, weights: [-1/24, 13/24, 13/24, -1/24] }
 */
export function nodeRule(N: number, k: number, theta: number): { first: number; weights: number[] } {
  if (N < 3) return { first: k, weights: [theta - 0.5 * theta * theta, 0.5 * theta * theta] };
  const first = Math.min(Math.max(k - 1, 0), N - 3);
  const t = [0, 1, 2, 3].map((i) => first + i - k); // node offsets from u_k in steps
  const weights = t.map((ti, i) => {
    // L_i(x) = Π_{m≠i} (x − t_m)/(t_i − t_m), as coefficients c0 + c1 x + c2 x² + c3 x³
    let c = [1];
    let den = 1;
    t.forEach((tm, m) => {
      if (m === i) return;
      c = [...c, 0].map((v, p) => (p > 0 ? c[p - 1] : 0) - tm * v);
      den *= ti - tm;
    });
    return c.reduce((acc, cp, p) => acc + (cp * theta ** (p + 1)) / (p + 1), 0) / den;
  });
  return { first, weights };
}

/**
 * `∂/∂f_j` of `∫_{u_0}^{u_k + θh} f du` under {@link nodeRule}, in units of h, for every node j (one array of N + 1):
 * the clock's value is `h Σ_j g_j f_j` with `f_j = c_j m_j`, so `∂φ/∂m_j = h g_j c_j`.
 */
export function nodeGradient(N: number, k: number, theta: number): Float64Array {
  const g = new Float64Array(N + 1);
  const add = (l: number, th: number) => {
    const { first, weights } = nodeRule(N, l, th);
    weights.forEach((w, i) => (g[first + i] += w));
  };
  for (let l = 0; l < k; l++) add(l, 1);
  if (theta > 0 && k < N) add(k, theta);
  return g;
}
