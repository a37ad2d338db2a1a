use crate::domain::AuditAction;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_events")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub occurred_at: DateTimeUtc,
    pub action: AuditAction,
    /// Who did it (an admin changing a role); None for the system or an unknown person.
    pub actor_id: Option<i64>,
    /// Whom it concerns.
    pub subject_id: Option<i64>,
    /// The email involved, kept for refusals of people who have no user row.
    pub email: Option<String>,
    pub detail: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
