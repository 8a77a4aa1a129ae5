import cliProgress from "cli-progress";

/**
 * A progress bar on stderr for work that may take over a second: shown only on a terminal, and only once
 * the work has run for `delayMs`, so quick commands and pipes stay clean. Returns the callback and a stop.
 */
export function progressBar(label: string, delayMs = 1000): { update: (done: number, total: number) => void; stop: () => void } {
  const start = Date.now();
  let bar: cliProgress.SingleBar | undefined;
  const enabled = Boolean(process.stderr.isTTY) && !process.env.CI;
  return {
    update(done, total) {
      if (!enabled) return;
      if (!bar) {
        if (Date.now() - start < delayMs) return;
        bar = new cliProgress.SingleBar(
          { format: `${label} [{bar}] {percentage}% | {value}/{total} | eta {eta_formatted}`, stream: process.stderr, hideCursor: true },
          cliProgress.Presets.shades_classic,
        );
        bar.start(total, done);
      }
      bar.setTotal(total);
      bar.update(done);
    },
    stop() {
      bar?.stop();
    },
  };
}
