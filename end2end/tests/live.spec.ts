import { expect, test, type Browser, type Page } from "@playwright/test";
import { addSource, deliver, hydrated, live, signIn, unique } from "./helpers";

/** A signed-in page in a browser context of its own (its own cookies, its own stream). */
async function openAs(browser: Browser, baseURL: string | undefined, name: string, role: "admin" | "responder" | "viewer" = "responder") {
  const context = await browser.newContext({ baseURL });
  const page = await context.newPage();
  page.on("pageerror", (error) => console.log(`[${name}] page error: ${error.message}`));
  page.on("console", (m) => m.type() === "error" && console.log(`[${name}] console: ${m.text().slice(0, 1500)}`));
  await signIn(page, name, role);
  return page;
}

/** Marks the document, so a test can tell the page was never reloaded. */
async function mark(page: Page) {
  await page.evaluate(() => ((window as unknown as { stormwatchMark: number }).stormwatchMark = 42));
}
async function notReloaded(page: Page) {
  expect(await page.evaluate(() => (window as unknown as { stormwatchMark?: number }).stormwatchMark)).toBe(42);
}

test("an admin adds a source; its alerts appear in two open dashboards at once and are declared from", async ({ browser, baseURL }) => {
  const source = unique("Breakers");
  const service = unique("payments").replace(" ", "-");
  const url = await addSource(browser, baseURL, source, service);
  expect(url).toMatch(/\/webhooks\/[0-9a-f]+\/[0-9a-f]+$/);

  const first = await openAs(browser, baseURL, "Rosa Responder");
  const second = await openAs(browser, baseURL, "Sam Second");
  for (const page of [first, second]) {
    await page.goto("/");
    await live(page);
    await mark(page);
  }
  const title = unique("Circuit breaker open");
  await deliver(url, { dedup_key: title, title, severity: "critical" });
  for (const page of [first, second]) {
    const group = page.locator(`.feed-group[data-source="${source}"]`);
    await expect(group).toContainText(title);
    await expect(group.locator(".untriaged-count")).toHaveText("1 untriaged");
    await notReloaded(page);
  }
  // A repeat counts instead of adding a line.
  await deliver(url, { dedup_key: title, title, severity: "critical" });
  await expect(first.locator(`.feed-group[data-source="${source}"] .occurrences`)).toHaveText("×2");
  await expect(first.locator(`.feed-group[data-source="${source}"] li.alert`)).toHaveCount(1);

  // Declared from the alert: the form starts from it, and the alert is attached.
  await second.locator(`.feed-group[data-source="${source}"] li.alert`).getByRole("link", { name: "Declare incident" }).click();
  await expect(second.locator("#from-alert")).toContainText(title);
  await expect(second.getByLabel("Title")).toHaveValue(title);
  await expect(second.getByLabel("Services affected")).toHaveValue(service);
  await second.getByRole("button", { name: "Declare incident" }).click();
  await expect(second).toHaveURL(/\/incidents\/\d+$/);
  const number = new URL(second.url()).pathname.split("/").pop();
  await expect(second.locator(".event-alerts_attached")).toContainText(`attached 1 alert from ${source}: ${title}`);
  // The other dashboard sees it triaged, and the new incident listed, without a reload.
  await expect(first.locator(`.feed-group[data-source="${source}"] .attached`)).toHaveText(`→ #${number}`);
  await expect(first.locator(`.feed-group[data-source="${source}"] .untriaged-count`)).toHaveCount(0);
  await expect(first.locator("#open-incidents")).toContainText(title);
  await notReloaded(first);
});

test("a message posted in one browser appears in the other, which keeps its own half-written one", async ({ browser, baseURL }) => {
  const ada = await openAs(browser, baseURL, "Ada Channel");
  await ada.goto("/incidents/new");
  await hydrated(ada);
  const title = unique("Queue backed up");
  await ada.getByLabel("Title").fill(title);
  await ada.getByLabel("Services affected").fill("queue");
  await ada.getByRole("button", { name: "Declare incident" }).click();
  await expect(ada).toHaveURL(/\/incidents\/\d+$/);
  const incident = new URL(ada.url()).pathname;

  const bob = await openAs(browser, baseURL, "Bob Channel");
  await bob.goto(incident);
  await live(bob);
  await live(ada);
  await mark(bob);
  await bob.getByLabel("Message").fill("Half-written thought");

  await ada.getByLabel("Message").fill("**Rolled back** to v2.3 <script>window.pwned = 1</script>");
  await ada.getByRole("button", { name: "Post to the channel" }).click();
  await expect(ada.getByLabel("Message")).toHaveValue("");
  const seen = bob.locator(".event-message").last();
  await expect(seen).toContainText("@Ada Channel");
  await expect(seen.locator("strong")).toHaveText("Rolled back");
  expect(await bob.evaluate(() => (window as unknown as { pwned?: number }).pwned)).toBeUndefined();
  await expect(bob.getByLabel("Message")).toHaveValue("Half-written thought");
  await notReloaded(bob);

  // Ada rewords it; Bob sees the new wording and can read the old one.
  await ada.locator(".event-message").last().getByRole("button", { name: "Edit", exact: true }).click();
  await ada.getByLabel("Edit message").fill("Rolled back to **v2.2**");
  await ada.getByRole("button", { name: "Save" }).click();
  await expect(bob.locator(".event-message").last().locator("strong")).toHaveText("v2.2");
  await bob.locator(".event-message").last().getByRole("button", { name: "(edited)" }).click();
  await expect(bob.locator(".event-message .history")).toContainText("Rolled back to v2.3");
  // Only its author may edit it.
  await expect(bob.locator(".event-message").last().getByRole("button", { name: "Edit", exact: true })).toHaveCount(0);

  // On a slow network Bob goes on typing while his message is on its way: once it is
  // saved, the box loses what was sent and keeps what came after.
  await bob.route("**/api/respond/post_message*", async (route) => {
    await new Promise((done) => setTimeout(done, 1_000));
    await route.continue();
  });
  const box = bob.getByLabel("Message");
  await box.fill("Checking the replica");
  await bob.getByRole("button", { name: "Post to the channel" }).click();
  await box.press("End");
  await box.pressSequentially(" Replica lag is 3 s.");
  await expect(bob.locator(".event-message").last()).toContainText("Checking the replica");
  await expect(box).toHaveValue("Replica lag is 3 s.");
  await expect(bob.locator(".event-message").last()).not.toContainText("Replica lag");
});

