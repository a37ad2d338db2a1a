//! The REST API (`/api/v1`): plain axum routes for automation, separate from the pages'
//! server functions. Every call carries `Authorization: Bearer sw_…`, a token an admin
//! made; it acts as its own user (so its work is attributed to it), with the role the
//! token was given, within a per-token rate. Errors are one JSON shape everywhere. The
//! OpenAPI document is generated from these handlers (utoipa) and served at
//! `/api/v1/openapi.json`.

mod handlers;
pub mod reference;

use app::{
    domain::{AppError, Permission},
    model::{
        automation::API_ROOT,
        rest::{ErrorBody, ErrorDetail, FieldProblem},
    },
    ssr::{services::automation::tokens, AppState},
};
use axum::{
    extract::{rejection::JsonRejection, FromRequest, Request, State},
    http::{header, HeaderValue, Method, StatusCode},
    middleware::{self, Next},
    response::{IntoResponse, Response},
    Json, Router,
};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::{num::NonZeroU32, sync::Arc};
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;

/// The path of the OpenAPI document.
pub const OPENAPI_PATH: &str = "/api/v1/openapi.json";

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Stormwatch API",
        version = "1",
        description = "Incidents, their record, alerts, affected customers, company emails, \
                       postmortems and corrective actions, for automation. Authenticate \
                       with `Authorization: Bearer <token>` (an admin creates tokens on \
                       /admin/automation). Lists are paged by `cursor` (the `next_cursor` \
                       of the page before) and `limit`."
    ),
    modifiers(&BearerAuth),
    security(("token" = []))
)]
struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        openapi
            .components
            .get_or_insert_with(Default::default)
            .add_security_scheme(
                "token",
                SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
            );
    }
}

/// The answers every operation can give, whatever it does: a path or query it cannot
/// read (400), no valid token (401), not there (404), a field refused (422), past the
/// rate (429); and, for writes, a viewer token (403).
struct EveryAnswer;

impl utoipa::Modify for EveryAnswer {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::{path::HttpMethod, ContentBuilder, Ref, RefOr, ResponseBuilder};
        let error = |what: &str| {
            RefOr::T(
                ResponseBuilder::new()
                    .description(what)
                    .content(
                        "application/json",
                        ContentBuilder::new()
                            .schema(Some(Ref::from_schema_name("ErrorBody")))
                            .build(),
                    )
                    .build(),
            )
        };
        for item in openapi.paths.paths.values_mut() {
            let operations = [
                (HttpMethod::Get, item.get.as_mut()),
                (HttpMethod::Post, item.post.as_mut()),
                (HttpMethod::Put, item.put.as_mut()),
                (HttpMethod::Patch, item.patch.as_mut()),
                (HttpMethod::Delete, item.delete.as_mut()),
            ];
            for (method, operation) in operations {
                let Some(operation) = operation else { continue };
                let mut answers = vec![
                    ("400", "The path, query or body cannot be read"),
                    ("401", "No valid token"),
                    ("404", "Not found"),
                    ("422", "A field was refused; the error names it"),
                    (
                        "429",
                        "Past the token's rate: retry after Retry-After seconds",
                    ),
                ];
                if method != HttpMethod::Get {
                    answers.push(("403", "A viewer token cannot write"));
                }
                for (status, what) in answers {
                    operation
                        .responses
                        .responses
                        .entry(status.to_string())
                        .or_insert_with(|| error(what));
                }
            }
        }
    }
}

/// Each token's allowance: `API_RATE_PER_MINUTE` calls a minute, in bursts up to as many.
pub type Limiter = Arc<DefaultKeyedRateLimiter<i64>>;

pub fn limiter(per_minute: u32) -> Limiter {
    let per_minute = NonZeroU32::new(per_minute.max(1)).expect("at least one");
    Arc::new(RateLimiter::keyed(Quota::per_minute(per_minute)))
}

/// The API's routes and its document.
pub fn router(state: AppState, limiter: Limiter) -> Router<AppState> {
    let (routes, document) =
        handlers::routes(OpenApiRouter::with_openapi(ApiDoc::openapi())).split_for_parts();
    let document = Arc::new(finished(document));
    routes
        .route(
            "/api/v1/{*rest}",
            axum::routing::any(|| async { ApiError(AppError::NotFound("This API route".into())) }),
        )
        .layer(middleware::from_fn_with_state(
            (state, limiter),
            authenticate,
        ))
        .route(
            OPENAPI_PATH,
            axum::routing::get(move || {
                let document = document.clone();
                async move { Json(document.as_ref().clone()) }
            }),
        )
}

/// The document, as the router serves it (for tests and tools).
pub fn document() -> utoipa::openapi::OpenApi {
    let (_, document) =
        handlers::routes::<AppState>(OpenApiRouter::with_openapi(ApiDoc::openapi()))
            .split_for_parts();
    finished(document)
}

/// The document with what every operation shares (once the routes are in it).
fn finished(mut document: utoipa::openapi::OpenApi) -> utoipa::openapi::OpenApi {
    use utoipa::Modify;
    document.servers = None;
    EveryAnswer.modify(&mut document);
    document
}

/// Whether a path is the API's (no session cookie is read for it).
pub fn is_api(path: &str) -> bool {
    path == API_ROOT || path.starts_with("/api/v1/")
}

/// An error as every API route answers it.
pub struct ApiError(pub AppError);

