use super::m20261124_000001_create_users::Users;
use super::m20261124_000004_create_incidents::Incidents;
use crate::one_of;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The official record of an incident: append-only, one row per thing that happened.
#[derive(DeriveIden)]
pub enum TimelineEvents {
    Table,
    Id,
    IncidentId,
    Channel,
    Kind,
    AuthorId,
    Body,
    /// Structured detail (e.g. `{"from": "SEV2", "to": "SEV1"}`) as JSON text.
    Data,
    OccurredAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(TimelineEvents::Table)
                    .col(
                        ColumnDef::new(TimelineEvents::Id)
                            .big_integer()
                            .not_null()
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(TimelineEvents::IncidentId)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(TimelineEvents::Channel)
                            .string_len(16)
                            .not_null()
                            .check(one_of(TimelineEvents::Channel, &["incident", "postmortem"])),
                    )
                    .col(
                        ColumnDef::new(TimelineEvents::Kind)
                            .string_len(32)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(TimelineEvents::AuthorId)
                            .big_integer()
                            .null(),
                    )
                    .col(ColumnDef::new(TimelineEvents::Body).text().not_null())
                    .col(ColumnDef::new(TimelineEvents::Data).text().not_null())
                    .col(
                        ColumnDef::new(TimelineEvents::OccurredAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(TimelineEvents::Table, TimelineEvents::IncidentId)
                            .to(Incidents::Table, Incidents::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(TimelineEvents::Table, TimelineEvents::AuthorId)
                            .to(Users::Table, Users::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_timeline_incident")
                    .table(TimelineEvents::Table)
                    .col(TimelineEvents::IncidentId)
                    .col(TimelineEvents::Id)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(TimelineEvents::Table).to_owned())
            .await
    }
}
