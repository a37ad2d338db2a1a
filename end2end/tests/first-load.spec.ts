import { test, expect } from "@playwright/test";
import { signIn, unique } from "./helpers";
import { budget, measure, pages, table, kb, gzipOnlyHeaders, type Measurement } from "../first-load";

// The first-load budget as a check: bytes are deterministic, so this is not a timing.
// Every page, fetched cold by a signed-in admin in Chromium (which takes the site's
// brotli copies), must stay within its ceiling in budget.json; the table also says how
// far each is from the goal, and what a browser that takes only gzip fetches.
test("every page's first load (HTML, JS, WASM, CSS, as Chromium fetches them) is within the budget", async ({ browser, baseURL }, info) => {
  test.skip(info.project.name !== "sqlite", "the bundle does not depend on the database");
  test.setTimeout(120_000);
  const context = await browser.newContext({ baseURL });
  const setup = await context.newPage();
  await signIn(setup, "Ada Admin", "admin");
  await setup.goto("/incidents/new");
  await setup.locator("body[data-hydrated='true']").waitFor({ state: "attached" });
  await setup.getByLabel("Title").fill(unique("Budget"));
  await setup.getByLabel("Services affected").fill("push-api");
  await setup.getByLabel(/SEV2/).check();
  await setup.getByRole("button", { name: "Declare incident" }).click();
  await expect(setup).toHaveURL(/\/incidents\/\d+$/);
  const number = new URL(setup.url()).pathname.split("/").pop();
  await setup.close();

  const gzipOnly = await browser.newContext({
    baseURL,
    storageState: await context.storageState(),
    extraHTTPHeaders: gzipOnlyHeaders,
  });
  const rows: Measurement[] = [];
  const gzipRows: Measurement[] = [];
  const over: string[] = [];
  for (const page of pages) {
    const row = await measure(context, page.replace(":number", number));
    rows.push(row);
    gzipRows.push(await measure(gzipOnly, page.replace(":number", number)));
    const ceiling = budget.ceiling_kb[page];
    if (row.total > ceiling * 1024) over.push(`${page}: ${kb(row.total)} KB, ceiling ${ceiling} KB`);
  }
  await context.close();
  await gzipOnly.close();
  console.log(`First load per page (goal ${budget.goal_kb} KB; ceilings in budget.json):\n${table(rows, gzipRows)}`);
  // FIRST_LOAD_FILES=1: every file each page fetched, largest first (where a page's bytes go).
  if (process.env.FIRST_LOAD_FILES) {
    for (const row of rows) {
      const files = [...row.files].sort((a, b) => b.bytes - a.bytes);
      console.log(`${row.path}\n${files.map((f) => `  ${kb(f.bytes).padStart(7)} KB  ${f.url}`).join("\n")}`);
    }
  }
  expect(over, "pages over their ceiling").toEqual([]);
});

// The bundle's files are named by their content and kept by the browser for good
// (server/src/site.rs): a page opened before fetches only its HTML again, not one file
// of code or style, not even to ask whether it changed.
test("a repeat visit fetches none of the bundle's files again", async ({ browser, baseURL }, info) => {
  test.skip(info.project.name !== "sqlite", "the bundle does not depend on the database");
  const context = await browser.newContext({ baseURL });
  const setup = await context.newPage();
  await signIn(setup, "Ada Admin", "admin");
  await setup.close();
  for (const path of ["/", "/status", "/incidents"]) {
    const repeat = await measure(context, path, undefined, true);
    const refetched = repeat.files.filter((f) => ["js", "wasm", "css"].includes(f.kind)).map((f) => f.url);
    expect(refetched, `${path}: fetched again`).toEqual([]);
    expect(repeat.files.filter((f) => f.kind === "html")).toHaveLength(1);
  }
  await context.close();
});
