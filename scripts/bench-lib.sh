# Sourced by the benchmarks that drive the release server from outside (bench-wrk,
# bench-live): start it on a database, add a generic source, and give each database a
# fresh home. Expects scripts/env.sh sourced first.

wait_up() { for _ in $(seq 100); do curl -fs "$1" >/dev/null 2>&1 && return 0; sleep 0.1; done; echo "not up: $1"; exit 1; }

# start_server <database url> <addr> [VAR=value…]: the release server in the background,
# its log in /tmp/stormwatch-bench.log; sets SERVER_PID.
start_server() {
  local url=$1 addr=$2; shift 2
  env DATABASE_URL="$url" LEPTOS_SITE_ADDR="$addr" LEPTOS_SITE_ROOT=target/site \
    RUST_LOG="${RUST_LOG:-info,tower_http=info,sqlx=warn}" "$@" \
    "${SERVER:-target/release/server}" >/tmp/stormwatch-bench.log 2>&1 &
  SERVER_PID=$!
  wait_up "http://$addr/healthz"
}

stop_server() { kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; }

# add_source <database url> <addr> <name>: prints the new generic source's webhook URL.
# The same build as the server (its CLI migrates the database too).
add_source() {
  RUST_LOG=error DATABASE_URL="$1" PUBLIC_URL="http://$2" "${SERVER:-target/release/server}" sources add --kind generic --name "$3" --json \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["url"])'
}

# on_both_databases <function>: calls it with (name, url) on a fresh SQLite file and a
# fresh PostgreSQL database (TEST_POSTGRES_URL's server), then drops them.
on_both_databases() {
  local fn=$1 pg_admin="${TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test}"
  local sqlite_file db
  sqlite_file=$(mktemp -u /tmp/stormwatch-bench-XXXXXX.db)
  "$fn" SQLite "sqlite://$sqlite_file"
  rm -f "$sqlite_file"*
  db="stormwatch_bench_$$"
  psql "$pg_admin" -qc "CREATE DATABASE $db"
  "$fn" PostgreSQL "${pg_admin%/*}/$db"
  psql "$pg_admin" -qc "DROP DATABASE $db WITH (FORCE)"
}
