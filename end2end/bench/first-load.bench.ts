import { test } from "@playwright/test";
import { signIn } from "../tests/helpers";
import { measure, slow4g, kb } from "../first-load";

// Navigation → hydrated (`body[data-hydrated]`) for the dashboard, cold cache, on the
// slow-4G phone of the performance issue (400 ms RTT, 1.6 Mbit/s down, CPU × 4).
// Prints figures; asserts nothing. BENCH_RUNS (default 5) sets how many loads.
test("first load of the dashboard on a slow 4G phone", async ({ browser, baseURL }) => {
  const runs = Number(process.env.BENCH_RUNS ?? 5);
  const context = await browser.newContext({ baseURL });
  const setup = await context.newPage();
  await signIn(setup, "Bench Responder");
  await setup.close();
  const times: number[] = [];
  let bytes = 0;
  for (let i = 0; i < runs; i++) {
    const m = await measure(context, "/", slow4g);
    times.push(m.ms);
    bytes = m.total;
  }
  await context.close();
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)];
  console.log(
    `[bench] / on slow 4G (400 ms RTT, 1.6 Mbit/s, CPU x4): navigation → hydrated median ${median} ms ` +
      `(min ${times[0]}, max ${times[times.length - 1]}, ${runs} runs), ${kb(bytes)} KB fetched`,
  );
});
