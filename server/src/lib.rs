//! The Stormwatch server: configuration, the axum router around the Leptos app,
//! and the protocol routes (health, sign-in, alert webhooks, the live stream).

pub mod cli;
pub mod config;
mod live;
mod metrics;
pub mod rest;
mod sign_in;
mod site;
mod webhooks;

use app::{
    domain::MAX_DELIVERY_BYTES,
    model::{insights::INSIGHTS_CSV_PATH, live::LIVE_PATH, sources::WEBHOOKS, wire},
    shell,
    ssr::{
        alert_writer::AlertWriter, auth, error, live::Hub, mail::Mailer, sso, AppState,
        AuthSettings, RequestUser, Shared,
    },
    App,
};
use axum::{
    body::Body,
    extract::{DefaultBodyLimit, Request, State},
    http::{header, Method, StatusCode},
    middleware::{self, Next},
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
    Json, Router,
};
pub use config::{Config, ConfigError};
use leptos::config::{Env, LeptosOptions};
use leptos::prelude::*;
use leptos_axum::{generate_route_list, handle_server_fns_with_context, LeptosRoutes};
use sea_orm::DbErr;
use std::sync::Arc;
use tower_http::{compression::CompressionLayer, trace::TraceLayer};

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

/// The app's routes, generated once per process. Generating them runs the app with a
/// process-wide flag that parks every resource first polled meanwhile for good
/// (leptos#4773), so a second server built in the same process (tests, a second
/// instance) must not generate them while the first renders a page.
fn route_list() -> Vec<leptos_axum::AxumRouteListing> {
    static ROUTES: std::sync::OnceLock<Vec<leptos_axum::AxumRouteListing>> =
        std::sync::OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}

/// Connects to the database (migrating it) and builds the whole application.
pub async fn build_app(
    config: &Config,
    listen_addr: std::net::SocketAddr,
) -> Result<(Router, AppState), StartError> {
    config.check()?;
    metrics::install();
    let db = open_database(config).await?;
    let hashes = site::hash_file(&config.site_root);
    let leptos_options = LeptosOptions::builder()
        .output_name("stormwatch")
        .site_root(config.site_root.as_str())
        .site_pkg_dir("pkg")
        .site_addr(listen_addr)
        .env(Env::PROD)
        .hash_files(hashes.is_some())
        .hash_file(hashes.unwrap_or_else(|| "hash.txt".into()))
        .build();
    let sso = match (&config.google_client_id, &config.google_client_secret) {
        (Some(id), Some(secret)) => Some(Arc::new(
            sso::Provider::new(
                id.clone(),
                secret.clone(),
                &config.oidc_issuer_url,
                &config.public_url,
            )
            .map_err(|reason| ConfigError::Invalid {
                name: "OIDC_ISSUER_URL",
                value: config.oidc_issuer_url.clone(),
                reason,
            })?,
        )),
        _ => None,
    };
    let routes = route_list();
    let live = Hub::start(db.clone());
    let alert_writer = AlertWriter::start(db.clone(), live.clone(), config.alert_writers);
    let mailer =
        Mailer::new(config.mail.clone()).map_err(|(name, reason)| ConfigError::Invalid {
            name,
            value: match name {
                "SMTP_URL" => config
                    .mail
                    .smtp_url
                    .as_deref()
                    .map(redact)
                    .unwrap_or_default(),
                _ => config.mail.from.clone(),
            },
            reason,
        })?;
    mailer.start(db.clone());
    app::ssr::services::actions::reminders::start(
        db.clone(),
        mailer.clone(),
        config.public_url.trim_end_matches('/').to_string(),
        config.mail.reminder_hour,
    );
    if !config.webhooks_paused {
        app::ssr::services::automation::webhooks::start(db.clone(), config.mail.org_tz);
    }
    let db_health = app::ssr::db::Health::watch(db.clone());
    let state = AppState::from(Shared {
        leptos_options,
        db,
        auth: Arc::new(AuthSettings {
            dev_login: config.dev_login,
            secure_cookies: config.secure_cookies(),
            idle_timeout: config.session_idle,
            absolute_timeout: config.session_max,
            policy: config.sign_in.clone(),
        }),
        sso,
        routes: Arc::new(routes.clone()),
        public_url: Arc::from(config.public_url.trim_end_matches('/')),
        live,
        alert_writer,
        sources: Arc::default(),
        mailer,
        db_health,
        postmortems: Default::default(),
    });
    let site = site::files(&config.site_root)
        .not_found_service(get(render_unmatched).with_state(state.clone()));
    let router = Router::new()
        .merge(rest::router(
            state.clone(),
            rest::limiter(config.api_rate_per_minute),
        ))
        .route("/healthz", get(healthz))
        .route("/api/{*fn_name}", get(server_fn).post(server_fn))
        .route("/auth/login", get(sign_in::login))
        .route("/auth/callback", get(sign_in::callback))
        .route("/auth/logout", post(sign_in::logout))
        .route("/incidents/{number}/customers.csv", get(customers_csv))
        .route(
            "/incidents/{number}/postmortem.md",
            get(postmortem_markdown),
        )
        .route("/actions.csv", get(actions_csv))
        .route(INSIGHTS_CSV_PATH, get(insights_csv))
        .route(LIVE_PATH, get(live::stream))
        .route(
            &format!("{WEBHOOKS}/{{public_id}}"),
            post(webhooks::signed).layer(DefaultBodyLimit::max(MAX_DELIVERY_BYTES)),
        )
        .route(
            &format!("{WEBHOOKS}/{{public_id}}/{{secret}}"),
            post(webhooks::with_secret).layer(DefaultBodyLimit::max(MAX_DELIVERY_BYTES)),
        )
        .route("/metrics", get(metrics::scrape))
        .leptos_routes_with_handler(routes, get(render_page))
        .route_layer(middleware::from_fn(metrics::name_route))
        .fallback_service(site::negotiated(site))
        .layer(middleware::from_fn(site::cache_named_by_content))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            resolve_session,
        ))
        .layer(middleware::from_fn_with_state(
            Arc::<str>::from(config.public_origin()),
            sign_in::same_origin_only,
        ))
        .layer(middleware::from_fn_with_state(
            config.secure_cookies(),
            security_headers,
        ))
        .layer(axum::Extension(metrics::Reader {
            token: config.metrics_token.as_deref().map(Arc::from),
        }))
        .layer(middleware::from_fn(metrics::count_requests))
        .layer(CompressionLayer::new())
        .layer(TraceLayer::new_for_http())
        .with_state(state.clone());
    Ok((router, state))
}

