import type { FreeEnergyGrid } from "../analysis/thermo/free-energy.js";
import type { SearchInfo } from "../analysis/bifurcation/search.js";
import { type Envelope, withEnvelope } from "./envelope.js";

/** A free-energy grid spec: `x0,x1,n` (1-D) or `x0,x1,y0,y1,n` (2-D). */
export interface GridSpec {
  x0: number;
  x1: number;
  y0?: number;
  y1?: number;
  n: number;
}

/** The parameters of `infodyn thermo`. */
export interface ThermoParams {
  sigma: number;
  /** The `--grid` spec, or null without one. */
  grid: GridSpec | null;
}

/** One fixed point x* = m(x*) with its thermodynamics (THEORY.md §6). */
export interface ThermoFixedPoint {
  x: Float64Array | number[];
  /** m(x*). */
  magnetization: Float64Array | number[];
  /** χ = (I − C/σ²)⁻¹ C/σ², D × D row-major. */
  susceptibility: Float64Array;
  stable: boolean;
  /** λ_max(C)/σ²: stable iff < 1. */
  stabilityRatio: number;
}

/** What `infodyn thermo` computed. */
export interface ThermoResult {
  kind: string;
  dim: number;
  sigma: number;
  fixedPoints: ThermoFixedPoint[];
  /** The fixed-point search (the one of `modes`): starts, kinds, complete, why. */
  search?: SearchInfo;
  grid?: FreeEnergyGrid;
}

/** The payload of `infodyn thermo --json` (issue 6). */
export interface ThermoPayload {
  kind: string;
  dim: number;
  sigma: number;
  fixedPoints: { x: number[]; magnetization: number[]; susceptibility: number[][]; stable: boolean; stabilityRatio: number }[];
  /** The fixed-point search (the one of `modes`): starts, kinds, complete only where proven, and why. */
  search?: SearchInfo;
  /** F and F̃ = −σ² log p_σ on the grid (rows along y for 2-D models; `y: null` in 1-D). */
  grid?: { x: number[]; y: number[] | null; freeEnergy: number[][]; regularizedFreeEnergy: number[][] };
}

export type ThermoJson = Envelope<"thermo", ThermoParams> & ThermoPayload;

/** The payload of {@link thermoContract}. */
export function thermoPayload(r: ThermoResult): ThermoPayload {
  const D = r.dim;
  const out: ThermoPayload = {
    kind: r.kind,
    dim: D,
    sigma: r.sigma,
    fixedPoints: r.fixedPoints.map((fp) => ({
      x: Array.from(fp.x),
      magnetization: Array.from(fp.magnetization),
      susceptibility: Array.from({ length: D }, (_, i) => Array.from(fp.susceptibility.subarray(i * D, (i + 1) * D))),
      stable: fp.stable,
      stabilityRatio: fp.stabilityRatio,
    })),
    ...(r.search ? { search: r.search } : {}),
  };
  if (r.grid) out.grid = { x: r.grid.x, y: r.grid.y ?? null, freeEnergy: r.grid.freeEnergy, regularizedFreeEnergy: r.grid.regularizedFreeEnergy };
  return out;
}

/** The JSON contract of `infodyn thermo --json`: fixed points, magnetization, susceptibility, and F, F̃ on a grid. */
export function thermoContract(r: ThermoResult, env: Envelope<"thermo", ThermoParams>): ThermoJson {
  return withEnvelope(env, thermoPayload(r));
}
