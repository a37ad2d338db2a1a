import { expect, test } from "@playwright/test";
import { hydrated, signInWithGoogle } from "./helpers";

test("a viewer signs in with Google, lands on the status view, and signs out", async ({ page }) => {
  await signInWithGoogle(page, "val@example.com");
  await expect(page).toHaveURL(/\/status$/);
  await expect(page.getByRole("heading", { name: "Status" })).toBeVisible();
  await expect(page.locator(".who .role")).toHaveText("Viewer");
  await expect(page.getByRole("link", { name: "Declare incident" })).toHaveCount(0);

  // Pages a viewer's role does not open say so, with a 403.
  const declare = await page.goto("/incidents/new");
  expect(declare?.status()).toBe(403);
  await expect(page.getByRole("heading", { name: "Not allowed" })).toBeVisible();

  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/login$/);
  await page.goto("/status");
  await expect(page).toHaveURL(/\/login$/);
});

test("an admin promotes a viewer, who may then declare; disabling them signs them out", async ({ browser }) => {
  const viewerContext = await browser.newContext();
  const viewer = await viewerContext.newPage();
  await signInWithGoogle(viewer, "vic@example.com");
  await expect(viewer).toHaveURL(/\/status$/);

  const adminContext = await browser.newContext();
  const admin = await adminContext.newPage();
  await signInWithGoogle(admin, "lead@example.com");
  await expect(admin).toHaveURL(/\/$/);
  await hydrated(admin);
  await admin.getByRole("link", { name: "Users" }).click();
  await expect(admin.getByRole("heading", { name: "Users" })).toBeVisible();
  await hydrated(admin);
  const row = admin.locator('.user-row[data-email="vic@example.com"]');
  await row.getByLabel("Role").selectOption("responder");
  await row.getByRole("button", { name: "Save" }).click();
  await expect(admin.locator("#audit-log")).toContainText("viewer → responder");

  // The change applies on the viewer's next click, with no new sign-in.
  await viewer.goto("/");
  await expect(viewer).toHaveURL(/\/$/);
  await expect(viewer.getByRole("navigation").getByRole("link", { name: "Declare incident" })).toBeVisible();

  await row.getByRole("button", { name: "Disable" }).click();
  await expect(row.locator(".access")).toHaveText("Disabled");
  await viewer.goto("/status");
  await expect(viewer).toHaveURL(/\/login$/);
  // And the provider cannot bring them back in.
  await signInWithGoogle(viewer, "vic@example.com");
  await expect(viewer).toHaveURL(/refused=disabled/);
  await expect(viewer.locator("#sign-in-refused")).toContainText("disabled by a Stormwatch admin");

  await viewerContext.close();
  await adminContext.close();
});

test("someone outside the company's domain is told why they cannot come in", async ({ page }) => {
  await signInWithGoogle(page, "eve@evil.example");
  await expect(page).toHaveURL(/\/login\?refused=not-allowed$/);
  await expect(page.locator("#sign-in-refused")).toContainText("not allowed here");
  await page.goto("/");
  await expect(page).toHaveURL(/\/login$/);
});