/// Opens (and migrates) the database `DATABASE_URL` names; the error names the variable.
pub async fn open_database(config: &Config) -> Result<sea_orm::DatabaseConnection, StartError> {
    app::ssr::db::connect(&config.database_url)
        .await
        .map_err(|source| StartError::Database {
            url: redact(&config.database_url),
            source,
        })
}

/// What the server accepts connections on: a TCP listener whose every connection sends
/// each write at once (`TCP_NODELAY`).
///
/// axum 0.8's `serve` leaves Nagle's algorithm on. A live stream is a run of small
/// writes the client never answers, so with it on, an event written while the previous
/// one is not yet acknowledged waits for that acknowledgement, which the client's
/// kernel delays by up to 40 ms.
pub type Listener = axum::serve::TapIo<tokio::net::TcpListener, fn(&mut tokio::net::TcpStream)>;

/// [`Listener`] over `listener`.
pub fn listener(listener: tokio::net::TcpListener) -> Listener {
    use axum::serve::ListenerExt;
    fn no_delay(connection: &mut tokio::net::TcpStream) {
        if let Err(error) = connection.set_nodelay(true) {
            tracing::debug!(%error, "TCP_NODELAY could not be set on an accepted connection");
        }
    }
    listener.tap_io(no_delay)
}

