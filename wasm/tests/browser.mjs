// Real-browser test of the booth page (run by scripts/test-browser).
//
// Serves wasm/ on 127.0.0.1, drives headless Chromium (Debian's /usr/bin/chromium,
// OSTRACON_CHROMIUM to override) with playwright-core: loads the demo election, tries an
// invalid choice (the error names the contest), fills the ballot, encrypts, reads the
// tracking code (the worker encrypted from the precomputation it made while the ballot
// was shown), challenges (a second wasm instance verifies the opening and the
// revealed choices), encrypts again and casts. Screenshots go to target/artifacts/
// (booth-challenge.png, booth.png); the encryption benchmark measured from the page to
// target/artifacts/wasm-bench-browser.json. Ends with "N passed, N failed".

import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { serve } from "../www/serve.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const artifacts = path.join(root, "target/artifacts");
fs.mkdirSync(artifacts, { recursive: true });
const executablePath = process.env.OSTRACON_CHROMIUM ?? "/usr/bin/chromium";

let passed = 0;
let failed = 0;
async function step(name, fn) {
  const t0 = Date.now();
  try {
    await fn();
    passed++;
    console.log(`ok   ${name} (${Date.now() - t0} ms)`);
  } catch (e) {
    failed++;
    console.log(`FAIL ${name}: ${e?.stack ?? e}`);
  }
}
function check(cond, msg) {
  if (!cond) throw new Error(msg);
}

const server = await serve(0);
const base = `http://127.0.0.1:${server.address().port}`;
const profile = fs.mkdtempSync(path.join(os.tmpdir(), "ostracon-chromium-"));
const context = await chromium.launchPersistentContext(profile, {
  executablePath,
  headless: true,
  viewport: { width: 900, height: 1200 },
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
  ],
});
const page = context.pages()[0] ?? (await context.newPage());
const pageErrors = [];
page.on("pageerror", (e) => pageErrors.push(e.message));
page.on("console", (m) => m.type() === "error" && pageErrors.push(m.text()));

