//! Errors on their way out: one mapping from [`AppError`] to an HTTP status and a body,
//! used by server functions, protocol routes (exports, the live stream) and webhooks.

use crate::{domain::AppError, model::wire};
use axum::{
    body::{to_bytes, Body},
    http::{header, StatusCode},
    response::{IntoResponse, Response},
    Json,
};
use leptos::server_fn::error::{FromServerFnError, SERVER_FN_ERROR_HEADER};
use sea_orm::{DbErr, SqlErr, TransactionError};

impl AppError {
    /// The HTTP status this error stands for (see [`AppError::status`]).
    pub fn status_code(&self) -> StatusCode {
        StatusCode::from_u16(self.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    /// The error as a server function's caller reads it, under the status it stands
    /// for: server_fn's encoding of [`AppError`] (postcard) to a caller that asks for
    /// postcard, as the pages do, and the same value as JSON to anyone else.
    pub fn into_server_fn_response(self, postcard: bool) -> Response {
        let mut response = self.status_code().into_response();
        let (content_type, body) = encoded(&self, postcard);
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            header::HeaderValue::from_static(content_type),
        );
        *response.body_mut() = body;
        response
    }
}

fn encoded(err: &AppError, postcard: bool) -> (&'static str, Body) {
    match postcard {
        true => (wire::POSTCARD, Body::from(err.ser())),
        false => (
            "application/json",
            Body::from(serde_json::to_vec(err).unwrap_or_default()),
        ),
    }
}

/// Protocol routes answer `{"error": "<what went wrong>"}` under the error's status.
impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = self.status_code();
        let mut response = (
            status,
            Json(serde_json::json!({ "error": self.to_string() })),
        )
            .into_response();
        if matches!(self, AppError::Unavailable(_)) {
            // Monitoring tools retry a 503; this says when.
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, header::HeaderValue::from_static("5"));
        }
        response
    }
}

/// server_fn answers every error a function returns (or its arguments raise) with 500,
/// in postcard; give it the status the error stands for (422 for bad arguments, 404,
/// 409…), and JSON to a caller that did not ask for postcard. A plain form post keeps
/// its redirect back to the page, which carries the error in its URL.
pub async fn for_server_fn_caller(response: Response, postcard: bool) -> Response {
    if response.status() != StatusCode::INTERNAL_SERVER_ERROR
        || !response.headers().contains_key(SERVER_FN_ERROR_HEADER)
    {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = to_bytes(body, 1 << 20).await else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let err = AppError::de(bytes);
    parts.status = err.status_code();
    let (content_type, body) = encoded(&err, postcard);
    parts.headers.insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static(content_type),
    );
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, body)
}

/// Database errors are logged with their cause and reach the client as `Internal`,
/// except constraint violations a person can act on.
impl From<DbErr> for AppError {
    fn from(err: DbErr) -> Self {
        match err.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(detail)) => {
                tracing::info!(%detail, "unique constraint violated");
                AppError::Conflict("That already exists.".into())
            }
            _ if matches!(err, DbErr::ConnectionAcquire(_) | DbErr::Conn(_)) => {
                tracing::error!(error = %err, "database unreachable");
                AppError::Unavailable(crate::ssr::db::UNAVAILABLE.into())
            }
            _ => {
                tracing::error!(error = %err, "database error");
                AppError::Internal
            }
        }
    }
}

impl From<TransactionError<AppError>> for AppError {
    fn from(err: TransactionError<AppError>) -> Self {
        match err {
            TransactionError::Connection(db) => db.into(),
            TransactionError::Transaction(app) => app,
        }
    }
}
