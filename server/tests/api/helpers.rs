use app::api::{
    incidents::{DeclareIncident, GetIncident},
    session::{DevLogin, Me},
};
use leptos::server_fn::ServerFn;
use reqwest::{header, redirect::Policy, Client, Response, StatusCode};
use sea_orm::{ConnectionTrait, Database};
use server::{build_app, Config};
use std::{future::Future, net::SocketAddr, path::PathBuf, time::Duration};

/// No test may hang the suite: one still running after this fails, naming itself.
const TEST_LIMIT: Duration = Duration::from_secs(180);
/// A server that sends nothing for this long is stuck; the request fails, naming its URL.
const READ_LIMIT: Duration = Duration::from_secs(30);
/// Statements of the admin session (see [`admin_session`]).
const ADMIN_LIMIT: &str = "30s";

/// Where the test PostgreSQL server is; each test makes its own database on it.
/// CI provides it on 127.0.0.1:5432; a missing PostgreSQL fails the tests.
fn postgres_admin_url() -> String {
    std::env::var("TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into())
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

pub struct TestApp {
    pub address: String,
    pub database_url: String,
    pub client: Client,
    pub db: sea_orm::DatabaseConnection,
    pub state: app::ssr::AppState,
    cleanup: Cleanup,
}

enum Cleanup {
    File(PathBuf),
    Database {
        admin_url: String,
        name: String,
    },
    /// Another instance on a database the first one cleans up.
    Nothing,
}

/// A fresh server on a fresh database.
pub async fn spawn_app(backend: Backend) -> TestApp {
    spawn_app_with(backend, |_, _| {}).await
}

/// A fresh server on a fresh database, its configuration adjusted once its address is known.
pub async fn spawn_app_with(
    backend: Backend,
    configure: impl FnOnce(&mut Config, SocketAddr),
) -> TestApp {
    let (database_url, cleanup) = fresh_database(backend).await;
    spawn_instance(database_url, cleanup, configure).await
}

/// A server on an existing database (as a second instance beside a first).
async fn spawn_instance(
    database_url: String,
    cleanup: Cleanup,
    configure: impl FnOnce(&mut Config, SocketAddr),
) -> TestApp {
    let mut config = Config::local(database_url.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind a test port");
    let addr: SocketAddr = listener.local_addr().unwrap();
    config.public_url = format!("http://{addr}");
    configure(&mut config, addr);
    let (router, state) = build_app(&config, addr).await.expect("the app starts");
    tokio::spawn(async move {
        axum::serve(
            server::listener(listener),
            router.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
        .expect("the server runs")
    });
    TestApp {
        address: format!("http://{addr}"),
        database_url,
        client: new_client(),
        db: state.db.clone(),
        state,
        cleanup,
    }
}

pub fn new_client() -> Client {
    Client::builder()
        .cookie_store(true)
        .redirect(Policy::none())
        .connect_timeout(READ_LIMIT)
        .read_timeout(READ_LIMIT)
        .build()
        .expect("a client")
}

/// Runs one test, failing it (rather than the whole run hanging) if it is still going
/// after [`TEST_LIMIT`], with what the PostgreSQL sessions of the tests were waiting on.
pub async fn bounded(name: &str, test: impl Future<Output = ()>) {
    bounded_within(name, TEST_LIMIT, test).await
}

/// [`bounded`], for a test whose length is set by the one who runs it (the fuzz test).
pub async fn bounded_within(name: &str, limit: Duration, test: impl Future<Output = ()>) {
    if tokio::time::timeout(limit, test).await.is_err() {
        let sessions = tokio::time::timeout(Duration::from_secs(10), postgres_sessions())
            .await
            .unwrap_or_else(|_| "(PostgreSQL did not answer)".into());
        panic!("{name} did not finish within {limit:?}. PostgreSQL sessions:\n{sessions}");
    }
}

/// Every session on the test server: whose, doing what, waiting on what.
async fn postgres_sessions() -> String {
    use sea_orm::{DbBackend, Statement};
    let Ok(admin) = admin_session(&postgres_admin_url()).await else {
        return "(cannot connect)".into();
    };
    let sql = "SELECT format('%s %s %s %s/%s %s: %s', pid, datname, state, wait_event_type, \
               wait_event, now() - query_start, left(query, 200)) AS line \
               FROM pg_stat_activity WHERE backend_type = 'client backend' ORDER BY pid";
    let rows = admin
        .query_all_raw(Statement::from_string(DbBackend::Postgres, sql))
        .await
        .map(|rows| {
            rows.iter()
                .filter_map(|row| row.try_get::<String>("", "line").ok())
                .collect::<Vec<_>>()
                .join("\n")
        })
        .unwrap_or_else(|e| format!("(cannot list them: {e})"));
    admin.close().await.ok();
    rows
}

/// One connection to the test server's admin database, whose statements give up after
/// [`ADMIN_LIMIT`] (creating or dropping a database may wait on other sessions).
async fn admin_session(url: &str) -> Result<sea_orm::DatabaseConnection, sea_orm::DbErr> {
    let mut options = sea_orm::ConnectOptions::new(url);
    options.max_connections(1).sqlx_logging(false);
    let admin = Database::connect(options).await?;
    admin
        .execute_unprepared(&format!("SET statement_timeout = '{ADMIN_LIMIT}'"))
        .await?;
    Ok(admin)
}

async fn fresh_database(backend: Backend) -> (String, Cleanup) {
    match backend {
        Backend::Sqlite => {
            let path =
                std::env::temp_dir().join(format!("stormwatch-test-{}.db", uuid::Uuid::new_v4()));
            (format!("sqlite://{}", path.display()), Cleanup::File(path))
        }
        Backend::Postgres => {
            let admin_url = postgres_admin_url();
            let name = format!("stormwatch_test_{}", uuid::Uuid::new_v4().simple());
            let admin = admin_session(&admin_url).await.unwrap_or_else(|e| {
                panic!("PostgreSQL is required for these tests ({admin_url}): {e}. Set TEST_POSTGRES_URL to another server.")
            });
            admin
                .execute_unprepared(&format!("CREATE DATABASE {name}"))
                .await
                .expect("create a test database");
            admin.close().await.ok();
            let base = admin_url
                .rsplit_once('/')
                .map(|(base, _)| base)
                .unwrap_or(&admin_url);
            (
                format!("{base}/{name}"),
                Cleanup::Database { admin_url, name },
            )
        }
    }
}

impl TestApp {
    /// A second server on this one's database, as another instance would run.
    pub async fn another_instance(
        &self,
        configure: impl FnOnce(&mut Config, SocketAddr),
    ) -> TestApp {
        spawn_instance(self.database_url.clone(), Cleanup::Nothing, configure).await
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    /// Calls a server function as the browser's WASM does (form-encoded in), asking for JSON
    /// (the pages ask for postcard: `the_pages_read_postcard_and_everyone_else_json`).
    pub async fn call<S: ServerFn>(&self, form: &[(&str, &str)]) -> Response {
        self.call_as(&self.client, S::PATH, form).await
    }

    pub async fn call_as(&self, client: &Client, path: &str, form: &[(&str, &str)]) -> Response {
        client
            .post(self.url(path))
            .header(header::ACCEPT, "application/json")
            .form(form)
            .send()
            .await
            .expect("the server answers")
    }

    /// Calls a server function that takes a filter (the page's query as `filter[key]`
    /// fields), as `client`; it must answer 200, with JSON.
    pub async fn read_filtered(
        &self,
        client: &Client,
        path: &str,
        query: &[(&str, &str)],
    ) -> serde_json::Value {
        let form: Vec<(String, &str)> = query
            .iter()
            .map(|(k, v)| (format!("filter[{k}]"), *v))
            .collect();
        let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), *v)).collect();
        let res = self.call_as(client, path, &form).await;
        assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
        res.json().await.unwrap()
    }

    /// Calls a server function that takes JSON (`input = Json`), as the browser's WASM does.
    pub async fn call_json<S: ServerFn>(&self, body: serde_json::Value) -> Response {
        self.client
            .post(self.url(S::PATH))
            .header(header::ACCEPT, "application/json")
            .json(&body)
            .send()
            .await
            .expect("the server answers")
    }

    /// A plain HTML form post, as a browser sends it before the page has hydrated.
    pub async fn post_form(&self, path: &str, referer: &str, form: &[(&str, &str)]) -> Response {
        self.client
            .post(self.url(path))
            .header(header::ACCEPT, "text/html,application/xhtml+xml")
            .header(header::REFERER, self.url(referer))
            .form(form)
            .send()
            .await
            .expect("the server answers")
    }

    /// The body of a GET, as text (a page, an export).
    pub async fn text(&self, path: &str) -> String {
        self.get(path).await.text().await.expect("a text body")
    }

    pub async fn get(&self, path: &str) -> Response {
        self.client
            .get(self.url(path))
            .send()
            .await
            .expect("the server answers")
    }

    /// Signs the app's own client in with the development login.
    pub async fn login_as(&self, name: &str, role: &str) {
        dev_login(&self.address, &self.client, name, role).await;
    }

    /// Another browser, signed in with the development login: for tests where people
    /// work together, or a role is compared with another.
    pub async fn sign_in(&self, name: &str, role: &str) -> SignedIn {
        sign_in_at(&self.address, name, role).await
    }

    pub async fn me(&self) -> Option<serde_json::Value> {
        let res = self.call::<Me>(&[]).await;
        assert_eq!(res.status(), StatusCode::OK);
        let body: serde_json::Value = res.json().await.unwrap();
        (!body.is_null()).then_some(body)
    }

    pub async fn logout(&self) -> Response {
        self.client
            .post(self.url("/auth/logout"))
            .send()
            .await
            .expect("the server answers")
    }

    /// Ends the test: closes the pool and removes the database.
    pub async fn finish(self) {
        self.db.close().await.ok();
        match self.cleanup {
            Cleanup::File(path) => {
                for suffix in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
                }
            }
            Cleanup::Nothing => {}
            Cleanup::Database { admin_url, name } => {
                let drop = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
                let dropped = match admin_session(&admin_url).await {
                    Ok(admin) => {
                        let dropped = admin.execute_unprepared(&drop).await;
                        admin.close().await.ok();
                        dropped.map(|_| ())
                    }
                    Err(e) => Err(e),
                };
                if let Err(e) = dropped {
                    eprintln!("the test database {name} is left behind: {e}");
                }
            }
        }
    }
}

/// Runs each `async fn(&TestApp)` test once on SQLite and once on PostgreSQL, each on a
/// fresh database dropped afterwards. `set_up = f;` first names another way to start the
/// app: `async fn(Backend) -> (TestApp, kept)`, where `kept` (a provider, say) lives for
/// the test; the default is [`plain`].
#[macro_export]
macro_rules! on_both_databases {
    (set_up = $set_up:path; $($name:ident),* $(,)?) => {$(
        mod $name {
            use $crate::helpers::{bounded, Backend};

            async fn run(backend: Backend) {
                let (app, _kept) = $set_up(backend).await;
                super::$name(&app).await;
                app.finish().await;
            }

            #[tokio::test]
            async fn sqlite() {
                bounded(module_path!(), run(Backend::Sqlite)).await
            }

            #[tokio::test]
            async fn postgres() {
                bounded(module_path!(), run(Backend::Postgres)).await
            }
        }
    )*};
    ($($name:ident),* $(,)?) => {
        $crate::on_both_databases!(set_up = $crate::helpers::plain; $($name),*);
    };
}

/// The usual set-up: a fresh server on a fresh database, nothing else.
pub async fn plain(backend: Backend) -> (TestApp, ()) {
    (spawn_app(backend).await, ())
}

/// A fresh server that signs people in through its own local OpenID Connect provider
/// (see [`with_provider`]), which runs until the test ends.
pub async fn with_oidc_provider(backend: Backend) -> (TestApp, Provider) {
    let provider = Provider::start().await;
    let app = spawn_app_with(backend, with_provider(&provider.issuer)).await;
    (app, provider)
}

/// A browser of its own, signed in, and the id of the user it is signed in as.
pub struct SignedIn {
    pub client: Client,
    pub id: i64,
}

/// A new browser signed in with the development login on the server at `address` (the
/// test's app, or another server process), as `name` (name@example.com) with `role`.
pub async fn sign_in_at(address: &str, name: &str, role: &str) -> SignedIn {
    let client = new_client();
    dev_login(address, &client, name, role).await;
    let res = client
        .post(format!("{address}{}", Me::PATH))
        .header(header::ACCEPT, "application/json")
        .send()
        .await
        .expect("the server answers");
    let me: serde_json::Value = res.json().await.expect("who is signed in");
    let id = me["id"].as_i64().expect("a signed-in user");
    SignedIn { client, id }
}

async fn dev_login(address: &str, client: &Client, name: &str, role: &str) {
    let email = format!("{}@example.com", name.to_lowercase().replace(' ', "."));
    let res = client
        .post(format!("{address}{}", DevLogin::PATH))
        .header(header::ACCEPT, "application/json")
        .form(&[("name", name), ("email", &email), ("role", role)])
        .send()
        .await
        .expect("the server answers");
    assert!(
        res.status().is_success(),
        "dev login as {name} ({role}) failed: {}",
        res.status()
    );
}

/// Declares an incident about push-api and scheduler as the app's client; its number.
pub async fn declare(app: &TestApp, title: &str, severity: &str, started_at: &str) -> i64 {
    let res = app
        .call::<DeclareIncident>(&[
            ("title", title),
            ("services", "push-api, scheduler"),
            ("severity", severity),
            ("started_at", started_at),
            ("summary", "Sends are timing out."),
        ])
        .await;
    assert_eq!(res.status(), 200, "declare {title}");
    res.json().await.unwrap()
}

/// An incident as its page reads it.
pub async fn incident(app: &TestApp, number: i64) -> serde_json::Value {
    let res = app
        .call::<GetIncident>(&[("number", &number.to_string())])
        .await;
    assert_eq!(res.status(), 200);
    res.json().await.unwrap()
}

/// The bodies of an incident's timeline lines, in order.
pub fn timeline_bodies(incident: &serde_json::Value) -> Vec<String> {
    incident["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["body"].as_str().unwrap().to_string())
        .collect()
}

/// A real OpenID Connect provider on 127.0.0.1 (end2end/oidc-provider.mjs, on
/// npm's oauth2-mock-server), stopped when dropped.
pub struct Provider {
    pub issuer: String,
    _process: tokio::process::Child,
}

impl Provider {
    pub async fn start() -> Self {
        use tokio::io::AsyncBufReadExt;
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../end2end/oidc-provider.mjs");
        let mut process = tokio::process::Command::new("node")
            .arg(script)
            .arg("0")
            .stdout(std::process::Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("node runs the test identity provider (scripts/setup installs it)");
        let stdout = process.stdout.take().unwrap();
        let mut line = String::new();
        tokio::io::BufReader::new(stdout)
            .read_line(&mut line)
            .await
            .expect("the provider says where it listens");
        let ready: serde_json::Value = serde_json::from_str(&line)
            .unwrap_or_else(|e| panic!("the provider printed {line:?}: {e}"));
        Self {
            issuer: ready["issuer"].as_str().unwrap().to_string(),
            _process: process,
        }
    }
}

/// Configures the app for sign-in through `issuer`: example.com accounts get in, as
/// viewers, and lead@example.com is an admin.
pub fn with_provider(issuer: &str) -> impl FnOnce(&mut Config, SocketAddr) + '_ {
    move |config, _| {
        config.dev_login = false;
        config.google_client_id = Some("stormwatch-test".into());
        config.google_client_secret = Some("test-secret".into());
        config.oidc_issuer_url = issuer.to_string();
        config.sign_in.allowed_domains = vec!["example.com".into()];
        config.sign_in.admin_emails = vec!["lead@example.com".into()];
    }
}

/// One browser's trip through the sign-in: the app's /auth/login, the provider's
/// authorize endpoint (where `claims` override the ID token's), the app's callback.
pub struct SignInTrip {
    /// The callback URL the provider sent the browser to.
    pub callback: String,
    /// Where the callback sent the browser: a home page, or /login?refused=…
    pub landed: String,
}

impl TestApp {
    pub async fn sign_in_with_provider(
        &self,
        client: &Client,
        email: &str,
        claims: serde_json::Value,
    ) -> SignInTrip {
        let start = client
            .get(self.url("/auth/login"))
            .query(&[("login_hint", email)])
            .send()
            .await
            .unwrap();
        assert_eq!(start.status(), 303, "/auth/login redirects to the provider");
        let mut authorize = reqwest::Url::parse(location(&start)).unwrap();
        if !claims.as_object().is_none_or(|c| c.is_empty()) {
            authorize
                .query_pairs_mut()
                .append_pair("mock_claims", &claims.to_string());
        }
        let back = client.get(authorize).send().await.unwrap();
        assert!(
            back.status().is_redirection(),
            "the provider redirects back"
        );
        let callback = location(&back).to_string();
        let landed = self.follow_callback(client, &callback).await;
        SignInTrip { callback, landed }
    }

    pub async fn follow_callback(&self, client: &Client, callback: &str) -> String {
        let res = client.get(callback).send().await.unwrap();
        assert_eq!(res.status(), 303, "the callback redirects");
        location(&res).to_string()
    }
}

pub fn location(res: &Response) -> &str {
    res.headers()[header::LOCATION].to_str().unwrap()
}

/// Alert sources and their deliveries.
impl TestApp {
    /// Adds a source the way the admin page does, and returns what it shows once.
    pub async fn add_source(
        &self,
        kind: &str,
        name: &str,
        service: &str,
    ) -> app::model::sources::IssuedSecret {
        let new = app::domain::NewSource::parse(&app::domain::SourceDraft {
            kind: kind.into(),
            name: name.into(),
            service: service.into(),
            signing_secret: String::new(),
        })
        .expect("a valid source");
        app::ssr::services::sources::add(&self.db, None, new, &self.address)
            .await
            .expect("the source is added")
    }

    /// Gives a source the key its deliveries are signed with (PagerDuty's, pasted in).
    pub async fn set_signing_secret(&self, public_id: &str, key: &str) {
        let secret = app::domain::SigningSecret::parse_optional(key).expect("a valid key");
        app::ssr::services::sources::update(&self.db, None, public_id, None, secret)
            .await
            .expect("the key is set");
        // As the admin functions do after every change (another process's takes ≤ 1 s).
        self.state.sources.clear();
    }

    /// Posts a delivery as a monitoring tool does: no cookies, JSON body.
    pub async fn deliver(&self, url: &str, body: &serde_json::Value) -> Response {
        self.deliver_raw(url, body.to_string().into_bytes(), &[])
            .await
    }

    pub async fn deliver_raw(
        &self,
        url: &str,
        body: Vec<u8>,
        headers: &[(&str, String)],
    ) -> Response {
        let mut request = new_client()
            .post(url)
            .header(header::CONTENT_TYPE, "application/json")
            .body(body);
        for (name, value) in headers {
            request = request.header(*name, value);
        }
        request.send().await.expect("the server answers")
    }

    /// Opens the live stream as this app's signed-in client.
    pub async fn live(&self, after: Option<i64>, last_event_id: Option<i64>) -> Sse {
        let mut request = self.client.get(self.url("/live"));
        if let Some(after) = after {
            request = request.query(&[("after", after)]);
        }
        if let Some(id) = last_event_id {
            request = request.header("last-event-id", id.to_string());
        }
        let res = request.send().await.expect("the server answers");
        assert_eq!(res.status(), 200, "the live stream opens");
        Sse::new(res)
    }
}

/// One server-sent event.
#[derive(Debug, Clone)]
pub struct SseEvent {
    pub id: Option<i64>,
    pub event: String,
    pub data: String,
}

impl SseEvent {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.data).expect("the event's data is JSON")
    }
}

