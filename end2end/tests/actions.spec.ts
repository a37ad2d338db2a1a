import { expect, test, type Page } from "@playwright/test";
import { hydrated, incidentWith, live, openAs, startPostmortem } from "./helpers";

/** A date `days` from today, as a date input takes it. */
function inDays(days: number) {
  const d = new Date(Date.now() + days * 86_400_000);
  return d.toISOString().slice(0, 10);
}

async function fillAction(page: Page, title: string, assignee: string | null, due: string | null) {
  const form = page.locator("#add-action");
  await form.locator("#action-title").fill(title);
  await form.locator("#priority-yes").check();
  if (assignee) await form.locator("#action-assignee").selectOption({ label: assignee });
  if (due) await form.locator("#action-due").fill(due);
}

test("an action without an assignee is refused at the field; two people add actions at once and both see both; a non-priority item goes to Not now", async ({ browser, baseURL }) => {
  const rosa = await openAs(browser, baseURL, "Rosa Actions");
  const ada = await openAs(browser, baseURL, "Ada Actions");
  const number = await incidentWith(rosa, []);
  await startPostmortem(rosa, number);
  await ada.goto(`/incidents/${number}/postmortem`);
  await hydrated(ada);
  await live(ada);

  // No assignee: the form says so next to the field, and nothing is added.
  await fillAction(rosa, "Add an index on orgs.plan", null, inDays(3));
  await rosa.locator("#add-action-button").click();
  await expect(rosa.locator("#assignee-error")).toContainText("needs an assignee");
  await expect(rosa.locator("#actions-list .action")).toHaveCount(0);

  // Rosa and Ada each add one at the same moment.
  await fillAction(rosa, "Add an index on orgs.plan", "Ada Actions", inDays(3));
  await fillAction(ada, "Alert on queue depth", "Rosa Actions", inDays(5));
  await Promise.all([rosa.locator("#add-action-button").click(), ada.locator("#add-action-button").click()]);
  for (const page of [rosa, ada]) {
    await expect(page.locator("#actions-list .action")).toHaveCount(2, { timeout: 15_000 });
    await expect
      .poll(() => page.locator("#actions-list input.action-title").evaluateAll((els) => els.map((e) => (e as HTMLInputElement).value).sort()))
      .toEqual(["Add an index on orgs.plan", "Alert on queue depth"]);
  }
  // Neither answers a factor yet.
  await expect(rosa.locator("#actions-list .untraced")).toHaveCount(2);

  // Not top priority leaving the meeting: kept under Not now, not an action.
  // Over a slow network the form waits, disabled, for its save, and then starts afresh.
  await rosa.route("**/api/respond/add_corrective_action*", async (route) => {
    await new Promise((done) => setTimeout(done, 1_000));
    await route.continue();
  });
  const form = rosa.locator("#add-action");
  await form.locator("#action-title").fill("Rewrite the scheduler in Rust");
  await form.locator("#priority-no").check();
  await rosa.locator("#add-action-button").click();
  await expect(rosa.locator("#add-action-button")).toHaveText("Adding…");
  await expect(form.locator("#action-title")).toBeDisabled();
  await expect(form.locator("#action-title")).toHaveValue("");
  await expect(form.locator("#action-title")).toBeEnabled();
  await expect(rosa.locator("#not-now")).toContainText("Rewrite the scheduler in Rust");
  await expect(ada.locator("#not-now")).toContainText("Rewrite the scheduler in Rust", { timeout: 15_000 });
  await expect(rosa.locator("#actions-list .action")).toHaveCount(2);

  // Export: the actions with assignee and date, and the Not now list.
  const md = await (await rosa.request.get(`/incidents/${number}/postmortem.md`)).text();
  expect(md).toContain(`- Add an index on orgs.plan — @Ada Actions — by ${inDays(3)}`);
  expect(md).toContain("### Not now\n\n- Rewrite the scheduler in Rust");
});

test("an idea from the discussion is promoted to an action, traced to a why; the assignee marks it done from the tracker and the postmortem shows it live", async ({ browser, baseURL }) => {
  const rosa = await openAs(browser, baseURL, "Rosa Promoter");
  const lin = await openAs(browser, baseURL, "Lin Assignee");
  const number = await incidentWith(rosa, []);
  await rosa.locator("#discussion-form").getByLabel("Idea").check();
  await rosa.locator("#discussion-form").getByLabel("Post").fill("Alert when the pool is 80% used");
  await rosa.locator("#discussion-form").getByRole("button", { name: "Post" }).click();
  await expect(rosa.locator("#discussion .post-idea")).toContainText("Alert when the pool is 80% used");
  await startPostmortem(rosa, number);

  // A chain of whys for the action to answer.
  await rosa.locator("#add-chain").click();
  const chain = rosa.locator("#chains .chain").first();
  await chain.locator("textarea").first().fill("The pool ran dry.");
  await expect(rosa.locator("#postmortem-sync")).toHaveAttribute("data-state", "saved");
  await expect(chain.locator(".no-action")).toBeVisible();

  // Promote the idea: the form starts from it.
  await rosa.locator("#promote-idea").selectOption({ label: "Alert when the pool is 80% used" });
  await expect(rosa.locator("#action-title")).toHaveValue("Alert when the pool is 80% used");
  await rosa.locator("#priority-yes").check();
  await rosa.locator("#action-assignee").selectOption({ label: "Lin Assignee" });
  await rosa.locator("#action-due").fill(inDays(2));
  await rosa.locator("#action-answers").selectOption({ label: "The pool ran dry." });
  await rosa.locator("#add-action-button").click();
  const row = rosa.locator("#actions-list .action").first();
  await expect(row).toHaveAttribute("data-status", "open");
  await expect(row.locator(".untraced")).toHaveCount(0);
  await expect(chain.locator(".answered-by")).toContainText("Alert when the pool is 80% used");
  await expect(chain.locator(".no-action")).toHaveCount(0);

  // The discussion shows where the idea went.
  await rosa.goto(`/incidents/${number}`);
  await hydrated(rosa);
  await expect(rosa.locator("#discussion .promoted")).toContainText("Became corrective action: Alert when the pool is 80% used — @Lin Assignee");
  await rosa.goto(`/incidents/${number}/postmortem`);
  await hydrated(rosa);
  await live(rosa);

  // Lin finds it under "Mine" in the tracker and marks it done.
  await lin.goto("/actions");
  await hydrated(lin);
  await lin.locator("#filter-mine").click();
  await expect(lin).toHaveURL(/\/actions\?assignee=me$/);
  const mine = lin.locator("#tracker-table .tracker-row");
  await expect(mine).toHaveCount(1);
  await expect(mine.first()).toContainText("Alert when the pool is 80% used");
  await mine.first().locator(".mark-done").click();
  await expect(lin.locator("#no-actions")).toBeVisible();

  // Rosa's postmortem page shows it done without a reload.
  await expect(rosa.locator("#actions-list .action").first()).toHaveAttribute("data-status", "done", { timeout: 15_000 });
  await expect(rosa.locator("#actions-list .action").first()).toContainText("by @Lin Assignee");
});
