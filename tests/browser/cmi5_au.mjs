// Run a cmi5 AU in Debian's Chromium as a learner would: open the launch URL, wait until the AU has initialized
// (@xapi/cmi5: fetch URL, LMS.LaunchData, learner preferences, `initialized`), mark the content completed,
// answer the quiz (all correct), take a screenshot, terminate, and follow the returnURL.
// Usage: node cmi5_au.mjs LAUNCH_URL screenshot.png  -> prints {steps: [...], errors: [...], finalUrl, captured}
// With CAPTURE_STATEMENTS=1 the statements the AU sends are answered here (200, their ids) and printed in
// `captured` instead of reaching the LRS: every other request (fetch URL, state, profile) goes to the LMS.
import { chromium } from "playwright-core";

const [url, screenshot] = process.argv.slice(2);
const steps = [];
const errors = [];
const captured = [];
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
});
try {
  const page = await browser.newPage({ viewport: { width: 1024, height: 1100 }, locale: "ja-JP" });
  page.on("console", (message) => { if (message.type() === "error") errors.push(message.text()); });
  page.on("pageerror", (error) => errors.push(String(error)));
  page.on("response", (response) => {
    if (response.status() >= 400) errors.push(`${response.status()} ${response.request().method()} ${response.url()}`);
  });
  if (process.env.CAPTURE_STATEMENTS === "1") {
    await page.route(/\/api\/v1\/xapi\/statements/, async (route) => {
      const body = JSON.parse(route.request().postData() || "null");
      const sent = Array.isArray(body) ? body : [body];
      captured.push({ authorization: route.request().headers()["authorization"], statements: sent });
      await route.fulfill({ status: 200, contentType: "application/json",
                            body: JSON.stringify(sent.map((statement) => statement.id)) });
    });
  }
  const state = (name, value) => page.waitForSelector(`body[data-${name}="${value}"]`, { timeout: 20000 });
  await page.goto(url, { waitUntil: "load" });
  await state("state", "initialized");
  steps.push("initialized");
  await page.click("#complete");
  await state("completed", "true");
  steps.push("completed");
  await page.check('input[name="q1"][value="c"]');
  await page.check('input[name="q2"][value="a"]');
  await page.check('input[name="q3"][value="b"]');
  await page.click("#submit");
  await state("passed", "true");
  steps.push("passed");
  if (screenshot) await page.screenshot({ path: screenshot, fullPage: true });
  await Promise.all([page.waitForURL(/\/cmi5-content\/returned$/, { timeout: 20000 }), page.click("#terminate")]);
  steps.push("terminated");
  console.log(JSON.stringify({ steps, errors, finalUrl: page.url(), text: await page.textContent("h1"), captured }));
} catch (error) {
  console.log(JSON.stringify({ steps, errors: [...errors, String(error)], captured }));
} finally {
  await browser.close();
}
