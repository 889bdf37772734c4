// Drives Debian's Chromium (playwright-core, no downloaded browser) through
// one scenario of the board page and prints what it saw as one JSON line on
// stdout; the Rust tests in tests/it/board/ decide what is right. Usage:
//   node board.js '{"scenario":"static"|"scale"|"live", "url": "...", ...}'
// Timings are reported, never judged here.
"use strict";
const fs = require("fs");
const os = require("os");
const path = require("path");
const { chromium } = require("playwright-core");

// Playwright adds --headless itself (headless is its default).
const FLAGS = [
  "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync",
];
const WAIT = 15000;

async function columns(page) {
  return page.$$eval("section.column", (cols) => cols.map((c) => ({
    status: c.dataset.status,
    count: c.querySelector("h2 .count").textContent,
    cards: Array.from(c.querySelectorAll("article.card")).map((a) => a.dataset.id),
  })));
}

async function visible(page) {
  return page.$$eval("article.card", (cards) => cards.map((a) => a.dataset.id).sort());
}

async function setFilter(page, id, value) {
  if (id === "search") await page.fill("#search", value);
  else if (id === "f-blocked") await page.setChecked("#f-blocked", value);
  else await page.selectOption("#" + id, value);
}

async function staticScenario(page, cfg, out) {
  const requests = [];
  page.on("request", (r) => requests.push(r.url()));
  await page.setViewportSize({ width: 1400, height: 900 });
  await page.goto(cfg.url);
  await page.waitForSelector("section.column");
  out.title = await page.title();
  out.columns = await columns(page);
  out.sprint = await page.$eval("#sprint", (e) => (e.hidden ? null : e.textContent));
  out.burndown = await page.$$eval("#sprint svg.burndown polyline.actual", (l) => l.length);
  out.handoff = await page.$eval("#handoff", (e) => (e.hidden ? null : e.textContent));
  out.blocked = await page.$$eval(".badge-blocked", (b) => b.map((e) => e.closest("article").dataset.id).sort());
  out.filters = {};
  for (const [name, id, value] of cfg.filters) {
    await setFilter(page, id, value);
    out.filters[name] = { cards: await visible(page), count: await page.textContent("#count") };
    await setFilter(page, id, id === "f-blocked" ? false : "");
  }
  out.unfiltered = await visible(page);
  await page.screenshot({ path: cfg.screenshot, fullPage: true });
  out.light_background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  await page.emulateMedia({ colorScheme: "dark" });
  out.dark_background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  await page.screenshot({ path: cfg.screenshot.replace(/\.png$/, "-dark.png"), fullPage: true });
  await page.emulateMedia({ colorScheme: "light" });
  await page.setViewportSize({ width: 375, height: 800 });
  out.narrow = await page.evaluate(() => ({
    scroll_width: document.documentElement.scrollWidth,
    column_lefts: Array.from(document.querySelectorAll("section.column")).map((c) => Math.round(c.getBoundingClientRect().left)),
  }));
  await page.screenshot({ path: cfg.screenshot.replace(/\.png$/, "-375.png"), fullPage: true });
  out.requests = requests.filter((u) => u !== cfg.url);
}

async function scaleScenario(page, cfg, out) {
  await page.setViewportSize({ width: 1400, height: 900 });
  const t0 = Date.now();
  await page.goto(cfg.url);
  await page.waitForSelector("section.column");
  out.open_ms = Date.now() - t0;
  out.first_render_ms = await page.evaluate(() => window.orchestronBoard.filterMs);
  out.cards_drawn = await page.$$eval("article.card", (c) => c.length);
  out.count = await page.textContent("#count");
  // One keystroke's work: the input event filters every carried card and
  // redraws; measured in the page, to the next frame.
  out.filter = await page.evaluate((q) => new Promise((resolve) => {
    const box = document.getElementById("search");
    const t = performance.now();
    box.value = q;
    box.dispatchEvent(new Event("input"));
    const script = performance.now() - t;
    requestAnimationFrame(() => setTimeout(() => resolve({
      script_ms: script,
      to_frame_ms: performance.now() - t,
      count: document.getElementById("count").textContent,
    }), 0));
  }), cfg.query);
}

async function waitCardIn(page, id, status) {
  await page.waitForSelector(`section.column[data-status="${status}"] article.card[data-id="${id}"]`, { timeout: WAIT });
}

