//! What insights read, read from indexes alone: each incident's earliest alert
//! (`MIN(first_seen_at)` per `incident_id`) without visiting the alerts' rows, and the
//! incidents that started in a period.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Alerts {
    Table,
    IncidentId,
    FirstSeenAt,
}

#[derive(DeriveIden)]
enum Incidents {
    Table,
    StartedAt,
}

const ALERTS_SEEN: &str = "idx_alerts_incident_first_seen";
const INCIDENTS_STARTED: &str = "idx_incidents_started";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .name(ALERTS_SEEN)
                    .table(Alerts::Table)
                    .col(Alerts::IncidentId)
                    .col(Alerts::FirstSeenAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name(INCIDENTS_STARTED)
                    .table(Incidents::Table)
                    .col(Incidents::StartedAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name(ALERTS_SEEN)
                    .table(Alerts::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_index(
                Index::drop()
                    .name(INCIDENTS_STARTED)
                    .table(Incidents::Table)
                    .to_owned(),
            )
            .await
    }
}
