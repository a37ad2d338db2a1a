import { expect, type Browser, type Page } from "@playwright/test";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** Waits until the WASM bundle has hydrated the page (App marks `body[data-hydrated]`). */
export async function hydrated(page: Page) {
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
}

/** Signs in with the development login; returns on the role's home (the status view for viewers). */
export async function signIn(page: Page, name: string, role: "admin" | "responder" | "viewer" = "responder") {
  await page.goto("/");
  await expect(page).toHaveURL(/\/login$/);
  await page.getByLabel("Name").fill(name);
  await page.getByLabel("Email").fill(`${name.toLowerCase().replace(/\s+/g, ".")}@example.com`);
  await page.getByLabel("Role").selectOption(role);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(role === "viewer" ? /\/status$/ : /\/$/);
}

export function unique(label: string) {
  return `${label} ${Date.now().toString(36)}`;
}

/**
 * Signs in through "Sign in with Google": the app sends the browser to the local OpenID
 * Connect provider, which sends it straight back. `email` picks the account (passed on
 * as `login_hint`, which the test provider honours).
 */
export async function signInWithGoogle(page: Page, email: string) {
  await page.route("**/auth/login", (route) => {
    const url = new URL(route.request().url());
    url.searchParams.set("login_hint", email);
    return route.continue({ url: url.toString() });
  });
  await page.goto("/login");
  await page.getByRole("link", { name: "Sign in with Google" }).click();
  await page.waitForURL((url) => !url.pathname.startsWith("/auth/"));
  await page.unroute("**/auth/login");
}

/** Waits until the page follows the live stream (the "Live" badge). */
export async function live(page: Page) {
  await hydrated(page);
  await expect(page.locator("#live-status")).toHaveAttribute("data-state", "live");
}

/**
 * Adds an alert source through the admin page, in a browser context of its own, and
 * returns the webhook URL it shows once.
 */
export async function addSource(browser: Browser, baseURL: string | undefined, name: string, service: string, kind = "generic") {
  const context = await browser.newContext({ baseURL });
  const page = await context.newPage();
  await signIn(page, "Ada Admin", "admin");
  await page.goto("/admin/sources");
  await hydrated(page);
  const form = page.locator("#add-source-form");
  await form.getByLabel("Kind").selectOption(kind);
  await form.getByLabel("Name", { exact: true }).fill(name);
  await form.getByLabel("Default service").fill(service);
  await form.getByRole("button", { name: "Add source" }).click();
  const url = await page.locator("#issued-url").inputValue();
  await expect(page.locator(`tr.source-row[data-source="${name}"]`)).toBeVisible();
  await context.close();
  return url;
}

/** Posts an alert as a monitoring tool would: no browser, no cookies. */
export async function deliver(url: string, alert: object) {
  const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(alert) });
  expect(res.status, await res.clone().text()).toBe(200);
  return res.json();
}

/** A message the test SMTP server received: its headers (unfolded) and raw text. */
export type Mail = { headers: Record<string, string>; raw: string };

function received(): Mail[] {
  const dir = join(tmpdir(), `stormwatch-e2e-mail-${process.env.E2E_RUN_ID}`, "new");
  if (!existsSync(dir)) return [];
  return readdirSync(dir).map((name) => {
    const raw = readFileSync(join(dir, name), "utf8");
    const head = raw.split(/\r?\n\r?\n/)[0].replace(/\r?\n[ \t]+/g, " ");
    const headers: Record<string, string> = {};
    for (const line of head.split(/\r?\n/)) {
      const colon = line.indexOf(":");
      if (colon > 0) headers[line.slice(0, colon).toLowerCase()] ??= line.slice(colon + 1).trim();
    }
    return { headers, raw };
  });
}

/** Waits for the message with this subject to arrive at the test SMTP server. */
export async function mailWithSubject(subject: string): Promise<Mail> {
  let found: Mail | undefined;
  await expect
    .poll(() => (found = received().find((m) => m.headers["subject"] === subject)) !== undefined, { timeout: 15_000 })
    .toBe(true);
  return found!;
}

/** A browser of its own, signed in as `name`. */
export async function openAs(browser: Browser, baseURL: string | undefined, name: string, role: "responder" | "viewer" = "responder") {
  const context = await browser.newContext({ baseURL });
  const page = await context.newPage();
  page.on("pageerror", (error) => console.log(`[${name}] page error: ${error.message}`));
  await signIn(page, name, role);
  return page;
}

/** Declares an incident, posts `messages` in its channel; returns its number. */
export async function incidentWith(page: Page, messages: string[]) {
  await page.goto("/incidents/new");
  await hydrated(page);
  await page.getByLabel("Title").fill(unique("Push delays"));
  await page.getByLabel("Services affected").fill("push-api");
  await page.getByRole("button", { name: "Declare incident" }).click();
  await expect(page).toHaveURL(/\/incidents\/\d+$/);
  await live(page);
  for (const message of messages) {
    await page.getByLabel("Message").fill(message);
    await page.getByRole("button", { name: "Post to the channel" }).click();
    await expect(page.locator(".event-message").last()).toContainText(message);
  }
  return Number(page.url().split("/").pop());
}

/** From the incident page: "Start postmortem", then the editor. */
export async function startPostmortem(page: Page, number: number) {
  await page.locator("#open-postmortem").click();
  await expect(page).toHaveURL(new RegExp(`/incidents/${number}/postmortem$`));
  await hydrated(page);
  await page.locator("#start-postmortem").click();
  await expect(page.locator("#postmortem-status")).toHaveText("Draft");
  await live(page);
}
