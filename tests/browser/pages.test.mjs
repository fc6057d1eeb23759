// Browser tests: Debian's chromium, driven by playwright-core, against a running server
// (BASE_URL). Run by scripts/browser-test.sh (so by scripts/test.sh and .ci/run).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, mkdirSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { createRequire } from "node:module";
import { chromium } from "playwright-core";

const require = createRequire(import.meta.url);
const BASE = process.env.BASE_URL;
const SHOTS = process.env.SCREENSHOT_DIR || "../../target/screenshots";
const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
const AXE = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
assert.ok(BASE, "BASE_URL is required");
mkdirSync(SHOTS, { recursive: true });

let browser;
let agencyId;

before(async () => {
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
      "--disable-component-update", "--disable-sync", "--no-first-run"],
  });
  const list = await (await fetch(`${BASE}/partnerships?limit=1`)).json();
  agencyId = list.data[0].agency.id;
});

after(async () => { await browser?.close(); });

const api = async (path) => (await fetch(BASE + path, { headers: { Accept: "application/json" } })).json();
const total = async (query) => (await api(`/partnerships?count=true&limit=1${query}`)).total;

// A page with every request and console message watched.
async function open(path, width, opts = {}) {
  const context = await browser.newContext({ viewport: { width, height: 900 }, ...opts });
  const page = await context.newPage();
  const foreign = [];
  const errors = [];
  page.on("request", (r) => { if (!r.url().startsWith(BASE) && !r.url().startsWith("data:") && !r.url().startsWith("about:")) foreign.push(r.url()); });
  page.on("console", (m) => { if (m.type() === "error") errors.push(`${m.text()} ${m.location()?.url || ""}`); });
  page.on("pageerror", (e) => errors.push(String(e)));
  const resp = await page.goto(BASE + path, { waitUntil: "load" });
  return { context, page, resp, foreign, errors };
}

const PAGES = () => [
  ["home", "/"],
  ["agency", `/agencies/${agencyId}`],
  ["embed-map", "/embed/map"],
  ["embed-table", "/embed/table?state=WI"],
  ["embed-count", "/embed/count"],
];

test("screenshots at 1280 and 320 px, no foreign request, no console error", async () => {
  for (const [name, path] of PAGES()) {
    for (const width of [1280, 320]) {
      const { context, page, resp, foreign, errors } = await open(path, width, { extraHTTPHeaders: { Accept: "text/html" } });
      assert.equal(resp.status(), 200, path);
      await page.screenshot({ path: `${SHOTS}/${name}-${width}.png`, fullPage: !name.startsWith("home") });
      assert.deepEqual(foreign, [], `${path}: requests to other origins`);
      assert.deepEqual(errors, [], `${path}: console errors`);
      // Nothing wider than the viewport at 320 px but the scrollable tables.
      if (width === 320) {
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth);
        assert.ok(overflow <= 330, `${path} at 320px is ${overflow}px wide`);
      }
      await context.close();
    }
  }
});

test("the map's markers equal the API's count, and the slider moves it to active_on's", async () => {
  const { context, page } = await open("/", 1280);
  const all = await total("");
  const unplaced = Number(await page.getAttribute("#national", "data-unplaced"));
  const drawn = await page.locator("#national svg.map g.mk circle").count();
  assert.equal(drawn + unplaced, all);
  const shown = async () => page.locator("#national svg.map g.mk circle:not(.off)").count();
  assert.equal(await shown(), drawn);
  const slider = page.locator("#national-day");
  assert.ok(await slider.isVisible(), "the slider shows with script");
  const first = await slider.getAttribute("data-first");
  for (const step of [6, 18, 30]) {
    await slider.evaluate((el, v) => { el.value = String(v); el.dispatchEvent(new Event("input")); }, step);
    const day = await page.getAttribute("#national", "data-day");
    assert.ok(day, `a day for step ${step} from ${first}`);
    const expected = await total(`&active_on=${day}`) - (unplaced ? await unplacedOn(day) : 0);
    assert.equal(await shown(), expected, `markers on ${day}`);
    assert.equal(await page.textContent("#national .shown"), String(await shown()));
  }
  // Keyboard: a marker takes focus and shows its details.
  await page.keyboard.press("Tab");
  await page.locator("#national svg.map g.mk a").first().focus();
  assert.notEqual((await page.textContent("#national .detail")).trim(), "");
  await context.close();
});

// Partnerships active on `day` that the map cannot place (no position), over every page.
async function unplacedOn(day) {
  let n = 0;
  let body = await api(`/partnerships?limit=1000&active_on=${day}`);
  for (;;) {
    n += body.data.filter((p) => p.agency.latitude == null || p.agency.longitude == null).length;
    if (!body.next) return n;
    body = await api(`/partnerships?limit=1000&active_on=${day}&cursor=${encodeURIComponent(body.next)}`);
  }
}

