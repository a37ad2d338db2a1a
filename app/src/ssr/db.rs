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
        options.max_connections(16).min_connections(1);
    }
    let db = Database::connect(options).await?;
    Migrator::up(&db, None).await?;
    Ok(db)
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
