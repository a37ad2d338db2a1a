use sea_orm::entity::prelude::*;

/// An earlier wording of an edited message.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "timeline_revisions")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub event_id: i64,
    /// The text as it read before this edit.
    pub body: String,
    pub edited_by: Option<i64>,
    pub edited_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::user::Entity",
        from = "Column::EditedBy",
        to = "super::user::Column::Id"
    )]
    Editor,
}

impl Related<super::user::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Editor.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
