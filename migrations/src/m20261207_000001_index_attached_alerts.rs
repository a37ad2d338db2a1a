//! The alerts' two indexes by incident only hold the alerts attached to one.
//!
//! Most alerts belong to no incident (a storm's, until someone declares one), and every
//! one of them was an entry in both indexes: the webhook writer paid for two index
//! insertions per new alert, and per repeat too (a repeat changes `last_seen_at`, which
//! another index holds, so every index gets the row's new version). Every read by
//! incident names one (`incident_id = …`, `incident_id IN (…)`), which both databases
//! match to a partial index `WHERE incident_id IS NOT NULL`. Written the same on SQLite
//! and PostgreSQL; new names, as `m20261204_000002_count_alert_groups` explains.

use crate::m20261204_000002_count_alert_groups::run;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// (whole index, partial index that replaces it, columns)
const INDEXES: [(&str, &str, &str); 2] = [
    (
        "idx_alerts_incident",
        "idx_alerts_attached",
        "incident_id, id",
    ),
    (
        "idx_alerts_incident_first_seen",
        "idx_alerts_attached_first_seen",
        "incident_id, first_seen_at",
    ),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (whole, partial, columns) in INDEXES {
            run(
                manager,
                &format!(
                    "CREATE INDEX {partial} ON alerts ({columns}) WHERE incident_id IS NOT NULL"
                ),
            )
            .await?;
            run(manager, &format!("DROP INDEX {whole}")).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (whole, partial, columns) in INDEXES {
            run(
                manager,
                &format!("CREATE INDEX {whole} ON alerts ({columns})"),
            )
            .await?;
            run(manager, &format!("DROP INDEX {partial}")).await?;
        }
        Ok(())
    }
}
