use super::m20261124_000001_create_users::Users;
use super::m20261124_000003_create_services::Services;
use crate::one_of;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The incident's number is its primary key: unique, increasing, shared by every instance.
#[derive(DeriveIden)]
pub enum Incidents {
    Table,
    Id,
    Title,
    Summary,
    Severity,
    Status,
    StartedAt,
    DetectedAt,
    ResolvedAt,
    LeaderId,
    CreatedBy,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum IncidentServices {
    Table,
    IncidentId,
    ServiceId,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Incidents::Table)
                    .col(
                        ColumnDef::new(Incidents::Id)
                            .big_integer()
                            .not_null()
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(Incidents::Title).string_len(200).not_null())
                    .col(ColumnDef::new(Incidents::Summary).text().not_null())
                    .col(
                        ColumnDef::new(Incidents::Severity)
                            .string_len(8)
                            .not_null()
                            .check(one_of(
                                Incidents::Severity,
                                &["SEV1", "SEV2", "SEV3", "SEV4"],
                            )),
                    )
                    .col(
                        ColumnDef::new(Incidents::Status)
                            .string_len(16)
                            .not_null()
                            .check(one_of(
                                Incidents::Status,
                                &["investigating", "identified", "monitoring", "resolved"],
                            )),
                    )
                    .col(
                        ColumnDef::new(Incidents::StartedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Incidents::DetectedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Incidents::ResolvedAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .col(ColumnDef::new(Incidents::LeaderId).big_integer().null())
                    .col(
                        ColumnDef::new(Incidents::CreatedBy)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Incidents::UpdatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    // A resolved incident has a resolution time; an open one has none.
                    .check(
                        Expr::col(Incidents::Status)
                            .eq("resolved")
                            .eq(Expr::col(Incidents::ResolvedAt).is_not_null()),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Incidents::Table, Incidents::LeaderId)
                            .to(Users::Table, Users::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Incidents::Table, Incidents::CreatedBy)
                            .to(Users::Table, Users::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_incidents_status_severity")
                    .table(Incidents::Table)
                    .col(Incidents::Status)
                    .col(Incidents::Severity)
                    .col(Incidents::StartedAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(IncidentServices::Table)
                    .col(
                        ColumnDef::new(IncidentServices::IncidentId)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(IncidentServices::ServiceId)
                            .big_integer()
                            .not_null(),
                    )
                    .primary_key(
                        Index::create()
                            .col(IncidentServices::IncidentId)
                            .col(IncidentServices::ServiceId),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(IncidentServices::Table, IncidentServices::IncidentId)
                            .to(Incidents::Table, Incidents::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(IncidentServices::Table, IncidentServices::ServiceId)
                            .to(Services::Table, Services::Id),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(IncidentServices::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Incidents::Table).to_owned())
            .await
    }
}
