import { expect, test, type Page } from "@playwright/test";
import { hydrated, incidentWith, live, openAs, startPostmortem } from "./helpers";

async function typeAtEnd(page: Page, field: string, text: string) {
  const area = page.locator(field);
  await area.click();
  await area.press("End");
  await area.pressSequentially(text, { delay: 15 });
}

test("two editors type into the same section at once and converge; one goes offline, types, and its edits merge when it is back", async ({ browser, baseURL }) => {
  const rosa = await openAs(browser, baseURL, "Rosa Writer");
  const number = await incidentWith(rosa, []);
  await startPostmortem(rosa, number);
  await expect(rosa.locator("#preamble")).toContainText("This is a blameless Postmortem.");

  const ada = await openAs(browser, baseURL, "Ada Writer");
  await ada.goto(`/incidents/${number}/postmortem`);
  await live(ada);

  // A first sentence both see; then both type into "How Did We Fix It?" at the same
  // time, Rosa at its end and Ada at its start. (Typing at one same spot at once
  // interleaves the two runs of characters, as any co-editor does: not what this checks.)
  await typeAtEnd(rosa, "#field-fix", "We stopped the bleeding. ");
  await expect(ada.locator("#field-fix")).toHaveValue("We stopped the bleeding. ");
  await Promise.all([
    typeAtEnd(rosa, "#field-fix", "Rosa rolled back the deploy. "),
    (async () => {
      const area = ada.locator("#field-fix");
      await area.click();
      await area.press("Control+Home");
      await area.pressSequentially("Ada drained the queue. ", { delay: 15 });
    })(),
  ]);
  for (const page of [rosa, ada]) {
    await expect(page.locator("#postmortem-sync")).toHaveAttribute("data-state", "saved");
  }
  await expect.poll(async () => (await rosa.locator("#field-fix").inputValue()) === (await ada.locator("#field-fix").inputValue())).toBe(true);
  const text = await rosa.locator("#field-fix").inputValue();
  expect(text).toContain("Rosa rolled back the deploy.");
  expect(text).toContain("Ada drained the queue.");

  // Each sees where the other is.
  await expect(rosa.locator("#presence")).toContainText("@Ada Writer in How Did We Fix It?");

  // Ada loses her connection and keeps typing; Rosa writes elsewhere meanwhile.
  await ada.context().setOffline(true);
  await typeAtEnd(ada, "#field-impact", "Campaigns went out an hour late.");
  await expect(ada.locator("#postmortem-sync")).toHaveAttribute("data-state", "waiting");
  await typeAtEnd(rosa, "#field-description", "The push queue filled up.");
  await ada.context().setOffline(false);
  await expect(rosa.locator("#field-impact")).toHaveValue("Campaigns went out an hour late.", { timeout: 15_000 });
  await expect(ada.locator("#field-description")).toHaveValue("The push queue filled up.", { timeout: 15_000 });
  await expect(ada.locator("#postmortem-sync")).toHaveAttribute("data-state", "saved");

  // It survives a reload: the server has it all.
  await ada.reload();
  await hydrated(ada);
  await expect(ada.locator("#field-fix")).toHaveValue(text);
  await expect(ada.locator("#field-impact")).toHaveValue("Campaigns went out an hour late.");
});

test("import three channel lines, a blaming sentence gets its hint, publish, a viewer reads it, export Markdown", async ({ browser, baseURL }) => {
  const rosa = await openAs(browser, baseURL, "Rosa Lead");
  const number = await incidentWith(rosa, ["Rolled back to v2.3", "Queue is draining"]);
  await startPostmortem(rosa, number);

  // The timeline: three lines of the record, in time order, with their authors.
  await rosa.locator("#import-record summary").click();
  const picks = rosa.locator("#import-record .pick-line");
  // Declared, two messages, and "started the postmortem".
  await expect(picks).toHaveCount(4);
  for (let i = 0; i < 3; i++) await picks.nth(i).check();
  await rosa.locator("#import-lines").click();
  const lines = rosa.locator("#pm-timeline .pm-line");
  await expect(lines).toHaveCount(3);
  await expect(lines.nth(0).locator("textarea")).toHaveValue(/^@Rosa Lead declared/);
  await expect(lines.nth(1).locator("textarea")).toHaveValue("@Rosa Lead: Rolled back to v2.3");
  await expect(lines.nth(2).locator("textarea")).toHaveValue("@Rosa Lead: Queue is draining");

  // The 5 whys, and a blaming sentence with its hint.
  await rosa.locator("#add-chain").click();
  const chain = rosa.locator("#chains .chain").first();
  await chain.locator("textarea").first().fill("The push queue filled up.");
  await chain.locator(".add-why").click();
  await expect(chain.locator(".why")).toHaveCount(2);
  await typeAtEnd(rosa, "#field-factors", "Bob should have caught the query.");
  await expect(rosa.locator("#section-factors .blame-hint")).toContainText("hindsight");
  await typeAtEnd(rosa, "#field-description", "Pushes were delayed.");
  await expect(rosa.locator("#postmortem-sync")).toHaveAttribute("data-state", "saved");

  // Review, then publish: the page is read-only.
  await rosa.locator("#pm-to-review").click();
  await expect(rosa.locator("#postmortem-status")).toHaveText("In review");
  await expect(rosa.locator(".hint", { hasText: "open blameless hint" })).toBeVisible();
  await rosa.locator("#pm-publish").click();
  await expect(rosa.locator("#postmortem-status")).toHaveText("Published");
  await expect(rosa.locator("#field-description")).toHaveAttribute("readonly", "");

  // Markdown, in the seed's layout.
  const res = await rosa.request.get(`/incidents/${number}/postmortem.md`);
  expect(res.status()).toBe(200);
  const md = await res.text();
  expect(md).toContain("Participants: @Rosa Lead");
  expect(md).toContain("1. This is a blameless Postmortem.");
  expect(md).toContain("] - @Rosa Lead: Rolled back to v2.3");
  expect(md).toContain("**The push queue filled up.**");

  // A viewer reads the published postmortem.
  const vic = await openAs(browser, baseURL, "Vic Viewer", "viewer");
  await vic.goto(`/incidents/${number}/postmortem`);
  await hydrated(vic);
  await expect(vic.locator("#postmortem-status")).toHaveText("Published");
  await expect(vic.locator("#field-description")).toHaveValue("Pushes were delayed.");
  await expect(vic.locator("#field-description")).toHaveAttribute("readonly", "");
  await expect(vic.locator("#pm-reopen")).toHaveCount(0);
});