/// Binds, serves until Ctrl-C or SIGTERM, then drains in-flight requests.
pub async fn run(config: Config) -> Result<(), StartError> {
    let tcp = tokio::net::TcpListener::bind(config.site_addr)
        .await
        .map_err(|source| StartError::Listen {
            addr: config.site_addr,
            source,
        })?;
    let addr = tcp.local_addr().map_err(|source| StartError::Listen {
        addr: config.site_addr,
        source,
    })?;
    let (router, state) = build_app(&config, addr).await?;
    tracing::info!(%addr, dev_login = config.dev_login, "Stormwatch is listening on http://{addr}");
    axum::serve(
        listener(tcp),
        router.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(async move {
        shutdown_signal().await;
        // Live streams never end on their own; they must for the server to.
        state.live.close();
    })
    .await
    .map_err(|source| StartError::Listen { addr, source })
}

/// Looks up the session cookie once per request and hands the user on.
async fn resolve_session(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let path = req.uri().path();
    let needs_user = !(path.starts_with("/pkg/")
        || path == "/healthz"
        || path == "/favicon.svg"
        || rest::is_api(path)
        || webhooks::is_webhook(path));
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

pub(crate) fn request_user(req: &Request) -> RequestUser {
    req.extensions()
        .get::<RequestUser>()
        .cloned()
        .unwrap_or_default()
}

/// Every server function call passes the role gate first (see `auth::gate`).
async fn server_fn(State(state): State<AppState>, req: Request<Body>) -> Response {
    let user = request_user(&req);
    let postcard = wire::asks_for_postcard(
        req.headers()
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok()),
    );
    if let Err(err) = auth::gate(req.uri().path(), user.0.as_ref()) {
        return err.into_server_fn_response(postcard);
    }
    let response = handle_server_fns_with_context(
        move || {
            provide_context(state.clone());
            provide_context(user.clone());
        },
        req,
    )
    .await
    .into_response();
    error::for_server_fn_caller(response, postcard).await
}

/// The signed-in reader of a download (anyone signed in may ask; what they get is the
/// service's to decide).
fn reader(req: &Request<Body>) -> Result<app::model::session::CurrentUser, Response> {
    let user = request_user(req);
    let access = app::domain::Access::SignedIn(app::domain::Permission::Read);
    auth::allow(access, user.0.as_ref(), req.uri().path()).map_err(IntoResponse::into_response)?;
    user.0
        .clone()
        .ok_or_else(|| app::domain::AppError::Unauthorized.into_response())
}

/// A file to save: its type and name, never cached.
fn download(
    made: Result<String, app::domain::AppError>,
    content_type: &str,
    filename: String,
) -> Response {
    match made {
        Ok(body) => (
            [
                (header::CONTENT_TYPE, content_type.to_string()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{filename}\""),
                ),
                (header::CACHE_CONTROL, "no-store".to_string()),
            ],
            body,
        )
            .into_response(),
        Err(err) => err.into_response(),
    }
}

/// The affected-customers table as a CSV download (RFC 4180, with a header): anyone
/// signed in may export it.
async fn customers_csv(
    State(state): State<AppState>,
    axum::extract::Path(number): axum::extract::Path<i64>,
    req: Request<Body>,
) -> Response {
    if let Err(refused) = reader(&req) {
        return refused;
    }
    download(
        app::ssr::services::customers::export(&state.db, number, false).await,
        "text/csv; charset=utf-8",
        format!("incident-{number}-affected-customers.csv"),
    )
}

/// The postmortem in Markdown, in the seed's layout: responders export any, everyone
/// signed in a published one.
async fn postmortem_markdown(
    State(state): State<AppState>,
    axum::extract::Path(number): axum::extract::Path<i64>,
    req: Request<Body>,
) -> Response {
    let viewer = match reader(&req) {
        Ok(viewer) => viewer,
        Err(refused) => return refused,
    };
    let made = app::ssr::services::postmortems::markdown(
        &state.db,
        &state.postmortems,
        &viewer,
        number,
        state.mailer.settings.org_tz,
    )
    .await;
    download(
        made,
        "text/markdown; charset=utf-8",
        format!("incident-{number}-postmortem.md"),
    )
}

/// The tracker's selection (the same filters as `/actions`) as CSV.
async fn actions_csv(
    State(state): State<AppState>,
    axum::extract::Query(filter): axum::extract::Query<app::model::actions::TrackerFilter>,
    req: Request<Body>,
) -> Response {
    let viewer = match reader(&req) {
        Ok(viewer) => viewer,
        Err(refused) => return refused,
    };
    let zone = state.mailer.settings.org_tz;
    let made = app::ssr::services::actions::csv(&state.db, &viewer, &filter, zone, zone).await;
    download(
        made,
        "text/csv; charset=utf-8",
        "corrective-actions.csv".into(),
    )
}

