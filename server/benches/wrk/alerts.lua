-- wrk script: POSTs generic alerts, each with a key no other request uses (the thread's
-- number and a per-run nonce in every key: wrk gives each thread the same random
-- sequence). `wrk -t2 -c64 -d10s -s alerts.lua <webhook URL>`; SERVICES (default 1)
-- spreads them over that many services (feed groups). KEYS (default: none) makes it a
-- storm of repeats instead: each thread cycles over that many keys, so after the first
-- round every delivery updates an alert that is already firing.
local threads = {}
local nonce = tostring(os.time())

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  counter = 0
  services = tonumber(os.getenv("SERVICES") or "1")
  keys = tonumber(os.getenv("KEYS") or "0")
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
end

function request()
  counter = counter + 1
  local n = counter
  if keys > 0 then n = counter % keys end
  local key = string.format("wrk-%s-%d-%d", nonce, id, n)
  local body = string.format(
    '{"dedup_key":"%s","title":"Storm alert %d","severity":"warning","service":"storm-%d"}',
    key, counter, counter % services)
  return wrk.format(nil, nil, nil, body)
end

function done(summary, latency, requests)
  io.write(string.format("[wrk] %d requests, %d non-2xx/3xx, %d errors; %.0f req/s; latency p50 %.2f ms p99 %.2f ms\n",
    summary.requests, summary.errors.status, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
