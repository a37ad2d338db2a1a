//! What every response says about itself to the browser: a page's Content-Security-
//! Policy allows only the scripts it rendered (by their nonce), nothing may frame it,
//! no MIME sniffing, the referrer stays on this origin, and HSTS over https.

use crate::{helpers::TestApp, on_both_databases};

on_both_databases!(
    a_page_allows_only_its_own_scripts_and_no_framing,
    every_response_carries_the_other_headers,
    hsts_is_sent_when_the_server_is_reached_over_https,
);

fn header(res: &reqwest::Response, name: &str) -> String {
    res.headers()
        .get(name)
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default()
}

async fn a_page_allows_only_its_own_scripts_and_no_framing(app: &TestApp) {
    let mut nonces = Vec::new();
    for _ in 0..2 {
        let res = app.get("/login").await;
        assert_eq!(res.status(), 200);
        let policy = header(&res, "content-security-policy");
        let nonce = policy
            .split("'nonce-")
            .nth(1)
            .and_then(|rest| rest.split('\'').next())
            .unwrap_or_else(|| panic!("a nonce in {policy}"))
            .to_string();
        for directive in [
            "script-src 'nonce-",
            "'strict-dynamic'",
            "'wasm-unsafe-eval'",
            "frame-ancestors 'none'",
            "object-src 'none'",
            "base-uri 'self'",
        ] {
            assert!(policy.contains(directive), "{directive} in {policy}");
        }
        assert!(!policy.contains("unsafe-inline"), "{policy}");
        let html = res.text().await.unwrap();
        let scripts = html.matches("<script").count();
        assert!(scripts > 0, "the page has its hydration scripts");
        assert_eq!(
            html.matches(&format!("nonce=\"{nonce}\"")).count(),
            scripts,
            "every script of the page carries the policy's nonce:\n{html}"
        );
        nonces.push(nonce);
    }
    assert_ne!(nonces[0], nonces[1], "a fresh nonce per page");
}

async fn every_response_carries_the_other_headers(app: &TestApp) {
    for path in ["/login", "/healthz", "/favicon.svg", "/api/public/nothing"] {
        let res = app.get(path).await;
        assert_eq!(header(&res, "x-content-type-options"), "nosniff", "{path}");
        assert_eq!(header(&res, "referrer-policy"), "same-origin", "{path}");
        assert!(
            header(&res, "content-security-policy").contains("frame-ancestors 'none'"),
            "{path}"
        );
        assert!(
            header(&res, "strict-transport-security").is_empty(),
            "{path}: plain http"
        );
    }
    let res = app.get("/healthz").await;
    assert_eq!(
        header(&res, "content-security-policy"),
        "default-src 'none'; frame-ancestors 'none'"
    );
    // The bundle's files are never documents: only no-sniffing.
    let res = app.get("/pkg/stormwatch.css").await;
    assert_eq!(header(&res, "x-content-type-options"), "nosniff");
    assert!(header(&res, "content-security-policy").is_empty());
}

async fn hsts_is_sent_when_the_server_is_reached_over_https(app: &TestApp) {
    let behind_tls = app
        .another_instance(|config, _| config.public_url = "https://incidents.example.com".into())
        .await;
    let res = behind_tls.get("/healthz").await;
    assert_eq!(
        header(&res, "strict-transport-security"),
        "max-age=63072000"
    );
    behind_tls.finish().await;
}
