import { defineConfig } from "@playwright/test";
import { execFileSync } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";

// Evaluated by the runner and again by each worker: only the runner creates the databases.
if (!process.env.E2E_RUN_ID) {
  process.env.E2E_RUN_ID = `${Date.now()}`;
  execFileSync("psql", [pgAdminUrl(), "-qc", `CREATE DATABASE ${pgDatabase()}`], { stdio: "inherit" });
}

function pgAdminUrl() {
  return process.env.TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/test";
}
export function pgDatabase() {
  return `stormwatch_e2e_${process.env.E2E_RUN_ID}`;
}

const backends = [
  {
    name: "sqlite",
    port: Number(process.env.E2E_SQLITE_PORT ?? 3101),
    databaseUrl: `sqlite://${join(tmpdir(), `stormwatch-e2e-${process.env.E2E_RUN_ID}.db`)}`,
  },
  {
    name: "postgres",
    port: Number(process.env.E2E_POSTGRES_PORT ?? 3102),
    databaseUrl: pgAdminUrl().replace(/\/[^/]*$/, `/${pgDatabase()}`),
  },
];

export default defineConfig({
  testDir: "./tests",
  timeout: 30_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  reporter: [["list"]],
  globalTeardown: "./teardown.ts",
  use: {
    trace: "retain-on-failure",
    launchOptions: {
      executablePath: "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    },
  },
  projects: backends.map((b) => ({ name: b.name, use: { baseURL: `http://127.0.0.1:${b.port}` } })),
  webServer: backends.map((b) => ({
    // Built by `cargo test` in scripts/test; E2E_SERVER_BIN points elsewhere (e.g. a release build).
    command: process.env.E2E_SERVER_BIN ?? "../target/debug/server",
    url: `http://127.0.0.1:${b.port}/healthz`,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: "ignore",
    stderr: "pipe",
    env: {
      DATABASE_URL: b.databaseUrl,
      AUTH_DEV_LOGIN: "1",
      LEPTOS_SITE_ADDR: `127.0.0.1:${b.port}`,
      LEPTOS_SITE_ROOT: "../target/site",
      RUST_LOG: "warn",
    },
  })),
});
