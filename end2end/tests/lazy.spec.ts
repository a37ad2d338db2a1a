import { test, expect } from "@playwright/test";
import { hydrated, live, signIn, unique } from "./helpers";

// The lazily loaded pages (their code a WASM chunk of its own) reached by client-side
// navigation, not by a visit: each one loads its chunk then, and works once it has.
test("lazily loaded pages load their code when navigated to, and work", async ({ page }) => {
  await signIn(page, "Ada Admin", "admin");
  await hydrated(page);
  const chunks: string[] = [];
  page.on("request", (r) => {
    const m = r.url().match(/\/pkg\/split___(\w+?)_route_view/);
    if (m) chunks.push(m[1]);
  });
  const nav = page.getByRole("navigation");

  await nav.getByRole("link", { name: "Alert sources" }).click();
  await expect(page.getByRole("heading", { name: "Alert sources" })).toBeVisible();
  const form = page.locator("#add-source-form");
  const name = unique("Lazy source");
  await form.getByLabel("Kind").selectOption("generic");
  await form.getByLabel("Name", { exact: true }).fill(name);
  await form.getByRole("button", { name: "Add source" }).click();
  await expect(page.locator("#issued-url")).toHaveValue(/\/webhooks\//);

  await nav.getByRole("link", { name: "Users" }).click();
  await expect(page.getByRole("heading", { name: "Users" })).toBeVisible();
  await expect(page.locator("body")).toContainText("ada.admin@example.com");

  // The business calendar is in the admin's chunk too (not the postmortem's): opened by
  // a visit, it hydrates from the chunk already loaded and saves.
  await page.goto("/admin/calendar");
  await hydrated(page);
  await expect(page.getByRole("heading", { name: "Business calendar" })).toBeVisible();
  await page.locator("#calendar-form").getByRole("button", { name: "Save" }).click();
  await expect(page.locator("#calendar-saved")).toHaveText("Saved.");

  await nav.getByRole("link", { name: "Status" }).click();
  await live(page);

  await nav.getByRole("link", { name: "Declare incident" }).click();
  await expect(page.getByRole("heading", { name: "Declare an incident" })).toBeVisible();
  const title = unique("Lazy incident");
  await page.getByLabel("Title").fill(title);
  await page.getByLabel("Services affected").fill("lazy-api");
  await page.getByLabel(/SEV3/).check();
  await page.getByRole("button", { name: "Declare incident" }).click();
  await expect(page.getByRole("heading", { name: title })).toBeVisible();
  await live(page);

  await page.locator("#customers-link").click();
  await expect(page.getByRole("heading", { name: "Affected customers" })).toBeVisible();
  await page.getByLabel("New Org name").fill("Acme Corp");
  await page.getByLabel("New org_id").fill("3001");
  await page.getByRole("button", { name: "Add row" }).click();
  await expect(page.locator('#customer-counts [data-count="rows"]')).toHaveText("1");

  // The admin pages share one chunk (`AdminRoute`): the users page and the calendar
  // need no new one, and none of them the postmortem's.
  expect([...new Set(chunks)].sort()).toEqual(["admin", "customers", "declare", "incident", "status"]);
});
