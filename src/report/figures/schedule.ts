import type { Schedule } from "../../analysis/schedule/schedules.js";
import { figure, PANEL, type VegaLiteSpec } from "../theme.js";

/** The noise levels σ_i of several schedules against the step index (log σ): where each spends its steps. */
export function scheduleFigure(schedules: { kind: string; schedule: Schedule }[]): VegaLiteSpec {
  const values = schedules.flatMap(({ kind, schedule }) => Array.from(schedule.sigma, (sigma, i) => ({ kind, i, sigma })));
  return figure(`Sampling schedules with ${schedules[0].schedule.sigma.length - 1} steps: where each places its noise levels`, {
    ...PANEL,
    data: { values },
    mark: { type: "line", point: true },
    encoding: {
      x: { field: "i", type: "quantitative", title: "level i (0 = σ_min)" },
      y: { field: "sigma", type: "quantitative", scale: { type: "log" }, title: "σ_i" },
      color: { field: "kind", type: "nominal", title: null },
    },
  });
}