try {
  await step("the booth loads the election in a worker", async () => {
    await page.goto(`${base}/www/`);
    await page.evaluate(() => window.booth.ready);
    const contests = await page.locator("fieldset").count();
    check(contests === 8, `expected 8 contests, got ${contests}`);
    check(/demo-2026/.test(await page.textContent("#base-hash")), "election id shown");
  });

  // Every input triggers a live check in the worker; wait for it before the next action.
  const settle = () => page.evaluate(() => window.booth.settled());
  const tick = async (selector, on = true) => {
    await (on ? page.check(selector) : page.uncheck(selector));
    await settle();
  };
  const type = async (name, nth, value) => {
    await page.locator(`input[name="${name}"]`).nth(nth).fill(value);
    await page.locator(`input[name="${name}"]`).nth(nth).dispatchEvent("change");
    await settle();
  };

  await step("an invalid choice is refused with a message naming the contest", async () => {
    await tick('input[name="chair"][value="grace"]');
    await tick('input[name="motion"][value="yes"]');
    check(!(await page.isDisabled("#encrypt")), "a valid choice enables encrypt");
    for (const o of ["alan", "donald", "frances", "john"]) await tick(`input[name="board"][value="${o}"]`);
    await page.waitForSelector('fieldset[data-contest="board"].invalid');
    const msg = await page.textContent('fieldset[data-contest="board"] .contest-error');
    check(/contest 'board'.*selections must total between 0 and 3/.test(msg), msg);
    check(await page.isDisabled("#encrypt"), "encrypt must be disabled");
    for (const o of ["donald", "frances", "john"]) await tick(`input[name="board"][value="${o}"]`, false);
    check(!(await page.isDisabled("#encrypt")), "encrypt enabled again");
    // A ranking that names one candidate twice is refused too.
    await rank("president", 0, "Knuth");
    await rank("president", 1, "Knuth");
    await page.waitForSelector('fieldset[data-contest="president"].invalid');
    const ranked = await page.textContent('fieldset[data-contest="president"] .contest-error');
    check(/ranked twice/.test(ranked), ranked);
    await rank("president", 1, "—");
    check(!(await page.isDisabled("#encrypt")), "encrypt enabled after fixing the ranking");
  });

  async function rank(contest, nth, label) {
    await page.locator(`select[name="${contest}"]`).nth(nth).selectOption({ label });
    await settle();
  }

  const fill = async () => {
    await tick('input[name="chair"][value="grace"]');
    for (const o of ["alan", "karen", "tony"]) await tick(`input[name="board"][value="${o}"]`);
    await type("budget", 0, "2");
    await type("budget", 2, "4");
    await type("projects", 0, "7");
    await type("projects", 1, "3");
    await tick('input[name="motion"][value="yes"]');
    await rank("president", 0, "Knuth");
    await rank("president", 1, "Hopper");
    await rank("council-stv", 0, "Noether");
    await page.locator('input[name="mascot"]').fill("Zoë");
    await page.locator('input[name="mascot"]').dispatchEvent("change");
    await settle();
    check(!(await page.isDisabled("#encrypt")), "encrypt enabled");
  };

  let firstCode = "";
  await step("fill the ballot, encrypt, show the tracking code", async () => {
    await fill();
    await page.click("#encrypt");
    await page.waitForSelector("#receipt:not([hidden])");
    firstCode = (await page.textContent("#tracking-code")).trim();
    check(/^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$/.test(firstCode), `code ${firstCode}`);
    check(/^[0-9a-f]{64}$/.test((await page.textContent("#tracking-code-hex")).trim()), "hex code");
    const info = await page.textContent("#ballot-info");
    check(/\(precomputed in [0-9.]+ ms while the ballot was shown\)/.test(info), `not from a precomputation: ${info}`);
  });

  await step("challenge: the second device verifies the opening and shows the choices", async () => {
    await page.click("#challenge");
    await page.waitForSelector("#challenge-status.ok, #challenge-status.bad");
    const status = await page.textContent("#challenge-status");
    check(status.startsWith("Challenge verified") && status.includes(firstCode), status);
    const rows = await page.$$eval("#challenge-choices tr", (trs) => trs.map((tr) => tr.innerText));
    const text = rows.join("\n");
    for (const want of ["Grace", "Alan, Karen, Tony", "Housing: 2", "Parks: 4", "Library: 7", "Bridge: 3", "Yes", "Knuth > Hopper", "Noether", "Zoë"]) {
      check(text.includes(want), `revealed choices lack '${want}':\n${text}`);
    }
    const opening = JSON.parse(await page.textContent("#opening-json"));
    check(/^[0-9a-f]{64}$/.test(opening.master_nonce), "opening JSON shown");
    await page.screenshot({ path: path.join(artifacts, "booth-challenge.png"), fullPage: true });
  });

  await step("encrypt again and cast: accepted by the ballot-box check", async () => {
    await page.click("#again");
    await page.waitForFunction(() => !document.querySelector("#encrypt").disabled);
    await page.click("#encrypt");
    await page.waitForSelector("#receipt:not([hidden])");
    const code = (await page.textContent("#tracking-code")).trim();
    check(code !== firstCode, "a new ballot has a new tracking code");
    const info = await page.textContent("#ballot-info");
    check(/\(precomputed in [0-9.]+ ms/.test(info), `the next ballot was not precomputed: ${info}`);
    await page.click("#cast");
    await page.waitForSelector("#cast-status.ok, #cast-status.bad");
    const status = await page.textContent("#cast-status");
    check(status.startsWith("Cast:") && status.includes(code), status);
    await page.screenshot({ path: path.join(artifacts, "booth.png"), fullPage: true });
  });

  await step("benchmark from the page: 10-option approval ballot, main thread stays responsive", async () => {
    const r = await page.evaluate(async () => {
      // While the worker encrypts, the main thread keeps running timers: measure their lag.
      let maxLag = 0;
      let last = performance.now();
      const timer = setInterval(() => {
        const now = performance.now();
        maxLag = Math.max(maxLag, now - last - 10);
        last = now;
      }, 10);
      const b = await window.booth.bench(50);
      clearInterval(timer);
      return { ...b, mainThreadMaxLagMs: maxLag, userAgent: navigator.userAgent };
    });
    const round = (s) => ({ ...s, times: s.times.map((t) => +t.toFixed(3)) });
    const out = { ...round(r), precompute: round(r.precompute), precomputed: round(r.precomputed) };
    fs.writeFileSync(path.join(artifacts, "wasm-bench-browser.json"), JSON.stringify(out, null, 2));
    console.log(
      `     chromium: encrypt median ${r.median.toFixed(2)} ms (min ${r.min.toFixed(2)}, max ${r.max.toFixed(2)}, n ${r.n}); ` +
        `precomputed: encrypt median ${r.precomputed.median.toFixed(2)} ms after ${r.precompute.median.toFixed(2)} ms ahead; ` +
        `main-thread timer lag max ${r.mainThreadMaxLagMs.toFixed(1)} ms; ${r.userAgent}`,
    );
    check(r.n === 50 && r.median > 0 && r.precomputed.n === 50, "benchmark ran");
    check(r.precomputed.median < r.median, "encrypting a precomputed ballot must take less time than online");
  });

  await step("no errors in the page", async () => {
    check(pageErrors.length === 0, pageErrors.join("\n"));
  });
} finally {
  await context.close();
  server.close();
  fs.rmSync(profile, { recursive: true, force: true });
}

console.log(`screenshots: ${path.relative(root, artifacts)}/booth.png, booth-challenge.png`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
