import type { InformationProfile } from "../analysis/info/grid.js";
import { findPeak } from "../analysis/info/peak.js";
import type { SemanticProfile } from "../analysis/info/semantics.js";
import { decisionInterval, type ClassDecision } from "../analysis/guidance/decision.js";
import type { DataModel } from "../models/types.js";
import { edm, vpLinear } from "../noise/process.js";
import { guidanceRateFigure, paretoFigure } from "./figures/guidance.js";
import { frontJson, gaussianFront, TARGET_W, type FrontJson } from "./guidance-front.js";
import { FIRST_STEPS, guidanceRates, type GuidanceRates } from "./guidance-rate.js";
import type { VegaLiteSpec } from "./theme.js";
import { withError } from "./peaks.js";

/*
 * The numbers of the report's guidance section (THEORY.md §9.2–9.3; issue 17 item 5): where the class is decided,
 * how guidance scales the class-information rate (`1+2γ`), and what a window costs against constant guidance.
 * New analysis functions live here (not in src/analysis/guidance) by the division of files.
 */

/**
 * The decision interval of the report's own profile: g = σ·dH(c|x_σ)/dσ on its grid (ascending), its grid peak
 * ({@link findPeak} with the Monte Carlo errors), and {@link decisionInterval} in the EDM process (t = σ) and in
 * DDPM's VP-linear process (t, timestep = 1000 t). Undefined when the profile has no class rate.
 */
export function profileDecision(profile: InformationProfile): { edm: ClassDecision; vp: ClassDecision } | undefined {
  const sigma = profile.points.map((p) => p.sigma);
  const g = profile.points.map((p) => p.sigma * (p.classEntropyRate ?? NaN));
  if (!g.every(Number.isFinite)) return undefined;
  const errors = profile.points.map((p) => p.sigma * (p.standardError?.classEntropyRate ?? 0));
  const peak = findPeak(() => NaN, sigma, g, { errors });
  if (!peak || !(peak.value > 0)) return undefined;
  return { edm: decisionInterval(sigma, g, peak, edm()), vp: decisionInterval(sigma, g, peak, vpLinear()) };
}

/** results.json's `guidance`: every number the guidance section shows. */
export interface GuidancePayload {
  class: string;
  /** The decision interval of the report's profile, in σ and in the EDM and VP-linear processes (absent: no class rate). */
  interval?: { edm: ClassDecision; vp: ClassDecision };
  rates: GuidanceRates;
  /** The Pareto front (separability vs KL) of the Gaussian closed forms, and constant guidance (absent: a class without spread). */
  front?: {
    method: "gaussian closed forms, probability-flow ODE";
    candidates: number;
    front: FrontJson[];
    constant: FrontJson[];
    target: { separability: number; constant: FrontJson; window?: FrontJson };
  };
}

/** What the report needs of its own analyses to build the guidance section. */
export interface GuidanceContext {
  profile: InformationProfile;
  semantics: SemanticProfile;
  seed: number;
  names: (c: number) => string;
}

const f3 = (v: number) => (Number.isFinite(v) ? Number(v.toPrecision(3)).toString() : "–");

/**
 * The report's section "Guidance: where it acts and what it costs" for the largest class (labelled exact models):
 * the decision interval of the profile's class rate in σ, EDM t and DDPM timesteps; the class-information rate with
 * and without guidance ({@link guidanceRates}); the Pareto front of the Gaussian closed forms ({@link gaussianFront}).
 * Figures are registered through `add` (the report's), which returns the names it kept.
 */
