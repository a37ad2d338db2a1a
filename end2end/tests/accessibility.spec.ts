import AxeBuilder from "@axe-core/playwright";
import { expect, test } from "@playwright/test";
import { hydrated, incidentWith, openAs } from "./helpers";

// axe-core over the viewers' pages, hydrated: no serious or critical violation.
test("the status view, the history and insights have no serious accessibility violations", async ({ browser, baseURL }) => {
  const rosa = await openAs(browser, baseURL, "Rosa Access");
  await incidentWith(rosa, ["Checking what a screen reader hears"]);
  const vic = await openAs(browser, baseURL, "Vic Access", "viewer");
  for (const path of ["/status", "/incidents", "/insights"]) {
    await vic.goto(path);
    await hydrated(vic);
    const results = await new AxeBuilder({ page: vic }).analyze();
    const grave = results.violations
      .filter((v) => v.impact === "serious" || v.impact === "critical")
      .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(" ")).slice(0, 3).join("; ")}`);
    expect(grave, `${path}`).toEqual([]);
  }
});
