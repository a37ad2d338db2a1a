import { expect, test } from "@playwright/test";
import { hydrated, incidentWith, openAs } from "./helpers";

// The incident history: a viewer reaches it from the menu (its code loads then),
// finds an incident by a word from its channel, narrows by a filter, and a filter it
// cannot read is named.
test("a viewer opens the history, finds an incident by a word from its channel, and filters", async ({ browser, baseURL }) => {
  const rosa = await openAs(browser, baseURL, "Rosa History");
  const word = `zeppelin${Date.now().toString(36)}`;
  const number = await incidentWith(rosa, [`The ${word} cache was flushed`]);

  const vic = await openAs(browser, baseURL, "Vic History", "viewer");
  await hydrated(vic);
  await vic.getByRole("navigation").getByRole("link", { name: "History" }).click();
  await expect(vic.getByRole("heading", { name: "Incident history" })).toBeVisible();
  await expect(vic.locator("#history-incidents .incident-row").first()).toBeVisible();

  await vic.locator("#history-q").fill(word);
  await vic.locator("#history-search").click();
  await expect(vic).toHaveURL(new RegExp(`/incidents\\?.*q=${word}`));
  await expect(vic.locator("#history-incidents .incident-row")).toHaveCount(1);
  await expect(vic.locator(`#history-incidents .incident-row[data-number="${number}"]`)).toBeVisible();
  await expect(vic.locator("#history-count")).toHaveText("1–1 of 1");

  // The same word with a status it does not have: nothing.
  await vic.locator("#history-status").selectOption("resolved");
  await vic.locator("#history-search").click();
  await expect(vic.locator("#history-none")).toBeVisible();

  // A day it cannot read, typed into the address: named, with a way back.
  await vic.goto("/incidents?from=someday");
  await expect(vic.locator("#history-error")).toContainText("YYYY-MM-DD");
  await hydrated(vic);
  await vic.getByRole("link", { name: "Show every incident" }).click();
  await expect(vic.locator("#history-incidents .incident-row").first()).toBeVisible();
});
