use super::m20261124_000001_create_users::Users;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum TimelineEvents {
    Table,
    Id,
    EditedAt,
}

/// Every earlier wording of an edited message: the record keeps what was said.
#[derive(DeriveIden)]
enum TimelineRevisions {
    Table,
    Id,
    EventId,
    /// The text as it read before this edit.
    Body,
    EditedBy,
    EditedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // A reply (a challenge to a hypothesis) names the post it answers. Written as
        // SQL: the schema builder cannot add a foreign key to an SQLite table.
        manager
            .get_connection()
            .execute_unprepared(
                "ALTER TABLE timeline_events ADD COLUMN parent_id BIGINT NULL \
                 REFERENCES timeline_events (id)",
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(TimelineEvents::Table)
                    .add_column(
                        ColumnDef::new(TimelineEvents::EditedAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .to_owned(),
            )
            .await?;
        use TimelineRevisions as R;
        manager
            .create_table(
                Table::create()
                    .table(R::Table)
                    .col(
                        ColumnDef::new(R::Id)
                            .big_integer()
                            .not_null()
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(R::EventId).big_integer().not_null())
                    .col(ColumnDef::new(R::Body).text().not_null())
                    .col(ColumnDef::new(R::EditedBy).big_integer().null())
                    .col(
                        ColumnDef::new(R::EditedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(R::Table, R::EventId)
                            .to(TimelineEvents::Table, TimelineEvents::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(R::Table, R::EditedBy)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_timeline_revisions_event")
                    .table(R::Table)
                    .col(R::EventId)
                    .col(R::Id)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(TimelineRevisions::Table).to_owned())
            .await?;
        for column in ["edited_at", "parent_id"] {
            manager
                .get_connection()
                .execute_unprepared(&format!("ALTER TABLE timeline_events DROP COLUMN {column}"))
                .await?;
        }
        Ok(())
    }
}
