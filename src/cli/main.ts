#!/usr/bin/env node
import { Command, CommanderError } from "commander";
import { InfodynError } from "../errors.js";
import { kernelBackendName } from "../engine/backends.js";
import { installNativeBackend } from "../node/native.js";
import { VERSION } from "../version.js";
import { interruptedBy, SIGNAL_EXIT_CODES } from "./abort.js";
import { registerBifurcations } from "./bifurcations.js";
import { registerFigures } from "./figures.js";
import { registerMemorization } from "./memorization.js";
import { registerModes } from "./modes.js";
import { registerPaths } from "./paths.js";
import { registerPosterior } from "./posterior.js";
import { registerProfile } from "./profile.js";
import { registerRem } from "./rem.js";
import { registerReport } from "./report.js";
import { registerSchedule } from "./schedule.js";
import { registerThermo } from "./thermo.js";

/**
 * The `infodyn` command line. Bad input (files, fields, options) ends with one line naming the culprit and
 * exit code 2; an internal failure prints its stack and exits with 1; SIGINT / SIGTERM during asynchronous work
 * (a denoiser's analyses, the rendering of figures) ends it with 130 / 143, nothing written.
 */
export async function main(argv: string[]): Promise<number> {
  // The native OpenBLAS kernel when `npm ci` could build it; the TypeScript kernel otherwise (--version says which).
  installNativeBackend();
  const program = new Command("infodyn")
    .description("information dynamics and statistical thermodynamics of generative diffusion models")
    .version(`${VERSION} (posterior kernel: ${kernelBackendName()})`)
    .showHelpAfterError("(run with --help for usage)")
    .exitOverride();
  registerPosterior(program);
  registerProfile(program);
  registerPaths(program);
  registerModes(program);
  registerBifurcations(program);
  registerThermo(program);
  registerRem(program);
  registerMemorization(program);
  registerSchedule(program);
  registerReport(program);
  registerFigures(program);
  try {
    await program.parseAsync(argv, { from: "user" });
    return 0;
  } catch (e) {
    const signal = interruptedBy();
    if (signal) {
      process.stderr.write(`infodyn: interrupted (${signal}); nothing written\n`);
      return SIGNAL_EXIT_CODES[signal];
    }
    if (e instanceof CommanderError) {
      // Help and version exit cleanly; usage errors were already printed by commander.
      return e.exitCode === 0 || e.code === "commander.helpDisplayed" || e.code === "commander.version" ? 0 : 2;
    }
    if (e instanceof InfodynError) {
      process.stderr.write(`infodyn: ${e.message}\n`);
      return 2;
    }
    process.stderr.write(`infodyn: internal error: ${(e as Error)?.stack ?? e}\n`);
    return 1;
  }
}

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
