import { expect, test, type Page } from "@playwright/test";
import { hydrated, mailWithSubject, signIn, unique } from "./helpers";

/** An admin adds the default distribution list (once per database). */
async function companyList(page: Page) {
  await signIn(page, "Lead Admin", "admin");
  await page.goto("/admin/mail");
  await hydrated(page);
  if ((await page.locator('#lists tr[data-list="Company"]').count()) > 0) return;
  const form = page.locator("#list-form");
  await form.getByLabel("Name").fill("Company");
  await form.getByLabel("Addresses").fill("exec@example.com\nmarketing@example.com");
  await form.getByLabel("The default list").check();
  await form.getByRole("button", { name: "Add list" }).click();
  await expect(page.locator('#lists tr[data-list="Company"]')).toContainText("2 addresses");
}

async function declare(page: Page, title: string) {
  await page.goto("/incidents/new");
  await hydrated(page);
  await page.getByLabel("Title").fill(title);
  await page.getByLabel("Services affected").fill("push-api");
  await page.getByLabel(/SEV2/).check();
  await page.getByRole("button", { name: "Declare incident" }).click();
  await expect(page).toHaveURL(/\/incidents\/\d+$/);
  return Number(page.url().split("/").pop());
}

test("a responder emails the company from an incident, then sends an update on the thread; a viewer reads it", async ({ browser, baseURL }) => {
  const admin = await browser.newContext({ baseURL });
  await companyList(await admin.newPage());
  await admin.close();

  const context = await browser.newContext({ baseURL });
  const page = await context.newPage();
  await signIn(page, "Rosa Responder");
  const title = unique("Push campaigns failing");
  const number = await declare(page, title);
  await hydrated(page);
  await page.locator("#compose-email").click();
  await expect(page).toHaveURL(new RegExp(`/incidents/${number}/email$`));
  await expect(page.getByRole("heading", { name: "Email the company" })).toBeVisible();
  await hydrated(page);

  // Prefilled from the incident, in the template's words.
  const subject = page.getByLabel("Subject");
  await expect(subject).toHaveValue(new RegExp(`^${title}, \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d UTC$`));
  await expect(page.locator("#opening")).toContainText("We experienced a production issue impacting push-api. The issue began at");
  await expect(page.locator("#opening")).toContainText("and is ongoing.");
  await expect(page.getByLabel("Next steps")).toHaveValue("Product Marketing will follow up on this email thread with customer-facing messaging.");
  await expect(page.locator("#recipients").getByLabel(/Company/)).toBeChecked();

  // The team, then the cause: the wording hint appears as the author types, the preview follows.
  await page.locator('#issue-team li[data-role="engineering"] summary').click();
  await page.locator('#issue-team li[data-role="engineering"]').getByLabel("Rosa Responder").check();
  await expect(page.locator('#issue-team li[data-role="engineering"] .members')).toHaveText("@Rosa Responder");
  await page.getByLabel("What is the issue and what caused it?").fill("The campaign_worker stopped sending.");
  await expect(page.locator("#wording-hints")).toContainText('"campaign_worker" is a code identifier');
  await page.getByLabel("What is the issue and what caused it?").fill("Push sending stopped because a queue filled up.");
  await expect(page.locator("#wording-hints li")).toHaveCount(0);
  await page.getByLabel("What is the impact to customers?").fill("Push campaigns were **delayed** by an hour.");
  await expect(page.locator("#email-html strong", { hasText: "delayed" })).toBeVisible();
  await expect(page.locator("#email-text")).toContainText("Engineering: @Rosa Responder");
  await expect(page.locator("#email-preview")).toContainText("exec@example.com, marketing@example.com");
  await expect(page.locator("#draft-state")).toContainText("Draft saved");

  await page.locator("#send-email").click();
  await expect(page).toHaveURL(new RegExp(`/incidents/${number}$`));
  const first = page.locator("#email-thread li").first();
  await expect(first).toContainText(title);
  await expect(first.locator(".delivery")).toContainText("sent");
  await expect(page.locator(".event").last()).toContainText(`@Rosa Responder emailed the company: ${title}`);
  await expect(page.locator(".event").last()).toContainText("(Company list, 2 recipients)");
  await expect(page.locator(".event").last().getByRole("link", { name: "Read the message" })).toHaveAttribute("href", /^\/emails\/\d+$/);
  const firstSubject = (await first.locator("a").textContent())!;
  const mail = await mailWithSubject(firstSubject);
  expect(mail.headers["from"]).toBe("Stormwatch <incidents@example.com>");
  expect(mail.headers["content-type"]).toContain("multipart/alternative");
  expect(mail.raw).toContain("What is the impact to customers?");

  // The update continues the thread.
  await page.locator("#compose-email").click();
  await expect(page.getByRole("heading", { name: "Send an update" })).toBeVisible();
  await hydrated(page);
  await expect(page.getByLabel("Subject")).toHaveValue(`Re: ${firstSubject}`);
  await expect(page.getByLabel("What is the impact to customers?")).toHaveValue("Push campaigns were **delayed** by an hour.");
  await page.getByLabel("What is the current status of the issue?").fill("Resolved: the queue was drained at 15:10.");
  await expect(page.locator("#email-preview")).toContainText(mail.headers["message-id"]);
  await page.locator("#send-email").click();
  await expect(page).toHaveURL(new RegExp(`/incidents/${number}$`));
  await expect(page.locator("#email-thread li")).toHaveCount(2);
  const update = await mailWithSubject(`Re: ${firstSubject}`);
  expect(update.headers["in-reply-to"]).toBe(mail.headers["message-id"]);
  expect(update.headers["references"]).toBe(mail.headers["message-id"]);
  await context.close();

  // A viewer reads the thread and the message, and has no composer.
  const viewer = await browser.newContext({ baseURL });
  const vpage = await viewer.newPage();
  await signIn(vpage, "Vera Viewer", "viewer");
  const card = vpage.locator(`#status-incidents .status-card[data-number="${number}"]`);
  await expect(card.locator(".communication")).toContainText(`Re: ${firstSubject}`);
  await expect(card.locator(".impact")).toHaveText("Push campaigns were delayed by an hour.");
  await vpage.goto(`/incidents/${number}`);
  await hydrated(vpage);
  await expect(vpage.locator("#email-thread li")).toHaveCount(2);
  await expect(vpage.locator("#compose-email")).toHaveCount(0);
  await vpage.locator("#email-thread li a").first().click();
  await expect(vpage.locator("#email-message h1")).toHaveText(firstSubject);
  await expect(vpage.locator("#email-text")).toContainText("Push sending stopped because a queue filled up.");
  await vpage.goto(`/incidents/${number}/email`);
  await expect(vpage.locator("#not-allowed")).toBeVisible();
  await viewer.close();
});

