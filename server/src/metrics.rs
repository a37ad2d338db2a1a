//! `GET /metrics`: the operators' figures in Prometheus's text format (names and
//! meanings in `app::ssr::metrics`), behind a bearer token (`METRICS_TOKEN`), or for
//! loopback callers only when none is set. Also the middleware counting every response
//! by route and status.

use app::ssr::{metrics as figures, AppState};
use axum::{
    extract::{ConnectInfo, MatchedPath, Request, State},
    http::{header, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use std::{net::SocketAddr, sync::OnceLock, time::Duration};

/// The process's recorder: figures are the process's, whichever servers it runs (tests
/// run many in one process; each reads its own deltas).
fn recorder() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        let handle = PrometheusBuilder::new()
            .set_buckets_for_metric(
                Matcher::Full(figures::WEBHOOK_SECONDS.into()),
                figures::WEBHOOK_BUCKETS,
            )
            .expect("the webhook buckets are not empty")
            .set_buckets_for_metric(
                Matcher::Full(figures::LIVE_LAG.into()),
                figures::LIVE_LAG_BUCKETS,
            )
            .expect("the buckets are not empty")
            .install_recorder()
            .expect("no other metrics recorder is installed");
        figures::describe();
        handle
    })
}

/// Installs the recorder (once per process) before anything is recorded.
pub fn install() {
    recorder();
}

/// Who may read `/metrics`: the token's holders, or loopback when there is no token.
#[derive(Clone)]
pub struct Reader {
    pub token: Option<std::sync::Arc<str>>,
}

pub async fn scrape(
    State(state): State<AppState>,
    axum::Extension(reader): axum::Extension<Reader>,
    req: Request,
) -> Response {
    if let Err(refused) = allowed(&reader, &req) {
        return refused;
    }
    figures::read_pool(&state.db, Duration::from_secs(2)).await;
    let handle = recorder();
    handle.run_upkeep();
    (
        [
            (
                header::CONTENT_TYPE,
                "text/plain; version=0.0.4; charset=utf-8",
            ),
            (header::CACHE_CONTROL, "no-store"),
        ],
        handle.render(),
    )
        .into_response()
}

fn allowed(reader: &Reader, req: &Request) -> Result<(), Response> {
    let refuse = |status: StatusCode, why: &'static str| Err((status, why).into_response());
    match &reader.token {
        Some(token) => {
            let offered = req
                .headers()
                .get(header::AUTHORIZATION)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.strip_prefix("Bearer "));
            match offered {
                Some(offered) if same(offered.trim(), token) => Ok(()),
                Some(_) => refuse(StatusCode::UNAUTHORIZED, "the metrics token is wrong\n"),
                None => refuse(
                    StatusCode::UNAUTHORIZED,
                    "send the metrics token: Authorization: Bearer $METRICS_TOKEN\n",
                ),
            }
        }
        None => {
            let loopback = req
                .extensions()
                .get::<ConnectInfo<SocketAddr>>()
                .is_some_and(|ConnectInfo(peer)| peer.ip().is_loopback());
            if loopback {
                Ok(())
            } else {
                refuse(
                    StatusCode::FORBIDDEN,
                    "metrics are served to loopback only; set METRICS_TOKEN to read them from elsewhere\n",
                )
            }
        }
    }
}

/// Compares in time independent of where the two differ.
fn same(offered: &str, token: &str) -> bool {
    use sha2::{Digest, Sha256};
    Sha256::digest(offered.as_bytes()) == Sha256::digest(token.as_bytes())
}

/// Hands the route that answered (the router's pattern) to `count_requests` on the
/// response: only routes know it, and files and unknown paths have none.
pub async fn name_route(req: Request, next: Next) -> Response {
    let route = req.extensions().get::<MatchedPath>().cloned();
    let mut response = next.run(req).await;
    if let Some(route) = route {
        response.extensions_mut().insert(route);
    }
    response
}

/// Counts every response by its route (one line per route whatever the ids; files and
/// unknown paths share "other") and status.
pub async fn count_requests(req: Request, next: Next) -> Response {
    let response = next.run(req).await;
    let route = response
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "other".to_string(), |path| path.as_str().to_string());
    let status = response.status().as_u16().to_string();
    metrics::counter!(figures::HTTP_REQUESTS, "route" => route, "status" => status).increment(1);
    response
}
