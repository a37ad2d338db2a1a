//! The blameless postmortem: one per incident, its participants, its shared document as
//! an update log (compacted into a snapshot row now and then), and the organisation's
//! settings (its business days and holidays).

use super::{m20261124_000001_create_users::Users, m20261124_000004_create_incidents::Incidents};
use crate::one_of;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Postmortems {
    Table,
    Id,
    IncidentId,
    Status,
    StartedBy,
    StartedAt,
    /// When the Incident Leader holds the meeting.
    MeetingAt,
    PublishedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum PostmortemParticipants {
    Table,
    PostmortemId,
    UserId,
    AddedAt,
}

/// The shared document: each row one yrs update (v1 encoding) as a writer sent it, or
/// a snapshot standing for all the rows it replaced. Applying every row, in any order,
/// gives the document.
#[derive(DeriveIden)]
enum PostmortemUpdates {
    Table,
    Id,
    PostmortemId,
    Data,
    AuthorId,
    CreatedAt,
}

/// Settings an admin changes at run time, one JSON value per key.
#[derive(DeriveIden)]
enum Settings {
    Table,
    Key,
    Value,
    UpdatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        use Postmortems as P;
        manager
            .create_table(
                Table::create()
                    .table(P::Table)
                    .col(
                        ColumnDef::new(P::Id)
                            .big_integer()
                            .not_null()
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(P::IncidentId)
                            .big_integer()
                            .not_null()
                            .unique_key(),
                    )
                    .col(
                        ColumnDef::new(P::Status)
                            .text()
                            .not_null()
                            .check(one_of(P::Status, &["draft", "in_review", "published"])),
                    )
                    .col(ColumnDef::new(P::StartedBy).big_integer().not_null())
                    .col(
                        ColumnDef::new(P::StartedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(ColumnDef::new(P::MeetingAt).timestamp_with_time_zone())
                    .col(ColumnDef::new(P::PublishedAt).timestamp_with_time_zone())
                    .col(
                        ColumnDef::new(P::UpdatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(P::Table, P::IncidentId)
                            .to(Incidents::Table, Incidents::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(P::Table, P::StartedBy)
                            .to(Users::Table, Users::Id),
                    )
                    .to_owned(),
            )
            .await?;
        use PostmortemParticipants as T;
        manager
            .create_table(
                Table::create()
                    .table(T::Table)
                    .col(ColumnDef::new(T::PostmortemId).big_integer().not_null())
                    .col(ColumnDef::new(T::UserId).big_integer().not_null())
                    .col(
                        ColumnDef::new(T::AddedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .primary_key(Index::create().col(T::PostmortemId).col(T::UserId))
                    .foreign_key(
                        ForeignKey::create()
                            .from(T::Table, T::PostmortemId)
                            .to(P::Table, P::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(T::Table, T::UserId)
                            .to(Users::Table, Users::Id),
                    )
                    .to_owned(),
            )
            .await?;
        use PostmortemUpdates as U;
        manager
            .create_table(
                Table::create()
                    .table(U::Table)
                    .col(
                        ColumnDef::new(U::Id)
                            .big_integer()
                            .not_null()
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(U::PostmortemId).big_integer().not_null())
                    .col(ColumnDef::new(U::Data).blob().not_null())
                    .col(ColumnDef::new(U::AuthorId).big_integer())
                    .col(
                        ColumnDef::new(U::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(U::Table, U::PostmortemId)
                            .to(P::Table, P::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("postmortem_updates_by_document")
                    .table(U::Table)
                    .col(U::PostmortemId)
                    .col(U::Id)
                    .to_owned(),
            )
            .await?;
        use Settings as S;
        manager
            .create_table(
                Table::create()
                    .table(S::Table)
                    .col(ColumnDef::new(S::Key).text().not_null().primary_key())
                    .col(ColumnDef::new(S::Value).text().not_null())
                    .col(
                        ColumnDef::new(S::UpdatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            "settings",
            "postmortem_updates",
            "postmortem_participants",
            "postmortems",
        ] {
            manager
                .drop_table(Table::drop().table(Alias::new(table)).to_owned())
                .await?;
        }
        Ok(())
    }
}
