use super::{m20261124_000001_create_users::Users, m20261124_000004_create_incidents::Incidents};
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The affected-customers table of an incident. Absent optional ids are '' (not NULL),
/// so the uniqueness of (org_id, app_id, campaign_id) holds on SQLite and PostgreSQL alike.
#[derive(DeriveIden)]
enum AffectedCustomers {
    Table,
    Id,
    IncidentId,
    OrgName,
    OrgId,
    AppId,
    CampaignId,
    Note,
    AddedBy,
    AddedAt,
}

/// Rows of an import being checked, before the one transaction that saves them all.
#[derive(DeriveIden)]
enum CustomerImportRows {
    Table,
    ImportId,
    RowNumber,
    IncidentId,
    OrgName,
    OrgId,
    AppId,
    CampaignId,
    Note,
    CreatedAt,
}

/// The table's counts on the incident row, kept by every change to the table.
#[derive(DeriveIden)]
#[allow(clippy::enum_variant_names)] // the names are the columns'
enum CustomerCounts {
    CustomerRows,
    CustomerOrgs,
    CustomerApps,
}

/// `CHECK (length(col) BETWEEN min AND max)`: `length` counts characters on both databases.
fn length_between(column: impl Iden + 'static, min: i32, max: i32) -> SimpleExpr {
    Func::char_length(Expr::col(column)).between(min, max)
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        use AffectedCustomers as C;
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
                    .col(ColumnDef::new(C::IncidentId).big_integer().not_null())
                    .col(
                        ColumnDef::new(C::OrgName)
                            .string_len(200)
                            .not_null()
                            .check(length_between(C::OrgName, 1, 200)),
                    )
                    .col(
                        ColumnDef::new(C::OrgId)
                            .string_len(64)
                            .not_null()
                            .check(length_between(C::OrgId, 1, 64)),
                    )
                    .col(
                        ColumnDef::new(C::AppId)
                            .string_len(64)
                            .not_null()
                            .default("")
                            .check(length_between(C::AppId, 0, 64)),
                    )
                    .col(
                        ColumnDef::new(C::CampaignId)
                            .string_len(64)
                            .not_null()
                            .default("")
                            .check(length_between(C::CampaignId, 0, 64)),
                    )
                    .col(
                        ColumnDef::new(C::Note)
                            .string_len(500)
                            .not_null()
                            .default("")
                            .check(length_between(C::Note, 0, 500)),
                    )
                    .col(ColumnDef::new(C::AddedBy).big_integer().null())
                    .col(
                        ColumnDef::new(C::AddedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(C::Table, C::IncidentId)
                            .to(Incidents::Table, Incidents::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(C::Table, C::AddedBy)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_affected_customers_key")
                    .table(C::Table)
                    .col(C::IncidentId)
                    .col(C::OrgId)
                    .col(C::AppId)
                    .col(C::CampaignId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        // Sorting any column of a 100,000-row table pages through an index.
        for (name, column) in [
            ("idx_affected_customers_org_name", C::OrgName),
            ("idx_affected_customers_app_id", C::AppId),
            ("idx_affected_customers_campaign_id", C::CampaignId),
            // Rows in the order they were added (ids grow with time).
            ("idx_affected_customers_added", C::Id),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(C::Table)
                        .col(C::IncidentId)
                        .col(column)
                        .to_owned(),
                )
                .await?;
        }
        use CustomerImportRows as I;
        manager
            .create_table(
                Table::create()
                    .table(I::Table)
                    .col(ColumnDef::new(I::ImportId).string_len(64).not_null())
                    .col(ColumnDef::new(I::RowNumber).big_integer().not_null())
                    .col(ColumnDef::new(I::IncidentId).big_integer().not_null())
                    .col(ColumnDef::new(I::OrgName).string_len(200).not_null())
                    .col(ColumnDef::new(I::OrgId).string_len(64).not_null())
                    .col(ColumnDef::new(I::AppId).string_len(64).not_null())
                    .col(ColumnDef::new(I::CampaignId).string_len(64).not_null())
                    .col(ColumnDef::new(I::Note).string_len(500).not_null())
                    .col(
                        ColumnDef::new(I::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    // No foreign key: staging is scratch space (the save checks the
                    // incident), and a per-row check would cost a second per 100,000 rows.
                    .primary_key(Index::create().col(I::ImportId).col(I::RowNumber))
                    .to_owned(),
            )
            .await?;
        // A customer is staged once per import, whichever batch brings it.
        manager
            .create_index(
                Index::create()
                    .name("uq_customer_import_rows_key")
                    .table(I::Table)
                    .col(I::ImportId)
                    .col(I::OrgId)
                    .col(I::AppId)
                    .col(I::CampaignId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        // SQLite adds one column per statement.
        for column in [
            CustomerCounts::CustomerRows,
            CustomerCounts::CustomerOrgs,
            CustomerCounts::CustomerApps,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Incidents::Table)
                        .add_column(ColumnDef::new(column).big_integer().not_null().default(0))
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [
            CustomerCounts::CustomerRows,
            CustomerCounts::CustomerOrgs,
            CustomerCounts::CustomerApps,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Incidents::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .drop_table(Table::drop().table(CustomerImportRows::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(AffectedCustomers::Table).to_owned())
            .await
    }
}
