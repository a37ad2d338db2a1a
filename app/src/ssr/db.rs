use crate::domain::AppError;
use migrations::{Migrator, MigratorTrait};
use sea_orm::{
    sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous},
    ConnectOptions, Database, DatabaseConnection, DbErr,
};
use std::time::Duration;

/// Opens the database named by `url` and brings its schema up to date.
///
/// SQLite runs in WAL mode with foreign keys on and `synchronous=NORMAL`: a commit
/// survives a killed process, not a power cut (see README, "Durability").
#[tracing::instrument(skip_all, fields(backend = backend(url)))]
pub async fn connect(url: &str) -> Result<DatabaseConnection, DbErr> {
    let mut options = ConnectOptions::new(url.to_owned());
    options
        .sqlx_logging(false)
        .connect_timeout(Duration::from_secs(5))
        .acquire_timeout(Duration::from_secs(10))
        // A connection used within the last second is handed out as it is; one idle
        // longer is pinged first. Pinging every one cost the alert writer a round trip
        // per batch (a sixth of its cycle on PostgreSQL).
        .test_before_acquire_if_idle_for(Duration::from_secs(1))
        .map_sqlx_sqlite_opts(|o| {
            o.create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(5))
        });
    if url.starts_with("sqlite:") {
        // One writer at a time is SQLite's model; a small pool keeps readers concurrent.
        options.max_connections(8).min_connections(1);
    } else {
        options
            .max_connections(16)
            .min_connections(1)
            .map_sqlx_postgres_pool_opts(|pool| {
                pool.after_connect(|conn, _| {
                    Box::pin(async move {
                        let port: Option<i32> =
                            sea_orm::sqlx::query_scalar("SELECT inet_client_port()")
                                .fetch_one(&mut *conn)
                                .await?;
                        if let Some(port) = port.and_then(|p| u16::try_from(p).ok()) {
                            no_delay(port);
                        }
                        Ok(())
                    })
                })
            });
    }
    let db = Database::connect(options).await?;
    Migrator::up(&db, None).await?;
    Ok(db)
}

/// sqlx 0.9.0 leaves Nagle's algorithm on for its PostgreSQL sockets (sqlx issue #4335,
/// fixed upstream but not released yet): a statement bigger than the socket's first send
/// buffer (16 KB on Linux) goes out in two writes, and the second waits ~40 ms for the
/// server's delayed ACK. Every batch of 64 alerts paid it. Until the fix is released,
/// each new connection asks the server which port it came from, and the socket of ours
/// bound to that port (found among the process's descriptors) gets `TCP_NODELAY`.
fn no_delay(port: u16) {
    match with_socket_on_port(port, |socket| socket.set_tcp_nodelay(true)) {
        Some(Ok(())) => {}
        Some(Err(err)) => {
            tracing::warn!(error = %err, port, "TCP_NODELAY not set on a database connection")
        }
        None => tracing::warn!(port, "TCP_NODELAY not set: no socket of ours on that port"),
    }
}

/// Whether the socket of ours on local `port` sends without delay (None: no such socket).
pub fn sends_without_delay(port: u16) -> Option<bool> {
    with_socket_on_port(port, |socket| socket.tcp_nodelay().ok()).flatten()
}

/// Runs `f` on the connected socket of this process bound to local `port`.
#[cfg(target_os = "linux")]
fn with_socket_on_port<R>(port: u16, f: impl FnOnce(socket2::SockRef<'_>) -> R) -> Option<R> {
    use std::os::fd::BorrowedFd;
    for fd in std::fs::read_dir("/proc/self/fd").ok()?.flatten() {
        let Some(fd) = fd.file_name().to_str().and_then(|n| n.parse::<i32>().ok()) else {
            continue;
        };
        // SAFETY: only borrowed for the calls below. Were the descriptor closed (or
        // reused) meanwhile, they fail (or find another port) and nothing is changed.
        let fd = unsafe { BorrowedFd::borrow_raw(fd) };
        let socket = socket2::SockRef::from(&fd);
        let ours = socket
            .local_addr()
            .ok()
            .and_then(|a| a.as_socket())
            .is_some_and(|a| a.port() == port);
        if ours && socket.peer_addr().is_ok() {
            return Some(f(socket));
        }
    }
    None
}

#[cfg(not(target_os = "linux"))]
fn with_socket_on_port<R>(_port: u16, _f: impl FnOnce(socket2::SockRef<'_>) -> R) -> Option<R> {
    None
}

fn backend(url: &str) -> &'static str {
    if url.starts_with("sqlite:") {
        "sqlite"
    } else if url.starts_with("postgres") {
        "postgres"
    } else {
        "other"
    }
}

/// A transaction that will write. On SQLite it takes the write lock at `BEGIN`
/// (`IMMEDIATE`, waiting up to the busy timeout for another writer): a deferred one that
/// reads first fails outright with "database is locked" when another connection commits
/// before it writes. PostgreSQL ignores the mode.
pub async fn begin_write<C: sea_orm::TransactionTrait>(db: &C) -> Result<C::Transaction, DbErr> {
    db.begin_with_options(sea_orm::TransactionOptions {
        sqlite_transaction_mode: Some(sea_orm::SqliteTransactionMode::Immediate),
        ..Default::default()
    })
    .await
}

/// The database of the request being served, from the server function's context.
pub fn current() -> Result<DatabaseConnection, AppError> {
    Ok(super::AppState::current()?.db.clone())
}

/// What the server says when the database does not answer.
pub const UNAVAILABLE: &str =
    "The database is unavailable, so nothing can be recorded right now: retry shortly.";
/// How often [`Health`] asks the database, and how long it waits for the answer.
const PROBE_EVERY: Duration = Duration::from_secs(1);
const PROBE_LIMIT: Duration = Duration::from_secs(2);

/// Whether the database answers, as a probe once a second last found: so that a
/// webhook is told "unavailable, retry" at once instead of after the pool's 10 s wait,
/// and `/healthz` can say why.
#[derive(Clone)]
pub struct Health {
    state: std::sync::Arc<tokio::sync::watch::Sender<Option<String>>>,
}

impl Health {
    /// Starts probing `db` (healthy until a probe fails).
    pub fn watch(db: DatabaseConnection) -> Self {
        let (state, _) = tokio::sync::watch::channel(None);
        let health = Self {
            state: std::sync::Arc::new(state),
        };
        let probe = health.clone();
        tokio::spawn(async move {
            loop {
                probe.check(&db).await;
                tokio::time::sleep(PROBE_EVERY).await;
            }
        });
        health
    }

    /// Asks the database once, within [`PROBE_LIMIT`]; records and returns the answer.
    pub async fn check(&self, db: &DatabaseConnection) -> Option<String> {
        let reason = match tokio::time::timeout(PROBE_LIMIT, db.ping()).await {
            Ok(Ok(())) => None,
            Ok(Err(e)) => Some(e.to_string()),
            Err(_) => Some(format!("no answer within {} s", PROBE_LIMIT.as_secs())),
        };
        self.state.send_if_modified(|current| {
            if *current == reason {
                return false;
            }
            match &reason {
                Some(why) => tracing::error!(reason = %why, "the database is unreachable"),
                None => tracing::info!("the database answers again"),
            }
            *current = reason.clone();
            true
        });
        reason
    }

    /// Why the database is down, if the last probe found it so.
    pub fn down(&self) -> Option<String> {
        self.state.borrow().clone()
    }

    /// Resolves once a probe finds the database down (at once if it is).
    pub async fn went_down(&self) {
        let mut changes = self.state.subscribe();
        let _ = changes.wait_for(|reason| reason.is_some()).await;
    }
}
