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
//!
//! The release build names each of the bundle's files by its content
//! (`stormwatch.<md5>.wasm`, cargo-leptos's `hash-files`) and lists the names in the
//! site's `hash.txt`, which the pages' script and style links follow. A name then never
//! changes meaning, so a browser may keep such a file for a year without asking again:
//! a phone that has opened Stormwatch before fetches no code on the next visit, and one
//! that comes back after a deploy fetches only what changed.

use axum::{
    extract::Request,
    http::{header, HeaderValue, StatusCode},
    middleware::Next,
    response::Response,
};
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

/// The absolute path of the site's list of content-named files, if the build wrote one
/// (the pages then name the files by it). Leptos looks for it relative to the server's
/// binary, where an absolute path wins: the list belongs to the site it describes.
pub fn hash_file(root: &str) -> Option<std::sync::Arc<str>> {
    let path = std::path::absolute(Path::new(root).join("hash.txt")).ok()?;
    path.is_file().then(|| path.display().to_string().into())
}

/// Marks a site file named by its content as cacheable for good (`immutable`: not even
/// revalidated on reload). Anything else keeps the default: revalidated by its
/// `Last-Modified`.
///
/// Such a file is never revalidated, so its `Last-Modified` says nothing a browser uses;
/// nor does `Accept-Ranges` (ranges are still served when asked for). Both go: over
/// HTTP/1.1 a page's 95 files each carry their headers uncompressed, and the two are
/// longer than the `Cache-Control` that replaces them.
pub async fn cache_named_by_content(req: Request, next: Next) -> Response {
    let forever = named_by_content(req.uri().path());
    let mut res = next.run(req).await;
    if forever && res.status() == StatusCode::OK {
        let headers = res.headers_mut();
        headers.remove(header::LAST_MODIFIED);
        headers.remove(header::ACCEPT_RANGES);
        headers.insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static("max-age=31536000, immutable"),
        );
    }
    res
}

/// Whether `path` is a bundle file as `hash-files` names it: `pkg/<name>.<hash>.<ext>`,
/// the hash an MD5 in unpadded base64url (22 characters).
fn named_by_content(path: &str) -> bool {
    let Some(name) = path.strip_prefix("/pkg/") else {
        return false;
    };
    let mut parts = name.rsplit('.');
    let (Some(_ext), Some(hash), Some(_name)) = (parts.next(), parts.next(), parts.next()) else {
        return false;
    };
    hash.len() == 22
        && hash
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
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

#[cfg(test)]
mod tests {
    use super::named_by_content;

    #[test]
    fn only_the_bundles_content_named_files_are_kept_for_good() {
        for path in [
            "/pkg/stormwatch.fJ3x-Qz_0aB1cD2eF3gH4A.wasm",
            "/pkg/__wasm_split.fJ3x-Qz_0aB1cD2eF3gH4A.js",
            "/pkg/split___incident_route_view_1f2e.fJ3x-Qz_0aB1cD2eF3gH4A.wasm",
        ] {
            assert!(named_by_content(path), "{path}");
        }
        for path in [
            "/pkg/stormwatch.wasm",
            "/pkg/stormwatch.css",
            // 21 characters: not an MD5.
            "/pkg/stormwatch.fJ3x-Qz_0aB1cD2eF3gH4.wasm",
            "/pkg/stormwatch.fJ3x-Qz_0aB1cD2e!3gH4A.wasm",
            // Outside the bundle's directory nothing is named by content.
            "/favicon.fJ3x-Qz_0aB1cD2eF3gH4A.svg",
            "/pkg/fJ3x-Qz_0aB1cD2eF3gH4A.wasm",
        ] {
            assert!(!named_by_content(path), "{path}");
        }
    }
}
