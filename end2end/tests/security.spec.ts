import { expect, test } from "@playwright/test";
import { hydrated, signIn, unique } from "./helpers";

// Every journey runs under the pages' Content-Security-Policy; this one also listens for
// anything the policy refused while the heaviest pages load and hydrate.
test("pages hydrate under their Content-Security-Policy, which refuses nothing of ours", async ({ page }) => {
  const refused: string[] = [];
  page.on("console", (m) => {
    if (/Content Security Policy|Content-Security-Policy/i.test(m.text())) refused.push(m.text());
  });
  page.on("pageerror", (e) => refused.push(e.message));
  await signIn(page, "Lead Admin", "admin");
  await hydrated(page);
  await page.goto("/incidents/new");
  await hydrated(page);
  await page.getByLabel("Title").fill(unique("Policy check"));
  await page.getByLabel("Services affected").fill("push-api");
  await page.getByLabel(/SEV3/).check();
  await page.getByRole("button", { name: "Declare incident" }).click();
  await expect(page).toHaveURL(/\/incidents\/\d+$/);
  await hydrated(page);
  const number = page.url().split("/").pop();
  for (const path of [`/incidents/${number}/email`, `/incidents/${number}/customers`, "/status", "/admin/mail"]) {
    await page.goto(path);
    await hydrated(page);
  }
  const policy = (await page.request.get("/status")).headers()["content-security-policy"];
  expect(policy).toContain("frame-ancestors 'none'");
  expect(refused).toEqual([]);
});
