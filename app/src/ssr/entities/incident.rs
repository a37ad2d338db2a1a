use crate::domain::{Severity, Status};
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "incidents")]
pub struct Model {
    /// Also the incident's number, as shown to people.
    #[sea_orm(primary_key)]
    pub id: i64,
    pub title: String,
    pub summary: String,
    pub severity: Severity,
    pub status: Status,
    pub started_at: DateTimeUtc,
    pub detected_at: DateTimeUtc,
    pub resolved_at: Option<DateTimeUtc>,
    pub leader_id: Option<i64>,
    pub created_by: i64,
    pub updated_at: DateTimeUtc,
    /// The affected-customers table's counts, kept by every change to it (in the same
    /// transaction), so pages of a 100,000-row table need not count it.
    pub customer_rows: i64,
    pub customer_orgs: i64,
    pub customer_apps: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
