use sea_orm::entity::prelude::*;

/// One update of a postmortem's shared document (yrs, v1 encoding), or a snapshot
/// standing for the rows it replaced.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "postmortem_updates")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub postmortem_id: i64,
    pub data: Vec<u8>,
    /// None for a snapshot.
    pub author_id: Option<i64>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
