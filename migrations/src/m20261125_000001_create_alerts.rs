use super::{m20261124_000001_create_users::Users, m20261124_000004_create_incidents::Incidents};
use crate::one_of;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// A monitoring tool that posts alerts: its webhook URL is `/webhooks/{public_id}/{secret}`;
/// only the secret's SHA-256 is kept. Signing keys (PagerDuty's, the generic kind's) are
/// kept as given, since checking an HMAC needs the key itself.
#[derive(DeriveIden)]
pub enum AlertSources {
    Table,
    Id,
    PublicId,
    Kind,
    Name,
    /// The service an alert belongs to when its payload names none ('' for none).
    Service,
    SecretHash,
    SigningSecret,
    Enabled,
    CreatedBy,
    CreatedAt,
    SecretRotatedAt,
    Deliveries,
    LastDeliveryAt,
    /// An AWS SNS subscription waiting for the admin to confirm it (its SubscribeURL).
    ConfirmUrl,
}

/// One alert: repeated deliveries of it update the row (occurrences, last seen).
#[derive(DeriveIden)]
enum Alerts {
    Table,
    Id,
    SourceId,
    DedupKey,
    Title,
    Severity,
    Status,
    /// As the payload (or the source) names it; '' for none.
    Service,
    Details,
    Url,
    FirstSeenAt,
    LastSeenAt,
    ResolvedAt,
    Occurrences,
    IncidentId,
}

const SOURCE_KINDS: &[&str] = &["pingdom", "newrelic", "cloudwatch", "pagerduty", "generic"];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        use AlertSources as S;
        manager
            .create_table(
                Table::create()
                    .table(S::Table)
                    .col(
                        ColumnDef::new(S::Id)
                            .big_integer()
                            .not_null()
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(S::PublicId)
                            .string_len(32)
                            .not_null()
                            .unique_key(),
                    )
                    .col(
                        ColumnDef::new(S::Kind)
                            .string_len(16)
                            .not_null()
                            .check(one_of(S::Kind, SOURCE_KINDS)),
                    )
                    .col(
                        ColumnDef::new(S::Name)
                            .string_len(100)
                            .not_null()
                            .unique_key(),
                    )
                    .col(
                        ColumnDef::new(S::Service)
                            .string_len(64)
                            .not_null()
                            .default(""),
                    )
                    .col(ColumnDef::new(S::SecretHash).string_len(64).not_null())
                    .col(ColumnDef::new(S::SigningSecret).text().null())
                    .col(
                        ColumnDef::new(S::Enabled)
                            .boolean()
                            .not_null()
                            .default(true),
                    )
                    .col(ColumnDef::new(S::CreatedBy).big_integer().null())
                    .col(
                        ColumnDef::new(S::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(S::SecretRotatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(S::Deliveries)
                            .big_integer()
                            .not_null()
                            .default(0),
                    )
                    .col(
                        ColumnDef::new(S::LastDeliveryAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .col(ColumnDef::new(S::ConfirmUrl).text().null())
                    .foreign_key(
                        ForeignKey::create()
                            .from(S::Table, S::CreatedBy)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;

        use Alerts as A;
        manager
            .create_table(
                Table::create()
                    .table(A::Table)
                    .col(
                        ColumnDef::new(A::Id)
                            .big_integer()
                            .not_null()
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(A::SourceId).big_integer().not_null())
                    .col(ColumnDef::new(A::DedupKey).string_len(255).not_null())
                    .col(ColumnDef::new(A::Title).string_len(300).not_null())
                    .col(
                        ColumnDef::new(A::Severity)
                            .string_len(8)
                            .null()
                            .check(one_of(A::Severity, &["SEV1", "SEV2", "SEV3", "SEV4"])),
                    )
                    .col(
                        ColumnDef::new(A::Status)
                            .string_len(10)
                            .not_null()
                            .check(one_of(A::Status, &["firing", "resolved"])),
                    )
                    .col(
                        ColumnDef::new(A::Service)
                            .string_len(64)
                            .not_null()
                            .default(""),
                    )
                    .col(ColumnDef::new(A::Details).text().not_null())
                    .col(ColumnDef::new(A::Url).string_len(2048).null())
                    .col(
                        ColumnDef::new(A::FirstSeenAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(A::LastSeenAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(A::ResolvedAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .col(ColumnDef::new(A::Occurrences).big_integer().not_null())
                    .col(ColumnDef::new(A::IncidentId).big_integer().null())
                    // A resolved alert has a resolution time; a firing one has none.
                    .check(
                        Expr::col(A::Status)
                            .eq("resolved")
                            .eq(Expr::col(A::ResolvedAt).is_not_null()),
                    )
                    .check(Expr::col(A::Occurrences).gte(1))
                    .foreign_key(
                        ForeignKey::create()
                            .from(A::Table, A::SourceId)
                            .to(S::Table, S::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(A::Table, A::IncidentId)
                            .to(Incidents::Table, Incidents::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;
        // One firing alert per source and key: a repeated delivery updates it. Once it
        // resolves, the same key firing again is a new alert. (Partial indexes are
        // written the same way on SQLite and PostgreSQL; the schema builder has none.)
        manager
            .get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX uq_alerts_firing_key ON alerts (source_id, dedup_key) \
                 WHERE status = 'firing'",
            )
            .await?;
        for (name, columns) in [
            // The latest alert of a key, whatever its state.
            ("idx_alerts_key", vec![A::SourceId, A::DedupKey, A::Id]),
            // The feed: groups with firing alerts, and each group's counts.
            (
                "idx_alerts_firing_groups",
                vec![A::Status, A::SourceId, A::Service, A::IncidentId],
            ),
            // A group's latest alerts, firing first.
            (
                "idx_alerts_group_latest",
                vec![A::SourceId, A::Service, A::Status, A::LastSeenAt],
            ),
            ("idx_alerts_seen", vec![A::LastSeenAt]),
            ("idx_alerts_incident", vec![A::IncidentId, A::Id]),
        ] {
            let mut index = Index::create();
            index.name(name).table(A::Table);
            for column in columns {
                index.col(column);
            }
            manager.create_index(index.to_owned()).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Alerts::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(AlertSources::Table).to_owned())
            .await
    }
}
