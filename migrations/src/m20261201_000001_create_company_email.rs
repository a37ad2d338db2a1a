//! The company email: the issue team, distribution lists, the composer's draft and
//! every message stored as it was sent (its delivery state beside it).

use super::{m20261124_000001_create_users::Users, m20261124_000004_create_incidents::Incidents};
use crate::one_of;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Who is on an incident's issue team, in which of the template's three roles.
#[derive(DeriveIden)]
enum IncidentTeam {
    Table,
    IncidentId,
    Role,
    UserId,
    AddedAt,
}

#[derive(DeriveIden)]
enum DistributionLists {
    Table,
    Id,
    Name,
    /// One address per line.
    Addresses,
    IsDefault,
    UpdatedAt,
}

/// The composer's one draft per incident; `version` refuses a save over a newer one.
#[derive(DeriveIden)]
enum EmailDrafts {
    Table,
    IncidentId,
    /// The form's fields as JSON.
    Fields,
    Version,
    UpdatedBy,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Emails {
    Table,
    Id,
    IncidentId,
    AuthorId,
    /// The `Message-ID` fixed when it was queued (without angle brackets).
    MessageId,
    /// The thread's earlier `Message-ID`s, space-separated (empty on the first).
    References,
    Subject,
    FromAddress,
    /// One address per line.
    Recipients,
    /// The distribution lists it went to, by name, for the timeline line.
    ListNames,
    /// The form as sent, to prefill the next update.
    Fields,
    Html,
    Text,
    /// The whole RFC 5322 message, byte for byte as delivered.
    Raw,
    /// Wording hints left in the cause when it was sent.
    Hints,
    Status,
    Attempts,
    LastError,
    NextAttemptAt,
    /// Held by one sender until then.
    ClaimedUntil,
    CreatedAt,
    SentAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        use IncidentTeam as T;
        manager
            .create_table(
                Table::create()
                    .table(T::Table)
                    .col(ColumnDef::new(T::IncidentId).big_integer().not_null())
                    .col(ColumnDef::new(T::Role).text().not_null().check(one_of(
                        T::Role,
                        &["engineering", "product_management", "product_marketing"],
                    )))
                    .col(ColumnDef::new(T::UserId).big_integer().not_null())
                    .col(
                        ColumnDef::new(T::AddedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .primary_key(
                        Index::create()
                            .col(T::IncidentId)
                            .col(T::Role)
                            .col(T::UserId),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(T::Table, T::IncidentId)
                            .to(Incidents::Table, Incidents::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(T::Table, T::UserId)
                            .to(Users::Table, Users::Id),
                    )
                    .to_owned(),
            )
            .await?;
        use DistributionLists as L;
        manager
            .create_table(
                Table::create()
                    .table(L::Table)
                    .col(
                        ColumnDef::new(L::Id)
                            .big_integer()
                            .not_null()
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(L::Name).text().not_null().unique_key())
                    .col(ColumnDef::new(L::Addresses).text().not_null())
                    .col(
                        ColumnDef::new(L::IsDefault)
                            .boolean()
                            .not_null()
                            .default(false),
                    )
                    .col(
                        ColumnDef::new(L::UpdatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .to_owned(),
            )
            .await?;
        use EmailDrafts as D;
        manager
            .create_table(
                Table::create()
                    .table(D::Table)
                    .col(
                        ColumnDef::new(D::IncidentId)
                            .big_integer()
                            .not_null()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(D::Fields).text().not_null())
                    .col(ColumnDef::new(D::Version).big_integer().not_null())
                    .col(ColumnDef::new(D::UpdatedBy).big_integer().not_null())
                    .col(
                        ColumnDef::new(D::UpdatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(D::Table, D::IncidentId)
                            .to(Incidents::Table, Incidents::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(D::Table, D::UpdatedBy)
                            .to(Users::Table, Users::Id),
                    )
                    .to_owned(),
            )
            .await?;
        use Emails as E;
        manager
            .create_table(
                Table::create()
                    .table(E::Table)
                    .col(
                        ColumnDef::new(E::Id)
                            .big_integer()
                            .not_null()
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(E::IncidentId).big_integer().not_null())
                    .col(ColumnDef::new(E::AuthorId).big_integer().not_null())
                    .col(ColumnDef::new(E::MessageId).text().not_null().unique_key())
                    .col(ColumnDef::new(E::References).text().not_null())
                    .col(
                        ColumnDef::new(E::Subject)
                            .text()
                            .not_null()
                            .check(Expr::cust("length(subject) BETWEEN 1 AND 200")),
                    )
                    .col(ColumnDef::new(E::FromAddress).text().not_null())
                    .col(
                        ColumnDef::new(E::Recipients)
                            .text()
                            .not_null()
                            .check(Expr::cust("length(recipients) > 0")),
                    )
                    .col(ColumnDef::new(E::ListNames).text().not_null())
                    .col(ColumnDef::new(E::Fields).text().not_null())
                    .col(ColumnDef::new(E::Html).text().not_null())
                    .col(ColumnDef::new(E::Text).text().not_null())
                    .col(ColumnDef::new(E::Raw).text().not_null())
                    .col(ColumnDef::new(E::Hints).integer().not_null().default(0))
                    .col(
                        ColumnDef::new(E::Status)
                            .text()
                            .not_null()
                            .check(one_of(E::Status, &["queued", "sent", "failed", "outbox"])),
                    )
                    .col(ColumnDef::new(E::Attempts).integer().not_null().default(0))
                    .col(ColumnDef::new(E::LastError).text().null())
                    .col(
                        ColumnDef::new(E::NextAttemptAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(E::ClaimedUntil)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .col(
                        ColumnDef::new(E::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(ColumnDef::new(E::SentAt).timestamp_with_time_zone().null())
                    .foreign_key(
                        ForeignKey::create()
                            .from(E::Table, E::IncidentId)
                            .to(Incidents::Table, Incidents::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(E::Table, E::AuthorId)
                            .to(Users::Table, Users::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_emails_incident")
                    .table(E::Table)
                    .col(E::IncidentId)
                    .col(E::Id)
                    .to_owned(),
            )
            .await?;
        // What the sender looks for: mail still to deliver, soonest first.
        manager
            .create_index(
                Index::create()
                    .name("idx_emails_due")
                    .table(E::Table)
                    .col(E::Status)
                    .col(E::NextAttemptAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            "emails",
            "email_drafts",
            "distribution_lists",
            "incident_team",
        ] {
            manager
                .drop_table(Table::drop().table(Alias::new(table)).to_owned())
                .await?;
        }
        Ok(())
    }
}
