use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// What every open browser is told, in order: one row per committed change (a batch of
/// alerts, a message, a status change). Its id is the live stream's event id, so a
/// browser that reconnects resumes after the last one it saw. Rows older than a day
/// are pruned.
#[derive(DeriveIden)]
enum LiveEvents {
    Table,
    Id,
    CreatedAt,
    /// The changes, as JSON.
    Body,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(LiveEvents::Table)
                    .col(
                        // AUTOINCREMENT on SQLite: ids never go back, even once pruned.
                        ColumnDef::new(LiveEvents::Id)
                            .big_integer()
                            .not_null()
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(LiveEvents::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(ColumnDef::new(LiveEvents::Body).text().not_null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_live_events_created")
                    .table(LiveEvents::Table)
                    .col(LiveEvents::CreatedAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(LiveEvents::Table).to_owned())
            .await
    }
}
