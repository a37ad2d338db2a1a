//! The ceiling the webhook benchmark is read against: a bare axum 0.8 handler that parses
//! a JSON body into `serde_json::Value` and answers 202, nothing else (no database, no
//! middleware), on the server's own listener (`server::listener`).
//! `cargo run --release -p server --example bare_axum -- 127.0.0.1:3300`;
//! `cargo bench -p server --bench live` serves the same router in its own run.

use axum::{http::StatusCode, routing::post, Json, Router};

/// `POST /webhook`: the JSON parsed, 202.
pub fn router() -> Router {
    Router::new().route(
        "/webhook",
        post(|Json(_): Json<serde_json::Value>| async { StatusCode::ACCEPTED }),
    )
}

#[allow(dead_code)]
#[tokio::main]
async fn main() {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:3300".into());
    let listener = tokio::net::TcpListener::bind(&addr)
        .await
        .expect("bind the ceiling's port");
    axum::serve(server::listener(listener), router())
        .await
        .expect("serve");
}
