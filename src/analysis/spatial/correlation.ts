/**
 * Correlation length by the second-moment formula of THEORY.md §9.4 on a 1-D periodic lattice:
 * S(k) = ⟨|F[δφ](k)|²⟩/L with δφ = φ − ⟨φ⟩ (ensemble mean), ξ = √(S(0)/S(k₁) − 1)/(2 sin(π/L)), k₁ = 2π/L.
 * `fields` is samples × L. Returns NaN when S(0) < S(k₁).
 */
export function correlationLength1d(fields: Float64Array, samples: number, L: number): { xi: number; S: Float64Array } {
  const mean = new Float64Array(L);
  for (let s = 0; s < samples; s++) for (let u = 0; u < L; u++) mean[u] += fields[s * L + u] / samples;
  const S = new Float64Array(L);
  for (let s = 0; s < samples; s++)
    for (let k = 0; k < L; k++) {
      let re = 0;
      let im = 0;
      for (let u = 0; u < L; u++) {
        const d = fields[s * L + u] - mean[u];
        const ph = (2 * Math.PI * k * u) / L;
        re += d * Math.cos(ph);
        im -= d * Math.sin(ph);
      }
      S[k] += (re * re + im * im) / L / samples;
    }
  const ratio = S[0] / S[1] - 1;
  return { xi: ratio >= 0 ? Math.sqrt(ratio) / (2 * Math.sin(Math.PI / L)) : NaN, S };
}