test("the postmortem discussion: a hypothesis, a challenge from another browser, and I'll lead", async ({ browser, baseURL }) => {
  const ada = await openAs(browser, baseURL, "Ada Discuss");
  await ada.goto("/incidents/new");
  await hydrated(ada);
  await ada.getByLabel("Title").fill(unique("Search slow"));
  await ada.getByLabel("Services affected").fill("search");
  await ada.getByRole("button", { name: "Declare incident" }).click();
  await expect(ada).toHaveURL(/\/incidents\/\d+$/);
  const incident = new URL(ada.url()).pathname;
  const bob = await openAs(browser, baseURL, "Bob Discuss");
  await bob.goto(incident);
  await live(bob);
  await live(ada);

  await ada.locator("#discussion-form").getByLabel("Hypothesis").check();
  await ada.locator("#discussion-form").getByLabel("Post").fill("The index rebuild starved the search nodes");
  await ada.locator("#discussion-form").getByRole("button", { name: "Post" }).click();
  const post = bob.locator(".post-hypothesis");
  await expect(post).toContainText("The index rebuild starved the search nodes");
  await post.getByRole("button", { name: "Challenge" }).click();
  await post.getByLabel("Challenge").fill("CPU on the nodes stayed under 40%");
  await post.getByRole("button", { name: "Post challenge" }).click();
  await expect(ada.locator(".post-hypothesis .post-challenge")).toContainText("CPU on the nodes stayed under 40%");
  await expect(ada.locator(".post-hypothesis .post-challenge")).toContainText("@Bob Discuss");

  await ada.getByRole("button", { name: "I'll lead" }).click();
  await expect(bob.locator(".facts .leader")).toHaveText("@Ada Discuss");
  await expect(bob.locator(".event-leader_changed")).toContainText("@Ada Discuss volunteered as Incident Leader");
  await expect(ada.getByRole("button", { name: "I'll lead" })).toHaveCount(0);
});

test("a dashboard that was offline catches up on reconnect, without gaps or duplicates", async ({ browser, baseURL }) => {
  const source = unique("Offline probe");
  const url = await addSource(browser, baseURL, source, "offline-probe");
  const page = await openAs(browser, baseURL, "Olga Offline");
  await page.goto("/");
  await live(page);
  await mark(page);
  await deliver(url, { dedup_key: "first", title: "First alert" });
  const group = page.locator(`.feed-group[data-source="${source}"]`);
  await expect(group.locator("li.alert")).toHaveCount(1);

  await page.context().setOffline(true);
  await expect(page.locator("#live-status")).toHaveAttribute("data-state", "offline");
  for (const key of ["second", "third", "fourth"]) {
    await deliver(url, { dedup_key: key, title: `Alert ${key}` });
  }
  await page.context().setOffline(false);
  await expect(page.locator("#live-status")).toHaveAttribute("data-state", "live", { timeout: 15_000 });
  await expect(group.locator("li.alert")).toHaveCount(4);
  await expect(group.locator(".firing-count")).toHaveText("4 firing");
  for (const title of ["First alert", "Alert second", "Alert third", "Alert fourth"]) {
    await expect(group.getByText(title, { exact: true })).toHaveCount(1);
  }
  await notReloaded(page);
});

test("the status view updates itself for a viewer when an incident is declared", async ({ browser, baseURL }) => {
  const viewer = await openAs(browser, baseURL, "Vic Viewer", "viewer");
  await expect(viewer).toHaveURL(/\/status$/);
  await live(viewer);
  await mark(viewer);
  const responder = await openAs(browser, baseURL, "Rita Responder");
  await responder.goto("/incidents/new");
  await hydrated(responder);
  const title = unique("Login failing");
  await responder.getByLabel("Title").fill(title);
  await responder.getByLabel("Services affected").fill("auth");
  await responder.getByLabel(/SEV1/).check();
  await responder.getByRole("button", { name: "Declare incident" }).click();
  await expect(responder).toHaveURL(/\/incidents\/\d+$/);
  await expect(viewer.locator("#status-incidents")).toContainText(title);
  await notReloaded(viewer);
  // The viewer sees no way to post.
  await viewer.goto(new URL(responder.url()).pathname);
  await hydrated(viewer);
  await expect(viewer.getByLabel("Message")).toHaveCount(0);
  await expect(viewer.getByRole("button", { name: "I'll lead" })).toHaveCount(0);
});
