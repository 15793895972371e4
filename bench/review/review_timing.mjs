#!/usr/bin/env node
// Times `modir review` in a real browser on a result folder: how long the page takes to show
// its first volumes, and how long each front solution takes to appear when clicked (first view:
// the server computes it from the solution's transform). Also times `modir report` on the folder.
// Targets (issue 16): a medium registration opens in <= 3 s, a front of 12 in <= 5 s, a
// solution switch <= 1 s; report.html <= 15 MB and <= 20 s.
//
//   node bench/review/review_timing.mjs FOLDER [--modir build/release/apps/modir/modir]
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
// playwright-core as web/package-lock.json installs it (scripts/setup).
const { chromium } = await import(new URL("../../web/node_modules/playwright-core/index.mjs", import.meta.url));

const args = process.argv.slice(2);
const folder = args[0];
const modir = args.includes("--modir") ? args[args.indexOf("--modir") + 1] : "build/release/apps/modir/modir";
if (!folder) { console.error("usage: review_timing.mjs FOLDER [--modir PATH]"); process.exit(2); }

const server = spawn(modir, ["review", folder, "--no-open"]);
const url = await new Promise((resolve, reject) => {
  let out = "";
  server.stdout.on("data", (d) => { out += d; const m = out.match(/http:\/\/\S+/); if (m) resolve(m[0]); });
  server.on("exit", (c) => reject(new Error(`modir review ended with ${c}`)));
});
const browser = await chromium.launch({
  executablePath: process.env.MODIR_CHROMIUM || "/usr/bin/chromium", headless: true,
  args: ["--no-sandbox", "--use-angle=swiftshader", "--enable-unsafe-swiftshader",
         "--disable-background-networking", "--disable-component-update", "--no-first-run"],
});
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 820 } });
  let t = Date.now();
  await page.goto(url);
  await page.waitForFunction(() => document.body.dataset.ready, null, { timeout: 120000 });
  const open = (Date.now() - t) / 1000;
  const manifest = await page.evaluate(() => window.modirReview.state.manifest);
  const n = manifest.front ? manifest.front.solutions.length : 0;
  console.log(`${manifest.kind}${n ? ` of ${n}` : ""}: page ready in ${open.toFixed(2)} s`);
  const switches = [];
  for (let k = 0; k < n; ++k) {
    t = Date.now();
    await page.locator(`#plot circle[data-solution="${k}"]`).click();
    await page.waitForFunction((s) => JSON.parse(document.body.dataset.shown || "{}").solution === s, k,
                               { timeout: 120000 });
    switches.push((Date.now() - t) / 1000);
  }
  if (n) {
    const again = Date.now();
    await page.locator(`#plot circle[data-solution="0"]`).click();
    await page.waitForFunction(() => JSON.parse(document.body.dataset.shown).solution === 0);
    const mean = switches.reduce((a, b) => a + b, 0) / n;
    const inPage = (await page.evaluate(() => window.modirReview.switches)).slice(0, n).map((t) => t.seconds);
    const split = (await page.evaluate(() => window.modirReview.timings)).slice(-n - 1, -1);
    console.log(`in the page, click to drawn: mean ${(inPage.reduce((a, b) => a + b, 0) / n).toFixed(2)} s, ` +
                `worst ${Math.max(...inPage).toFixed(2)} s (${inPage.map((s) => s.toFixed(2)).join(" ")})`);
    console.log(`  of which fetching and parsing: ${split.map((t) => t.fetch_s.toFixed(2)).join(" ")}`);
    console.log(`  of which uploading and drawing: ${split.map((t) => t.draw_s.toFixed(2)).join(" ")}`);
    console.log(`solution switch, first view, as Playwright clicks and polls: mean ${mean.toFixed(2)} s, worst ${Math.max(...switches).toFixed(2)} s` +
                ` (${switches.map((s) => s.toFixed(2)).join(" ")}); back to one seen before: ${((Date.now() - again) / 1000).toFixed(2)} s`);
  }
} finally {
  await browser.close();
  server.kill("SIGINT");
}
const report = path.join(os.tmpdir(), `modir-bench-report-${process.pid}.html`);
const t = Date.now();
const run = spawnSync(modir, ["report", folder, "--out", report], { encoding: "utf8" });
if (run.status !== 0) { console.error(run.stderr); process.exit(1); }
console.log(`report.html: ${(fs.statSync(report).size / 1e6).toFixed(1)} MB in ${((Date.now() - t) / 1000).toFixed(1)} s`);
fs.rmSync(report);
