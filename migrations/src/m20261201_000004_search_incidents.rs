//! Full-text search over the incident history: titles and summaries, channel messages
//! and postmortems. A postmortem's text (its shared document, kept as updates) is
//! copied into `postmortems.search_text` as it is written. SQLite searches FTS5
//! external-content indexes kept by triggers; PostgreSQL expression GIN indexes on
//! `to_tsvector('simple', …)`. Both tokenise without stemming, so a word finds the same
//! incidents on either.

use sea_orm_migration::{prelude::*, sea_orm::DbBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Postmortems {
    Table,
    SearchText,
}

/// An FTS5 index of `table`'s `columns`, kept by triggers, filled from what is there.
fn fts5(index: &str, table: &str, columns: &[&str]) -> Vec<String> {
    let cols = columns.join(", ");
    let new: Vec<String> = columns.iter().map(|c| format!("new.{c}")).collect();
    let old: Vec<String> = columns.iter().map(|c| format!("old.{c}")).collect();
    let (new, old) = (new.join(", "), old.join(", "));
    vec![
        format!(
            "CREATE VIRTUAL TABLE {index} USING fts5({cols}, content='{table}', content_rowid='id', tokenize='unicode61 remove_diacritics 2')"
        ),
        format!(
            "CREATE TRIGGER {index}_ai AFTER INSERT ON {table} BEGIN \
             INSERT INTO {index}(rowid, {cols}) VALUES (new.id, {new}); END"
        ),
        format!(
            "CREATE TRIGGER {index}_ad AFTER DELETE ON {table} BEGIN \
             INSERT INTO {index}({index}, rowid, {cols}) VALUES ('delete', old.id, {old}); END"
        ),
        format!(
            "CREATE TRIGGER {index}_au AFTER UPDATE OF {cols} ON {table} BEGIN \
             INSERT INTO {index}({index}, rowid, {cols}) VALUES ('delete', old.id, {old}); \
             INSERT INTO {index}(rowid, {cols}) VALUES (new.id, {new}); END"
        ),
        format!("INSERT INTO {index}({index}) VALUES ('rebuild')"),
    ]
}

const INDEXES: [(&str, &str, &[&str]); 3] = [
    ("incidents_fts", "incidents", &["title", "summary"]),
    ("timeline_fts", "timeline_events", &["body"]),
    ("postmortems_fts", "postmortems", &["search_text"]),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Postmortems::Table)
                    .add_column(
                        ColumnDef::new(Postmortems::SearchText)
                            .text()
                            .not_null()
                            .default(""),
                    )
                    .to_owned(),
            )
            .await?;
        let db = manager.get_connection();
        match manager.get_database_backend() {
            DbBackend::Sqlite => {
                for (index, table, columns) in INDEXES {
                    for statement in fts5(index, table, columns) {
                        db.execute_unprepared(&statement).await?;
                    }
                }
            }
            _ => {
                for statement in [
                    "CREATE INDEX incidents_search ON incidents USING GIN (to_tsvector('simple', title || ' ' || summary))",
                    "CREATE INDEX timeline_events_search ON timeline_events USING GIN (to_tsvector('simple', body))",
                    "CREATE INDEX postmortems_search ON postmortems USING GIN (to_tsvector('simple', search_text))",
                ] {
                    db.execute_unprepared(statement).await?;
                }
            }
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        match manager.get_database_backend() {
            DbBackend::Sqlite => {
                for (index, _, _) in INDEXES {
                    for suffix in ["_ai", "_ad", "_au"] {
                        db.execute_unprepared(&format!("DROP TRIGGER IF EXISTS {index}{suffix}"))
                            .await?;
                    }
                    db.execute_unprepared(&format!("DROP TABLE IF EXISTS {index}"))
                        .await?;
                }
            }
            _ => {
                for index in [
                    "incidents_search",
                    "timeline_events_search",
                    "postmortems_search",
                ] {
                    db.execute_unprepared(&format!("DROP INDEX IF EXISTS {index}"))
                        .await?;
                }
            }
        }
        manager
            .alter_table(
                Table::alter()
                    .table(Postmortems::Table)
                    .drop_column(Postmortems::SearchText)
                    .to_owned(),
            )
            .await
    }
}
