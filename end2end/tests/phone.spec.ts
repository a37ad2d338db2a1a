import { expect, test } from "@playwright/test";
import { hydrated, signIn, unique } from "./helpers";

// Executives read the status view on their phones; engineers get paged on theirs.
test("every page fits a 390 px phone: nothing runs off sideways, the header's links all show", async ({ browser, baseURL }) => {
  const context = await browser.newContext({ baseURL, viewport: { width: 390, height: 844 } });
  const page = await context.newPage();
  await signIn(page, "Lead Admin", "admin");
  await page.goto("/incidents/new");
  await hydrated(page);
  await page.getByLabel("Title").fill(unique("A long incident title that has to wrap on a phone screen"));
  await page.getByLabel("Services affected").fill("push-api, scheduler, campaign-delivery");
  await page.getByLabel(/SEV1/).check();
  await page.getByRole("button", { name: "Declare incident" }).click();
  await expect(page).toHaveURL(/\/incidents\/\d+$/);
  const number = page.url().split("/").pop();
  for (const path of ["/", "/status", "/incidents/new", `/incidents/${number}`, `/incidents/${number}/customers`,
                      `/incidents/${number}/email`, "/admin/users", "/admin/sources", "/admin/automation", "/admin/mail", "/incidents", "/actions", "/insights"]) {
    await page.goto(path);
    await hydrated(page);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow, `${path} scrolls sideways by ${overflow} px`).toBeLessThanOrEqual(0);
    const declare = await page.getByRole("navigation").getByRole("link", { name: "Declare incident" }).boundingBox();
    expect(declare, `${path}: "Declare incident" is shown`).not.toBeNull();
    expect(declare!.x + declare!.width, `${path}: "Declare incident" is not cut off`).toBeLessThanOrEqual(390);
  }
  await context.close();
});

test("a dark theme follows the system setting", async ({ browser, baseURL }) => {
  const luminance = async (scheme: "light" | "dark") => {
    const context = await browser.newContext({ baseURL, colorScheme: scheme });
    const page = await context.newPage();
    await signIn(page, "Vera Viewer", "viewer");
    const rgb = await page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);
    const text = await page.evaluate(() => getComputedStyle(document.querySelector("main")!).color);
    await context.close();
    const sum = (c: string) => c.match(/\d+/g)!.slice(0, 3).map(Number).reduce((a, b) => a + b, 0);
    return { background: sum(rgb), text: sum(text) };
  };
  const light = await luminance("light");
  const dark = await luminance("dark");
  expect(light.background).toBeGreaterThan(600);
  expect(dark.background).toBeLessThan(150);
  expect(dark.text).toBeGreaterThan(500);
});
