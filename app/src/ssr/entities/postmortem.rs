use crate::domain::PostmortemStatus;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "postmortems")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub incident_id: i64,
    pub status: PostmortemStatus,
    pub started_by: i64,
    pub started_at: DateTimeUtc,
    pub meeting_at: Option<DateTimeUtc>,
    pub published_at: Option<DateTimeUtc>,
    pub updated_at: DateTimeUtc,
    /// The document's words, for search (`Contents::search_text`), kept as it is written.
    pub search_text: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