async function liveScenario(page, cfg, out) {
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  await page.setViewportSize({ width: 1400, height: 900 });
  await page.goto(cfg.url);
  await page.waitForFunction(() => {
    const b = document.getElementById("live");
    return !b.hidden && b.className === "live" && window.orchestronBoard.updates > 0;
  }, null, { timeout: WAIT });
  out.columns = await columns(page);
  // A human's edit on disk shows up without a reload.
  const e = cfg.edit;
  const text = fs.readFileSync(e.path, "utf8");
  const t0 = Date.now();
  fs.writeFileSync(e.path, text.replace(e.from, e.to));
  await page.waitForFunction(([id, title]) => {
    const c = document.querySelector(`article.card[data-id="${id}"] .title`);
    return c && c.textContent === title;
  }, [e.id, e.title], { timeout: WAIT });
  out.edit_seen_ms = Date.now() - t0;
  const updates = () => page.evaluate(() => window.orchestronBoard.updates);
  // Waits for the server's push that follows a write of ours, so that the
  // next step does not race it.
  const settled = (before) =>
    page.waitForFunction((n) => window.orchestronBoard.updates > n, before, { timeout: WAIT });
  if (cfg.mid_drag) {
    // A push that arrives while a card is being dragged must not replace the
    // card under the pointer (the drop would be lost): the page holds the
    // redraw until the drag ends.
    const m = cfg.mid_drag;
    // Selectors, not handles, until the drag has started: before it, a push
    // may redraw the board at any moment.
    await page.hover(`article.card[data-id="${m.id}"]`);
    await page.mouse.down();
    const box = await page.locator(`section.column[data-status="${m.to}"]`).boundingBox();
    await page.mouse.move(box.x + box.width / 2, box.y + 40, { steps: 5 });
    const card = await page.waitForSelector(`article.card.dragging[data-id="${m.id}"]`, { timeout: WAIT });
    const before = await updates();
    const text = fs.readFileSync(m.path, "utf8");
    fs.writeFileSync(m.path, text.replace(m.from, m.to_text));
    await settled(before);
    out.mid_drag_card_kept = await card.evaluate((e) => e.isConnected);
    const moved = await updates();
    await page.mouse.move(box.x + box.width / 2, box.y + 60, { steps: 2 });
    await page.mouse.up();
    await waitCardIn(page, m.id, m.to);
    await settled(moved);
    out.mid_dragged = true;
  }
  if (cfg.drag) {
    const d = cfg.drag;
    const before = await updates();
    await page.dragAndDrop(`article.card[data-id="${d.id}"]`, `section.column[data-status="${d.to}"]`);
    await waitCardIn(page, d.id, d.to);
    await settled(before);
    out.dragged = true;
  }
  if (cfg.refuse) {
    const r = cfg.refuse;
    await page.dragAndDrop(`article.card[data-id="${r.id}"]`, `section.column[data-status="${r.to}"]`);
    await page.waitForSelector(`article.card[data-id="${r.id}"] .refusal`, { timeout: WAIT });
    out.refusal = await page.textContent(`article.card[data-id="${r.id}"] .refusal`);
    out.refused_card_status = await page.$eval(`article.card[data-id="${r.id}"]`, (a) => a.dataset.status);
  }
  out.errors = errors;
}

async function main() {
  const cfg = JSON.parse(process.argv[2]);
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), "orchestron-chromium-"));
  // A new, empty profile each run (playwright passes it as --user-data-dir).
  const browser = await chromium.launchPersistentContext(profile, {
    executablePath: cfg.chromium || "/usr/bin/chromium",
    headless: true,
    args: FLAGS,
    timeout: 60000,
  });
  const out = { scenario: cfg.scenario };
  try {
    const page = browser.pages()[0] || (await browser.newPage());
    page.setDefaultTimeout(WAIT);
    if (cfg.scenario === "static") await staticScenario(page, cfg, out);
    else if (cfg.scenario === "scale") await scaleScenario(page, cfg, out);
    else if (cfg.scenario === "live") await liveScenario(page, cfg, out);
    else throw new Error("unknown scenario " + cfg.scenario);
  } finally {
    await browser.close();
    fs.rmSync(profile, { recursive: true, force: true });
  }
  process.stdout.write(JSON.stringify(out) + "\n");
}

main().catch((e) => {
  process.stderr.write(String(e && e.stack ? e.stack : e) + "\n");
  process.exit(1);
});
