import { expect, test, type Page } from "@playwright/test";
import { readFile } from "node:fs/promises";
import { hydrated, signIn, unique } from "./helpers";

async function declareIncident(page: Page, title: string) {
  await page.goto("/incidents/new");
  await hydrated(page);
  await page.getByLabel("Title").fill(title);
  await page.getByLabel("Services affected").fill("push-api");
  await page.getByRole("button", { name: "Declare incident" }).click();
  await expect(page).toHaveURL(/\/incidents\/\d+$/);
  return Number(new URL(page.url()).pathname.split("/").pop());
}

const rowsCount = (page: Page) => page.locator('#customer-counts [data-count="rows"]');

test("a responder pastes a block from a spreadsheet, fixes nothing, saves, edits, deletes with undo and exports", async ({ page }) => {
  await signIn(page, "Cara Customers");
  const number = await declareIncident(page, unique("Checkout failing"));
  await page.locator("#customers-link").click();
  await expect(page).toHaveURL(new RegExp(`/incidents/${number}/customers$`));
  await hydrated(page);
  await expect(page.locator("#no-customers")).toBeVisible();

  // A block as Google Sheets copies it: tab-separated, a header row, one bad row.
  const block = [
    "Org name\torg_id\tapp_id\tcampaign_id",
    "Acme Corp\t1001\tweb\tspring",
    "Globex\t1002\tios\t",
    "Initech\t1003\t\t",
    "Umbrella\tbad id\tweb\t",
  ].join("\n");
  await page.getByText("Paste or import rows").click();
  await page.locator("#paste-rows").fill(block);
  await page.getByRole("button", { name: "Preview pasted rows" }).click();
  await expect(page.locator("#preview-add")).toHaveText("3 rows will be added");
  await expect(page.locator("#preview-errors")).toContainText("Row 5");
  await expect(page.locator("#preview-errors")).toContainText("bad character");
  await page.getByRole("button", { name: "Save 3 rows" }).click();
  await expect(page.locator("#customers-message")).toHaveText("Added 3 affected customers.");
  await expect(rowsCount(page)).toHaveText("3");
  await expect(page.locator('#customer-counts [data-count="apps"]')).toHaveText("2");

  // Edit a cell in place; a bad value is caught before it is sent.
  const globex = page.locator('.customer-row[data-org-id="1002"]');
  await globex.locator(".cell.org_id .cell-value").click();
  await globex.locator(".cell.org_id input").fill("");
  await expect(globex.locator(".cell-error")).toHaveText("Missing org_id.");
  await globex.locator(".cell.org_id input").press("Escape");
  await globex.locator(".cell.note .cell-value").click();
  await globex.locator(".cell.note input").fill("biggest account");
  await globex.locator(".cell.note input").press("Enter");
  await expect(globex.locator(".cell.note .cell-value")).toHaveText("biggest account");

  // Delete one row, then take it back.
  await page.locator('.customer-row[data-org-id="1003"] input[type="checkbox"]').check();
  await page.getByRole("button", { name: "Delete selected (1)" }).click();
  await expect(rowsCount(page)).toHaveText("2");
  await page.locator("#undo-delete").getByRole("button", { name: "Undo" }).click();
  await expect(rowsCount(page)).toHaveText("3");

  // Export: a CSV with a header and the edited note.
  const downloading = page.waitForEvent("download");
  await page.locator("#export-csv").click();
  const download = await downloading;
  expect(download.suggestedFilename()).toBe(`incident-${number}-affected-customers.csv`);
  const csv = await readFile(await download.path(), "utf8");
  const lines = csv.trim().split("\n");
  expect(lines[0]).toBe("org_name,org_id,app_id,campaign_id,note,added_by,added_at");
  expect(lines).toHaveLength(4);
  expect(csv).toContain("Globex,1002,ios,,biggest account,Cara Customers,");
  expect(csv).toContain("Acme Corp,1001,web,spring,,Cara Customers,");

  // The incident's timeline carries one summarised line per change.
  await page.goto(`/incidents/${number}`);
  await expect(page.locator(".event").filter({ hasText: "added 3 affected customers (import)" })).toHaveCount(1);
  await expect(page.locator(".event").filter({ hasText: "removed 1 affected customer" })).toHaveCount(1);
});

test("a viewer reads and exports the table but cannot change it", async ({ browser }) => {
  const responderContext = await browser.newContext();
  const responder = await responderContext.newPage();
  await signIn(responder, "Rita Responder");
  const number = await declareIncident(responder, unique("Login failing"));
  await responder.goto(`/incidents/${number}/customers`);
  await hydrated(responder);
  await responder.getByLabel("New Org name").fill("Acme Corp");
  await responder.getByLabel("New org_id").fill("2001");
  await responder.getByRole("button", { name: "Add row" }).click();
  await expect(rowsCount(responder)).toHaveText("1");
  await responderContext.close();

  const viewerContext = await browser.newContext();
  const viewer = await viewerContext.newPage();
  await signIn(viewer, "Vic Viewer", "viewer");
  await viewer.goto(`/incidents/${number}/customers`);
  await hydrated(viewer);
  await expect(viewer.locator('.customer-row[data-org-id="2001"]')).toBeVisible();
  await expect(viewer.locator("#add-customer")).toHaveCount(0);
  await expect(viewer.locator("#paste-rows")).toHaveCount(0);
  await expect(viewer.locator("#delete-selected")).toHaveCount(0);
  await expect(viewer.locator("#export-csv")).toBeVisible();
  await viewerContext.close();
});
