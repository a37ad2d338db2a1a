use crate::domain::ActionStatus;
use sea_orm::entity::prelude::*;

/// A corrective action: its assignee and expected date are required by the schema.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "corrective_actions")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub postmortem_id: i64,
    pub incident_id: i64,
    pub title: String,
    pub assignee_id: i64,
    pub due_on: Date,
    pub incident_on: Date,
    pub answers: Option<String>,
    pub ticket_url: Option<String>,
    pub from_post: Option<i64>,
    pub status: ActionStatus,
    pub done_at: Option<DateTimeUtc>,
    pub done_by: Option<i64>,
    pub reason: Option<String>,
    pub version: i32,
    pub created_by: i64,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::user::Entity",
        from = "Column::AssigneeId",
        to = "super::user::Column::Id"
    )]
    Assignee,
}

impl Related<super::user::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Assignee.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
