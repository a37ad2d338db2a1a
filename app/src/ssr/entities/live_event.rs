use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "live_events")]
pub struct Model {
    /// The live stream's event id: browsers resume after the last one they saw.
    #[sea_orm(primary_key)]
    pub id: i64,
    pub created_at: DateTimeUtc,
    /// The changes, as JSON (`Vec<LiveChange>`, times in UTC).
    pub body: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
