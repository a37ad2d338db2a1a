import { execFileSync } from "node:child_process";
import { rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export default function teardown() {
  const run = process.env.E2E_RUN_ID;
  const admin = process.env.TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/test";
  execFileSync("psql", [admin, "-qc", `DROP DATABASE IF EXISTS stormwatch_e2e_${run} WITH (FORCE)`], { stdio: "inherit" });
  for (const suffix of ["", "-wal", "-shm"]) {
    rmSync(join(tmpdir(), `stormwatch-e2e-${run}.db${suffix}`), { force: true });
  }
}
