#!/usr/bin/env node
import { Command, CommanderError } from "commander";
import { InfodynError } from "../errors.js";
import { fasterKernelHint, installKernel } from "../node/kernels.js";
import { VERSION } from "../version.js";
import { interruptedBy, SIGNAL_EXIT_CODES } from "./abort.js";
import { whyFailed } from "./read.js";
import { registerBifurcations } from "./bifurcations.js";
import { registerFigures } from "./figures.js";
import { registerGuidance } from "./guidance.js";
import { registerLikelihood } from "./likelihood.js";
import { registerMemorization } from "./memorization.js";
import { registerModes } from "./modes.js";
import { registerPaths } from "./paths.js";
import { registerPmi } from "./pmi.js";
import { registerPosterior } from "./posterior.js";
import { registerProfile } from "./profile.js";
import { registerRem } from "./rem.js";
import { registerReport } from "./report.js";
import { registerSemantics } from "./semantics.js";
import { registerSchedule } from "./schedule.js";
import { registerThermo } from "./thermo.js";

/**
 * Standard output and error closed under us: a closed pipe (`infodyn … | head -1`, EPIPE) ends the writing silently
 * and the run keeps its usual exit code; any other write error (a full disk behind `> file`) is one line on stderr
 * and exit code 2.
 */
function guardStandardStreams(): void {
  let reported = false;
  const onError = (stream: "stdout" | "stderr") => (e: NodeJS.ErrnoException) => {
    if (e.code === "EPIPE" || e.code === "ERR_STREAM_DESTROYED") return;
    if (!reported && stream === "stdout") {
      reported = true;
      try {
        process.stderr.write(`infodyn: cannot write to standard output (${whyFailed(e)})\n`);
      } catch {
        // stderr is gone too
      }
    }
    process.exitCode = 2;
  };
  process.stdout.on("error", onError("stdout"));
  process.stderr.on("error", onError("stderr"));
}

/**
 * An unknown command is an error even with `--help` (commander would print the main help and exit 0): one line
 * naming it and the known ones, exit code 2.
 */
function unknownCommand(program: Command, argv: string[]): string | undefined {
  const known = program.commands.map((c) => c.name());
  const first = argv[0];
  const name = first === "help" ? argv[1] : first;
  if (name === undefined || name.startsWith("-") || known.includes(name)) return undefined;
  return `infodyn: unknown command '${name}' (commands: ${known.join(", ")})`;
}

/**
 * The `infodyn` command line. Bad input (files, fields, options) ends with one line naming the culprit and
 * exit code 2; an internal failure prints its stack and exits with 1; SIGINT / SIGTERM end it with 130 / 143 and
 * leave no temporary output (abort.ts says what holds where).
 */
export async function main(argv: string[]): Promise<number> {
  guardStandardStreams();
  // The fastest kernel `npm ci` could build, or INFODYN_KERNEL's (src/node/kernels.ts); --version says which.
  let kernel: string;
  try {
    kernel = installKernel();
  } catch (e) {
    if (!(e instanceof InfodynError)) throw e;
    process.stderr.write(`infodyn: ${e.message}\n`);
    return 2;
  }
  const hint = fasterKernelHint(kernel);
  const program = new Command("infodyn")
    .description("information dynamics and statistical thermodynamics of generative diffusion models")
    .version(`${VERSION} (posterior kernel: ${kernel}${hint ? `; ${hint}` : ""})`)
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
  registerSemantics(program);
  registerGuidance(program);
  registerLikelihood(program);
  registerPmi(program);
  const unknown = unknownCommand(program, argv);
  if (unknown) {
    process.stderr.write(unknown + "\n");
    return 2;
  }
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
    // The budgets (budget.ts) refuse what cannot fit before the work; an allocation that still fails is said in one
    // line rather than a stack.
    if (e instanceof RangeError && /Invalid (string|array|typed array) length|Array buffer allocation failed/.test(e.message)) {
      process.stderr.write(`infodyn: out of memory (${e.message}); ask for fewer levels, samples or paths\n`);
      return 2;
    }
    process.stderr.write(`infodyn: internal error: ${(e as Error)?.stack ?? e}\n`);
    return 1;
  }
}

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
