import { test } from "@playwright/test";
import { incidentWith, signIn } from "../tests/helpers";
import { measure, slow4g, kb } from "../first-load";

// Navigation → hydrated (`body[data-hydrated]`), cold cache, on the slow-4G phone of the
// performance issue (400 ms RTT, 1.6 Mbit/s down, CPU × 4): the dashboard, the status
// view and an incident's page (the page an engineer paged at night opens). Prints
// figures; asserts nothing. BENCH_RUNS (default 5) sets how many loads of each.
test("first load on a slow 4G phone", async ({ browser, baseURL }) => {
  const runs = Number(process.env.BENCH_RUNS ?? 5);
  const context = await browser.newContext({ baseURL });
  const setup = await context.newPage();
  await signIn(setup, "Bench Responder");
  const number = await incidentWith(setup, ["Rolled back the deploy"]);
  await setup.close();
  for (const path of ["/", "/status", `/incidents/${number}`]) {
    const times: number[] = [];
    let bytes = 0;
    let files = 0;
    for (let i = 0; i < runs; i++) {
      const m = await measure(context, path, slow4g);
      times.push(m.ms);
      bytes = m.total;
      files = m.files.length;
    }
    times.sort((a, b) => a - b);
    const median = times[Math.floor(times.length / 2)];
    console.log(
      `[bench] ${path} on slow 4G (400 ms RTT, 1.6 Mbit/s, CPU x4): navigation → hydrated median ${median} ms ` +
        `(min ${times[0]}, max ${times[times.length - 1]}, ${runs} runs), ${kb(bytes)} KB in ${files} files`,
    );
  }
  await context.close();
});
