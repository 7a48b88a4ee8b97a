// Open a page in Debian's Chromium, run axe-core in it, optionally save a full-page screenshot.
// Usage: node check_page.mjs URL WIDTHxHEIGHT [screenshot.png]  -> prints {violations: [...], title, lang}
import { createRequire } from "node:module";
import { chromium } from "playwright-core";

const require = createRequire(import.meta.url);
const axeSource = require("fs").readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
const [url, size, screenshot] = process.argv.slice(2);
const [width, height] = (size || "1280x900").split("x").map(Number);

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
});
try {
  const page = await browser.newPage({ viewport: { width, height }, locale: "ja-JP" });
  const response = await page.goto(url, { waitUntil: "load" });
  if (screenshot) await page.screenshot({ path: screenshot, fullPage: true });
  // The pages' CSP allows no script of their own; axe is evaluated by the browser's automation, not the page.
  await page.evaluate(axeSource);
  const result = await page.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ["violations"] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help,
                                      nodes: v.nodes.slice(0, 5).map((n) => n.target.join(" ")) }));
  });
  const info = await page.evaluate(() => ({ title: document.title, lang: document.documentElement.lang,
                                           scrollWidth: document.documentElement.scrollWidth }));
  console.log(JSON.stringify({ status: response.status(), violations: result, ...info }));
} finally {
  await browser.close();
}