test("two responders on one draft: the second sees the first's words, and a stale save is refused, not lost", async ({ browser, baseURL }) => {
  const one = await browser.newContext({ baseURL });
  const rosa = await one.newPage();
  await signIn(rosa, "Rosa Responder");
  const number = await declare(rosa, unique("Checkout errors"));
  await rosa.goto(`/incidents/${number}/email`);
  await hydrated(rosa);

  const two = await browser.newContext({ baseURL });
  const bob = await two.newPage();
  await signIn(bob, "Bob Responder");
  await bob.goto(`/incidents/${number}/email`);
  await hydrated(bob);

  await rosa.getByLabel("What is the issue and what caused it?").fill("A deploy broke checkout.");
  await expect(rosa.locator("#draft-state")).toContainText("Draft saved");
  // Bob's page was opened before Rosa saved: his save is refused, and his words stay.
  await bob.getByLabel("What is the impact to customers?").fill("Nobody could pay.");
  await expect(bob.locator("#composer-error")).toContainText("@Rosa Responder saved a newer draft");
  await expect(bob.getByLabel("What is the impact to customers?")).toHaveValue("Nobody could pay.");
  // A third look at the composer shows Rosa's draft.
  const fresh = await two.newPage();
  await fresh.goto(`/incidents/${number}/email`);
  await expect(fresh.getByLabel("What is the issue and what caused it?")).toHaveValue("A deploy broke checkout.");
  await bob.getByRole("button", { name: "Load the newer draft" }).click();
  await expect(bob.getByLabel("What is the issue and what caused it?")).toHaveValue("A deploy broke checkout.");
  await one.close();
  await two.close();
});
