//! The ceiling the webhook benchmark is read against: a bare axum 0.8 handler that parses
//! a JSON body into `serde_json::Value` and answers 202, nothing else (no database, no
//! middleware). `cargo run --release -p server --example bare_axum -- 127.0.0.1:3300`.

use axum::{http::StatusCode, routing::post, Json, Router};

#[tokio::main]
async fn main() {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:3300".into());
    let app = Router::new().route(
        "/webhook",
        post(|Json(_): Json<serde_json::Value>| async { StatusCode::ACCEPTED }),
    );
    let listener = tokio::net::TcpListener::bind(&addr)
        .await
        .expect("bind the ceiling's port");
    axum::serve(listener, app).await.expect("serve");
}