export function guidanceSection(
  model: DataModel,
  ctx: GuidanceContext,
  add: (name: string, spec: VegaLiteSpec | undefined) => string[],
): { section: { id: string; title: string; text: string; figures: string[] }; results: GuidancePayload } {
  const { profile, semantics: sem, seed } = ctx;
  const weights = sem.perClass.weight;
  const label = weights.reduce((best, w, c) => (w > weights[best] ? c : best), 0);
  const name = ctx.names(label);
  const sigma = profile.points.map((p) => p.sigma);
  const sigmaMin = sigma[0];
  const sigmaMax = sigma[sigma.length - 1];
  const interval = profileDecision(profile);
  // the measurement: the decision interval widened by 1.5 each way (the whole range when there is none)
  const lo = Math.max(sigmaMin, (interval?.edm.low.sigma ?? sigmaMin) / 1.5);
  const hi = Math.min(sigmaMax, (interval?.edm.high.sigma ?? sigmaMax) * 1.5);
  const rates = guidanceRates(model, label, sem, lo, hi, seed + 17);
  // the closed forms need the class moments of a labelled mixture (deltas with labels, GMM)
  const mixture = model.structure?.type === "mixture" && model.structure.labels !== undefined;
  const front = mixture ? gaussianFront(model, label, sigmaMin, sigmaMax, seed) : undefined;
  const parts: string[] = [];
  if (interval) {
    const { edm: e, vp } = interval;
    const steps = (d: ClassDecision) => `${Math.round(d.low.timestep!)}–${Math.round(d.high.timestep!)}`;
    parts.push(
      `The class is decided where σ·dH(c|x_σ)/dσ (this report's profile) exceeds half its peak: σ ∈ [${f3(e.low.sigma)}, ${f3(e.high.sigma)}], peak σ ≈ ${f3(e.peak.sigma)}, ` +
        `${(100 * e.fractionInside).toFixed(0)}% of the class information gained on the grid. As a guidance interval: EDM (t = σ) (${f3(e.low.sigma)}, ${f3(e.high.sigma)}]; ` +
        `DDPM's VP-linear process (β 0.1–20) t ∈ [${f3(vp.low.t)}, ${f3(vp.high.t)}], timesteps ${steps(vp)} of 1000 (peak ${Math.round(vp.peak.timestep!)}). Outside it ∇log p(c|x) ≈ 0: guidance there only distorts.`,
    );
  } else parts.push("The decision interval is left out: the profile's class rate has no positive peak in the range.");
  const ratios = rates.measured.slice(1).map((m) => m.firstRatio);
  const shown = rates.measured.slice(1).map((m, k) => `γ = ${m.gamma}: ${withError(ratios[k].value, ratios[k].standardError)} (1+2γ = ${1 + 2 * m.gamma})`);
  const [s0, s1] = rates.firstSigma;
  parts.push(
    `Guidance s_c + γ∇log p(c|x) multiplies the rate at which a state learns its class by 1+2γ (THEORY.md §9.3). For class ${name} (the largest), ${rates.paths} guided reverse-SDE paths per γ ` +
      `from σ = ${f3(s0)} (drawn from p_σ(·|c), guidance on below; the same starts and noise for every γ) measure the mean increment of the exact log p(c|x) per log σ. ` +
      (ratios.every((r) => Number.isFinite(r.value) && Number.isFinite(r.standardError))
        ? `Over the first ${FIRST_STEPS} steps (σ ${f3(s0)} → ${f3(s1)}), where every γ's paths are still distributed as p_σ(·|c), guided/unguided = ${shown.join(", ")}; ` +
          `below, the guided paths leave p_σ(·|c) and fall under the first-order line (1+2γ)σ r_c.`
        : "The guided/unguided ratio is left out: the unguided increment is 0 at the start (the class is already decided there)."),
  );
  const t = front?.target;
  const w = t?.window;
  const win = w?.schedule.type === "windows" ? w.schedule.windows[w.schedule.windows.length - 1] : undefined;
  if (!mixture) parts.push(`The Pareto front is left out: its Gaussian closed forms need the class moments of a labelled mixture, and this is a ${model.kind} model.`);
  else if (!front || !t) parts.push(`The Pareto front is left out: class ${name} or the rest of the data has no spread along an axis, so the KL of any guided law to it is infinite.`);
  else
    parts.push(
      `The window search on the model itself costs ≥ 20 s at its smallest budget, so the Pareto front is from THEORY.md §9.2's Gaussian closed forms (class and data as Gaussians with their moments; ${front.candidates} schedules): ` +
        `constant w = ${TARGET_W} reaches separability ${t.separability.toFixed(4)} at KL ${f3(t.constant.kl)} nats; ` +
        (w && win
          ? `the least-KL window reaching it, w = ${f3(win.w)} on (${f3(win.lo)}, ${f3(win.hi)}]${w.schedule.type === "windows" && w.schedule.windows.length > 1 ? " and w = 0 below" : ""}, costs KL ${f3(w.kl)} nats.`
          : "no window schedule reaches it."),
    );
  return {
    section: {
      id: "guidance",
      title: "Guidance: where it acts and what it costs",
      text: parts.join(" "),
      figures: [...add("guidance-rate", guidanceRateFigure(rates, name)), ...(front ? add("guidance-front", paretoFigure(front)) : [])],
    },
    results: {
      class: name,
      ...(interval ? { interval } : {}),
      rates,
      ...(front && t
        ? {
            front: {
              method: "gaussian closed forms, probability-flow ODE" as const,
              candidates: front.candidates,
              front: front.front.map(frontJson),
              constant: front.constant.map(frontJson),
              target: { separability: t.separability, constant: frontJson(t.constant), ...(w ? { window: frontJson(w) } : {}) },
            },
          }
        : {}),
    },
  };
}
