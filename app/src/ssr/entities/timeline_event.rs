use crate::domain::{Channel, EventKind};
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "timeline_events")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub incident_id: i64,
    pub channel: Channel,
    pub kind: EventKind,
    pub author_id: Option<i64>,
    pub body: String,
    pub data: String,
    pub occurred_at: DateTimeUtc,
    /// The post this one answers (a challenge to a hypothesis).
    pub parent_id: Option<i64>,
    /// When its author last edited it; earlier wordings are in `timeline_revisions`.
    pub edited_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::user::Entity",
        from = "Column::AuthorId",
        to = "super::user::Column::Id"
    )]
    Author,
}

impl Related<super::user::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Author.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
