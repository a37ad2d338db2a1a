// Alert to screen, measured from outside the server: one Node process holds `count`
// signed-in live streams (GET /live), and, while a storm of `rate` alerts a second
// arrives, posts a probe alert every 20 ms and times, for every (probe, stream) pair,
// the POST to that stream's receipt. Prints p50/p99 and the server's RSS (read from
// /proc while the streams are open), the server's own histograms for the run
// (`/metrics`: the webhook's answer, a live event's append → fan-out) and the CPU both
// processes used. Run by scripts/bench-live; asserts nothing.
//
//   node live-clients.mjs <base> <storm webhook> <probe webhook> <server pid> <seconds> <rate> <count>...
import http from "node:http";
import net from "node:net";
import fs from "node:fs";

const [base, stormUrl, probeUrl, serverPid, seconds, rate, ...counts] = process.argv.slice(2);
const PROBE_EVERY_MS = 20;
const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });

function request(url, { method = "GET", headers = {}, body } = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers, agent }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk) => (text += chunk));
      res.on("end", () => resolve({ status: res.statusCode, headers: res.headers, text }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

/** Signs in through the login page's development form; returns the session cookie. */
async function signIn() {
  const page = await request(`${base}/login`);
  const action = [...page.text.matchAll(/action="([^"]*dev_login[^"]*)"/g)].map((m) => m[1])[0];
  if (!action) throw new Error("the login page has no development login (AUTH_DEV_LOGIN=1?)");
  const res = await request(`${base}${action}`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: "name=Bench&email=bench%40example.com&role=viewer",
  });
  const cookie = (res.headers["set-cookie"] ?? []).map((c) => c.split(";")[0]).join("; ");
  if (res.status >= 400 || !cookie) throw new Error(`development login answered ${res.status}`);
  return cookie;
}

const post = (url, alert) =>
  request(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(alert) });

/** CPU seconds (user + system) a process has used so far, from /proc. */
function cpuSeconds(pid) {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ 100)
}

function rssMb(pid) {
  const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (field) => Number(status.match(new RegExp(`${field}:\\s+(\\d+)`))[1]);
  return { rss: Math.round(kb("VmRSS") / 1024), peak: Math.round(kb("VmHWM") / 1024) };
}

/**
 * The server's own view of a histogram (`/metrics`, open to loopback): its cumulative
 * buckets summed over label sets, `le` → count.
 */
async function buckets(name) {
  const res = await request(`${base}/metrics`);
  const counts = new Map();
  for (const m of res.text.matchAll(new RegExp(`^${name}_bucket\\{[^}]*le="([^"]+)"[^}]*\\} (\\S+)$`, "gm"))) {
    const le = m[1] === "+Inf" ? Infinity : Number(m[1]);
    counts.set(le, (counts.get(le) ?? 0) + Number(m[2]));
  }
  return counts;
}

/** The bucket bound (ms) that the `q` quantile of what was recorded between two reads falls in. */
function bound(before, after, q) {
  const les = [...after.keys()].sort((a, b) => a - b);
  const total = (after.get(Infinity) ?? 0) - (before.get(Infinity) ?? 0);
  if (!total) return "n/a";
  const le = les.find((le) => after.get(le) - (before.get(le) ?? 0) >= q * total);
  return le === Infinity ? "> max" : `≤ ${le * 1000} ms`;
}

const SERVER_FIGURES = {
  webhook: "stormwatch_webhook_duration_seconds",
  "live event append → streams": "stormwatch_live_event_lag_seconds",
};

// Each probe is alone in its own group; its number follows "probe-" in the title.
const PROBE = Buffer.from('"title":"probe-');
const EMPTY = Buffer.alloc(0);
function* probesIn(bytes) {
  for (let at = bytes.indexOf(PROBE); at !== -1; at = bytes.indexOf(PROBE, at + 1)) {
    let n = 0;
    let i = at + PROBE.length;
    for (; i < bytes.length && bytes[i] >= 48 && bytes[i] <= 57; i++) n = n * 10 + bytes[i] - 48;
    if (i < bytes.length && bytes[i] === 34) yield n; // the closing quote: the number is whole
  }
}

const pct = (sorted, p) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] : NaN);

