import type { DataModel } from "../../models/types.js";
import { axisTitle, project, type PrincipalAxes } from "../pca.js";
import { figure, type VegaLiteSpec } from "../theme.js";
import type { PathsData } from "./dynamics.js";
import { named, round, type Row } from "./paper-helpers.js";

const className = (model: DataModel, labels: Int32Array | undefined, i: number) =>
  labels ? (model.classNames?.[labels[i]] ?? String(labels[i])) : "data";

/**
 * Data of dimension D > 2 projected on its top two principal axes (the named data set `projection`: `pc1`, `pc2`,
 * `class`), coloured by class; the axis titles give each axis's share of the variance.
 */
export function projectionFigure(model: DataModel, pca: PrincipalAxes, points: Float64Array, labels: Int32Array | undefined): VegaLiteSpec {
  const xy = project(pca, points);
  const n = points.length / pca.dim;
  const values: Row[] = Array.from({ length: n }, (_, i) => ({ pc1: round(xy[2 * i]), pc2: round(xy[2 * i + 1]), class: className(model, labels, i) }));
  const share = 100 * (pca.explained[0] + pca.explained[1]);
  return figure(
    { text: "The data, projected on its top two principal axes", subtitle: `D = ${pca.dim}; the two axes carry ${share.toFixed(1)}% of the variance Tr Cov(y)` },
    {
      width: 360,
      height: 360,
      data: named("projection", values),
      mark: { type: "point", filled: true, opacity: 0.6, size: 18 },
      encoding: {
        x: { field: "pc1", type: "quantitative", title: axisTitle(pca, 0), scale: { zero: false } },
        y: { field: "pc2", type: "quantitative", title: axisTitle(pca, 1), scale: { zero: false } },
        color: { field: "class", type: "nominal", title: labels ? "class" : null },
      },
    },
  );
}

/**
 * The kept reverse trajectories projected on the data's top two principal axes, over the data (grey), from the
 * largest σ at most `sigmaShown` (above it the paths are mostly noise on this scale) down to σ_min; coloured by
 * the pathwise entropy h(x_σ) = −Σ w log w for discrete models, by log σ otherwise; final states black.
 */
export function trajectoryProjectionFigure(model: DataModel, pca: PrincipalAxes, paths: PathsData, points: Float64Array, sigmaShown: number): VegaLiteSpec {
  const D = model.dim;
  const L = paths.sigma.length;
  const start = Math.max(0, paths.sigma.findIndex((s) => s <= sigmaShown));
  const values: Row[] = [];
  const ends: Row[] = [];
  paths.trajectories.forEach((traj, p) => {
    const states = Float64Array.from(traj.slice(start).flat());
    const xy = project(pca, states);
    const h = model.discrete
      ? model.posterior({ rows: L - start, dim: D, data: states }, Float64Array.from(paths.sigma.slice(start)), { entropy: true }).entropy!
      : undefined;
    for (let i = 0; i < L - start; i++) {
      const s = paths.sigma[start + i];
      values.push({ path: p, step: i, sigma: round(s), pc1: round(xy[2 * i]), pc2: round(xy[2 * i + 1]), h: round(h ? h[i] : Math.log(s)) });
    }
    ends.push({ pc1: round(xy[2 * (L - start - 1)]), pc2: round(xy[2 * (L - start - 1) + 1]) });
  });
  const data = project(pca, points);
  const backdrop: Row[] = Array.from({ length: points.length / D }, (_, i) => ({ pc1: round(data[2 * i]), pc2: round(data[2 * i + 1]) }));
  const x = { field: "pc1", type: "quantitative", title: axisTitle(pca, 0), scale: { zero: false } };
  const y = { field: "pc2", type: "quantitative", title: axisTitle(pca, 1), scale: { zero: false } };
  const colour = model.discrete ? { title: "h (nats)" } : { title: "log σ" };
  return figure(
    {
      text: "Reverse trajectories, projected on the data's top two principal axes",
      subtitle: `${paths.trajectories.length} paths from σ = ${+paths.sigma[start].toPrecision(3)} down to ${+paths.sigma[L - 1].toPrecision(3)}; grey: the data; black: final states`,
    },
    {
      width: 360,
      height: 360,
      layer: [
        { data: { values: backdrop }, mark: { type: "circle", size: 10, color: "#ccc", opacity: 0.6 }, encoding: { x, y } },
        {
          data: named("trajectories", values),
          layer: [
            { mark: { type: "line", color: "#888", strokeWidth: 0.8 }, encoding: { x, y, detail: { field: "path" }, order: { field: "step" } } },
            { mark: { type: "circle", size: 14 }, encoding: { x, y, color: { field: "h", type: "quantitative", ...colour, scale: { scheme: "viridis" } } } },
          ],
        },
        { data: { values: ends }, mark: { type: "circle", size: 28, color: "black" }, encoding: { x, y } },
      ],
    },
  );
}
