import { execSync, spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { chromium } from "playwright-core";
import { describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "..");

/** Debian's chromium (installed by .ci/run); in CI its absence is a failure, never a skip. */
function chromiumPath(): string | undefined {
  try {
    return execSync("which chromium || which chromium-browser", { encoding: "utf8" }).trim() || undefined;
  } catch {
    return undefined;
  }
}
const executablePath = chromiumPath();

describe("the report in a real browser", () => {
  it.runIf(executablePath !== undefined || process.env.CI)("opens from disk in headless Chromium with no console errors, and a screenshot is taken", async () => {
    expect(executablePath, "chromium is not installed (apt-get install -y chromium; .ci/run does this)").toBeDefined();
    const out = join(mkdtempSync(join(tmpdir(), "infodyn-browser-")), "report");
    const r = spawnSync(process.execPath, [join(root, "dist", "cli", "main.js"), "report", "examples/two-deltas-weighted.json", "--out", out], {
      cwd: root,
      encoding: "utf8",
    });
    expect(r.status, r.stderr).toBe(0);
    const browser = await chromium.launch({
      executablePath,
      args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
      const problems: string[] = [];
      page.on("console", (m) => m.type() === "error" && problems.push(m.text()));
      page.on("pageerror", (e) => problems.push(e.message));
      page.on("request", (req) => !req.url().startsWith("file:") && problems.push(`network request: ${req.url()}`));
      await page.goto(pathToFileURL(join(out, "index.html")).href);
      const figures = readdirSync(join(out, "figures")).filter((f) => f.endsWith(".svg")).length;
      expect(await page.locator("section").count()).toBe(11); // 10 and the guidance section (labelled models)
      expect(await page.locator("figure svg").count()).toBe(figures);
      const shot = join(out, "screenshot.png");
      await page.screenshot({ path: shot, fullPage: true });
      expect(statSync(shot).size).toBeGreaterThan(20_000);
      expect(problems).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
