//! Alert webhooks: `POST /webhooks/{public_id}/{secret}` (the secret in the URL), or
//! `POST /webhooks/{public_id}` with a signature header (PagerDuty; the generic kind).
//!
//! A delivery is authenticated (a wrong, missing or disabled secret: 404, whichever it
//! was), read as its source's kind writes it (malformed: 400 with the reason, nothing
//! written), then handed to the alert writer; the 200 comes once it is committed.

use app::{
    domain::AppError,
    model::sources::WEBHOOKS,
    ssr::{
        db, metrics as figures,
        services::{
            alerts::Job,
            sources::{self, Proof},
        },
        webhooks::parse_delivery,
        AppState,
    },
};
use axum::{
    body::Bytes,
    extract::{Path, State},
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    Json,
};
use serde_json::json;
use std::time::Duration;

/// How long a delivery waits for the writer before the tool is told to retry.
const COMMIT_TIMEOUT: Duration = Duration::from_secs(30);

pub fn is_webhook(path: &str) -> bool {
    path.strip_prefix(WEBHOOKS)
        .is_some_and(|rest| rest.starts_with('/'))
}

pub async fn with_secret(
    State(state): State<AppState>,
    Path((public_id, secret)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    receive(state, public_id, Some(secret), headers, body).await
}

pub async fn signed(
    State(state): State<AppState>,
    Path(public_id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    receive(state, public_id, None, headers, body).await
}

/// Answers a delivery and counts it: by its source's kind ("unknown" when it names no
/// source it proves) and outcome, with the time it took.
#[tracing::instrument(skip_all, fields(source = %public_id, bytes = body.len()))]
async fn receive(
    state: AppState,
    public_id: String,
    secret: Option<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let started = std::time::Instant::now();
    let mut kind = "unknown";
    let response = answer(&state, &public_id, secret, &headers, &body, &mut kind).await;
    let outcome = match response.status() {
        StatusCode::OK => "accepted",
        StatusCode::NOT_FOUND => "refused",
        StatusCode::BAD_REQUEST | StatusCode::PAYLOAD_TOO_LARGE => "malformed",
        StatusCode::SERVICE_UNAVAILABLE => "unavailable",
        _ => "error",
    };
    metrics::counter!(figures::WEBHOOK_DELIVERIES, "kind" => kind, "outcome" => outcome)
        .increment(1);
    metrics::histogram!(figures::WEBHOOK_SECONDS, "kind" => kind)
        .record(started.elapsed().as_secs_f64());
    response
}

async fn answer(
    state: &AppState,
    public_id: &str,
    secret: Option<String>,
    headers: &HeaderMap,
    body: &Bytes,
    kind: &mut &'static str,
) -> Response {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    // The database is down: say so at once (a monitoring tool retries a 503) rather
    // than after the pool's wait.
    if state.db_health.down().is_some() {
        return AppError::Unavailable(db::UNAVAILABLE.into()).into_response();
    }
    let proof = Proof {
        secret: secret.as_deref(),
        header: &header,
        body: &body,
    };
    let source = match sources::authenticate(&state.db, &state.sources, public_id, proof).await {
        Ok(Some(source)) => source,
        Ok(None) => {
            tracing::info!(
                "webhook refused: unknown source, wrong secret or signature, or disabled"
            );
            return StatusCode::NOT_FOUND.into_response();
        }
        Err(err) => return err.into_response(),
    };
    *kind = source.kind.as_str();
    let delivery = match parse_delivery(source.kind, body) {
        Ok(delivery) => delivery,
        Err(reason) => {
            tracing::info!(%reason, "malformed delivery refused");
            return (StatusCode::BAD_REQUEST, Json(json!({ "error": reason }))).into_response();
        }
    };
    // A delivery waiting for its commit when the database goes away is answered then:
    // it was not committed as far as anyone knows, and the tool's retry is deduplicated.
    tokio::select! {
        committed = tokio::time::timeout(
            COMMIT_TIMEOUT,
            state.alert_writer.submit(Job { source, delivery }),
        ) => match committed {
            Ok(Ok(receipt)) => {
                for alert in &receipt.alerts {
                    metrics::counter!(figures::ALERTS, "kind" => *kind, "outcome" => alert.result.as_str())
                        .increment(1);
                }
                Json(receipt).into_response()
            }
            Ok(Err(err)) => err.into_response(),
            Err(_) => {
                tracing::error!("delivery not committed in time");
                StatusCode::SERVICE_UNAVAILABLE.into_response()
            }
        },
        _ = state.db_health.went_down() => {
            AppError::Unavailable(db::UNAVAILABLE.into()).into_response()
        }
    }
}
