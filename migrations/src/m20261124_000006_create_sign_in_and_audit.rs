use super::m20261124_000001_create_users::Users;
use crate::one_of;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// A sign-in with the identity provider in flight: created when the browser is sent to
/// the provider, consumed (deleted) by the one callback that may finish it.
#[derive(DeriveIden)]
enum LoginAttempts {
    Table,
    /// SHA-256 of the `state` parameter.
    Id,
    Nonce,
    PkceVerifier,
    CreatedAt,
}

/// Who signed in, who was refused and why, who changed whose role.
#[derive(DeriveIden)]
enum AuditEvents {
    Table,
    Id,
    OccurredAt,
    Action,
    ActorId,
    SubjectId,
    Email,
    Detail,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(LoginAttempts::Table)
                    .col(
                        ColumnDef::new(LoginAttempts::Id)
                            .string_len(64)
                            .not_null()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(LoginAttempts::Nonce)
                            .string_len(128)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(LoginAttempts::PkceVerifier)
                            .string_len(128)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(LoginAttempts::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(audit_events(AuditEvents::Table, ACTIONS))
            .await?;
        manager.create_index(audit_events_index()).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(AuditEvents::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(LoginAttempts::Table).to_owned())
            .await
    }
}

/// The audit actions this migration knows; later migrations widen the list.
pub(crate) const ACTIONS: &[&str] = &[
    "signed_in",
    "sign_in_refused",
    "signed_out",
    "role_changed",
    "user_disabled",
    "user_enabled",
];

/// The audit log's table, named `table`, refusing actions outside `actions`. A later
/// migration rebuilds it with a longer list (SQLite cannot alter a CHECK constraint).
pub(crate) fn audit_events(table: impl IntoIden, actions: &[&str]) -> TableCreateStatement {
    let table = table.into_iden();
    Table::create()
        .table(table.clone())
        .col(
            ColumnDef::new(AuditEvents::Id)
                .big_integer()
                .not_null()
                .auto_increment()
                .primary_key(),
        )
        .col(
            ColumnDef::new(AuditEvents::OccurredAt)
                .timestamp_with_time_zone()
                .not_null(),
        )
        .col(
            ColumnDef::new(AuditEvents::Action)
                .string_len(32)
                .not_null()
                .check(one_of(AuditEvents::Action, actions)),
        )
        .col(ColumnDef::new(AuditEvents::ActorId).big_integer().null())
        .col(ColumnDef::new(AuditEvents::SubjectId).big_integer().null())
        .col(ColumnDef::new(AuditEvents::Email).string_len(320).null())
        .col(ColumnDef::new(AuditEvents::Detail).text().not_null())
        .foreign_key(
            ForeignKey::create()
                .from(table.clone(), AuditEvents::ActorId)
                .to(Users::Table, Users::Id)
                .on_delete(ForeignKeyAction::SetNull),
        )
        .foreign_key(
            ForeignKey::create()
                .from(table, AuditEvents::SubjectId)
                .to(Users::Table, Users::Id)
                .on_delete(ForeignKeyAction::SetNull),
        )
        .to_owned()
}

/// The index the audit page reads by.
pub(crate) fn audit_events_index() -> IndexCreateStatement {
    Index::create()
        .name("idx_audit_events_occurred")
        .table(AuditEvents::Table)
        .col(AuditEvents::OccurredAt)
        .to_owned()
}
