use crate::{helpers::TestApp, on_both_databases};

on_both_databases!(health_check_reports_the_database);

async fn health_check_reports_the_database(app: &TestApp) {
    let res = app.get("/healthz").await;
    assert_eq!(res.status(), 200);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["database"], "ok");
}

/// Every PostgreSQL connection of the pool sends without waiting for Nagle's algorithm
/// (`ssr::db` turns it off; sqlx 0.9.0 leaves it on, and a statement over 16 KB then
/// waits ~40 ms for the server's delayed ACK).
#[tokio::test]
async fn postgres_connections_send_without_delay() {
    crate::helpers::bounded("health::postgres_connections_send_without_delay", async {
        use sea_orm::{ConnectionTrait, DbBackend, Statement, TransactionTrait};
        let app = crate::helpers::spawn_app(crate::helpers::Backend::Postgres).await;
        // Three transactions open at once hold three different connections.
        let mut held = Vec::new();
        let mut ports = Vec::new();
        for _ in 0..3 {
            let txn = app.db.begin().await.unwrap();
            let row = txn
                .query_one_raw(Statement::from_string(
                    DbBackend::Postgres,
                    "SELECT inet_client_port() AS port",
                ))
                .await
                .unwrap()
                .unwrap();
            let port: Option<i32> = row.try_get("", "port").unwrap();
            ports.push(port.expect("TEST_POSTGRES_URL connects over TCP") as u16);
            held.push(txn);
        }
        ports.sort_unstable();
        ports.dedup();
        assert_eq!(ports.len(), 3, "three connections: {ports:?}");
        for port in ports {
            assert_eq!(
                app::ssr::db::sends_without_delay(port),
                Some(true),
                "the connection from port {port}"
            );
        }
        drop(held);
        app.finish().await;
    })
    .await
}

/// A TCP relay to PostgreSQL that can be cut (every connection dropped, the port
/// refusing) and restored, as a database that goes away and comes back.
struct Relay {
    port: u16,
    cut: std::sync::Arc<tokio::sync::watch::Sender<bool>>,
}

impl Relay {
    async fn start(upstream: std::net::SocketAddr) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let (cut, _) = tokio::sync::watch::channel(false);
        let relay = Self {
            port,
            cut: std::sync::Arc::new(cut),
        };
        relay.serve(listener, upstream);
        relay
    }

    fn serve(&self, listener: tokio::net::TcpListener, upstream: std::net::SocketAddr) {
        let sender = self.cut.clone();
        let mut cut = self.cut.subscribe();
        tokio::spawn(async move {
            loop {
                tokio::select! {
                    accepted = listener.accept() => {
                        let Ok((mut client, _)) = accepted else { return };
                        let mut cut = sender.subscribe();
                        tokio::spawn(async move {
                            let Ok(mut server) = tokio::net::TcpStream::connect(upstream).await else { return };
                            tokio::select! {
                                _ = tokio::io::copy_bidirectional(&mut client, &mut server) => {}
                                _ = cut.wait_for(|c| *c) => {}
                            }
                        });
                    }
                    _ = cut.wait_for(|c| *c) => return,
                }
            }
        });
    }

    fn cut(&self) {
        self.cut.send_replace(true);
    }

    async fn restore(&self, upstream: std::net::SocketAddr) {
        self.cut.send_replace(false);
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", self.port))
            .await
            .unwrap();
        self.serve(listener, upstream);
    }
}

/// A database that stops answering: webhooks are told 503 with `Retry-After` and a
/// message naming the database, at once rather than after the pool's wait; `/healthz`
/// says why; both recover when it is back. (PostgreSQL only: an SQLite file does not
/// go away.)
#[tokio::test]
async fn an_unreachable_database_gets_a_prompt_503_naming_it() {
    crate::helpers::bounded(
        "health::an_unreachable_database_gets_a_prompt_503_naming_it",
        async {
            use std::time::{Duration, Instant};
            let base = crate::helpers::spawn_app(crate::helpers::Backend::Postgres).await;
            let upstream: std::net::SocketAddr = "127.0.0.1:5432".parse().unwrap();
            let relay = Relay::start(upstream).await;
            let through = base.database_url.replacen(
                "127.0.0.1:5432",
                &format!("127.0.0.1:{}", relay.port),
                1,
            );
            assert_ne!(
                through, base.database_url,
                "TEST_POSTGRES_URL is 127.0.0.1:5432"
            );
            let app = base
                .another_instance(move |config, _| config.database_url = through)
                .await;
            let source = app.add_source("generic", "Breakers", "push").await;
            let alert = serde_json::json!({"dedup_key": "k", "title": "Breaker open"});
            assert_eq!(app.deliver(&source.url, &alert).await.status(), 200);

            relay.cut();
            // The next probe (once a second) finds it gone.
            let mut health = None;
            for _ in 0..50 {
                let res = app.get("/healthz").await;
                if res.status() == 503 {
                    health = Some(res.json::<serde_json::Value>().await.unwrap());
                    break;
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            let health = health.expect("/healthz reports the database down");
            assert_eq!(health["database"], "unreachable");
            assert!(
                health["reason"].as_str().is_some_and(|r| !r.is_empty()),
                "{health}"
            );

            let started = Instant::now();
            let res = app.deliver(&source.url, &alert).await;
            let waited = started.elapsed();
            assert_eq!(res.status(), 503);
            assert_eq!(res.headers()["retry-after"], "5");
            let body: serde_json::Value = res.json().await.unwrap();
            assert!(
                body["error"]
                    .as_str()
                    .unwrap()
                    .contains("database is unavailable"),
                "{body}"
            );
            assert!(
                waited < Duration::from_secs(5),
                "answered in {waited:?}, not after the pool's 10 s"
            );

            relay.restore(upstream).await;
            let mut back = false;
            for _ in 0..100 {
                if app.deliver(&source.url, &alert).await.status() == 200 {
                    back = true;
                    break;
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            assert!(
                back,
                "deliveries are accepted again once the database is back"
            );
            assert_eq!(app.get("/healthz").await.status(), 200);
            app.finish().await;
            base.finish().await;
        },
    )
    .await
}
