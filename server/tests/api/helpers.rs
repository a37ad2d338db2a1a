use app::api::session::{DevLogin, Logout, Me};
use leptos::server_fn::ServerFn;
use reqwest::{header, redirect::Policy, Client, Response, StatusCode};
use sea_orm::{ConnectionTrait, Database};
use server::{build_app, Config};
use std::{net::SocketAddr, path::PathBuf};

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
    pub client: Client,
    pub db: sea_orm::DatabaseConnection,
    cleanup: Cleanup,
}

enum Cleanup {
    File(PathBuf),
    Database { admin_url: String, name: String },
}

/// A fresh server on a fresh database.
pub async fn spawn_app(backend: Backend) -> TestApp {
    let (database_url, cleanup) = fresh_database(backend).await;
    let config = Config::local(database_url);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind a test port");
    let addr: SocketAddr = listener.local_addr().unwrap();
    let (router, state) = build_app(&config, addr).await.expect("the app starts");
    tokio::spawn(async move {
        axum::serve(listener, router)
            .await
            .expect("the server runs")
    });
    TestApp {
        address: format!("http://{addr}"),
        client: new_client(),
        db: state.db,
        cleanup,
    }
}

pub fn new_client() -> Client {
    Client::builder()
        .cookie_store(true)
        .redirect(Policy::none())
        .build()
        .expect("a client")
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
            let admin = Database::connect(&admin_url).await.unwrap_or_else(|e| {
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
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    /// Calls a server function the way the browser's WASM does (form-encoded in, JSON out).
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

    pub async fn get(&self, path: &str) -> Response {
        self.client
            .get(self.url(path))
            .send()
            .await
            .expect("the server answers")
    }

    pub async fn login_as(&self, name: &str, role: &str) {
        let email = format!("{}@example.com", name.to_lowercase().replace(' ', "."));
        let res = self
            .call_as(
                &self.client,
                DevLogin::PATH,
                &[("name", name), ("email", &email), ("role", role)],
            )
            .await;
        assert!(
            res.status().is_success(),
            "dev login failed: {}",
            res.status()
        );
    }

    pub async fn me(&self) -> Option<serde_json::Value> {
        let res = self.call::<Me>(&[]).await;
        assert_eq!(res.status(), StatusCode::OK);
        let body: serde_json::Value = res.json().await.unwrap();
        (!body.is_null()).then_some(body)
    }

    pub async fn logout(&self) -> Response {
        self.call::<Logout>(&[]).await
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
            Cleanup::Database { admin_url, name } => {
                if let Ok(admin) = Database::connect(&admin_url).await {
                    let drop = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
                    admin.execute_unprepared(&drop).await.ok();
                    admin.close().await.ok();
                }
            }
        }
    }
}

/// Runs an `async fn(&TestApp)` test once on SQLite and once on PostgreSQL.
#[macro_export]
macro_rules! on_both_databases {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            use $crate::helpers::{spawn_app, Backend};

            #[tokio::test]
            async fn sqlite() {
                let app = spawn_app(Backend::Sqlite).await;
                super::$name(&app).await;
                app.finish().await;
            }

            #[tokio::test]
            async fn postgres() {
                let app = spawn_app(Backend::Postgres).await;
                super::$name(&app).await;
                app.finish().await;
            }
        }
    )*};
}
