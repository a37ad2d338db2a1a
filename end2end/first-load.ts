// What a page's first load costs in Chromium: every byte the browser fetches (HTML,
// JS, WASM and its lazily loaded chunks, CSS, as sent: the site's files as their
// brotli copies, since Chromium accepts brotli even over plain http to 127.0.0.1, the
// pages gzipped per request) until the page has hydrated (`body[data-hydrated]`), with
// the cache off.
// The budget check (tests/first-load.spec.ts) and the throttled benchmark
// (bench/first-load.bench.ts) both measure through here.

import type { BrowserContext, Page } from "@playwright/test";
import { readFileSync } from "node:fs";
import { join } from "node:path";

/**
 * The budget, kept in one place: `budget.json` beside this file. `ceiling_kb` is what
 * each page may cost today (a ratchet: lower it as pages shrink, never raise it
 * without saying why); `goal_kb` is where every page is meant to be.
 */
export const budget: { goal_kb: number; ceiling_kb: Record<string, number> } = JSON.parse(
  readFileSync(join(__dirname, "budget.json"), "utf8"),
);

export type Kind = "html" | "js" | "wasm" | "css" | "other";
export type Throttle = { network: { offline: boolean; latency: number; downloadThroughput: number; uploadThroughput: number }; cpu: number };
/** `total`: bytes as sent; `raw`: the same files decoded (what the browser parses). */
export type Measurement = { path: string; bytes: Record<Kind, number>; total: number; raw: number; ms: number; files: { url: string; kind: Kind; bytes: number }[] };

/** The pages measured: every route, as a signed-in admin sees it (`:number` is an incident). */
export const pages = Object.keys(budget.ceiling_kb);

/** A page's kind of resource, by its URL. */
function kind(url: string, mime?: string): Kind {
  const path = new URL(url).pathname;
  if (path.endsWith(".wasm")) return "wasm";
  if (path.endsWith(".js")) return "js";
  if (path.endsWith(".css")) return "css";
  if (mime?.includes("html")) return "html";
  return "other";
}

/**
 * Opens `path` in a fresh page of `context` and returns what its first load fetched,
 * by kind, and how long navigation → hydrated took. `throttle` (optional) applies CDP
 * network conditions and CPU slow-down first. `repeat` measures a repeat visit instead:
 * the page opened once before (unthrottled), then again with the browser's cache as
 * that visit left it.
 */
export async function measure(context: BrowserContext, path: string, throttle?: Throttle, repeat = false): Promise<Measurement> {
  if (repeat) {
    const earlier = await context.newPage();
    await load(earlier, path);
    await earlier.close();
  }
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send("Network.enable");
  await cdp.send("Network.setCacheDisabled", { cacheDisabled: !repeat });
  if (throttle) {
    await cdp.send("Network.emulateNetworkConditions", throttle.network);
    await cdp.send("Emulation.setCPUThrottlingRate", { rate: throttle.cpu });
  }
  const requests = new Map<string, { url: string; mimeType: string; fromDiskCache?: boolean }>();
  const bytes: Record<Kind, number> = { html: 0, js: 0, wasm: 0, css: 0, other: 0 };
  const files: Measurement["files"] = [];
  const decoded = new Map<string, number>();
  let raw = 0;
  cdp.on("Network.responseReceived", (e) => requests.set(e.requestId, e.response));
  cdp.on("Network.dataReceived", (e) => decoded.set(e.requestId, (decoded.get(e.requestId) ?? 0) + e.dataLength));
  // Answered from the browser's cache without asking the server: no request, no bytes.
  const cached = new Set<string>();
  cdp.on("Network.requestServedFromCache", (e) => cached.add(e.requestId));
  cdp.on("Network.loadingFinished", (e) => {
    const response = requests.get(e.requestId);
    if (!response || response.fromDiskCache || cached.has(e.requestId)) return;
    const k = kind(response.url, response.mimeType);
    bytes[k] += e.encodedDataLength;
    raw += decoded.get(e.requestId) ?? 0;
    files.push({ url: new URL(response.url).pathname, kind: k, bytes: e.encodedDataLength });
  });
  const ms = await load(page, path);
  await page.close();
  const total = Object.values(bytes).reduce((a, b) => a + b, 0);
  return { path, bytes, total, raw, ms, files };
}

/**
 * Opens `path` in `page` and returns how long navigation → hydrated took, then lets
 * the requests the hydration started (a lazily loaded chunk) finish, so they are counted.
 */
async function load(page: Page, path: string): Promise<number> {
  const started = Date.now();
  await page.goto(path);
  await page.locator("body[data-hydrated='true']").waitFor({ state: "attached", timeout: 120_000 });
  const ms = Date.now() - started;
  await page.waitForLoadState("networkidle").catch(() => {});
  return ms;
}

/** The slow-4G phone of the performance issue: 400 ms RTT, 1.6 Mbit/s down, CPU × 4. */
export const slow4g: Throttle = {
  network: { offline: false, latency: 400, downloadThroughput: (1.6e6 / 8), uploadThroughput: (750e3 / 8) },
  cpu: 4,
};

export function kb(n: number) {
  return (n / 1024).toFixed(1);
}

/**
 * A table of measurements, one row per page; `gzipOnly` (optional, same pages in the
 * same order) adds what a browser that accepts gzip but not brotli fetches.
 */
export function table(rows: Measurement[], gzipOnly?: Measurement[]) {
  const lines = [`page                                  html     js      wasm    css     total KB${gzipOnly ? "  gzip-only KB" : ""}  raw KB`];
  rows.forEach((r, i) => {
    const gzip = gzipOnly ? kb(gzipOnly[i].total).padStart(14) : "";
    lines.push(
      `${r.path.padEnd(36)} ${kb(r.bytes.html).padStart(6)} ${kb(r.bytes.js).padStart(7)} ${kb(r.bytes.wasm).padStart(7)} ${kb(r.bytes.css).padStart(7)} ${kb(r.total).padStart(8)}${gzip} ${kb(r.raw).padStart(7)}`,
    );
  });
  return lines.join("\n");
}

/** What a browser sends that takes gzip but not brotli (nor zstd). */
export const gzipOnlyHeaders = { "accept-encoding": "gzip, deflate" };
