use crate::domain::{AlertState, Severity};
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "alerts")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub source_id: i64,
    pub dedup_key: String,
    pub title: String,
    pub severity: Option<Severity>,
    pub status: AlertState,
    /// As the payload (or the source) names it; '' for none.
    pub service: String,
    /// What the tool sent, as JSON text.
    pub details: String,
    pub url: Option<String>,
    pub first_seen_at: DateTimeUtc,
    pub last_seen_at: DateTimeUtc,
    pub resolved_at: Option<DateTimeUtc>,
    /// Deliveries of this alert, the first included.
    pub occurrences: i64,
    pub incident_id: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::alert_source::Entity",
        from = "Column::SourceId",
        to = "super::alert_source::Column::Id"
    )]
    Source,
}

impl Related<super::alert_source::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Source.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
