// The first-load benchmark (not a test): `npx playwright test -c bench.config.ts`, or
// scripts/bench-first-load. Same servers as the browser tests, SQLite only.
import base from "./playwright.config";
import { defineConfig } from "@playwright/test";

export default defineConfig({
  ...base,
  testDir: "./bench",
  testMatch: /.*\.bench\.ts/,
  timeout: 600_000,
  projects: base.projects?.filter((p) => p.name === "sqlite"),
});
