import { expect, test } from "@playwright/test";
import { hydrated, signIn, unique } from "./helpers";

test("a responder declares an incident, moves it to resolved and reads the timeline", async ({ page }) => {
  await signIn(page, "Ada Responder");
  await hydrated(page);
  await page.getByRole("navigation").getByRole("link", { name: "Declare incident" }).click();
  await expect(page.getByRole("heading", { name: "Declare an incident" })).toBeVisible();

  // A start time in the future is refused next to its field, and the form keeps what was typed.
  const title = unique("Push campaigns failing");
  await page.getByLabel("Title").fill(title);
  await page.getByLabel("Services affected").fill("push-api, scheduler");
  await page.getByLabel(/SEV1/).check();
  await page.getByLabel("Started at").fill("2999-01-01T10:00");
  await page.getByLabel("Summary").fill("Sends time out for every customer.");
  await page.getByRole("button", { name: "Declare incident" }).click();
  await expect(page.locator("#started_at-error")).toHaveText("The start time is in the future.");
  await expect(page.getByLabel("Title")).toHaveValue(title);

  await page.getByLabel("Started at").fill("");
  await page.getByRole("button", { name: "Declare incident" }).click();
  await expect(page).toHaveURL(/\/incidents\/\d+$/);
  await expect(page.getByRole("heading", { name: title })).toBeVisible();
  await expect(page.locator(".event")).toHaveCount(1);
  await expect(page.locator(".event").first()).toContainText("@Ada Responder declared the incident as SEV1");

  // Status changes go through the server function and update the page in place.
  await hydrated(page);
  for (const [value, label] of [["identified", "Identified"], ["monitoring", "Monitoring"], ["resolved", "Resolved"]]) {
    await page.locator("#status-form select").selectOption(value);
    await page.getByRole("button", { name: "Update status" }).click();
    await expect(page.locator(".incident-head .status")).toHaveText(label);
  }
  await page.locator("#severity-form select").selectOption("SEV2");
  await page.getByRole("button", { name: "Change severity" }).click();
  await expect(page.locator(".incident-head .sev")).toHaveText("SEV2");

  const events = page.locator(".event");
  await expect(events).toHaveCount(5);
  await expect(events.nth(1)).toContainText("changed status from Investigating to Identified");
  await expect(events.nth(3)).toContainText("changed status from Monitoring to Resolved");
  await expect(events.nth(4)).toContainText("lowered severity from SEV1 to SEV2");
  await expect(events.nth(4)).toHaveText(/^\[\d{4}-\d\d-\d\d \d\d:\d\d .+\] — @Ada Responder lowered severity/);
  await expect(page.getByText("Ongoing")).toHaveCount(0);

  // The timeline filter runs only in the browser: it proves the page hydrated.
  await page.getByRole("button", { name: "Severity changes" }).click();
  await expect(page.locator(".event:visible")).toHaveCount(1);
  await page.getByRole("button", { name: "Everything" }).click();
  await expect(page.locator(".event:visible")).toHaveCount(5);

  // The dashboard lists it among the resolved ones.
  await page.getByRole("link", { name: "Dashboard" }).click();
  await expect(page.locator("#resolved-incidents")).toContainText(title);
});

test("forms work before the page hydrates (JavaScript off)", async ({ browser, baseURL }) => {
  const context = await browser.newContext({ javaScriptEnabled: false, baseURL });
  const page = await context.newPage();
  await signIn(page, "Nora NoScript");
  await page.goto("/incidents/new");
  await page.getByLabel("Title").fill(unique("Checkout slow"));
  await page.getByLabel("Services affected").fill("checkout");
  await page.getByLabel("Started at").fill("2999-01-01T10:00");
  await page.getByRole("button", { name: "Declare incident" }).click();
  await expect(page.locator("#started_at-error")).toHaveText("The start time is in the future.");

  const title = unique("Checkout slow");
  await page.getByLabel("Title").fill(title);
  await page.getByLabel("Services affected").fill("checkout");
  await page.getByRole("button", { name: "Declare incident" }).click();
  await expect(page).toHaveURL(/\/incidents\/\d+$/);
  await page.locator("#status-form select").selectOption("identified");
  await page.getByRole("button", { name: "Update status" }).click();
  await expect(page.locator(".incident-head .status")).toHaveText("Identified");
  await expect(page.locator(".event").nth(1)).toContainText("changed status from Investigating to Identified");
  await context.close();
});

test("a viewer sees incidents but no controls, and an unknown incident is a 404 page", async ({ page }) => {
  await signIn(page, "Vera Viewer", "viewer");
  await hydrated(page);
  await expect(page.getByRole("link", { name: "Declare incident" })).toHaveCount(0);
  const response = await page.goto("/incidents/987654");
  expect(response?.status()).toBe(404);
  await expect(page.getByRole("heading", { name: "Not found" })).toBeVisible();
});