test("/docs renders the served spec with Swagger UI: every operation, no foreign request, no console error", async () => {
  const { context, page, resp, foreign, errors } = await open("/docs", 1280);
  assert.equal(resp.status(), 200);
  await page.waitForSelector(".opblock", { timeout: 20000 });
  const spec = await (await fetch(`${BASE}/openapi.json`)).json();
  let operations = 0;
  for (const methods of Object.values(spec.paths)) {
    for (const [m, op] of Object.entries(methods)) {
      if (["get", "post", "put", "patch", "delete"].includes(m)) operations += Math.max(1, (op.tags || []).length);
    }
  }
  // Swagger UI draws one block an operation under each of its tags.
  await page.waitForFunction((n) => document.querySelectorAll(".opblock").length >= n, operations, { timeout: 20000 });
  assert.equal(await page.locator(".opblock").count(), operations);
  const title = await page.locator(".info .title").first().textContent();
  assert.ok(title.includes(spec.info.title), `title: ${title}`);
  await page.screenshot({ path: `${SHOTS}/docs-1280.png` });
  assert.deepEqual(foreign, [], "requests to other origins");
  assert.deepEqual(errors, [], "console errors (a CSP refusal shows here)");
  await context.close();
});

test("an embed reports its height by the pym.js protocol and a plain postMessage", async () => {
  // The host page is the test's own harness: its listener is added by evaluation.
  const context = await browser.newContext({ viewport: { width: 320, height: 800 }, bypassCSP: true });
  const page = await context.newPage();
  await page.goto(`${BASE}/embed/count`); // an origin for the host page
  await page.evaluate((src) => {
    window.msgs = [];
    window.addEventListener("message", (e) => window.msgs.push(e.data));
    const f = document.createElement("iframe");
    f.src = src;
    f.width = "300";
    document.body.appendChild(f);
  }, `${BASE}/embed/map?childId=story-map&initialWidth=300`);
  await page.waitForFunction(() => window.msgs.some((m) => typeof m === "string" && m.startsWith("pymxPYMxstory-mapxPYMxheightxPYMx")), null, { timeout: 10000 });
  const msgs = await page.evaluate(() => window.msgs);
  const pym = msgs.find((m) => typeof m === "string");
  const height = Number(pym.split("xPYMx")[3]);
  assert.ok(height > 150 && height < 3000, `height ${height}`);
  assert.ok(msgs.some((m) => m && m.type === "ring-partnerships:height" && m.height > 150));
  await context.close();
});

test("axe-core finds no serious or critical violation", async () => {
  for (const [name, path] of PAGES()) {
    const { context, page } = await open(path, 1280, { bypassCSP: true });
    await page.addScriptTag({ content: AXE });
    const result = await page.evaluate(async () => await window.axe.run(document, { resultTypes: ["violations"] }));
    const bad = result.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
    assert.deepEqual(bad.map((v) => `${v.id}: ${v.help} (${v.nodes.length}) e.g. ${v.nodes[0]?.html?.slice(0, 120)}`), [], `${name}`);
    await context.close();
  }
});

test("every link on the pages resolves", async () => {
  const seen = new Set();
  for (const [, path] of [...PAGES(), ["changes", "/changes"], ["program", "/programs/ring-neighbors-public-safety-service"]]) {
    const { context, page } = await open(path, 1280);
    const hrefs = await page.evaluate(() => Array.from(document.querySelectorAll("a[href], link[href]"), (a) => new URL(a.getAttribute("href"), location.href).href));
    await context.close();
    for (const h of hrefs) {
      if (!h.startsWith(BASE) || seen.has(h)) continue;
      seen.add(h);
    }
  }
  // Every distinct link: each agency page the national map and table link, every
  // partnership, program and source they link, the downloads and the docs.
  const bad = [];
  const queue = Array.from(seen);
  await Promise.all(Array.from({ length: 8 }, async () => {
    while (queue.length) {
      const h = queue.pop();
      const r = await fetch(h, { headers: { Accept: "text/html" } });
      if (r.status !== 200) bad.push(`${r.status} ${h}`);
      await r.arrayBuffer();
    }
  }));
  assert.ok(seen.size > 20, `${seen.size} links`);
  assert.deepEqual(bad, []);
});

test("pages stay within their byte budgets, compressed, assets included", async () => {
  const get = async (path) => Buffer.from(await (await fetch(BASE + path, { headers: { Accept: "text/html" } })).arrayBuffer());
  const home = await get("/");
  const assets = [...home.toString().matchAll(/(?:href|src)="(\/assets\/[^"]+)"/g)].map((m) => m[1]);
  let assetBytes = 0;
  for (const a of assets) assetBytes += gzipSync(await get(a)).length;
  const budget = async (path, limit) => {
    const size = gzipSync(await get(path)).length + assetBytes;
    console.log(`budget ${path}: ${size} bytes gzip (limit ${limit})`);
    assert.ok(size <= limit, `${path}: ${size} > ${limit}`);
  };
  await budget("/", 300 * 1024);
  await budget(`/agencies/${agencyId}`, 60 * 1024);
  await budget("/embed/map", 150 * 1024);
  await budget("/embed/table", 150 * 1024);
  await budget("/embed/count", 150 * 1024);
});