/// Reads a `text/event-stream` response event by event.
pub struct Sse {
    res: Response,
    buf: String,
}

impl Sse {
    pub fn new(res: Response) -> Self {
        Self {
            res,
            buf: String::new(),
        }
    }

    /// The next event (keep-alive comments skipped), or None if none comes in `within`.
    pub async fn next(&mut self, within: std::time::Duration) -> Option<SseEvent> {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            if let Some(end) = self.buf.find("\n\n") {
                let block: String = self.buf.drain(..end + 2).collect();
                let mut event = SseEvent {
                    id: None,
                    event: "message".into(),
                    data: String::new(),
                };
                let mut any = false;
                for line in block.lines() {
                    if let Some(v) = line.strip_prefix("id:") {
                        event.id = v.trim().parse().ok();
                        any = true;
                    } else if let Some(v) = line.strip_prefix("event:") {
                        event.event = v.trim().to_string();
                        any = true;
                    } else if let Some(v) = line.strip_prefix("data:") {
                        if !event.data.is_empty() {
                            event.data.push('\n');
                        }
                        event.data.push_str(v.strip_prefix(' ').unwrap_or(v));
                        any = true;
                    }
                }
                if any {
                    return Some(event);
                }
                continue;
            }
            let chunk = tokio::time::timeout_at(deadline, self.res.chunk())
                .await
                .ok()?;
            match chunk {
                Ok(Some(bytes)) => self.buf.push_str(&String::from_utf8_lossy(&bytes)),
                _ => return None,
            }
        }
    }
}

