use super::m20261124_000006_create_sign_in_and_audit::{audit_events, audit_events_index, ACTIONS};
use sea_orm_migration::{prelude::*, sea_orm::DbBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// What admins do to alert sources goes in the audit log too.
pub(crate) const SOURCE_ACTIONS: &[&str] = &[
    "source_added",
    "source_changed",
    "source_rotated",
    "source_disabled",
    "source_enabled",
];

#[derive(DeriveIden)]
enum AuditEvents {
    Table,
    Action,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let widened: Vec<&str> = ACTIONS.iter().chain(SOURCE_ACTIONS).copied().collect();
        allow_actions(manager, &widened).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .exec_stmt(
                Query::delete()
                    .from_table(AuditEvents::Table)
                    .and_where(Expr::col(AuditEvents::Action).is_in(SOURCE_ACTIONS.iter().copied()))
                    .to_owned(),
            )
            .await?;
        allow_actions(manager, ACTIONS).await
    }
}

/// Replaces the audit log's CHECK on `action`: PostgreSQL alters the constraint, SQLite
/// (which cannot) rebuilds the table and copies the rows.
pub(crate) async fn allow_actions(
    manager: &SchemaManager<'_>,
    actions: &[&str],
) -> Result<(), DbErr> {
    let db = manager.get_connection();
    match manager.get_database_backend() {
        DbBackend::Sqlite => {
            // One batch, so one pooled connection runs it all and no other sees the
            // table half rebuilt.
            let create = audit_events(Alias::new("audit_events_next"), actions)
                .to_string(SqliteQueryBuilder);
            let index = audit_events_index().to_string(SqliteQueryBuilder);
            db.execute_unprepared(&format!(
                "{create};\n\
                 INSERT INTO audit_events_next \
                 SELECT id, occurred_at, action, actor_id, subject_id, email, detail FROM audit_events;\n\
                 DROP TABLE audit_events;\n\
                 ALTER TABLE audit_events_next RENAME TO audit_events;\n\
                 {index};"
            ))
            .await
            .map(|_| ())
        }
        _ => {
            // The names are this file's constants, not input.
            let listed: Vec<String> = actions.iter().map(|a| format!("'{a}'")).collect();
            db.execute_unprepared(&format!(
                "ALTER TABLE audit_events DROP CONSTRAINT audit_events_action_check, \
                 ADD CONSTRAINT audit_events_action_check CHECK (action IN ({}))",
                listed.join(", ")
            ))
            .await
            .map(|_| ())
        }
    }
}
