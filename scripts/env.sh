# Sourced by the other scripts: the build chain's tools first on PATH.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="$HOME/.cargo/bin:$ROOT/end2end/node_modules/.bin:$PATH"

# Builds the release site (server binary + WASM bundle; pass --frontend-only to skip
# the server) and prints the bundle's size.
build_release() {
  (cd "$ROOT" && cargo leptos build --release "$@")
  local wasm="$ROOT/target/site/pkg/stormwatch.wasm"
  local raw gz
  raw=$(stat -c %s "$wasm")
  gz=$(gzip -9 -c "$wasm" | wc -c)
  printf '[build] WASM bundle: %d KB raw, %d KB gzipped (%s)\n' $((raw / 1024)) $((gz / 1024)) "$wasm"
}