/// One chart's table of the insights (the page's filters plus `chart=<key>`) as CSV, in
/// the reader's time zone.
async fn insights_csv(
    State(state): State<AppState>,
    axum::extract::Query(query): axum::extract::Query<InsightsCsv>,
    req: Request<Body>,
) -> Response {
    if let Err(refused) = reader(&req) {
        return refused;
    }
    let made = app::ssr::services::insights::csv(
        &state.db,
        &query.filter,
        &query.chart,
        app::ssr::time::tz_of(req.headers()),
        state.mailer.settings.org_tz,
        chrono::Utc::now(),
    )
    .await;
    download(
        made,
        "text/csv; charset=utf-8",
        format!("insights-{}.csv", query.chart.trim()),
    )
}

#[derive(serde::Deserialize)]
struct InsightsCsv {
    #[serde(flatten)]
    filter: app::model::insights::InsightsFilter,
    #[serde(default)]
    chart: String,
}

/// Renders a page of the app's routes.
async fn render_page(State(state): State<AppState>, req: Request<Body>) -> Response {
    render(state, req, true).await
}

/// Renders the app for a path no route matches: its "not found" page, with a 404.
async fn render_unmatched(State(state): State<AppState>, req: Request<Body>) -> Response {
    render(state, req, false).await
}

/// Anyone not signed in is sent to the sign-in page first, and the signed-in from
/// there (and viewers from the dashboard) to their role's home; the app then renders
/// with the state and the user in its context.
async fn render(state: AppState, req: Request<Body>, matched_route: bool) -> Response {
    let user = request_user(&req);
    let path = req.uri().path();
    match &user.0 {
        None if path != "/login" && req.method() == Method::GET => {
            return Redirect::to("/login").into_response()
        }
        Some(signed_in) if path == "/login" || (path == "/" && signed_in.role.home() != "/") => {
            return Redirect::to(signed_in.role.home()).into_response()
        }
        _ => {}
    }
    let context = {
        let state = state.clone();
        move || {
            provide_context(state.clone());
            provide_context(user.clone());
            // leptos_axum has made this render's nonce (its hydration and resource
            // scripts carry it): the page's policy allows those scripts and no others.
            if let (Some(nonce), Some(response)) = (
                leptos::nonce::use_nonce(),
                use_context::<leptos_axum::ResponseOptions>(),
            ) {
                if let Ok(policy) = header::HeaderValue::from_str(&page_policy(&nonce)) {
                    response.insert_header(header::CONTENT_SECURITY_POLICY, policy);
                }
            }
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

/// A page's Content-Security-Policy: scripts only with this render's nonce (and what
/// they load: the bundle, its lazy chunks), WASM compiled from our own files, everything
/// else from this origin, and no framing.
fn page_policy(nonce: &impl std::fmt::Display) -> String {
    format!(
        "default-src 'self'; script-src 'nonce-{nonce}' 'strict-dynamic' 'wasm-unsafe-eval'; \
         style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; \
         base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
    )
}

/// What every response carries: no MIME sniffing, HSTS when the server is reached over
/// https, and, on all but the bundle's files (scripts, WASM, CSS: never documents, and a
/// page loads dozens of them over a slow line), the referrer only to this origin and
/// no framing (a response that is not a page gets a policy allowing nothing).
async fn security_headers(State(https): State<bool>, req: Request, next: Next) -> Response {
    use header::HeaderValue;
    let bundle = req.uri().path().starts_with("/pkg/");
    let mut response = next.run(req).await;
    let headers = response.headers_mut();
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    if https {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=63072000"),
        );
    }
    if bundle {
        return response;
    }
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    if !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("default-src 'none'; frame-ancestors 'none'"),
        );
    }
    response
}

/// 200 when the database answers (asked now, within 2 s), 503 with the reason otherwise.
async fn healthz(State(state): State<AppState>) -> Response {
    match state.db_health.check(&state.db).await {
        None => Json(serde_json::json!({ "status": "ok", "database": "ok" })).into_response(),
        Some(reason) => (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(serde_json::json!({
                "status": "error",
                "database": "unreachable",
                "reason": reason,
            })),
        )
            .into_response(),
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
    #[tokio::test]
    async fn accepted_connections_send_each_write_at_once() {
        use axum::serve::Listener as _;
        let tcp = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = tcp.local_addr().unwrap();
        let mut listener = super::listener(tcp);
        let client = tokio::net::TcpStream::connect(addr).await.unwrap();
        let (accepted, _) = listener.accept().await;
        assert!(
            accepted.nodelay().unwrap(),
            "TCP_NODELAY on the server's side"
        );
        drop(client);
    }

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
