import { expect, type Page } from "@playwright/test";

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
