import { InfodynError } from "../errors.js";
import type { DataModel } from "../models/types.js";
import type { LoadedModel } from "./files.js";

/** The commands that take a model argument. */
export type ModelCommand = "profile" | "schedule" | "paths" | "posterior" | "modes" | "bifurcations" | "thermo" | "memorization" | "report" | "semantics" | "likelihood" | "pmi" | "guidance";

/**
 * What each command needs of its model: `exact` — a posterior (exact model); `denoiser` — any denoiser with data
 * samples (an exact model too). `schedule --evaluate` needs an exact model (exact scores and the data law).
 */
export const NEEDS: Readonly<Record<ModelCommand, "exact" | "denoiser">> = {
  profile: "denoiser",
  schedule: "denoiser",
  paths: "denoiser",
  posterior: "exact",
  modes: "exact",
  bifurcations: "exact",
  thermo: "exact",
  memorization: "exact",
  report: "denoiser",
  semantics: "denoiser",
  likelihood: "denoiser",
  pmi: "denoiser",
  guidance: "denoiser",
};

/** The commands that accept a denoiser, in the table's order. */
export const DENOISER_COMMANDS = (Object.keys(NEEDS) as ModelCommand[]).filter((c) => NEEDS[c] === "denoiser");

/**
 * The exact model a command needs, or one line (exit code 2) saying why a denoiser does not do:
 * `modes needs an exact model (a posterior); m.json is a denoiser (testbed) — commands that accept a denoiser: …`.
 * `what` names the command as the user typed it (e.g. "schedule --evaluate").
 */
export function exactModel(loaded: LoadedModel, what: ModelCommand | `${ModelCommand} ${string}`): DataModel {
  if (loaded.type === "exact") return loaded.model;
  throw new InfodynError(
    `${what} needs an exact model (a posterior); ${loaded.source} is a denoiser (${loaded.kind}) — commands that accept a denoiser: ${DENOISER_COMMANDS.join(", ")}`,
  );
}
