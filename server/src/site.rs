//! The built site's files (WASM, JS, CSS, `public/`), served from `LEPTOS_SITE_ROOT`.
//!
//! `scripts/env.sh` writes a brotli (`.br`) and a zopfli-gzip (`.gz`) copy beside each
//! of them once per release build; a browser gets the smallest its `Accept-Encoding`
//! allows, and the server compresses none of them per request. A copy older than its
//! file (the site rebuilt without them) would serve yesterday's bundle with today's
//! loader, so then none are used and the files go out as the compression layer makes
//! them. Either way what is sent depends on `Accept-Encoding`, and every file says so
//! (`Vary`), or a shared cache in front would hand a brotli copy to a browser that
//! cannot read it.

use axum::http::{header, HeaderValue};
use std::{
    path::{Path, PathBuf},
    time::SystemTime,
};
use tower_http::{services::ServeDir, set_header::SetResponseHeader};

/// `ServeDir` over `root`, with its precompressed copies when every one is current.
pub fn files(root: &str) -> ServeDir {
    let files = ServeDir::new(root).append_index_html_on_directories(false);
    match stale_copy(Path::new(root)) {
        None => files.precompressed_br().precompressed_gzip(),
        Some(copy) => {
            tracing::warn!(
                copy = %copy.display(),
                "a precompressed copy is older than its file: serving no copies, the files compressed per request; rebuild with scripts/env.sh's build_release"
            );
            files
        }
    }
}

/// `site` (the files with whatever serves what they lack), each response marked as
/// chosen by `Accept-Encoding`.
pub fn negotiated<S>(site: S) -> SetResponseHeader<S, HeaderValue> {
    SetResponseHeader::if_not_present(
        site,
        header::VARY,
        HeaderValue::from_static("accept-encoding"),
    )
}

/// The first `.br`/`.gz` under `dir` older than the file beside it that it copies.
fn stale_copy(dir: &Path) -> Option<PathBuf> {
    let entries = std::fs::read_dir(dir).ok()?;
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            if let Some(stale) = stale_copy(&path) {
                return Some(stale);
            }
            continue;
        }
        let is_copy = matches!(path.extension().and_then(|e| e.to_str()), Some("br" | "gz"));
        // A `.gz` with no file beside it is a file of its own, not a copy.
        let file = modified(&path.with_extension(""));
        if is_copy && file.is_some() && modified(&path) < file {
            return Some(path);
        }
    }
    None
}

fn modified(path: &Path) -> Option<SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}
