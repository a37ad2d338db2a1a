# Sourced by the other scripts: the build chain's tools first on PATH.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="$HOME/.cargo/bin:$ROOT/end2end/node_modules/.bin:$PATH"

# Builds the release site (server binary + WASM bundle, split into the main bundle and
# the lazy routes' chunks; pass --frontend-only to skip the server) and prints the sizes.
# What a page's first load costs in a browser is measured by end2end/tests/first-load.spec.ts.
build_release() {
  (cd "$ROOT" && cargo leptos build --release --split "$@")
  local pkg="$ROOT/target/site/pkg" raw=0 gz=0 f
  for f in "$pkg"/*.wasm; do
    raw=$((raw + $(stat -c %s "$f")))
    gz=$((gz + $(gzip -9 -c "$f" | wc -c)))
  done
  printf '[build] WASM: main bundle %d KB gzipped (%d KB raw); all chunks together %d KB gzipped (%d KB raw)\n' \
    $(( $(gzip -9 -c "$pkg/stormwatch.wasm" | wc -c) / 1024 )) $(( $(stat -c %s "$pkg/stormwatch.wasm") / 1024 )) \
    $((gz / 1024)) $((raw / 1024))
}
