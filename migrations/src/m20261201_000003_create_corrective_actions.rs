//! Corrective actions: rows that cannot exist without their assignee and expected date
//! (NOT NULL, a foreign key to users, a CHECK that the date is not before the
//! incident), their history, a postmortem's "Not now" list, and the daily reminders'
//! claims. Mail that belongs to no incident (the reminders) goes through the company
//! email's queue, so `emails.incident_id` and `author_id` become optional.

use super::{
    m20261124_000001_create_users::Users, m20261124_000004_create_incidents::Incidents,
    m20261124_000005_create_timeline_events::TimelineEvents,
};
use crate::one_of;
use sea_orm_migration::{
    prelude::*,
    sea_orm::{self, DbBackend},
};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Postmortems {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum CorrectiveActions {
    Table,
    Id,
    PostmortemId,
    IncidentId,
    Title,
    AssigneeId,
    /// The expected date.
    DueOn,
    /// The day the incident started (in the organisation's zone): the earliest due date.
    IncidentOn,
    /// A trace key (`chain:<id>`, `why:<id>:<level>`, `factors`); NULL: untraced.
    Answers,
    TicketUrl,
    /// The discussion idea it was promoted from.
    FromPost,
    Status,
    DoneAt,
    DoneBy,
    Reason,
    /// Bumped by every change: a writer names the version it changed.
    Version,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ActionChanges {
    Table,
    Id,
    ActionId,
    ActorId,
    Body,
    At,
}

#[derive(DeriveIden)]
enum NotNowItems {
    Table,
    Id,
    PostmortemId,
    Title,
    FromPost,
    AddedBy,
    AddedAt,
}

/// One row per assignee and day a reminder went out: the claim that makes it once.
#[derive(DeriveIden)]
enum ActionReminders {
    Table,
    UserId,
    Day,
    EmailId,
    SentAt,
}

fn fk(
    from: (impl IntoIden + 'static, impl IntoIden + 'static),
    to: (impl IntoIden + 'static, impl IntoIden + 'static),
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(from.0, from.1)
        .to(to.0, to.1)
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        use CorrectiveActions as A;
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
                    .col(ColumnDef::new(A::PostmortemId).big_integer().not_null())
                    .col(ColumnDef::new(A::IncidentId).big_integer().not_null())
                    .col(
                        ColumnDef::new(A::Title)
                            .text()
                            .not_null()
                            .check(Expr::cust("length(trim(title)) > 0")),
                    )
                    .col(ColumnDef::new(A::AssigneeId).big_integer().not_null())
                    .col(ColumnDef::new(A::DueOn).date().not_null())
                    .col(ColumnDef::new(A::IncidentOn).date().not_null())
                    .col(ColumnDef::new(A::Answers).text().null())
                    .col(ColumnDef::new(A::TicketUrl).text().null())
                    .col(ColumnDef::new(A::FromPost).big_integer().null())
                    .col(ColumnDef::new(A::Status).text().not_null().check(one_of(
                        A::Status,
                        &["open", "in_progress", "done", "wont_do"],
                    )))
                    .col(ColumnDef::new(A::DoneAt).timestamp_with_time_zone().null())
                    .col(ColumnDef::new(A::DoneBy).big_integer().null())
                    .col(ColumnDef::new(A::Reason).text().null())
                    .col(ColumnDef::new(A::Version).integer().not_null())
                    .col(ColumnDef::new(A::CreatedBy).big_integer().not_null())
                    .col(
                        ColumnDef::new(A::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(A::UpdatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .check(Expr::cust("due_on >= incident_on"))
                    .check(Expr::cust(
                        "status <> 'done' OR (done_at IS NOT NULL AND done_by IS NOT NULL)",
                    ))
                    .check(Expr::cust(
                        "status <> 'wont_do' OR length(trim(coalesce(reason, ''))) > 0",
                    ))
                    .foreign_key(&mut fk(
                        (A::Table, A::PostmortemId),
                        (Postmortems::Table, Postmortems::Id),
                    ))
                    .foreign_key(&mut fk(
                        (A::Table, A::IncidentId),
                        (Incidents::Table, Incidents::Id),
                    ))
                    .foreign_key(&mut fk(
                        (A::Table, A::AssigneeId),
                        (Users::Table, Users::Id),
                    ))
                    .foreign_key(&mut fk((A::Table, A::DoneBy), (Users::Table, Users::Id)))
                    .foreign_key(&mut fk((A::Table, A::CreatedBy), (Users::Table, Users::Id)))
                    .foreign_key(&mut fk(
                        (A::Table, A::FromPost),
                        (TimelineEvents::Table, TimelineEvents::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        // The tracker: open actions by date; one person's; one postmortem's.
        for (name, cols) in [
            ("idx_actions_open", vec![A::Status, A::DueOn]),
            (
                "idx_actions_assignee",
                vec![A::AssigneeId, A::Status, A::DueOn],
            ),
            ("idx_actions_postmortem", vec![A::PostmortemId, A::Id]),
            ("idx_actions_incident", vec![A::IncidentId]),
        ] {
            let mut index = Index::create();
            index.name(name).table(A::Table);
            for col in cols {
                index.col(col);
            }
            manager.create_index(index.to_owned()).await?;
        }
        use ActionChanges as C;
        manager
            .create_table(
                Table::create()
                    .table(C::Table)
                    .col(
                        ColumnDef::new(C::Id)
                            .big_integer()
                            .not_null()
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(C::ActionId).big_integer().not_null())
                    .col(ColumnDef::new(C::ActorId).big_integer().null())
                    .col(ColumnDef::new(C::Body).text().not_null())
                    .col(ColumnDef::new(C::At).timestamp_with_time_zone().not_null())
                    .foreign_key(&mut fk((C::Table, C::ActionId), (A::Table, A::Id)))
                    .foreign_key(&mut fk((C::Table, C::ActorId), (Users::Table, Users::Id)))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_action_changes_action")
                    .table(C::Table)
                    .col(C::ActionId)
                    .col(C::Id)
                    .to_owned(),
            )
            .await?;
        use NotNowItems as N;
        manager
            .create_table(
                Table::create()
                    .table(N::Table)
                    .col(
                        ColumnDef::new(N::Id)
                            .big_integer()
                            .not_null()
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(N::PostmortemId).big_integer().not_null())
                    .col(
                        ColumnDef::new(N::Title)
                            .text()
                            .not_null()
                            .check(Expr::cust("length(trim(title)) > 0")),
                    )
                    .col(ColumnDef::new(N::FromPost).big_integer().null())
                    .col(ColumnDef::new(N::AddedBy).big_integer().not_null())
                    .col(
                        ColumnDef::new(N::AddedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .foreign_key(&mut fk(
                        (N::Table, N::PostmortemId),
                        (Postmortems::Table, Postmortems::Id),
                    ))
                    .foreign_key(&mut fk((N::Table, N::AddedBy), (Users::Table, Users::Id)))
                    .foreign_key(&mut fk(
                        (N::Table, N::FromPost),
                        (TimelineEvents::Table, TimelineEvents::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        use ActionReminders as R;
        manager
            .create_table(
                Table::create()
                    .table(R::Table)
                    .col(ColumnDef::new(R::UserId).big_integer().not_null())
                    .col(ColumnDef::new(R::Day).date().not_null())
                    .col(ColumnDef::new(R::EmailId).big_integer().not_null())
                    .col(
                        ColumnDef::new(R::SentAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .primary_key(Index::create().col(R::UserId).col(R::Day))
                    .foreign_key(&mut fk((R::Table, R::UserId), (Users::Table, Users::Id)))
                    .to_owned(),
            )
            .await?;
        emails_may_have_no_incident(manager, true).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        db.execute_unprepared("DELETE FROM emails WHERE incident_id IS NULL OR author_id IS NULL")
            .await?;
        emails_may_have_no_incident(manager, false).await?;
        for table in [
            "action_reminders",
            "not_now_items",
            "action_changes",
            "corrective_actions",
        ] {
            manager
                .drop_table(Table::drop().table(Alias::new(table)).to_owned())
                .await?;
        }
        Ok(())
    }
}

/// Makes `emails.incident_id` and `author_id` optional (`optional`) or required again.
/// PostgreSQL alters the columns; SQLite (which cannot) rebuilds the table from its own
/// definition with the two columns changed, and copies the rows.
async fn emails_may_have_no_incident(
    manager: &SchemaManager<'_>,
    optional: bool,
) -> Result<(), DbErr> {
    let db = manager.get_connection();
    match manager.get_database_backend() {
        DbBackend::Sqlite => {
            let rows = db
                .query_all_raw(sea_orm::Statement::from_string(
                    DbBackend::Sqlite,
                    "SELECT type, sql FROM sqlite_master WHERE tbl_name = 'emails' AND sql IS NOT NULL",
                ))
                .await?;
            let mut table = None;
            let mut indexes = Vec::new();
            for row in rows {
                let kind: String = row.try_get("", "type")?;
                let sql: String = row.try_get("", "sql")?;
                if kind == "table" {
                    table = Some(sql);
                } else {
                    indexes.push(sql);
                }
            }
            let table = table.ok_or_else(|| DbErr::Migration("no emails table".into()))?;
            let mut next = table.replacen("\"emails\"", "\"emails_next\"", 1);
            for column in ["incident_id", "author_id"] {
                // `"incident_id" integer NOT NULL,` ⇄ `"incident_id" integer,`
                let name = format!("\"{column}\" ");
                let start = next.find(&name).map(|at| at + name.len());
                let end = start.and_then(|at| next[at..].find(',').map(|len| at + len));
                let (Some(start), Some(end)) = (start, end) else {
                    return Err(DbErr::Migration(format!(
                        "emails.{column} is not as expected: {table}"
                    )));
                };
                let kind = next[start..end].trim_end_matches(" NOT NULL").to_string();
                let definition = if optional {
                    kind
                } else {
                    format!("{kind} NOT NULL")
                };
                next.replace_range(start..end, &definition);
            }
            // One batch, so one pooled connection runs it all.
            db.execute_unprepared(&format!(
                "{next};\n\
                 INSERT INTO emails_next SELECT * FROM emails;\n\
                 DROP TABLE emails;\n\
                 ALTER TABLE emails_next RENAME TO emails;\n\
                 {};",
                indexes.join(";\n")
            ))
            .await
            .map(|_| ())
        }
        _ => {
            let change = if optional { "DROP" } else { "SET" };
            db.execute_unprepared(&format!(
                "ALTER TABLE emails ALTER COLUMN incident_id {change} NOT NULL, \
                 ALTER COLUMN author_id {change} NOT NULL"
            ))
            .await
            .map(|_| ())
        }
    }
}