// The shared document's code (yrs) is a chunk of its own, fetched when a page first
// needs its copy of the document: a field focused, or someone else's edit heard.
const COPY = /\/pkg\/split_postmortem_replica/;

test("a reader's page fetches the document's copy only when it needs it, and words typed while it loads wait for it and survive an edit that arrives meanwhile", async ({ browser, baseURL }) => {
  const rosa = await openAs(browser, baseURL, "Rosa Copy");
  const rosaCopies: string[] = [];
  rosa.on("request", (r) => { if (COPY.test(r.url())) rosaCopies.push(r.url()); });
  const number = await incidentWith(rosa, []);
  // Reached by navigating from the incident page (its chunk loads on the way).
  await startPostmortem(rosa, number);

  const ada = await openAs(browser, baseURL, "Ada Copy");
  const adaCopies: string[] = [];
  ada.on("request", (r) => { if (COPY.test(r.url())) adaCopies.push(r.url()); });
  // Ada's copy fails to arrive once (the network), then is held on the way until
  // Rosa's words have reached her page.
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  let failed = false;
  await ada.route(COPY, async (route) => {
    if (!failed) {
      failed = true;
      return route.abort("internetdisconnected");
    }
    await held;
    await route.continue();
  });
  await ada.goto(`/incidents/${number}/postmortem`);
  await live(ada);
  expect(rosaCopies).toHaveLength(0);
  expect(adaCopies).toHaveLength(0);

  // Ada starts typing: her page asks for its copy, which does not come; her words wait
  // and the page says so, then asks again.
  await typeAtEnd(ada, "#field-fix", "Ada drained the queue.");
  await expect(ada.locator("#postmortem-sync")).toHaveAttribute("data-state", "waiting");
  await expect.poll(() => adaCopies.length).toBe(2);

  // Rosa types into the same field; her update reaches Ada's page and waits there too.
  await typeAtEnd(rosa, "#field-fix", "Rosa rolled back. ");
  expect(rosaCopies).toHaveLength(1);
  await expect(rosa.locator("#postmortem-sync")).toHaveAttribute("data-state", "saved");
  await expect(ada.locator("#field-fix")).toHaveValue("Ada drained the queue.");

  // The copy arrives: Ada's words go first, Rosa's merge in, and nobody's are lost.
  release();
  await expect(ada.locator("#postmortem-sync")).toHaveAttribute("data-state", "saved");
  for (const page of [ada, rosa]) {
    await expect.poll(() => page.locator("#field-fix").inputValue()).toContain("Ada drained the queue.");
    await expect.poll(() => page.locator("#field-fix").inputValue()).toContain("Rosa rolled back.");
  }
  await expect.poll(async () => (await rosa.locator("#field-fix").inputValue()) === (await ada.locator("#field-fix").inputValue())).toBe(true);
  expect(adaCopies).toHaveLength(2);

  // Someone who only reads never fetches it, and still reads what is written.
  const vic = await openAs(browser, baseURL, "Vic Reader");
  const vicCopies: string[] = [];
  vic.on("request", (r) => { if (COPY.test(r.url())) vicCopies.push(r.url()); });
  await vic.goto(`/incidents/${number}/postmortem`);
  await live(vic);
  await expect(vic.locator("#field-fix")).toHaveValue(await rosa.locator("#field-fix").inputValue());
  await vic.locator("#section-fix .hint").click();
  await vic.waitForTimeout(500);
  expect(vicCopies).toHaveLength(0);
});
