//! The built site's files go out as the compressed copies the release build writes
//! beside them, in the best encoding the browser accepts, marked as chosen by it, and
//! never as a copy older than its file.

use crate::helpers::{bounded, spawn_app_with, Backend, TestApp};
use std::{
    path::{Path, PathBuf},
    time::{Duration, SystemTime},
};

const SCRIPT: &str = "console.log('the loader');\n";

/// A site root with `pkg/app.js` and copies of it whose bytes say which one was sent.
fn site_with_copies() -> PathBuf {
    let root = std::env::temp_dir().join(format!("stormwatch-site-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(root.join("pkg")).unwrap();
    std::fs::write(root.join("pkg/app.js"), SCRIPT.repeat(100)).unwrap();
    std::fs::write(root.join("pkg/app.js.br"), "the brotli copy").unwrap();
    std::fs::write(root.join("pkg/app.js.gz"), "the gzip copy").unwrap();
    root
}

async fn serve(root: &Path) -> TestApp {
    let root = root.display().to_string();
    spawn_app_with(Backend::Sqlite, move |config, _| config.site_root = root).await
}

/// The body and `Content-Encoding` of `/pkg/app.js` asked for with `accept`.
async fn fetch(app: &TestApp, accept: &str) -> (String, Vec<u8>) {
    let res = app
        .client
        .get(app.url("/pkg/app.js"))
        .header("accept-encoding", accept)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "{accept}");
    // What was sent depends on the header: a cache in front must know.
    assert_eq!(
        res.headers().get("vary").map(|v| v.to_str().unwrap()),
        Some("accept-encoding"),
        "{accept}"
    );
    let encoding = res
        .headers()
        .get("content-encoding")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    (encoding, res.bytes().await.unwrap().to_vec())
}

#[tokio::test]
async fn the_sites_files_go_out_as_their_precompressed_copies() {
    bounded("site::precompressed_copies", async {
        let root = site_with_copies();
        let app = serve(&root).await;
        let (encoding, body) = fetch(&app, "gzip, deflate, br, zstd").await;
        assert_eq!(
            (encoding.as_str(), body.as_slice()),
            ("br", &b"the brotli copy"[..])
        );
        let (encoding, body) = fetch(&app, "gzip, deflate").await;
        assert_eq!(
            (encoding.as_str(), body.as_slice()),
            ("gzip", &b"the gzip copy"[..])
        );
        let (encoding, body) = fetch(&app, "identity").await;
        assert_eq!(encoding, "");
        assert_eq!(body, SCRIPT.repeat(100).as_bytes());
        app.finish().await;
        std::fs::remove_dir_all(root).ok();
    })
    .await;
}

#[tokio::test]
async fn a_copy_older_than_its_file_is_never_sent() {
    bounded("site::stale_copies", async {
        let root = site_with_copies();
        // The file rebuilt after its copies were written.
        let earlier = SystemTime::now() - Duration::from_secs(60);
        for copy in ["pkg/app.js.br", "pkg/app.js.gz"] {
            let file = std::fs::File::options()
                .write(true)
                .open(root.join(copy))
                .unwrap();
            file.set_modified(earlier).unwrap();
        }
        let app = serve(&root).await;
        for accept in ["gzip, deflate, br", "gzip"] {
            let (encoding, body) = fetch(&app, accept).await;
            assert_eq!(
                encoding, "gzip",
                "compressed per request instead ({accept})"
            );
            assert_ne!(body, b"the gzip copy");
            assert_ne!(body, b"the brotli copy");
        }
        app.finish().await;
        std::fs::remove_dir_all(root).ok();
    })
    .await;
}

#[tokio::test]
async fn pages_name_the_bundle_by_its_content_and_those_files_are_kept_for_good() {
    bounded("site::content_named", async {
        let root = site_with_copies();
        let (js, wasm, css) = (
            "AAAAAAAAAAAAAAAAAAAA-A",
            "BBBBBBBBBBBBBBBBBBBB_B",
            "CCCCCCCCCCCCCCCCCCCCCC",
        );
        std::fs::write(
            root.join("hash.txt"),
            format!("js: {js}\nwasm: {wasm}\ncss: {css}\n"),
        )
        .unwrap();
        std::fs::write(root.join(format!("pkg/stormwatch.{js}.js")), SCRIPT).unwrap();
        let app = serve(&root).await;

        let page = app.client.get(app.url("/login")).send().await.unwrap();
        assert_eq!(page.status(), 200);
        let html = page.text().await.unwrap();
        for name in [
            format!("/pkg/stormwatch.{js}.js"),
            format!("/pkg/stormwatch.{wasm}.wasm"),
            format!("/pkg/stormwatch.{css}.css"),
        ] {
            assert!(html.contains(&name), "the page links {name}: {html}");
        }

        // Status, Cache-Control and whether Last-Modified is there.
        let caching = |path: String| {
            let app = &app;
            async move {
                let res = app.client.get(app.url(&path)).send().await.unwrap();
                let header = |name: &str| {
                    res.headers()
                        .get(name)
                        .map(|v| v.to_str().unwrap().to_string())
                };
                let (cache_control, last_modified) =
                    (header("cache-control"), header("last-modified"));
                (
                    res.status().as_u16(),
                    cache_control,
                    last_modified.is_some(),
                )
            }
        };
        // Never revalidated, so nothing to revalidate it by.
        assert_eq!(
            caching(format!("/pkg/stormwatch.{js}.js")).await,
            (200, Some("max-age=31536000, immutable".to_string()), false)
        );
        // A name that says nothing of its content may change meaning with a deploy.
        let (status, value, last_modified) = caching("/pkg/app.js".into()).await;
        assert_eq!((status, last_modified), (200, true));
        assert!(!value.unwrap_or_default().contains("immutable"));
        // Nor is a missing file's answer kept: the file may come with the next deploy.
        let (status, value, _) = caching(format!("/pkg/stormwatch.{wasm}.wasm")).await;
        assert_eq!(status, 404);
        assert!(!value.unwrap_or_default().contains("immutable"));
        app.finish().await;
        std::fs::remove_dir_all(root).ok();
    })
    .await;
}
