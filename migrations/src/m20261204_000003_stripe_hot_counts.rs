//! The two counts every alert batch moves, spread over a few rows each, so that
//! batches written side by side (several alert writers, several instances) stop queueing
//! behind one row until the other's commit.
//!
//! Every batch of a storm added to its feed group's row in `alert_groups` (the insert's
//! trigger) and to its source's `deliveries` in `alert_sources`, and kept both rows
//! locked until it committed: on PostgreSQL, batches of different keys waited on each
//! other there whatever the number of writers. Now each count is kept in stripes: a
//! transaction adds to the stripe its transaction id picks ([`STRIPES`] of them, the
//! column's default), and readers add the stripes up.
//!
//! - `alert_group_stripes` holds the feed groups' counts per stripe, kept by the same
//!   triggers as before; `alert_groups` becomes a view adding them up, so the feed
//!   reads it as it did.
//! - `alert_source_deliveries` holds each source's delivery count and last delivery per
//!   stripe, written by the alert writer; `alert_sources` loses both columns.
//!
//! SQLite writes one transaction at a time, so it keeps one stripe (the default 0).

use super::m20261204_000002_count_alert_groups::{self as per_group, run, Counts};
use sea_orm_migration::{prelude::*, sea_orm::DbBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Rows each count is spread over on PostgreSQL.
const STRIPES: u32 = 16;

/// The stripe a row goes to unless it names one: the transaction's own on PostgreSQL
/// (its id modulo [`STRIPES`]: two transactions at once nearly always differ), 0 on
/// SQLite.
fn stripe_default(backend: DbBackend) -> String {
    match backend {
        DbBackend::Sqlite => "0".into(),
        _ => format!("CAST(txid_current() % {STRIPES} AS INTEGER)"),
    }
}

const GROUP_STRIPES: Counts = Counts {
    table: "alert_group_stripes",
    key: "source_id, service, stripe",
};

/// The feed groups' counts, the stripes added up: read as the table was.
const GROUPS_VIEW: &str = "CREATE VIEW alert_groups AS \
     SELECT source_id, service, \
            CAST(SUM(firing) AS BIGINT) AS firing, \
            CAST(SUM(untriaged) AS BIGINT) AS untriaged, \
            MAX(last_seen_at) AS last_seen_at \
     FROM alert_group_stripes GROUP BY source_id, service";

#[derive(DeriveIden)]
enum AlertSourceDeliveries {
    Table,
    SourceId,
    Stripe,
    Deliveries,
    LastDeliveryAt,
}

#[derive(DeriveIden)]
enum AlertSources {
    Table,
    Id,
}

fn stripe_column(backend: DbBackend, name: impl IntoIden) -> ColumnDef {
    ColumnDef::new(name)
        .integer()
        .not_null()
        .default(Expr::cust(stripe_default(backend)))
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let backend = manager.get_database_backend();
        per_group::create_counts(
            manager,
            GROUP_STRIPES.table,
            Some(stripe_column(backend, Alias::new("stripe"))),
        )
        .await?;
        run(
            manager,
            "INSERT INTO alert_group_stripes (source_id, service, stripe, firing, untriaged, last_seen_at) \
             SELECT source_id, service, 0, firing, untriaged, last_seen_at FROM alert_groups",
        )
        .await?;
        run(manager, "DROP TABLE alert_groups").await?;
        run(manager, GROUPS_VIEW).await?;
        for statement in per_group::retarget(backend, &per_group::PER_GROUP, &GROUP_STRIPES) {
            run(manager, &statement).await?;
        }

        use AlertSourceDeliveries as D;
        manager
            .create_table(
                Table::create()
                    .table(D::Table)
                    .col(ColumnDef::new(D::SourceId).big_integer().not_null())
                    .col(stripe_column(backend, D::Stripe))
                    .col(
                        ColumnDef::new(D::Deliveries)
                            .big_integer()
                            .not_null()
                            .default(0),
                    )
                    .col(
                        ColumnDef::new(D::LastDeliveryAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .primary_key(Index::create().col(D::SourceId).col(D::Stripe))
                    .foreign_key(
                        ForeignKey::create()
                            .from(D::Table, D::SourceId)
                            .to(AlertSources::Table, AlertSources::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        run(
            manager,
            "INSERT INTO alert_source_deliveries (source_id, stripe, deliveries, last_delivery_at) \
             SELECT id, 0, deliveries, last_delivery_at FROM alert_sources \
             WHERE deliveries <> 0 OR last_delivery_at IS NOT NULL",
        )
        .await?;
        for column in ["deliveries", "last_delivery_at"] {
            run(
                manager,
                &format!("ALTER TABLE alert_sources DROP COLUMN {column}"),
            )
            .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let backend = manager.get_database_backend();
        let timestamp = match backend {
            DbBackend::Sqlite => "timestamp_with_timezone_text",
            _ => "timestamp with time zone",
        };
        run(
            manager,
            "ALTER TABLE alert_sources ADD COLUMN deliveries BIGINT NOT NULL DEFAULT 0",
        )
        .await?;
        run(
            manager,
            &format!("ALTER TABLE alert_sources ADD COLUMN last_delivery_at {timestamp} NULL"),
        )
        .await?;
        run(
            manager,
            "UPDATE alert_sources SET \
               deliveries = (SELECT COALESCE(SUM(d.deliveries), 0) FROM alert_source_deliveries d \
                             WHERE d.source_id = alert_sources.id), \
               last_delivery_at = (SELECT MAX(d.last_delivery_at) FROM alert_source_deliveries d \
                                   WHERE d.source_id = alert_sources.id)",
        )
        .await?;
        run(manager, "DROP TABLE alert_source_deliveries").await?;

        run(manager, "DROP VIEW alert_groups").await?;
        // Counted afresh from the alerts, as the first migration did.
        per_group::create_per_group(manager).await?;
        for statement in per_group::retarget(backend, &GROUP_STRIPES, &per_group::PER_GROUP) {
            run(manager, &statement).await?;
        }
        run(manager, "DROP TABLE alert_group_stripes").await
    }
}