async function fanOut(cookie, count, run) {
  const { hostname, port } = new URL(base);
  const sent = new Map();
  const latencies = [];
  const streams = [];
  await Promise.all(
    Array.from({ length: count }, () =>
      new Promise((resolve, reject) => {
        // A raw socket searched as bytes, not node:http decoding text: at 1,000 streams
        // this one process reads every event 1,000 times, and the time spent on one
        // stream's event delays every stream read after it, which the figures would
        // count as the server's. node:http's parser and streams took this process from
        // 60-68% to 71-77% of the machine (2026-12-05, alternating runs). The body's
        // chunked framing is left in place: a probe's title is whole inside its event,
        // and an event is one chunk.
        const socket = net.connect(Number(port), hostname, () => {
          socket.write(`GET /live HTTP/1.1\r\nhost: ${hostname}:${port}\r\ncookie: ${cookie}\r\naccept: text/event-stream\r\n\r\n`);
        });
        socket.setNoDelay(true);
        let answered = false;
        let newest = 0;
        let tail = EMPTY;
        socket.on("data", (chunk) => {
          const arrived = performance.now();
          if (!answered) {
            answered = true;
            const status = chunk.subarray(0, 12).toString("latin1");
            if (status !== "HTTP/1.1 200") return reject(new Error(`/live answered ${status}`));
            streams.push(socket);
            resolve();
          }
          // A probe split between two reads is found in the seam.
          const seam = Buffer.concat([tail, chunk.subarray(0, PROBE.length + 24)]);
          tail = chunk.subarray(-(PROBE.length + 24));
          for (const bytes of [seam, chunk]) {
            for (const n of probesIn(bytes)) {
              if (n > newest && sent.has(n)) {
                newest = n;
                latencies.push(arrived - sent.get(n));
              }
            }
          }
        });
        socket.on("error", reject);
      }),
    ),
  );
  await new Promise((r) => setTimeout(r, 500));

  const serverBefore = Object.fromEntries(
    await Promise.all(Object.entries(SERVER_FIGURES).map(async ([label, name]) => [label, await buckets(name)])),
  );
  const cpuBefore = { server: cpuSeconds(serverPid), clients: process.cpuUsage(), at: performance.now() };
  let storming = true;
  let stormSent = 0;
  let stormSeconds = 0;
  const storm = (async () => {
    const started = performance.now();
    let next = 0;
    const inFlight = new Set();
    while (storming) {
      const due = Math.floor(((performance.now() - started) / 1000) * rate);
      while (next < due && inFlight.size < 64) {
        const n = next++;
        const p = post(stormUrl, { dedup_key: `storm-${run}-${n}`, title: `storm ${n}`, service: "storm" }).then((r) => {
          if (r.status === 200) stormSent++;
          inFlight.delete(p);
        });
        inFlight.add(p);
      }
      await new Promise((r) => setTimeout(r, 5));
    }
    await Promise.all(inFlight);
    stormSeconds = (performance.now() - started) / 1000;
  })();

  const probes = [];
  const started = performance.now();
  let n = run * 1_000_000;
  while (performance.now() - started < seconds * 1000) {
    const id = ++n;
    sent.set(id, performance.now());
    probes.push(post(probeUrl, { dedup_key: `probe-${id}`, title: `probe-${id}`, service: `probe-${id}` }));
    await new Promise((r) => setTimeout(r, PROBE_EVERY_MS));
  }
  await Promise.all(probes);
  await new Promise((r) => setTimeout(r, 1000));
  const memory = rssMb(serverPid);
  const wall = (performance.now() - cpuBefore.at) / 1000;
  const clientCpu = process.cpuUsage(cpuBefore.clients);
  const cpu = {
    server: Math.round((100 * (cpuSeconds(serverPid) - cpuBefore.server)) / wall),
    clients: Math.round((clientCpu.user + clientCpu.system) / 1e4 / wall),
  };
  storming = false;
  await storm;
  const server = [];
  for (const [label, name] of Object.entries(SERVER_FIGURES)) {
    const after = await buckets(name);
    server.push(`${label} p50 ${bound(serverBefore[label], after, 0.5)}, p99 ${bound(serverBefore[label], after, 0.99)}`);
  }
  for (const req of streams) req.destroy();
  latencies.sort((a, b) => a - b);
  const expected = probes.length * count;
  console.log(
    `[live] ${count} clients (${Math.round(stormSent / stormSeconds)} alerts/s beside): webhook → client p50 ${pct(latencies, 50).toFixed(2)} ms  p99 ${pct(latencies, 99).toFixed(2)} ms  (${latencies.length}/${expected} deliveries)  server RSS ${memory.rss} MB (peak ${memory.peak} MB)`,
  );
  console.log(`[live]   the server's own histograms over the same run: ${server.join("; ")}`);
  console.log(`[live]   CPU over the run (2 cores = 200%): server ${cpu.server}%, this client process ${cpu.clients}%`);
}

const cookie = await signIn();
let run = 1;
for (const count of counts.map(Number)) {
  await fanOut(cookie, count, run++);
  await new Promise((r) => setTimeout(r, 1000));
}
agent.destroy();
