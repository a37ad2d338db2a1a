import { expect, type Page } from "@playwright/test";

/** Waits until the WASM bundle has hydrated the page (App marks `body[data-hydrated]`). */
export async function hydrated(page: Page) {
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
}

/** Signs in with the development login; returns on the dashboard. */
export async function signIn(page: Page, name: string, role: "admin" | "responder" | "viewer" = "responder") {
  await page.goto("/");
  await expect(page).toHaveURL(/\/login$/);
  await page.getByLabel("Name").fill(name);
  await page.getByLabel("Email").fill(`${name.toLowerCase().replace(/\s+/g, ".")}@example.com`);
  await page.getByLabel("Role").selectOption(role);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/$/);
}

export function unique(label: string) {
  return `${label} ${Date.now().toString(36)}`;
}
