//! The Stormwatch server: configuration, the axum router around the Leptos app,
//! and the protocol routes (health, later OAuth and webhooks).

pub mod config;

use app::{
    shell,
    ssr::{auth, AppState, AuthSettings, RequestUser},
    App,
};
use axum::{
    body::Body,
    extract::{Request, State},
    http::{header, Method, StatusCode},
    middleware::{self, Next},
    response::{IntoResponse, Redirect, Response},
    routing::get,
    Json, Router,
};
pub use config::{Config, ConfigError};
use leptos::config::{Env, LeptosOptions};
use leptos::prelude::*;
use leptos_axum::{generate_route_list, handle_server_fns_with_context, LeptosRoutes};
use sea_orm::DbErr;
use std::sync::Arc;
use tower_http::{compression::CompressionLayer, services::ServeDir, trace::TraceLayer};

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error("cannot open the database at DATABASE_URL={url:?}: {source}")]
    Database { url: String, source: DbErr },
    #[error("cannot listen on {addr}: {source}")]
    Listen {
        addr: std::net::SocketAddr,
        source: std::io::Error,
    },
}

/// Connects to the database (migrating it) and builds the whole application.
pub async fn build_app(
    config: &Config,
    listen_addr: std::net::SocketAddr,
) -> Result<(Router, AppState), StartError> {
    config.check()?;
    let db = app::ssr::db::connect(&config.database_url)
        .await
        .map_err(|source| StartError::Database {
            url: redact(&config.database_url),
            source,
        })?;
    let leptos_options = LeptosOptions::builder()
        .output_name("stormwatch")
        .site_root(config.site_root.as_str())
        .site_pkg_dir("pkg")
        .site_addr(listen_addr)
        .env(Env::PROD)
        .build();
    let routes = generate_route_list(App);
    let state = AppState {
        leptos_options,
        db,
        auth: Arc::new(AuthSettings {
            dev_login: config.dev_login,
            secure_cookies: config.secure_cookies(),
            idle_timeout: config.session_idle,
            absolute_timeout: config.session_max,
        }),
        routes: Arc::new(routes.clone()),
    };
    let site = ServeDir::new(&config.site_root)
        .append_index_html_on_directories(false)
        .not_found_service(get(render_unmatched).with_state(state.clone()));
    let router = Router::new()
        .route("/healthz", get(healthz))
        .route("/api/{*fn_name}", get(server_fn).post(server_fn))
        .leptos_routes_with_handler(routes, get(render_page))
        .fallback_service(site)
        .layer(middleware::from_fn_with_state(
            state.clone(),
            resolve_session,
        ))
        .layer(CompressionLayer::new())
        .layer(TraceLayer::new_for_http())
        .with_state(state.clone());
    Ok((router, state))
}

/// Binds, serves until Ctrl-C or SIGTERM, then drains in-flight requests.
pub async fn run(config: Config) -> Result<(), StartError> {
    let listener = tokio::net::TcpListener::bind(config.site_addr)
        .await
        .map_err(|source| StartError::Listen {
            addr: config.site_addr,
            source,
        })?;
    let addr = listener.local_addr().map_err(|source| StartError::Listen {
        addr: config.site_addr,
        source,
    })?;
    let (router, _) = build_app(&config, addr).await?;
    tracing::info!(%addr, dev_login = config.dev_login, "Stormwatch is listening on http://{addr}");
    axum::serve(listener, router)
        .with_graceful_shutdown(shutdown_signal())
        .await
        .map_err(|source| StartError::Listen { addr, source })
}

/// Looks up the session cookie once per request and hands the user on.
async fn resolve_session(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let path = req.uri().path();
    let needs_user = !(path.starts_with("/pkg/") || path == "/healthz" || path == "/favicon.svg");
    let user = if needs_user {
        match auth::user_from_headers(&state.db, &state.auth, req.headers()).await {
            Ok(user) => user,
            Err(_) => return StatusCode::SERVICE_UNAVAILABLE.into_response(),
        }
    } else {
        None
    };
    req.extensions_mut().insert(RequestUser(user));
    next.run(req).await
}

fn request_user(req: &Request) -> RequestUser {
    req.extensions()
        .get::<RequestUser>()
        .cloned()
        .unwrap_or_default()
}

async fn server_fn(State(state): State<AppState>, req: Request<Body>) -> impl IntoResponse {
    let user = request_user(&req);
    handle_server_fns_with_context(
        move || {
            provide_context(state.clone());
            provide_context(user.clone());
        },
        req,
    )
    .await
}

/// Renders a page of the app's routes.
async fn render_page(State(state): State<AppState>, req: Request<Body>) -> Response {
    render(state, req, true).await
}

/// Renders the app for a path no route matches: its "not found" page, with a 404.
async fn render_unmatched(State(state): State<AppState>, req: Request<Body>) -> Response {
    render(state, req, false).await
}

/// Anyone not signed in is sent to the sign-in page first; the app then renders
/// with the state and the user in its context.
async fn render(state: AppState, req: Request<Body>, matched_route: bool) -> Response {
    let user = request_user(&req);
    let on_login = req.uri().path() == "/login";
    match (&user.0, on_login) {
        (None, false) if req.method() == Method::GET => {
            return Redirect::to("/login").into_response()
        }
        (Some(_), true) => return Redirect::to("/").into_response(),
        _ => {}
    }
    let context = {
        let state = state.clone();
        move || {
            provide_context(state.clone());
            provide_context(user.clone());
        }
    };
    let app = {
        let options = state.leptos_options.clone();
        move || shell(options.clone())
    };
    let mut response = if matched_route {
        leptos_axum::render_route_with_context(state.routes.to_vec(), context, app)(
            State(state),
            req,
        )
        .await
    } else {
        leptos_axum::render_app_async_with_context(context, app)(req).await
    };
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    );
    response
}

/// 200 when the database answers, 503 otherwise.
async fn healthz(State(state): State<AppState>) -> Response {
    match state.db.ping().await {
        Ok(()) => Json(serde_json::json!({ "status": "ok", "database": "ok" })).into_response(),
        Err(err) => {
            tracing::error!(error = %err, "health check: database unreachable");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(serde_json::json!({ "status": "error", "database": "unreachable" })),
            )
                .into_response()
        }
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = terminate => {} }
    tracing::info!("shutting down");
}

/// A database URL fit for logs: any password replaced.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let credentials = &url[scheme + 3..at];
            match credentials.split_once(':') {
                Some((user, _)) => format!("{}{}:***{}", &url[..scheme + 3], user, &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

/// Structured logs to stdout; `RUST_LOG` filters, `LOG_FORMAT=json` for machines.
pub fn init_tracing() {
    use tracing_subscriber::{fmt, EnvFilter};
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,tower_http=info,sqlx=warn"));
    let builder = fmt().with_env_filter(filter).with_target(true);
    if std::env::var("LOG_FORMAT").is_ok_and(|f| f == "json") {
        builder.json().init();
    } else {
        builder.init();
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn passwords_are_redacted_from_database_urls() {
        assert_eq!(
            super::redact("postgres://app:s3cret@db:5432/x"),
            "postgres://app:***@db:5432/x"
        );
        assert_eq!(
            super::redact("sqlite://stormwatch.db"),
            "sqlite://stormwatch.db"
        );
    }
}