impl From<AppError> for ApiError {
    fn from(err: AppError) -> Self {
        Self(err)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let err = self.0;
        let code = match &err {
            AppError::Validation(_) => "invalid",
            AppError::NotFound(_) => "not_found",
            AppError::Unauthorized => "unauthorized",
            AppError::Forbidden => "forbidden",
            AppError::Conflict(_) => "conflict",
            AppError::Unavailable(_) => "unavailable",
            AppError::Internal | AppError::Transport(_) => "internal",
        };
        let fields: Vec<FieldProblem> = match &err {
            AppError::Validation(errors) => errors
                .iter()
                .map(|e| FieldProblem {
                    field: e.field.clone(),
                    message: e.message.clone(),
                })
                .collect(),
            _ => vec![],
        };
        let message = match &err {
            AppError::Unauthorized => {
                "Send a valid API token: Authorization: Bearer <token>.".to_string()
            }
            AppError::Forbidden => "This token's role does not allow this.".to_string(),
            other => other.to_string(),
        };
        error_response(
            err.status_code(),
            code,
            message,
            fields.first().map(|f| f.field.clone()),
            fields,
        )
    }
}

fn error_response(
    status: StatusCode,
    code: &str,
    message: String,
    field: Option<String>,
    fields: Vec<FieldProblem>,
) -> Response {
    let mut response = (
        status,
        Json(ErrorBody {
            error: ErrorDetail {
                code: code.into(),
                message,
                field,
                fields,
            },
        }),
    )
        .into_response();
    if status == StatusCode::UNAUTHORIZED {
        response.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Bearer realm=\"stormwatch\""),
        );
    }
    response
}

/// axum's `Path` and `Query`, whose rejections are the API's JSON 400 (axum's own are
/// plain text).
macro_rules! json_rejection {
    ($name:ident, $inner:ident, $code:literal, $field:literal, $what:literal) => {
        #[doc = $what]
        pub struct $name<T>(pub T);

        impl<T, S> axum::extract::FromRequestParts<S> for $name<T>
        where
            T: serde::de::DeserializeOwned + Send,
            S: Send + Sync,
        {
            type Rejection = Response;

            async fn from_request_parts(
                parts: &mut axum::http::request::Parts,
                state: &S,
            ) -> Result<Self, Self::Rejection> {
                axum::extract::$inner::<T>::from_request_parts(parts, state)
                    .await
                    .map(|axum::extract::$inner(value)| $name(value))
                    .map_err(|rejection| bad_request($code, $field, rejection.body_text()))
            }
        }
    };
}

json_rejection!(
    Path,
    Path,
    "invalid_path",
    "path",
    "A route's path parameters."
);
json_rejection!(
    Query,
    Query,
    "invalid_query",
    "query",
    "A route's query string."
);

fn bad_request(code: &str, field: &str, detail: String) -> Response {
    error_response(
        StatusCode::BAD_REQUEST,
        code,
        format!("The request's {field} cannot be read: {detail}"),
        Some(field.into()),
        vec![],
    )
}

/// A JSON body whose rejection is the API's 400, naming what was wrong.
pub struct Body<T>(pub T);

impl<T, S> FromRequest<S> for Body<T>
where
    Json<T>: FromRequest<S, Rejection = JsonRejection>,
    S: Send + Sync,
{
    type Rejection = Response;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(value)) => Ok(Body(value)),
            Err(rejection) => Err(error_response(
                StatusCode::BAD_REQUEST,
                "invalid_body",
                format!(
                    "The request body is not what this route takes: {}",
                    rejection.body_text()
                ),
                Some("body".into()),
                vec![],
            )),
        }
    }
}

/// The caller, put in the request by [`authenticate`].
#[derive(Clone)]
pub struct Caller(pub tokens::Caller);

impl Caller {
    /// The caller, if its token's role allows `permission` (403 otherwise).
    pub fn may(
        &self,
        permission: Permission,
    ) -> Result<&app::model::session::CurrentUser, ApiError> {
        if self.0.user.role.allows(permission) {
            Ok(&self.0.user)
        } else {
            Err(ApiError(AppError::Forbidden))
        }
    }
}

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _: &S,
    ) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Caller>()
            .cloned()
            .ok_or(ApiError(AppError::Unauthorized))
    }
}

/// Resolves the bearer token (401 without a valid one), applies its rate (429 past it),
/// runs the call, and puts every successful write in the audit log under the token.
async fn authenticate(
    State((state, limiter)): State<(AppState, Limiter)>,
    mut req: Request,
    next: Next,
) -> Response {
    let presented = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(|t| t.trim().to_string());
    let caller = match presented {
        None => return ApiError(AppError::Unauthorized).into_response(),
        Some(token) => match tokens::authenticate(&state.db, &token).await {
            Ok(Some(caller)) => caller,
            Ok(None) => return ApiError(AppError::Unauthorized).into_response(),
            Err(err) => return ApiError(err).into_response(),
        },
    };
    if let Err(not_until) = limiter.check_key(&caller.token_id) {
        let wait = not_until
            .wait_time_from(governor::clock::Clock::now(
                &governor::clock::DefaultClock::default(),
            ))
            .as_secs()
            .max(1);
        let mut response = error_response(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            format!("This token made too many calls: retry in {wait} s."),
            None,
            vec![],
        );
        if let Ok(value) = HeaderValue::from_str(&wait.to_string()) {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
        return response;
    }
    let write = req.method() != Method::GET && req.method() != Method::HEAD;
    // Every write of the API is a responder's: refused before its body is even read.
    if write && !caller.user.role.allows(Permission::Respond) {
        return ApiError(AppError::Forbidden).into_response();
    }
    let what = format!("{} {}", req.method(), req.uri().path());
    req.extensions_mut().insert(Caller(caller.clone()));
    let response = next.run(req).await;
    if write && response.status().is_success() {
        let line = format!("{what} → {}", response.status().as_u16());
        if let Err(err) = tokens::audit_write(&state.db, &caller, line).await {
            tracing::warn!(error = %err, "cannot record an API write in the audit log");
        }
    }
    response
}
