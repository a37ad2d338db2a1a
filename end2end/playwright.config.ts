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

// The local OpenID Connect provider both servers sign in through.
const oidcPort = Number(process.env.E2E_OIDC_PORT ?? 3109);
// The SMTP server both servers send the company email to (aiosmtpd, from scripts/setup),
// writing a Maildir the tests read (see mailDir in tests/helpers.ts).
const smtpPort = Number(process.env.E2E_SMTP_PORT ?? 3125);
const mailDir = join(tmpdir(), `stormwatch-e2e-mail-${process.env.E2E_RUN_ID}`);

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
  webServer: [
    {
      command: `node oidc-provider.mjs ${oidcPort}`,
      url: `http://127.0.0.1:${oidcPort}/.well-known/openid-configuration`,
      reuseExistingServer: false,
      timeout: 30_000,
      stdout: "ignore" as const,
      stderr: "pipe" as const,
    },
    {
      command: `../.tools/smtp/bin/python -m aiosmtpd -n -l 127.0.0.1:${smtpPort} -c aiosmtpd.handlers.Mailbox ${mailDir}`,
      port: smtpPort,
      reuseExistingServer: false,
      timeout: 30_000,
      stdout: "ignore" as const,
      stderr: "pipe" as const,
    },
    ...backends.map((b) => ({
    // Built by `cargo test` in scripts/test; E2E_SERVER_BIN points elsewhere (e.g. a release build).
    command: process.env.E2E_SERVER_BIN ?? "../target/debug/server",
    url: `http://127.0.0.1:${b.port}/healthz`,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: "ignore" as const,
    stderr: "pipe" as const,
    env: {
      DATABASE_URL: b.databaseUrl,
      // Explicitly on beside Google sign-in, for the journeys that pick a role directly.
      AUTH_DEV_LOGIN: "1",
      LEPTOS_SITE_ADDR: `127.0.0.1:${b.port}`,
      LEPTOS_SITE_ROOT: "../target/site",
      PUBLIC_URL: `http://127.0.0.1:${b.port}`,
      GOOGLE_CLIENT_ID: "stormwatch-e2e",
      GOOGLE_CLIENT_SECRET: "e2e-secret",
      OIDC_ISSUER_URL: `http://127.0.0.1:${oidcPort}`,
      ALLOWED_DOMAINS: "example.com",
      ADMIN_EMAILS: "lead@example.com",
      SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
      MAIL_FROM: "Stormwatch <incidents@example.com>",
      RUST_LOG: "warn",
    },
  })),
  ],
});