/// A real `server` process (the binary `cargo test` builds), stopped when dropped.
pub struct ServerProcess {
    pub address: String,
    process: tokio::process::Child,
}

impl ServerProcess {
    pub async fn start(database_url: &str) -> Self {
        Self::start_with(database_url, &[]).await
    }

    /// [`ServerProcess::start`] with more environment variables (`SMTP_URL`, say).
    pub async fn start_with(database_url: &str, env: &[(&str, &str)]) -> Self {
        let port = {
            let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            probe.local_addr().unwrap().port()
        };
        let address = format!("http://127.0.0.1:{port}");
        let process = tokio::process::Command::new(env!("CARGO_BIN_EXE_server"))
            .env("DATABASE_URL", database_url)
            .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
            .env("AUTH_DEV_LOGIN", "1")
            .env("RUST_LOG", "warn")
            .envs(env.iter().copied())
            .kill_on_drop(true)
            .spawn()
            .expect("the server binary starts");
        let client = new_client();
        for _ in 0..200 {
            if client
                .get(format!("{address}/healthz"))
                .send()
                .await
                .is_ok_and(|r| r.status() == 200)
            {
                return Self { address, process };
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("the server at {address} did not become healthy");
    }

    /// Kills the process outright (SIGKILL): no graceful shutdown, no flush.
    pub async fn kill(mut self) {
        self.process.kill().await.expect("the server is killed");
    }

    /// Runs `server <args>` against the same database and returns what it printed.
    pub async fn command(database_url: &str, public_url: &str, args: &[&str]) -> String {
        let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_server"))
            .args(args)
            .env("DATABASE_URL", database_url)
            .env("PUBLIC_URL", public_url)
            .env("RUST_LOG", "warn")
            .output()
            .await
            .expect("the server binary runs");
        assert!(
            output.status.success(),
            "server {args:?} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).unwrap()
    }
}

/// A test payload from `tests/api/payloads/`.
pub fn payload(name: &str) -> serde_json::Value {
    let path = format!(
        "{}/tests/api/payloads/{name}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// A real SMTP server (aiosmtpd, installed by `scripts/setup`) on 127.0.0.1, writing
/// what it receives to a Maildir; stopped when dropped. It can be stopped and started
/// again on the same port, as a mail server that goes down and comes back.
pub struct SmtpServer {
    pub port: u16,
    dir: PathBuf,
    process: Option<tokio::process::Child>,
}

impl SmtpServer {
    pub async fn start() -> Self {
        let port = {
            let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            probe.local_addr().unwrap().port()
        };
        let dir = std::env::temp_dir().join(format!("stormwatch-mail-{}", uuid::Uuid::new_v4()));
        let mut server = Self {
            port,
            dir,
            process: None,
        };
        server.resume().await;
        server
    }

    /// A server that is down: nothing listens on its port until [`SmtpServer::resume`].
    pub async fn down() -> Self {
        let mut server = Self::start().await;
        server.stop().await;
        server
    }

    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    pub async fn stop(&mut self) {
        if let Some(mut process) = self.process.take() {
            process.kill().await.ok();
        }
    }

    /// Starts (again) on the same port and Maildir.
    pub async fn resume(&mut self) {
        let python = concat!(env!("CARGO_MANIFEST_DIR"), "/../.tools/smtp/bin/python");
        let process = tokio::process::Command::new(python)
            .args(["-m", "aiosmtpd", "-n", "-l"])
            .arg(format!("127.0.0.1:{}", self.port))
            .args(["-c", "aiosmtpd.handlers.Mailbox"])
            .arg(&self.dir)
            .kill_on_drop(true)
            .spawn()
            .unwrap_or_else(|e| {
                panic!("the test SMTP server starts ({python}; run scripts/setup): {e}")
            });
        self.process = Some(process);
        for _ in 0..200 {
            if tokio::net::TcpStream::connect(("127.0.0.1", self.port))
                .await
                .is_ok()
            {
                return;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        panic!("the test SMTP server did not listen on {}", self.port);
    }

    /// Every message received so far, raw, in the order they arrived.
    pub fn received(&self) -> Vec<Vec<u8>> {
        let Ok(entries) = std::fs::read_dir(self.dir.join("new")) else {
            return vec![];
        };
        let mut files: Vec<_> = entries
            .filter_map(Result::ok)
            .map(|e| (e.metadata().and_then(|m| m.modified()).ok(), e.path()))
            .collect();
        files.sort();
        files
            .into_iter()
            .filter_map(|(_, path)| std::fs::read(path).ok())
            .collect()
    }

    /// Waits until `count` messages have arrived (or fails, saying how many did).
    pub async fn wait_for(&self, count: usize) -> Vec<Vec<u8>> {
        for _ in 0..400 {
            let received = self.received();
            if received.len() >= count {
                return received;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!(
            "{count} message(s) expected, {} arrived",
            self.received().len()
        );
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A server's mail settings pointed at `smtp_url`.
pub fn mail_to(smtp_url: &str) -> impl FnOnce(&mut Config, SocketAddr) + '_ {
    move |config, _| {
        config.mail.smtp_url = Some(smtp_url.to_string());
        config.mail.from = "Stormwatch <incidents@example.com>".into();
        config.mail.org_tz = "Europe/Paris".parse().unwrap();
    }
}
