# Sourced by the other scripts: the build chain's tools first on PATH.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="$HOME/.cargo/bin:$ROOT/end2end/node_modules/.bin:$PATH"

# Builds the release site (server binary + WASM bundle, split into the main bundle and
# the lazy routes' chunks; pass --frontend-only to skip the server), precompresses it
# and prints the sizes. What a page's first load costs in a browser is measured by
# end2end/tests/first-load.spec.ts.
build_release() {
  # The bundle is built with its own copy of the standard library (`-Zbuild-std`, from
  # the toolchain's rust-src, which scripts/setup adds), with panics that abort at once
  # (`-Cpanic=immediate-abort`): no panic message, location or formatting code is
  # linked. Main bundle 239 → 222 KB brotli, every page 17–25 KB less (README, "First
  # load"). A panic in the browser is then a bare `unreachable` trap in the console;
  # debug builds keep the messages. That std is built `optimize_for_size` (its smaller
  # sort, formatting and search code) and no caller location keeps its file name
  # (`-Zlocation-detail=none`): main bundle 219 → 214, every page 5–16 KB less.
  # All are unstable options of the stable toolchain, allowed here by RUSTC_BOOTSTRAP
  # for this build only. The target's flags replace the `[build] rustflags` of
  # .cargo/config.toml for the WASM, so they repeat its cfg.
  (cd "$ROOT" &&
    RUSTC_BOOTSTRAP=1 \
    CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="--cfg erase_components -Zunstable-options -Cpanic=immediate-abort -Zlocation-detail=none" \
    cargo leptos build --release --split \
      --lib-cargo-args=-Zbuild-std=std,panic_abort --lib-cargo-args=-Zbuild-std-features=optimize_for_size "$@")
  case " $* " in *" --server-only "*) return ;; esac
  precompress_site "$ROOT/target/site"
  local pkg="$ROOT/target/site/pkg" raw=0 gz=0 br=0 f main=""
  for f in "$pkg"/*.wasm; do
    # The main bundle: stormwatch.wasm, or stormwatch.<hash>.wasm when named by content.
    case "${f##*/}" in stormwatch.wasm | stormwatch.*.wasm) main=$f ;; esac
    raw=$((raw + $(stat -c %s "$f")))
    gz=$((gz + $(stat -c %s "$f.gz")))
    br=$((br + $(stat -c %s "$f.br")))
  done
  printf '[build] WASM as served: main bundle %d KB gzipped, %d KB brotli (%d KB raw); all chunks together %d KB gzipped, %d KB brotli (%d KB raw)\n' \
    $(( $(stat -c %s "$main.gz") / 1024 )) $(( $(stat -c %s "$main.br") / 1024 )) \
    $(( $(stat -c %s "$main") / 1024 )) $((gz / 1024)) $((br / 1024)) $((raw / 1024))
}

# Writes a `.br` (brotli -q 11) and a `.gz` (zopfli, by pigz -11) beside every text or
# WASM file of the built site, once per build, so that every visit gets the
# smallest encoding its browser accepts without the server compressing anything; the
# server serves them in place of the file (`ServeDir::precompressed_*`). Stale ones go
# first: the server refuses to serve a compressed copy older than its file.
precompress_site() {
  local site=$1
  find "$site" -type f \( -name '*.br' -o -name '*.gz' \) -delete
  find "$site" -type f \( -name '*.wasm' -o -name '*.js' -o -name '*.css' -o -name '*.svg' -o -name '*.html' -o -name '*.json' -o -name '*.txt' \) -print0 |
    xargs -0 -r -P2 -n4 sh -c 'brotli -q 11 -k -f "$@" && pigz -11 -n -k -f "$@"' sh
  # Both tools give a copy its file's time, to the second (older than the file by a
  # fraction): stamp the copies now, so that only a file rebuilt since is newer.
  find "$site" -type f \( -name '*.br' -o -name '*.gz' \) -exec touch {} +
}
