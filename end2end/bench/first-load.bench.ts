import { test } from "@playwright/test";
import { incidentWith, signIn } from "../tests/helpers";
import { measure, slow4g, kb } from "../first-load";
import { startH2Proxy } from "./h2-proxy";

// Navigation → hydrated (`body[data-hydrated]`), cold cache, on the slow-4G phone of the
// performance issue (400 ms RTT, 1.6 Mbit/s down, CPU × 4): the dashboard, the status
// view and an incident's page (the page an engineer paged at night opens), each as the
// server speaks it (HTTP/1.1: six connections to a host) and through a TLS proxy
// speaking HTTP/2 (one connection, as a deployment behind Caddy or nginx serves it);
// then each as a repeat visit (opened once before: what the browser kept is not fetched
// again). Prints figures; asserts nothing. BENCH_RUNS (default 5) sets how many loads
// of each.
test("first load on a slow 4G phone", async ({ browser, baseURL }) => {
  const runs = Number(process.env.BENCH_RUNS ?? 5);
  const direct = await browser.newContext({ baseURL });
  const setup = await direct.newPage();
  await signIn(setup, "Bench Responder");
  const number = await incidentWith(setup, ["Rolled back the deploy"]);
  await setup.close();
  const proxy = await startH2Proxy(baseURL!);
  // Cookies belong to the host, not the port: the session works through the proxy too.
  const proxied = await browser.newContext({
    baseURL: proxy.url,
    ignoreHTTPSErrors: true,
    storageState: await direct.storageState(),
  });
  const ways = [
    { name: "HTTP/1.1", context: direct, repeat: false },
    { name: "HTTP/2 via TLS proxy", context: proxied, repeat: false },
    { name: "HTTP/1.1, repeat visit", context: direct, repeat: true },
  ];
  for (const path of ["/", "/status", `/incidents/${number}`]) {
    for (const { name, context, repeat } of ways) {
      const times: number[] = [];
      let bytes = 0;
      let files = 0;
      for (let i = 0; i < runs; i++) {
        const m = await measure(context, path, slow4g, repeat);
        times.push(m.ms);
        bytes = m.total;
        files = m.files.length;
      }
      times.sort((a, b) => a - b);
      const median = times[Math.floor(times.length / 2)];
      console.log(
        `[bench] ${path} on slow 4G (400 ms RTT, 1.6 Mbit/s, CPU x4), ${name}: navigation → hydrated median ${median} ms ` +
          `(min ${times[0]}, max ${times[times.length - 1]}, ${runs} runs), ${kb(bytes)} KB in ${files} files`,
      );
    }
  }
  await proxied.close();
  await direct.close();
  await proxy.close();
});
