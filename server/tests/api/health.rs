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
