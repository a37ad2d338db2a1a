//! What the benchmarks share: the databases they run on, signing in, calling a server
//! function.

use sea_orm::{ConnectionTrait, Database};
use std::future::Future;

/// Runs `bench` on SQLite (a temporary file) and on PostgreSQL (`TEST_POSTGRES_URL`,
/// default postgres://postgres@127.0.0.1:5432/test; a fresh database, dropped after),
/// each time with a name for the printout and a `DATABASE_URL`.
pub async fn on_both_databases<F, Fut>(mut bench: F)
where
    F: FnMut(&'static str, String) -> Fut,
    Fut: Future<Output = ()>,
{
    let sqlite_path =
        std::env::temp_dir().join(format!("stormwatch-bench-{}.db", uuid::Uuid::new_v4()));
    bench("SQLite", format!("sqlite://{}", sqlite_path.display())).await;
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", sqlite_path.display()));
    }

    let admin_url = std::env::var("TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
    let name = format!("stormwatch_bench_{}", uuid::Uuid::new_v4().simple());
    match Database::connect(&admin_url).await {
        Ok(admin) => {
            admin
                .execute_unprepared(&format!("CREATE DATABASE {name}"))
                .await
                .unwrap();
            let base = admin_url
                .rsplit_once('/')
                .map_or(admin_url.as_str(), |(b, _)| b);
            bench("PostgreSQL", format!("{base}/{name}")).await;
            admin
                .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .await
                .ok();
        }
        Err(e) => println!("PostgreSQL at {admin_url} is unreachable ({e}): skipped"),
    }
}

/// The real router on 127.0.0.1 (a free port) in this process, on `database_url`:
/// its address (`http://…`) and state.
#[allow(dead_code)]
pub async fn serve(database_url: &str) -> (String, app::ssr::AppState) {
    serve_with(database_url, |_| {}).await
}

/// [`serve`], its configuration adjusted first.
#[allow(dead_code)]
pub async fn serve_with(
    database_url: &str,
    configure: impl FnOnce(&mut server::Config),
) -> (String, app::ssr::AppState) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let mut config = server::Config::local(database_url);
    config.public_url = format!("http://{addr}");
    configure(&mut config);
    let (router, state) = server::build_app(&config, addr)
        .await
        .expect("the app starts");
    tokio::spawn(async move {
        axum::serve(server::listener(listener), router)
            .await
            .unwrap()
    });
    (format!("http://{addr}"), state)
}

/// This process's resident memory, in KB (0 where /proc does not say).
#[allow(dead_code)]
pub fn rss_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

/// The `p`th percentile of `samples` (NaN when there are none).
#[allow(dead_code)]
pub fn pct(samples: &[f64], p: f64) -> f64 {
    if samples.is_empty() {
        return f64::NAN;
    }
    let mut sorted = samples.to_vec();
    sorted.sort_by(|a, b| a.total_cmp(b));
    let rank = ((p / 100.0) * (sorted.len() - 1) as f64).round() as usize;
    sorted[rank]
}

/// How long each benchmark's timed part runs (`BENCH_SECONDS`, default 10).
#[allow(dead_code)]
pub fn seconds() -> u64 {
    env_or("BENCH_SECONDS", 10)
}

/// A benchmark's setting from the environment, or its default.
#[allow(dead_code)]
pub fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

/// A client signed in with the development login as `name` (a responder).
#[allow(dead_code)]
pub async fn signed_in(base: &str, name: &str) -> reqwest::Client {
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap();
    let res = client
        .post(format!(
            "{base}{}",
            <app::api::session::DevLogin as leptos::server_fn::ServerFn>::PATH
        ))
        .header("accept", "application/json")
        .form(&[
            ("name", name),
            ("email", &format!("{name}@example.com")),
            ("role", "responder"),
        ])
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success());
    client
}

/// Calls a server function (form in, JSON out); it must succeed.
#[allow(dead_code)]
pub async fn call(
    client: &reqwest::Client,
    base: &str,
    path: &str,
    form: &[(&str, &str)],
) -> reqwest::Response {
    let res = client
        .post(format!("{base}{path}"))
        .header("accept", "application/json")
        .form(form)
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success(), "{path}: {}", res.status());
    res
}

/// `count` services named svc0, svc1, …: their ids.
#[allow(dead_code)]
pub async fn services(db: &sea_orm::DatabaseConnection, count: usize) -> Vec<i64> {
    use sea_orm::{ActiveModelTrait, Set};
    let mut ids = Vec::with_capacity(count);
    for s in 0..count {
        let row = app::ssr::entities::service::ActiveModel {
            name: Set(format!("svc{s}")),
            created_at: Set(chrono::Utc::now()),
            ..Default::default()
        }
        .insert(db)
        .await
        .unwrap();
        ids.push(row.id);
    }
    ids
}
