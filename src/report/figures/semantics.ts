import type { SemanticProfile } from "../../analysis/info/semantics.js";
import { figure, PANEL, type VegaLiteSpec } from "../theme.js";
import { BAND_LEGEND, BAND_NOTE, bandedLines, captioned, row, type Row } from "./info.js";

/**
 * Each class's decision profile σ·r_c(σ), r_c = E_{x∼p_σ(·|c)} ‖m_c − m‖²/σ³ (the rate at which a state drawn from
 * class c learns its class, per unit log σ), with ±2 SE bands: its peak is the class's critical window.
 */
export function perClassWindowsFigure(p: SemanticProfile, names: (c: number) => string): VegaLiteSpec | undefined {
  const rows: Row[] = [];
  p.perClass.rate.forEach((rates, c) => {
    rates.forEach((e, i) => {
      if (Number.isFinite(e.value)) rows.push(row(p.sigma[i], `class ${names(c)}`, p.sigma[i] * e.value, p.sigma[i] * e.standardError));
    });
  });
  if (!rows.length) return undefined;
  return figure("", {
    title: captioned("When each class is decided: σ · r_c(σ), r_c = E_{x|c} ‖m_c − m‖²/σ³", [
      "The rate at which a noisy state drawn from class c learns its class, per unit log σ; its peak is the class's critical window.",
      "Σ_c π_c r_c = dH(c|x_σ)/dσ.",
      BAND_NOTE,
    ]),
    ...PANEL,
    resolve: BAND_LEGEND,
    layer: bandedLines(rows, "σ · r_c (nats)"),
  });
}
