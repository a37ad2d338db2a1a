import { expect, test } from "@playwright/test";
import { hydrated, incidentWith, live, openAs } from "./helpers";

// The viewers' whole journey (executives, product leaders, marketing): the status view
// updates itself when an incident is declared, the history finds it by a word from its
// channel, and insights draws its charts with their figures behind them.
test("a viewer follows an incident live on the status view, finds it in the history and reads the insights", async ({ browser, baseURL }) => {
  const vic = await openAs(browser, baseURL, "Vic Journey", "viewer");
  await expect(vic).toHaveURL(/\/status$/);
  await live(vic);

  const rosa = await openAs(browser, baseURL, "Rosa Journey");
  const word = `quokka${Date.now().toString(36)}`;
  const number = await incidentWith(rosa, [`The ${word} queue stalled`]);
  await expect(vic.locator(`#status-incidents a[href="/incidents/${number}"]`).first()).toBeVisible();

  await vic.getByRole("navigation").getByRole("link", { name: "History" }).click();
  await expect(vic.getByRole("heading", { name: "Incident history" })).toBeVisible();
  await vic.locator("#history-q").fill(word);
  await vic.locator("#history-search").click();
  await expect(vic.locator(`#history-incidents .incident-row[data-number="${number}"]`)).toBeVisible();
  await expect(vic.locator("#history-incidents .incident-row")).toHaveCount(1);

  // Reached by navigating, so the page's chunk loads then.
  await hydrated(vic);
  await vic.getByRole("navigation").getByRole("link", { name: "Insights" }).click();
  await expect(vic.getByRole("heading", { name: "Insights", exact: true })).toBeVisible();
  const weekly = vic.locator("#incidents-per-week");
  await expect(weekly.locator(".chart-picture svg")).toBeVisible();
  await expect(weekly.locator(".chart-picture svg path").first()).toBeAttached();
  const charts = vic.locator("figure.chart");
  await expect(charts).toHaveCount(7);
  for (const chart of await charts.all()) {
    await expect(chart.locator(".chart-picture svg")).toHaveCount(1);
  }
  // The week it was declared in counts it (and the table's total equals its cells).
  await weekly.getByText("The figures").click();
  const rows = weekly.locator("table.figures tbody tr");
  const totals = await rows.evaluateAll((trs) =>
    trs.map((tr) => Array.from(tr.querySelectorAll("td")).map((td) => Number(td.textContent))),
  );
  const declared = totals.reduce((sum, cells) => sum + cells[cells.length - 1], 0);
  expect(declared).toBeGreaterThanOrEqual(1);
  for (const cells of totals) {
    expect(cells.slice(0, 4).reduce((a, b) => a + b, 0)).toBe(cells[4]);
  }
  // A filter, as a plain form: the address carries it and the page reads it.
  await vic.locator("#insights-months").selectOption("3");
  await vic.locator("#insights-show").click();
  await expect(vic).toHaveURL(/\/insights\?months=3/);
  await expect(vic.locator("#insights-period")).toContainText("incidents");
  const csv = await vic.request.get("/insights.csv?months=3&chart=incidents-per-week");
  expect(csv.status()).toBe(200);
  expect((await csv.text()).split("\n")[0]).toBe("Week of,SEV1,SEV2,SEV3,SEV4,Total");
});
